//! Activities abroad outside the exchange lottery: registration by the student, the
//! programme's approval, submission (approved, or held when late), the office's decision
//! on held ones, and contacts abroad during the stay.

use crate::access::{body_after_access, require_role_on};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest, decision_text};
use crate::responses::{BreaksRules, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::offers::EmergencyContactView;
use crate::routes::{ListResponse, created_response};
use abroad_domain::activity::ActivityFields;
use abroad_domain::offer::ContactFields;
use abroad_domain::{ActivityStatus, ActivityType, CountryCode, Role, Violation};
use abroad_storage::StorageError;
use abroad_storage::activities::{self, ActivityFilter, ActivityRow};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const NOT_FOUND: &str = "no activity with this id";

/// The contacts abroad during a registered activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsView {
    pub address: String,
    pub phone: String,
    pub emergency_contact: EmergencyContactView,
}

/// A registered activity abroad.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: Uuid,
    /// The student's number.
    pub student: String,
    /// The student's programme when registered: it approves, and its faculty sees it.
    pub programme: String,
    #[serde(rename = "type")]
    pub activity_type: ActivityType,
    pub title: String,
    pub host_organisation: String,
    #[schema(example = "SE")]
    pub country: String,
    pub city: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub credits: bool,
    pub funding: bool,
    pub transcript: bool,
    pub status: ActivityStatus,
    /// It gives credits, funding or a transcript mention: the programme approves it
    /// before it is submitted.
    pub needs_programme_approval: bool,
    /// `approved`, `rejected`, or `null` while the programme has not decided.
    pub programme_decision: Option<String>,
    pub programme_comment: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Why the office rejected a held registration.
    pub reject_reason: Option<String>,
    /// Once the student has entered them (`PUT /activities/{id}/stay`).
    pub stay: Option<ContactsView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ActivityView {
    fn new(row: ActivityRow) -> Result<Self, StorageError> {
        let contacts = row.contacts().map(|c| ContactsView {
            address: c.address,
            phone: c.phone,
            emergency_contact: EmergencyContactView {
                name: c.emergency_contact.name,
                phone: c.emergency_contact.phone,
                relation: c.emergency_contact.relation,
            },
        });
        Ok(Self {
            activity_type: row.activity_type()?,
            status: row.status()?,
            needs_programme_approval: row.credits || row.funding || row.transcript,
            stay: contacts,
            id: row.id,
            student: row.student,
            programme: row.programme,
            title: row.title,
            host_organisation: row.host_organisation,
            country: row.country,
            city: row.city,
            start_date: row.start_date,
            end_date: row.end_date,
            credits: row.credits,
            funding: row.funding,
            transcript: row.transcript,
            programme_decision: row.programme_decision,
            programme_comment: row.programme_comment,
            submitted_at: row.submitted_at,
            reject_reason: row.reject_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Registers an activity abroad (a draft), under the student's current programme.
#[utoipa::path(
    operation_id = "createActivity",
    tag = "activities",
    request_body = ActivityFields,
    responses(
        (status = 201, body = ActivityView),
        Malformed,
        Unauthenticated,
        Forbidden,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/activities")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Json<ActivityFields>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Student])?;
    let draft = body.0.parse().map_err(ApiError::Unprocessable)?;
    let (actor, student) = (caller.actor(), caller.sub.clone());
    let created = crate::db::run(&state.pool, move |conn| {
        let row = activities::create(conn, &actor, &student, &draft)?;
        ActivityView::new(row)
    })
    .await?;
    Ok(created_response(
        format!("/api/v1/activities/{}", created.id),
        &created,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[param(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Activities the caller may see, newest first: a student's own, a programme's
/// students', a faculty coordinator's faculty's students', or all for the office.
#[utoipa::path(
    operation_id = "listActivities",
    tag = "activities",
    params(ActivityQuery),
    responses(
        (status = 200, body = ListResponse<ActivityView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/activities")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> Result<web::Json<ListResponse<ActivityView>>, ApiError> {
    let query = query.into_inner();
    let filter = ActivityFilter {
        status: query
            .status
            .as_deref()
            .map(|raw| ActivityStatus::parse("status", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
        country: query
            .country
            .as_deref()
            .map(|raw| CountryCode::parse("country", raw).map_err(ApiError::parameter))
            .transpose()?
            .map(|c| c.as_str().to_owned()),
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let viewer = caller.viewer();
    let rows = crate::db::run(&state.pool, move |conn| {
        let rows = activities::list(conn, &viewer, &filter, page.after, page.limit)?;
        let items = rows
            .items
            .into_iter()
            .map(ActivityView::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ListResponse {
            items,
            next_cursor: rows.next_cursor,
        })
    })
    .await?;
    Ok(web::Json(rows))
}

/// One activity: its student's, their programme's, or the office's to read.
#[utoipa::path(
    operation_id = "getActivity",
    tag = "activities",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ActivityView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/activities/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityView>, ApiError> {
    let (id, viewer) = (id.into_inner(), caller.viewer());
    let found = crate::db::run(&state.pool, move |conn| {
        let row = activities::get(conn, id, &viewer)?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(found))
}

/// 404 for an activity the caller may not see, 403 for one it sees but whose role may
/// not do this.
async fn require_role_on_activity(
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
        move |conn, viewer| activities::get(conn, id, viewer),
    )
    .await
}

/// `checked` (what the body says) as the answer only for a caller who sees the
/// activity; anyone else gets its 404 (see [`body_after_access`]).
async fn body_on_activity<V>(
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
        move |conn, viewer| activities::get(conn, id, viewer),
    )
    .await
}

/// Changes a draft (the owner). A programme decision already taken is cleared: the
/// programme decides on what is submitted.
#[utoipa::path(
    operation_id = "updateActivity",
    tag = "activities",
    params(("id" = Uuid, Path)),
    request_body = ActivityFields,
    responses(
        (status = 200, body = ActivityView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not a draft", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/activities/{id}")]
pub async fn update(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ActivityFields>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Student, &state, *id).await?;
    let draft = body.0.parse().map_err(ApiError::Unprocessable);
    let draft = body_on_activity(draft, &caller, &state, *id).await?;
    let (id, actor, owner) = (id.into_inner(), caller.actor(), caller.sub.clone());
    let changed = crate::db::run(&state.pool, move |conn| {
        let row = activities::update(conn, &actor, id, &owner, &draft)?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(changed))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityProgrammeDecision {
    pub approved: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The student's programme approves or rejects a draft; one that gives credits, funding
/// or a transcript mention needs its approval before it is submitted.
#[utoipa::path(
    operation_id = "decideActivityForProgramme",
    tag = "activities",
    params(("id" = Uuid, Path)),
    request_body = ActivityProgrammeDecision,
    responses(
        (status = 200, body = ActivityView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "submitted already", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/programme-decision")]
pub async fn programme_decision(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ActivityProgrammeDecision>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Programme, &state, *id).await?;
    let comment = decision_text("comment", body.0.comment.as_deref());
    let comment = body_on_activity(comment, &caller, &state, *id).await?;
    let (id, actor, programmes, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.programmes.clone(),
        state.clock.clone(),
    );
    let approved = body.0.approved;
    let decided = crate::db::run(&state.pool, move |conn| {
        let row = activities::programme_decision(
            conn,
            &actor,
            id,
            &programmes,
            approved,
            comment.as_deref(),
            || clock.now(),
        )?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(decided))
}

/// Submits a draft (the owner): 422 with every rule broken (the programme's approval
/// missing where needed, the country under orange or red advice, an end before the
/// start, a start in the past); else `approved`, or `held` for a coordinator when
/// fewer than 14 calendar days (Europe/Amsterdam) are left before departure.
#[utoipa::path(
    operation_id = "submitActivity",
    tag = "activities",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ActivityView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "submitted already", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/submit")]
pub async fn submit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Student, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let submitted = crate::db::run(&state.pool, move |conn| {
        let row = activities::submit(conn, &actor, id, &owner, || clock.now())?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(submitted))
}

/// A coordinator approves a held registration (not while the country is under
/// negative advice).
#[utoipa::path(
    operation_id = "approveActivity",
    tag = "activities",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ActivityView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not held, or the country is under negative advice now", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/approve")]
pub async fn approve(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Coordinator, &state, *id).await?;
    decide(caller, state, id.into_inner(), None).await
}

/// Why a held registration is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// 1–2,000 characters, for the student.
    #[serde(default)]
    pub reason: String,
}

/// A coordinator rejects a held registration, saying why.
#[utoipa::path(
    operation_id = "rejectActivity",
    tag = "activities",
    params(("id" = Uuid, Path)),
    request_body = Rejection,
    responses(
        (status = 200, body = ActivityView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not held", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/reject")]
pub async fn reject(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Rejection>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Coordinator, &state, *id).await?;
    let reason = required_reason(Some(&body.0.reason));
    let reason = body_on_activity(reason, &caller, &state, *id).await?;
    decide(caller, state, id.into_inner(), reason).await
}

async fn decide(
    caller: Caller,
    state: web::Data<AppState>,
    id: Uuid,
    reason: Option<String>,
) -> Result<web::Json<ActivityView>, ApiError> {
    let (actor, viewer, clock) = (caller.actor(), caller.viewer(), state.clock.clone());
    let decided = crate::db::run(&state.pool, move |conn| {
        let row = activities::decide(conn, &actor, id, &viewer, reason.as_deref(), || clock.now())?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(decided))
}

/// The owner keeps the contacts abroad of an approved or held registration current
/// until the stay ends: the address and phone there, and an emergency contact.
#[utoipa::path(
    operation_id = "putActivityStay",
    tag = "activities",
    params(("id" = Uuid, Path)),
    request_body = ContactFields,
    responses(
        (status = 200, body = ActivityView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not approved or held", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/activities/{id}/stay")]
pub async fn stay(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ContactFields>,
) -> Result<web::Json<ActivityView>, ApiError> {
    require_role_on_activity(&caller, Role::Student, &state, *id).await?;
    let contacts = body.0.parse().map_err(ApiError::Unprocessable);
    let contacts = body_on_activity(contacts, &caller, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let kept = crate::db::run(&state.pool, move |conn| {
        let row = activities::set_stay(conn, &actor, id, &owner, &contacts, || clock.now())?;
        ActivityView::new(row)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(kept))
}

/// A rejection's reason: as [`decision_text`], and not empty.
fn required_reason(text: Option<&str>) -> Result<Option<String>, ApiError> {
    let text = decision_text("reason", text)?;
    if text.is_none() {
        return Err(ApiError::Unprocessable(vec![Violation::new(
            "reason",
            "required",
            "`reason` is required: say why",
        )]));
    }
    Ok(text)
}
