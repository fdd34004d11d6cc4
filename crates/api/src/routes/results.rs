//! What a call's draw came to: the office's results list (JSON or CSV) and the places
//! each slot has left for the second round.

use crate::access::require_role_on;
use crate::app::AppState;
use crate::auth::Caller;
use crate::csv_export::{csv_response, wants_csv};
use crate::error::{ApiError, missing};
use crate::extract::PageRequest;
use crate::responses::{Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::ListResponse;
use abroad_domain::{OfferStatus, Role, Semester};
use abroad_storage::calls;
use abroad_storage::results::{self as outcome, Remaining, ResultRow};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The CSV export's columns: [`ResultView`]'s fields, in order.
const RESULT_COLUMNS: &[&str] = &[
    "application_id",
    "student",
    "student_name",
    "rank",
    "destination_id",
    "semester",
    "offer_status",
];

/// One application of the draw. The CSV export has these columns, in this order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    pub application_id: Uuid,
    /// The student's number.
    pub student: String,
    pub student_name: String,
    #[schema(minimum = 1)]
    pub rank: u32,
    /// `null`: unplaced.
    pub destination_id: Option<Uuid>,
    pub semester: Option<Semester>,
    /// The offer's status as of now; `null` when unplaced.
    pub offer_status: Option<OfferStatus>,
}

impl From<ResultRow> for ResultView {
    fn from(r: ResultRow) -> Self {
        Self {
            application_id: r.application_id,
            student: r.student,
            student_name: r.student_name,
            rank: r.rank,
            destination_id: r.destination_id,
            semester: r.semester,
            offer_status: r.offer_status,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–500 (default 50); a CSV export is never paged.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The results of a drawn call (its coordinators), by rank: each application in the
/// draw with its student, placement and offer. `Accept: text/csv` gives all of them as
/// CSV with the same columns. 404 before the draw.
#[utoipa::path(
    operation_id = "getCallResults",
    tag = "calls",
    params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "a page of results; or, with `Accept: text/csv`, all of them as CSV",
            content(
                (ListResponse<ResultView> = "application/json"),
                (String = "text/csv"),
            )),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/calls/{id}/results")]
pub async fn results(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    require_role_on(
        &caller,
        &[Role::Coordinator],
        &state.pool,
        "no call with this id",
        move |conn, viewer| calls::get_visible(conn, id, viewer),
    )
    .await?;
    let page = PageRequest::<i32>::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let csv = wants_csv(&req);
    let (after, limit) = if csv {
        (None, None)
    } else {
        (page.after, Some(page.limit))
    };
    let (viewer, at) = (caller.viewer(), state.clock.now());
    let rows = crate::db::run(&state.pool, move |conn| {
        outcome::results(conn, id, &viewer, at, after, limit)
    })
    .await
    .map_err(missing("no draw of a call with this id"))?;
    let rows = ListResponse::from_page(rows, ResultView::from);
    if csv {
        csv_response(RESULT_COLUMNS, &rows.items, &format!("results-{id}.csv"))
    } else {
        Ok(HttpResponse::Ok().json(rows))
    }
}

/// A slot's places and what is taken of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemainingView {
    pub destination_id: Uuid,
    pub semester: Semester,
    /// As the call set them.
    pub places: u32,
    /// Accepted offers.
    pub accepted: u32,
    /// Offers still pending (not past `expires_at`).
    pub pending: u32,
    /// Under negative travel advice at the draw, or now: nobody can take a place here.
    pub blocked: bool,
    /// `places − accepted − pending`; 0 for a blocked slot.
    pub free: u32,
}

impl From<Remaining> for RemainingView {
    fn from(r: Remaining) -> Self {
        Self {
            destination_id: r.destination_id,
            semester: r.semester,
            places: r.places,
            accepted: r.accepted,
            pending: r.pending,
            blocked: r.blocked,
            free: r.free,
        }
    }
}

/// The places each slot of a call has left: what a second round may offer. Everyone
/// who reads the call; before its draw, every place is free.
#[utoipa::path(
    operation_id = "getCallRemainingPlaces",
    tag = "calls",
    params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = ListResponse<RemainingView>),
        Malformed,
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/calls/{id}/remaining-places")]
pub async fn remaining(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<ListResponse<RemainingView>>, ApiError> {
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let (id, viewer, at) = (id.into_inner(), caller.viewer(), state.clock.now());
    let rows = crate::db::run(&state.pool, move |conn| {
        outcome::remaining(conn, id, &viewer, at, page.after, page.limit)
    })
    .await
    .map_err(missing("no call with this id"))?;
    Ok(web::Json(ListResponse::from_page(
        rows,
        RemainingView::from,
    )))
}
