//! Calls (application rounds), their places, and opening and closing them.

use crate::access::{body_after_access, creating_within_faculty};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest, merge_patch, parse_json};
use crate::responses::{BreaksRules, Conflict, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::{ListResponse, created_response};
use abroad_domain::{
    Activity, CallDraft, CallFields, CallStatus, DocumentKind, Level, Motivation, Role, Scheme,
    Selection, Semester, Violation,
};
use abroad_storage::StorageError;
use abroad_storage::calls::{self, Call, Place, PlaceDemand};
use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A call with its rules; `commitment` is published once it closes.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Scheme)]
    pub scheme: String,
    pub faculty: Option<String>,
    #[schema(value_type = Activity)]
    pub activity: String,
    #[schema(value_type = Vec<Semester>)]
    pub semesters: Vec<String>,
    pub opens_at: DateTime<Utc>,
    /// In UTC.
    pub deadline: DateTime<Utc>,
    /// The same moment in Europe/Amsterdam, as students read it.
    #[schema(example = "2026-12-01T23:59:00+01:00")]
    pub deadline_local: String,
    pub min_choices: i32,
    pub max_choices: i32,
    pub max_low_chance: Option<i32>,
    pub min_ec: i32,
    pub max_ec: Option<i32>,
    #[schema(value_type = Option<Level>)]
    pub ec_applies_to: Option<String>,
    pub requires_first_year_diploma: bool,
    pub min_gpa: Option<f64>,
    pub motivation: Motivation,
    #[schema(value_type = Vec<DocumentKind>)]
    pub required_documents: Vec<String>,
    pub transcript_rule: bool,
    #[schema(value_type = Selection)]
    pub selection: String,
    pub offer_days: i32,
    pub parent_call_id: Option<Uuid>,
    #[schema(value_type = CallStatus)]
    pub status: String,
    /// `SHA-256(seed)` in hex, published when the call closes; the seed stays secret until the draw.
    pub commitment: Option<String>,
    /// SHA-256 in hex of the frozen draw inputs (RFC 8785 JSON of `{applications, slots}`,
    /// as the draw record will publish them without `blocked`), published at close.
    pub inputs_digest: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Unsigned counts read back from checked columns.
fn count(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

impl From<Call> for CallView {
    fn from(c: Call) -> Self {
        Self {
            deadline_local: c.deadline.with_timezone(&Amsterdam).to_rfc3339(),
            motivation: Motivation {
                per_choice: c.motivation_per_choice,
                min_words: count(c.motivation_min_words),
                max_words: count(c.motivation_max_words),
            },
            id: c.id,
            name: c.name,
            scheme: c.scheme,
            faculty: c.faculty,
            activity: c.activity,
            semesters: c.semesters,
            opens_at: c.opens_at,
            deadline: c.deadline,
            min_choices: c.min_choices,
            max_choices: c.max_choices,
            max_low_chance: c.max_low_chance,
            min_ec: c.min_ec,
            max_ec: c.max_ec,
            ec_applies_to: c.ec_applies_to,
            requires_first_year_diploma: c.requires_first_year_diploma,
            min_gpa: c.min_gpa,
            required_documents: c.required_documents,
            transcript_rule: c.transcript_rule,
            selection: c.selection,
            offer_days: c.offer_days,
            parent_call_id: c.parent_call_id,
            status: c.status,
            commitment: c.commitment,
            inputs_digest: c.inputs_digest,
            closed_at: c.closed_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The fields a stored call was made from, to apply a merge patch to.
fn fields_of(c: &Call) -> CallFields {
    CallFields {
        name: c.name.clone(),
        scheme: c.scheme.clone(),
        faculty: c.faculty.clone(),
        activity: c.activity.clone(),
        semesters: c.semesters.clone(),
        opens_at: c.opens_at.to_rfc3339(),
        deadline: c.deadline.to_rfc3339(),
        min_choices: Some(i64::from(c.min_choices)),
        max_choices: Some(i64::from(c.max_choices)),
        max_low_chance: c.max_low_chance.map(i64::from),
        min_ec: Some(i64::from(c.min_ec)),
        max_ec: c.max_ec.map(i64::from),
        ec_applies_to: c.ec_applies_to.clone(),
        requires_first_year_diploma: c.requires_first_year_diploma,
        min_gpa: c.min_gpa,
        motivation: Motivation {
            per_choice: c.motivation_per_choice,
            min_words: count(c.motivation_min_words),
            max_words: count(c.motivation_max_words),
        },
        required_documents: c.required_documents.clone(),
        transcript_rule: c.transcript_rule,
        selection: c.selection.clone(),
        offer_days: Some(i64::from(c.offer_days)),
        parent_call_id: c.parent_call_id,
    }
}

/// A faculty coordinator's calls are its faculty's: making any other is 403 (SPEC.md).
fn within_scope(caller: &Caller, draft: &CallDraft) -> Result<(), StorageError> {
    match &caller.faculty {
        Some(f) if draft.faculty.as_ref().map(|d| d.as_str()) != Some(f.as_str()) => {
            Err(StorageError::Forbidden(outside_scope(f)))
        }
        _ => Ok(()),
    }
}

/// [`within_scope`] decided from the scheme and faculty alone, before the rest of the
/// body is checked: a call of another faculty is 403 whatever else it says.
fn plainly_within_scope(caller: &Caller, fields: &CallFields) -> Result<(), ApiError> {
    let has_owner = Scheme::parse("scheme", &fields.scheme)
        .ok()
        .map(|s| s == Scheme::Faculty);
    creating_within_faculty(caller, has_owner, fields.faculty.as_deref(), outside_scope)
}

fn outside_scope(faculty: &str) -> String {
    format!("you coordinate faculty {faculty}: your calls are `faculty` calls of {faculty}")
}

/// What a 404 here says.
const NOT_FOUND: &str = "no call with this id";

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    #[param(value_type = Option<CallStatus>)]
    pub status: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Creates a call as a draft (coordinators; a faculty coordinator only its faculty's).
#[utoipa::path(
    operation_id = "createCall",
    tag = "calls",
    request_body = CallFields,
    responses(
        (status = 201, body = CallView),
        Malformed,
        Unauthenticated,
        Forbidden,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/calls")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Json<CallFields>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    plainly_within_scope(&caller, &body.0)?;
    let draft = CallDraft::parse(&body.0)?;
    within_scope(&caller, &draft)?;
    let (actor, viewer) = (caller.actor(), caller.viewer());
    let call = crate::db::run(&state.pool, move |conn| {
        calls::create(conn, &actor, &draft, &viewer)
    })
    .await?;
    Ok(created_response(
        format!("/api/v1/calls/{}", call.id),
        &CallView::from(call),
    ))
}

/// Lists calls, newest first. Drafts only coordinators see.
#[utoipa::path(
    operation_id = "listCalls",
    tag = "calls",
    params(CallQuery),
    responses(
        (status = 200, body = ListResponse<CallView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/calls")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<CallQuery>,
) -> Result<web::Json<ListResponse<CallView>>, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|raw| CallStatus::parse("status", raw).map_err(ApiError::bad_parameter))
        .transpose()?;
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let viewer = caller.viewer();
    let rows = crate::db::run(&state.pool, move |conn| {
        calls::list(conn, &viewer, status, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(rows, CallView::from)))
}

/// A call the caller may see: drafts only to the coordinators who manage them.
async fn visible_call(caller: &Caller, state: &AppState, id: Uuid) -> Result<Call, ApiError> {
    let viewer = caller.viewer();
    crate::db::run(&state.pool, move |conn| {
        calls::get_visible(conn, id, &viewer)
    })
    .await
    .map_err(missing(NOT_FOUND))
}

/// One call.
#[utoipa::path(
    operation_id = "getCall",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CallView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/calls/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CallView>, ApiError> {
    Ok(web::Json(
        visible_call(&caller, &state, id.into_inner()).await?.into(),
    ))
}

/// Changes a draft call with a JSON merge patch (RFC 7396): members given replace
/// the call's, `null` clears an optional one.
#[utoipa::path(
    operation_id = "updateCall",
    tag = "calls",
    params(("id" = Uuid, Path)),
    request_body(content = Object, description = "a JSON merge patch of the call's fields", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = CallView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "the call is no longer a draft", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[patch("/calls/{id}")]
pub async fn patch(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<serde_json::Value>,
) -> Result<web::Json<CallView>, ApiError> {
    // The call's query decides: 404 for a draft the caller may not see, 403 for a
    // call it sees but does not manage; only then what the body says.
    let call = *id;
    let patch = match body.0 {
        patch @ serde_json::Value::Object(_) => Ok(patch),
        _ => Err(ApiError::bad_request(
            "send a JSON object with the fields to change",
        )),
    };
    let patch = body_after_access(
        patch,
        &caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| calls::managed(conn, call, viewer),
    )
    .await?;
    let (id, actor, scope) = (id.into_inner(), caller.actor(), caller.viewer());
    let call = crate::db::run(&state.pool, move |conn| {
        calls::update(conn, &actor, id, &scope, |current| {
            let mut merged = serde_json::to_value(fields_of(current)).unwrap_or_default();
            merge_patch(&mut merged, &patch);
            let fields: CallFields =
                parse_json(merged.to_string().as_bytes()).map_err(|e| match e {
                    ApiError::BadRequest { errors, detail } => {
                        StorageError::Invalid(if errors.is_empty() {
                            vec![Violation::new("", "invalid_patch", detail)]
                        } else {
                            errors
                        })
                    }
                    _ => StorageError::Invalid(vec![Violation::new(
                        "",
                        "invalid_patch",
                        "the patch does not fit a call",
                    )]),
                })?;
            let draft = CallDraft::parse(&fields).map_err(StorageError::Invalid)?;
            within_scope(&caller, &draft)?;
            Ok(draft)
        })
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(call.into()))
}

/// Opens a draft call for applications.
#[utoipa::path(
    operation_id = "openCall",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CallView),
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[post("/calls/{id}/open")]
pub async fn open(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CallView>, ApiError> {
    // The call's query decides: 404 for a draft the caller may not see, 403 for a
    // call it sees but does not manage.
    let (id, actor, scope, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.viewer(),
        state.clock.clone(),
    );
    let call = crate::db::run(&state.pool, move |conn| {
        calls::open(conn, &actor, id, &scope, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(call.into()))
}

/// Closes an open call after its deadline, once every submitted application has its
/// final decision (and, in a `ranking` call, every eligible one its score): a 32-byte
/// seed is drawn from the operating system's CSPRNG and its SHA-256 published as
/// `commitment`, with the `inputs_digest` of what the draw will use. From here on
/// nothing that feeds the draw changes: no application is created, changed, submitted,
/// withdrawn, decided, reviewed or scored.
#[utoipa::path(
    operation_id = "closeCall",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CallView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not open, the deadline has not passed, or applications still wait for a decision or score (the detail says how many)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a second round's places exceed what its first round has left over (`errors` names each slot)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/calls/{id}/close")]
pub async fn close(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<CallView>, ApiError> {
    // The call's query decides: 404 for a draft the caller may not see, 403 for a
    // call it sees but does not manage.
    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        tracing::error!(error = %e, "the operating system gave no random bytes");
        ApiError::Internal
    })?;
    let (id, actor, scope, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.viewer(),
        state.clock.clone(),
    );
    let call = crate::db::run(&state.pool, move |conn| {
        calls::close(conn, &actor, id, &scope, || clock.now(), &seed)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(call.into()))
}

/// One slot as a coordinator sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceFields {
    pub destination_id: Uuid,
    #[schema(value_type = Semester)]
    pub semester: String,
    #[schema(minimum = 0, maximum = 1000)]
    pub places: i64,
}

/// A slot with the live demand of the applications still in the running.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceView {
    pub destination_id: Uuid,
    #[schema(value_type = Semester)]
    pub semester: String,
    pub places: i32,
    /// Applications still in the running whose first choice is this slot.
    pub first_choice_count: i64,
    /// Applications still in the running that chose this slot at any rank.
    pub total_count: i64,
}

impl From<PlaceDemand> for PlaceView {
    fn from(p: PlaceDemand) -> Self {
        Self {
            destination_id: p.destination_id,
            semester: p.semester,
            places: p.places,
            first_choice_count: p.first_choice_count,
            total_count: p.total_count,
        }
    }
}

/// Sets a call's places (replacing them all) while it is a draft or open.
#[utoipa::path(
    operation_id = "putCallPlaces",
    tag = "calls",
    params(("id" = Uuid, Path)),
    request_body = Vec<PlaceFields>,
    responses(
        (status = 200, body = Vec<PlaceView>),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/calls/{id}/places")]
pub async fn put_places(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Vec<PlaceFields>>,
) -> Result<web::Json<Vec<PlaceView>>, ApiError> {
    // Who may comes first: 404 for a draft the caller may not see, 403 for a call it
    // sees but does not manage; only then what the body says.
    let (call_id, viewer) = (*id, caller.viewer());
    crate::db::run(&state.pool, move |conn| {
        calls::managed(conn, call_id, &viewer)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    let mut violations = Vec::new();
    let mut places = Vec::new();
    for (i, p) in body.0.iter().enumerate() {
        let semester = Semester::parse(&format!("[{i}].semester"), &p.semester)
            .map_err(|v| violations.push(v))
            .ok();
        let count = u32::try_from(p.places).ok().filter(|n| *n <= 1000);
        if count.is_none() {
            violations.push(Violation::new(
                format!("[{i}].places"),
                "out_of_range",
                "places must be from 0 to 1000",
            ));
        }
        if let (Some(semester), Some(places_count)) = (semester, count) {
            if places
                .iter()
                .any(|q: &Place| q.destination_id == p.destination_id && q.semester == semester)
            {
                violations.push(Violation::new(
                    format!("[{i}]"),
                    "duplicate",
                    "this destination and semester are listed twice",
                ));
            }
            places.push(Place {
                destination_id: p.destination_id,
                semester,
                places: places_count,
            });
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::Unprocessable(violations));
    }
    let (id, actor, scope, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.viewer(),
        state.clock.clone(),
    );
    let demand = crate::db::run(&state.pool, move |conn| {
        calls::put_places(conn, &actor, id, &scope, &places, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(demand.into_iter().map(PlaceView::from).collect()))
}

/// A call's places with live demand.
#[utoipa::path(
    operation_id = "getCallPlaces",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Vec<PlaceView>),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/calls/{id}/places")]
pub async fn get_places(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<PlaceView>>, ApiError> {
    let call = visible_call(&caller, &state, id.into_inner()).await?;
    let demand = crate::db::run(&state.pool, move |conn| calls::demand(conn, call.id)).await?;
    Ok(web::Json(demand.into_iter().map(PlaceView::from).collect()))
}
