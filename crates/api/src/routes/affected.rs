//! `GET /countries/{code}/affected`: on the day a country turns unsafe, every student
//! the office must reach there, with their contacts abroad (JSON, or CSV for the phone
//! list).

use crate::app::AppState;
use crate::auth::Caller;
use crate::csv_export::{csv_response, wants_csv};
use crate::error::{ApiError, missing};
use crate::extract::PageRequest;
use crate::responses::{Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::ListResponse;
use crate::routes::countries::code_from_path;
use abroad_domain::Role;
use abroad_storage::affected::{self as stays, AffectedStay};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use chrono_tz::Europe::Amsterdam;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A student to reach: one stay in the country, upcoming or under way. The CSV export
/// has these columns, in this order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedView {
    /// The student's number.
    pub student: String,
    pub student_name: String,
    pub student_email: String,
    pub programme: String,
    /// `offer`: an accepted exchange offer; `activity`: an approved or held registration.
    #[schema(example = "offer")]
    pub kind: String,
    /// The offer's or the activity's id.
    pub id: Uuid,
    /// The host institution or organisation.
    pub host: String,
    pub city: String,
    /// `null` for an accepted offer whose dates are not entered yet (it counts as upcoming).
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// The address abroad, once entered.
    pub address: Option<String>,
    /// The phone abroad, once entered.
    pub phone: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub emergency_relation: Option<String>,
}

/// The CSV export's columns: [`AffectedView`]'s fields, in order.
const COLUMNS: &[&str] = &[
    "student",
    "student_name",
    "student_email",
    "programme",
    "kind",
    "id",
    "host",
    "city",
    "start_date",
    "end_date",
    "address",
    "phone",
    "emergency_name",
    "emergency_phone",
    "emergency_relation",
];

impl From<AffectedStay> for AffectedView {
    fn from(a: AffectedStay) -> Self {
        Self {
            student: a.student,
            student_name: a.student_name,
            student_email: a.student_email,
            programme: a.programme,
            kind: a.kind,
            id: a.id,
            host: a.host,
            city: a.city,
            start_date: a.start_date,
            end_date: a.end_date,
            address: a.address,
            phone: a.phone,
            emergency_name: a.emergency_name,
            emergency_phone: a.emergency_phone,
            emergency_relation: a.emergency_relation,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AffectedQuery {
    /// Page size, 1–500 (default 50); the CSV export is never paged.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The students with a stay in this country that has not ended (coordinators; a
/// faculty's coordinator gets its faculty's students): accepted exchange offers, those
/// without dates yet included, and approved or held registrations, with their contacts
/// abroad and emergency contacts. `Accept: text/csv` gives all of them as CSV.
#[utoipa::path(
    operation_id = "listAffectedStudents",
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "SE"), AffectedQuery),
    responses(
        (status = 200, description = "a page of stays by student; or, with `Accept: text/csv`, all of them as CSV",
            content(
                (ListResponse<AffectedView> = "application/json"),
                (String = "text/csv"),
            )),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/countries/{code}/affected")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<AffectedQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let code = code_from_path(&code, |_| {
        ApiError::NotFound("no country with this code".to_owned())
    })?;
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let csv = wants_csv(&req);
    let (after, limit) = if csv {
        (None, None)
    } else {
        (page.after, Some(page.limit))
    };
    let today = state.clock.now().with_timezone(&Amsterdam).date_naive();
    let viewer = caller.viewer();
    let rows = crate::db::run(&state.pool, move |conn| {
        stays::list(conn, code.as_str(), &viewer, today, after, limit)
    })
    .await
    .map_err(missing("no country with this code"))?;
    let rows = ListResponse::from_page(rows, AffectedView::from);
    if csv {
        csv_response(COLUMNS, &rows.items, "affected.csv")
    } else {
        Ok(HttpResponse::Ok().json(rows))
    }
}
