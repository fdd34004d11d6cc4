//! Countries and their travel advice.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, missing};
use crate::extract::{Json, PageRequest};
use crate::responses::{
    BreaksRules, Forbidden, Malformed, NotFound, TooLarge, Unauthenticated, WrongContentType,
};
use crate::routes::destinations::refreshed;
use crate::routes::{ListResponse, upsert_response};
use abroad_domain::{CountryCode, CountryUpdate, Role, TravelAdvice, Violation};
use abroad_storage::{affected, countries};
use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A country with the travel advice in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryView {
    /// ISO 3166-1 alpha-2.
    #[schema(example = "SE")]
    pub code: String,
    #[schema(example = "Sweden")]
    pub name: String,
    /// Orange and red are negative advice: nobody is placed or travels there.
    #[schema(value_type = TravelAdvice)]
    pub advice: String,
    /// When the current advice level was set.
    pub advice_updated_at: DateTime<Utc>,
}

impl From<countries::Country> for CountryView {
    fn from(c: countries::Country) -> Self {
        Self {
            code: c.code,
            name: c.name,
            advice: c.advice,
            advice_updated_at: c.advice_updated_at,
        }
    }
}

/// A coordinator's change of a country.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountryInput {
    #[serde(default)]
    #[schema(example = "Sweden")]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = TravelAdvice)]
    pub advice: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryQuery {
    /// Only countries with this advice level.
    #[param(value_type = Option<TravelAdvice>)]
    pub advice: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The path's country code: 400 when it is not two upper-case letters; a code of
/// that form that ISO has not assigned is `unassigned` (404 to read, 422 to write).
pub(crate) fn code_from_path(
    raw: &str,
    unassigned: impl FnOnce(Violation) -> ApiError,
) -> Result<CountryCode, ApiError> {
    CountryCode::parse("code", raw).map_err(|v| {
        if v.code == "unknown_country_code" {
            unassigned(v)
        } else {
            ApiError::bad_path(v)
        }
    })
}

/// Lists countries in code order.
#[utoipa::path(
    operation_id = "listCountries",
    tag = "reference data",
    params(CountryQuery),
    responses((status = 200, body = ListResponse<CountryView>), Malformed, Unauthenticated),
    security(("bearer" = []))
)]
#[get("/countries")]
pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<CountryQuery>,
) -> Result<web::Json<ListResponse<CountryView>>, ApiError> {
    let query = query.into_inner();
    let advice = query
        .advice
        .as_deref()
        .map(|raw| TravelAdvice::parse("advice", raw).map_err(ApiError::parameter))
        .transpose()?;
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let rows = crate::db::run(&state.pool, move |conn| {
        countries::list(conn, advice, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(rows, CountryView::from)))
}

/// One country.
#[utoipa::path(
    operation_id = "getCountry",
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "SE")),
    responses(
        (status = 200, body = CountryView),
        Malformed,
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/countries/{code}")]
pub async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<web::Json<CountryView>, ApiError> {
    let code = code_from_path(&code, |_| ApiError::NotFound(NOT_FOUND.to_owned()))?;
    let country = crate::db::run(&state.pool, move |conn| countries::get(conn, &code))
        .await
        .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(country.into()))
}

/// Creates or changes a country and its travel advice (the office's coordinators; a
/// faculty's coordinator gets 403).
///
/// `advice_updated_at` moves only when the advice level changes.
#[utoipa::path(
    operation_id = "putCountry",
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "SE")),
    request_body = CountryInput,
    responses(
        (status = 200, description = "changed (or already so)", body = CountryChanged),
        (status = 201, description = "created", body = CountryChanged),
        Malformed,
        Unauthenticated,
        Forbidden,
        TooLarge,
        WrongContentType,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/countries/{code}")]
pub async fn put(
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: Json<CountryInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    if let Some(faculty) = &caller.faculty {
        return Err(ApiError::Forbidden(format!(
            "you coordinate faculty {faculty}: travel advice is set by the office's coordinators"
        )));
    }
    let code = code_from_path(&code, |v| ApiError::Unprocessable(vec![v]))?;
    let update = CountryUpdate::parse(&body.0.name, &body.0.advice)?;
    let actor = caller.actor();
    let today = state.clock.now().with_timezone(&Amsterdam).date_naive();
    let negative = update.advice.is_negative();
    let after_write = refreshed(&state);
    let (country, upserted, affected_students) = crate::db::run(&state.pool, move |conn| {
        let (country, upserted) = countries::upsert(conn, &actor, &code, &update)?;
        // The catalogue shows each destination's advice.
        let (country, upserted) = after_write(conn, (country, upserted));
        // Counted after the change: an acceptance or registration under way held the
        // country's row, so it is in; any later one sees the new advice and is refused.
        let affected = if negative {
            Some(affected::count(conn, code.as_str(), today)?)
        } else {
            None
        };
        Ok((country, upserted, affected))
    })
    .await?;
    let location = format!("/api/v1/countries/{}", country.code);
    Ok(upsert_response(
        upserted,
        location,
        &CountryChanged {
            country: CountryView::from(country),
            affected_students,
        },
    ))
}

/// A country as changed, and for orange or red advice how many students are there.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryChanged {
    #[serde(flatten)]
    pub country: CountryView,
    /// With orange or red advice only: the students with a stay there that has not
    /// ended (`GET /countries/{code}/affected` lists them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affected_students: Option<u32>,
}

/// What a 404 here says.
const NOT_FOUND: &str = "no country with this code";
