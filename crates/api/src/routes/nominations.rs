//! Nominations: accepted offers put to the host institutions by the office, listed as
//! JSON or, for the mail to a host, as CSV (`?institution_id=` with `Accept: text/csv`).

use crate::app::AppState;
use crate::auth::Caller;
use crate::csv_export::{csv_response, wants_csv};
use crate::error::{ApiError, Problem, missing};
use crate::extract::PageRequest;
use crate::responses::{Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::ListResponse;
use abroad_domain::{NominationStatus, Role, Semester};
use abroad_storage::nominations::{self, Nomination, NominationFilter};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const NOT_FOUND: &str = "no nomination with this id";

/// The CSV export's columns: [`NominationView`]'s fields, in order.
const NOMINATION_COLUMNS: &[&str] = &[
    "id",
    "offer_id",
    "application_id",
    "student",
    "student_name",
    "student_email",
    "institution_id",
    "destination_id",
    "semester",
    "call_id",
    "status",
    "sent_at",
    "confirmed_at",
];

/// A student nominated to a host institution. The CSV export has these columns, in
/// this order.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationView {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub application_id: Uuid,
    /// The student's number.
    pub student: String,
    pub student_name: String,
    pub student_email: String,
    pub institution_id: Uuid,
    pub destination_id: Uuid,
    pub semester: Semester,
    pub call_id: Uuid,
    pub status: NominationStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<Nomination> for NominationView {
    fn from(n: Nomination) -> Self {
        Self {
            id: n.id,
            offer_id: n.offer_id,
            application_id: n.application_id,
            student: n.student,
            student_name: n.student_name,
            student_email: n.student_email,
            institution_id: n.institution_id,
            destination_id: n.destination_id,
            semester: n.semester,
            call_id: n.call_id,
            status: n.status,
            sent_at: n.sent_at,
            confirmed_at: n.confirmed_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NominationQuery {
    /// The host: the CSV of one institution is what the office mails it.
    pub institution_id: Option<Uuid>,
    pub call_id: Option<Uuid>,
    #[param(value_type = Option<NominationStatus>)]
    pub status: Option<String>,
    /// Page size, 1–500 (default 50); the CSV export is never paged.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Nominations the caller manages, oldest first: a faculty coordinator's faculty
/// calls', or all for the office. `Accept: text/csv` gives every matching one as CSV,
/// one row each, with the JSON item's fields as columns.
#[utoipa::path(
    operation_id = "listNominations",
    tag = "nominations",
    params(NominationQuery),
    responses(
        (status = 200, description = "a page of nominations; or, with `Accept: text/csv`, all of them as CSV",
            content(
                (ListResponse<NominationView> = "application/json"),
                (String = "text/csv"),
            )),
        Malformed,
        Unauthenticated,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/nominations")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NominationQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let query = query.into_inner();
    let filter = NominationFilter {
        institution_id: query.institution_id,
        call_id: query.call_id,
        status: query
            .status
            .as_deref()
            .map(|raw| NominationStatus::parse("status", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let csv = wants_csv(&req);
    let viewer = caller.viewer();
    let (after, limit) = if csv {
        (None, None)
    } else {
        (page.after, Some(page.limit))
    };
    let rows = crate::db::run(&state.pool, move |conn| {
        nominations::list(conn, &viewer, &filter, after, limit)
    })
    .await?;
    let rows = ListResponse::from_page(rows, NominationView::from);
    if csv {
        csv_response(NOMINATION_COLUMNS, &rows.items, "nominations.csv")
    } else {
        Ok(HttpResponse::Ok().json(rows))
    }
}

async fn step(
    caller: Caller,
    state: web::Data<AppState>,
    id: Uuid,
    to: NominationStatus,
) -> Result<web::Json<NominationView>, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let (actor, viewer, clock) = (caller.actor(), caller.viewer(), state.clock.clone());
    let nomination = crate::db::run(&state.pool, move |conn| {
        nominations::step(conn, &actor, id, &viewer, to, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(nomination.into()))
}

/// Marks a pending nomination as sent to the host.
#[utoipa::path(
    operation_id = "markNominationSent",
    tag = "nominations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = NominationView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "sent already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/nominations/{id}/sent")]
pub async fn sent(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<NominationView>, ApiError> {
    step(caller, state, id.into_inner(), NominationStatus::Sent).await
}

/// Marks a sent nomination as confirmed by the host.
#[utoipa::path(
    operation_id = "markNominationConfirmed",
    tag = "nominations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = NominationView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not sent yet, or confirmed already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/nominations/{id}/confirmed")]
pub async fn confirmed(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<NominationView>, ApiError> {
    step(caller, state, id.into_inner(), NominationStatus::Confirmed).await
}
