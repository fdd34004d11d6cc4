//! Applications: a student's ranked choices, submission against the call's rules,
//! and the programme's and the office's decisions.

use crate::access::{body_after_access, require_role_on};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest};
use crate::responses::{BreaksRules, Conflict, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::{ListResponse, created_response};
use abroad_domain::call::MAX_CHOICES;
use abroad_domain::{
    ApplicationStatus, Assessment, ReviewOutcome, Role, Semester, Violation, Violations, assess,
};
use abroad_storage::applications::{
    self, ApplicationFilter, ApplicationInput, ApplicationRecord, Choice, DocumentInfo, Facts,
};
use abroad_storage::{PgConnection, StorageError};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One choice as a student sends it, in order of preference.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceFields {
    pub destination_id: Uuid,
    /// The motivation for this choice, when the call asks for one per choice.
    #[serde(default)]
    pub motivation: Option<String>,
}

/// An application as a student sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationFields {
    #[serde(default)]
    #[schema(value_type = Semester)]
    pub semester: String,
    /// Consider me for the other semester if I cannot be placed in mine.
    #[serde(default)]
    pub plan_b: bool,
    /// In order of preference, first choice first.
    #[serde(default)]
    pub choices: Vec<ChoiceFields>,
}

impl ApplicationFields {
    /// The shape a draft must have; the call's own rules are checked at submit.
    fn input(self) -> Result<ApplicationInput, ApiError> {
        let mut v = Violations::new();
        let semester = v.take(Semester::parse("semester", &self.semester));
        if self.choices.len() > MAX_CHOICES as usize {
            v.push(
                "choices",
                "too_many_choices",
                format!("an application lists at most {MAX_CHOICES} choices"),
            );
        }
        for (i, c) in self.choices.iter().enumerate() {
            if c.motivation
                .as_ref()
                .is_some_and(|m| m.chars().count() > 20_000)
            {
                v.push(
                    format!("choices[{i}].motivation"),
                    "too_long",
                    "a motivation may be at most 20,000 characters",
                );
            }
        }
        match semester {
            Some(semester) if v.is_empty() => Ok(ApplicationInput {
                semester,
                plan_b: self.plan_b,
                choices: self
                    .choices
                    .into_iter()
                    .map(|c| {
                        (
                            c.destination_id,
                            c.motivation
                                .map(|m| m.trim().to_owned())
                                .filter(|m| !m.is_empty()),
                        )
                    })
                    .collect(),
            }),
            _ => Err(ApiError::Unprocessable(v.into_vec())),
        }
    }
}

/// Whether the application meets every rule of its call, as the office will check it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Eligibility {
    pub ok: bool,
    /// Every rule it breaks now.
    pub reasons: Vec<Violation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChoiceView {
    /// 1 is the first choice.
    pub rank: i32,
    pub destination_id: Uuid,
    pub motivation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    #[schema(value_type = abroad_domain::DocumentKind)]
    pub kind: String,
    /// Hex SHA-256 of the PDF.
    pub sha256: String,
    pub size: i32,
    pub uploaded_at: DateTime<Utc>,
}

impl From<DocumentInfo> for DocumentView {
    fn from(d: DocumentInfo) -> Self {
        Self {
            kind: d.kind,
            sha256: d.sha256,
            size: d.size,
            uploaded_at: d.uploaded_at,
        }
    }
}

/// An application with its choices, documents, and its standing against the rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub call_id: Uuid,
    /// The student number.
    pub student: String,
    pub programme: String,
    #[schema(value_type = Semester)]
    pub semester: String,
    pub plan_b: bool,
    #[schema(value_type = ApplicationStatus)]
    pub status: String,
    pub choices: Vec<ChoiceView>,
    pub documents: Vec<DocumentView>,
    pub eligibility: Eligibility,
    /// Advice that does not stop a submission (e.g. many low-chance choices).
    pub warnings: Vec<Violation>,
    /// For `ranking` calls: the office's score.
    pub score: Option<f64>,
    pub programme_decision: Option<String>,
    pub programme_comment: Option<String>,
    pub programme_decided_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<ReviewOutcome>)]
    pub review_outcome: Option<String>,
    pub review_note: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ApplicationView {
    fn new(record: ApplicationRecord, assessment: abroad_domain::Assessment) -> Self {
        let a = record.application;
        Self {
            id: a.id,
            call_id: a.call_id,
            student: a.student,
            programme: a.programme,
            semester: a.semester,
            plan_b: a.plan_b,
            status: a.status,
            choices: record
                .choices
                .into_iter()
                .map(|c: Choice| ChoiceView {
                    rank: c.rank,
                    destination_id: c.destination_id,
                    motivation: c.motivation,
                })
                .collect(),
            documents: record
                .documents
                .into_iter()
                .map(DocumentView::from)
                .collect(),
            eligibility: Eligibility {
                ok: assessment.violations.is_empty(),
                reasons: assessment.violations,
            },
            warnings: assessment.warnings,
            score: a.score,
            programme_decision: a.programme_decision,
            programme_comment: a.programme_comment,
            programme_decided_at: a.programme_decided_at,
            review_outcome: a.review_outcome,
            review_note: a.review_note,
            reviewed_at: a.reviewed_at,
            submitted_at: a.submitted_at,
            withdrawn_at: a.withdrawn_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The call's rules checked on an application's facts: its `eligibility` and `warnings`.
fn assessment(facts: &Facts) -> Assessment {
    assess(
        &facts.rules,
        facts.semester,
        &facts.student,
        &facts.choices,
        &facts.uploaded,
    )
}

/// The view of an application read with its facts.
fn view((record, facts): (ApplicationRecord, Facts)) -> ApplicationView {
    let assessment = assessment(&facts);
    ApplicationView::new(record, assessment)
}

/// Reads the application again with its facts (two queries) and checks the rules, for a view.
pub(crate) fn assessed(
    conn: &mut PgConnection,
    record: ApplicationRecord,
) -> Result<ApplicationView, StorageError> {
    let read = applications::with_facts(conn, vec![record.application])?
        .pop()
        .ok_or(StorageError::NotFound)?;
    Ok(view(read))
}

/// What a 404 here says.
pub(crate) const NOT_FOUND: &str = "no application with this id";

/// What a 404 for the call applied to says.
const CALL_NOT_FOUND: &str = "no call with this id";

/// SPEC.md's status rule for acting on one application: 404 when the caller may not
/// see it, 403 when it may but its role does not do this.
pub(crate) async fn require_role_on_application(
    caller: &Caller,
    role: Role,
    state: &AppState,
    id: Uuid,
) -> Result<(), ApiError> {
    require_role_on(
        caller,
        &[role],
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| applications::get(conn, id, viewer),
    )
    .await
}

/// `checked` (what the body says) as the answer only for a caller who sees the
/// application; anyone else gets its 404 (see [`body_after_access`]).
pub(crate) async fn body_on_application<V>(
    checked: Result<V, ApiError>,
    caller: &Caller,
    state: &AppState,
    id: Uuid,
) -> Result<V, ApiError> {
    body_after_access(
        checked,
        caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| applications::get(conn, id, viewer),
    )
    .await
}

/// Starts an application (a draft) in an open call before its deadline (students).
#[utoipa::path(
    operation_id = "createApplication",
    tag = "applications",
    params(("id" = Uuid, Path, description = "the call")),
    request_body = ApplicationFields,
    responses(
        (status = 201, body = ApplicationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "the call is not open, its deadline passed, or you already applied", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/calls/{id}/applications")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    call_id: web::Path<Uuid>,
    body: Json<ApplicationFields>,
) -> Result<HttpResponse, ApiError> {
    let call = *call_id;
    let sees_call = move |conn: &mut PgConnection, viewer: &abroad_storage::Viewer| {
        abroad_storage::calls::get_visible(conn, call, viewer)
    };
    require_role_on(
        &caller,
        &[Role::Student],
        &state.pool,
        CALL_NOT_FOUND,
        sees_call,
    )
    .await?;
    let input = body_after_access(
        body.0.input(),
        &caller,
        &state.pool,
        CALL_NOT_FOUND,
        sees_call,
    )
    .await?;
    let (call_id, actor, student, clock) = (
        call_id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    // What this process holds that spares the create its read: the chosen destinations'
    // facts from the catalogue in memory, and the call as it last read it.
    let choices = state
        .catalogue
        .known_choices(input.choices.iter().map(|(id, _)| *id));
    let held = choices
        .as_ref()
        .and_then(|_| state.known_calls.get(call_id));
    let (created, call) = crate::db::run(&state.pool, move |conn| {
        // A call not held yet is read with its places, once for the creates after.
        let call = match (&choices, held) {
            (Some(_), None) => applications::known_call(conn, call_id)?.map(Arc::new),
            (_, held) => held,
        };
        let created = applications::create_remembered(
            conn,
            &actor,
            call_id,
            &student,
            &input,
            choices.as_ref().zip(call.as_deref()),
            || clock.now(),
        )
        .map(|(record, facts, drafted)| (view((record, facts)), drafted));
        Ok((created, call))
    })
    .await
    .map_err(missing(CALL_NOT_FOUND))?;
    match (&created, call) {
        // Written on the call as held (or just read): it stands for the next create.
        (Ok((_, Some(drafted))), Some(call)) if drafted.was_in(&call) => {
            state.known_calls.hold(call)
        }
        // A refusal answers this request; it says nothing of the call.
        (Err(_), _) => {}
        // Written on another version of the call, or the careful way: read it again.
        _ => state.known_calls.forget(call_id),
    }
    let (view, drafted) = created
        .map_err(ApiError::from)
        .map_err(missing(CALL_NOT_FOUND))?;
    if let Some(drafted) = drafted {
        state.drafts.keep(drafted);
    }
    Ok(created_response(
        format!("/api/v1/applications/{}", view.id),
        &view,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    pub call_id: Option<Uuid>,
    #[param(value_type = Option<ApplicationStatus>)]
    pub status: Option<String>,
    /// The student's programme.
    pub programme: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Applications the caller may see, newest first: a student's own, a programme's
/// students', a faculty coordinator's faculty calls', or all for the office.
#[utoipa::path(
    operation_id = "listApplications",
    tag = "applications",
    params(ApplicationQuery),
    responses(
        (status = 200, body = ListResponse<ApplicationView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/applications")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ApplicationQuery>,
) -> Result<web::Json<ListResponse<ApplicationView>>, ApiError> {
    let query = query.into_inner();
    let filter = ApplicationFilter {
        call_id: query.call_id,
        status: query
            .status
            .as_deref()
            .map(|raw| ApplicationStatus::parse("status", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
        programme: query
            .programme
            .as_deref()
            .map(|raw| {
                abroad_domain::ProgrammeCode::parse("programme", raw)
                    .map_err(ApiError::bad_parameter)
            })
            .transpose()?
            .map(|p| p.as_str().to_owned()),
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let scope = caller.viewer();
    let response = crate::db::run(&state.pool, move |conn| {
        let page = applications::list(conn, &scope, &filter, page.after, page.limit)?;
        Ok(ListResponse {
            items: page.items.into_iter().map(view).collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await?;
    Ok(web::Json(response))
}

/// One application, with `eligibility` against its call's rules and `warnings`.
#[utoipa::path(
    operation_id = "getApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ApplicationView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/applications/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    let (id, scope) = (id.into_inner(), caller.viewer());
    let view = crate::db::run(&state.pool, move |conn| {
        applications::get_with_facts(conn, id, &scope).map(view)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}

/// Replaces a draft's semester, plan B and choices (the owner, before the deadline).
#[utoipa::path(
    operation_id = "updateApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    request_body = ApplicationFields,
    responses(
        (status = 200, body = ApplicationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not a draft, or the deadline passed", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/applications/{id}")]
pub async fn update(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ApplicationFields>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Student, &state, *id).await?;
    let input = body_on_application(body.0.input(), &caller, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let view = crate::db::run(&state.pool, move |conn| {
        let record = applications::update(conn, &actor, id, &owner, &input, || clock.now())?;
        assessed(conn, record)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}

/// Submits a draft: every rule of the call is checked and every violation answered
/// at once (422); after the deadline nothing changes (409).
#[utoipa::path(
    operation_id = "submitApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "submitted; `warnings` may advise", body = ApplicationView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "already submitted, or the deadline passed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "every rule it breaks", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/submit")]
pub async fn submit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Student, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let drafted = state.drafts.take(id, &owner);
    let view = crate::db::run(&state.pool, move |conn| {
        let (record, warnings) = applications::submit_remembered(
            conn,
            &actor,
            id,
            &owner,
            drafted,
            || clock.now(),
            |facts| {
                let a = assessment(facts);
                if a.violations.is_empty() {
                    Ok(a.warnings)
                } else {
                    Err(a.violations)
                }
            },
        )?;
        // Just checked under the lock: it breaks no rule, and these are its warnings.
        let assessment = Assessment {
            violations: Vec::new(),
            warnings,
        };
        Ok(ApplicationView::new(record, assessment))
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}

/// Withdraws an application, at any time before the call closes (the owner).
#[utoipa::path(
    operation_id = "withdrawApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ApplicationView),
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Student, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let view = crate::db::run(&state.pool, move |conn| {
        let record = applications::withdraw(conn, &actor, id, &owner, || clock.now())?;
        assessed(conn, record)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}
