//! Student reports (SPEC.md, Student reports): students with a real stay abroad write
//! them, coordinators publish or reject them, and everyone searches the published ones.

use crate::access::{body_after_access, require_role_on};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest, search_words};
use crate::responses::{BreaksRules, Malformed, NotFound, Unauthenticated};
use crate::routes::{ListResponse, created_response};
use abroad_domain::report::RejectionFields;
use abroad_domain::{
    CountryCode, FacultyCode, ReportActivity, ReportDraft, ReportFields, ReportStatus, Role,
};
use abroad_storage::StorageError;
use abroad_storage::reports::{self, Decision, Report, ReportFilter, ReportKey};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a 404 here says.
const NOT_FOUND: &str = "no report with this id";

/// A student's report on a stay abroad.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    /// The author's student number: shown to the author and to coordinators, `null` to
    /// everyone else.
    pub student: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "SE")]
    pub country: String,
    pub institution_id: Option<Uuid>,
    /// The faculty the report is for, if the author named one.
    #[schema(example = "LUMC")]
    pub faculty: Option<String>,
    pub activity: ReportActivity,
    #[schema(example = "autumn 2026")]
    pub period: String,
    pub title: String,
    /// The text as written (plain text: escape it before putting it in a page).
    pub body: String,
    pub status: ReportStatus,
    /// Why a coordinator did not publish it: shown to the author and to coordinators.
    pub reject_reason: Option<String>,
    /// The coordinator who published or rejected it: shown to coordinators.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In a list searched with `q`: up to two fragments of the text around the
    /// matches, as HTML whose only markup is `<mark>…</mark>` around each match (the
    /// text itself is escaped: `&amp;`, `&lt;`, `&gt;`); `null` otherwise.
    #[schema(example = "the lab at <mark>Karolinska</mark> was welcoming from the first day")]
    pub snippet: Option<String>,
}

impl From<Report> for ReportView {
    fn from(r: Report) -> Self {
        Self {
            id: r.id,
            student: r.student,
            country: r.country,
            institution_id: r.institution_id,
            faculty: r.faculty,
            activity: r.activity,
            period: r.period,
            title: r.title,
            body: r.body,
            status: r.status,
            reject_reason: r.reject_reason,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            snippet: r.snippet,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The country of the stay, ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The faculty the report is for.
    pub faculty: Option<String>,
    #[param(value_type = Option<ReportActivity>)]
    pub activity: Option<String>,
    /// The host institution.
    pub institution_id: Option<Uuid>,
    /// Coordinators: `submitted` is the moderation queue. A student gets their own
    /// reports of a status other than `published`; a programme's contact, none.
    #[param(value_type = Option<ReportStatus>)]
    pub status: Option<String>,
    /// Words to find in the title or text; each matches the start of a word, accents
    /// ignored. The list is then ranked by relevance and each item has a `snippet`.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page, of a list with the same `q`.
    pub cursor: Option<String>,
}

impl ReportQuery {
    /// Every filter checked; the first unknown value answers 400 (or 422 for a code of
    /// the right form that is not assigned) naming its parameter.
    fn filter(&self) -> Result<ReportFilter, ApiError> {
        Ok(ReportFilter {
            country: self
                .country
                .as_deref()
                .map(|raw| CountryCode::parse("country", raw).map_err(ApiError::parameter))
                .transpose()?,
            faculty: self
                .faculty
                .as_deref()
                .map(|raw| FacultyCode::parse("faculty", raw).map_err(ApiError::parameter))
                .transpose()?,
            activity: self
                .activity
                .as_deref()
                .map(|raw| ReportActivity::parse("activity", raw).map_err(ApiError::bad_parameter))
                .transpose()?,
            institution_id: self.institution_id,
            status: self
                .status
                .as_deref()
                .map(|raw| ReportStatus::parse("status", raw).map_err(ApiError::bad_parameter))
                .transpose()?,
            q: self.q.as_deref().map(search_words).transpose()?,
        })
    }
}

/// A student writes a report on their stay abroad: only with an accepted offer or an
/// approved activity (403 otherwise, before the body is judged). It waits, `submitted`,
/// until a coordinator publishes or rejects it.
#[utoipa::path(
    operation_id = "createReport",
    tag = "reports",
    request_body = ReportFields,
    responses(
        (status = 201, body = ReportView, headers(("Location" = String, description = "the new report's path"))),
        Malformed,
        Unauthenticated,
        (status = 403, description = "not a student, or a student with neither an accepted offer nor an approved activity", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/reports")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Json<ReportFields>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Student])?;
    let parsed = ReportDraft::parse(&body.0);
    let (actor, author) = (caller.actor(), caller.sub.clone());
    let created = crate::db::run(&state.pool, move |conn| {
        // Whether the student may write one at all comes before what they wrote.
        reports::require_real_stay(conn, &author)?;
        let draft = parsed.map_err(StorageError::Invalid)?;
        reports::create(conn, &actor, &author, &draft)
    })
    .await?;
    let location = format!("/api/v1/reports/{}", created.id);
    Ok(created_response(location, &ReportView::from(created)))
}

/// Reports the caller may see, newest first; with `q`, best match first, each with a
/// `snippet`. Everyone sees the published ones, a student also their own, coordinators
/// all of them.
#[utoipa::path(
    operation_id = "listReports",
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, body = ListResponse<ReportView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/reports")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<web::Json<ListResponse<ReportView>>, ApiError> {
    let filter = query.filter()?;
    let page = PageRequest::<ReportKey>::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let viewer = caller.viewer();
    let rows = crate::db::run(&state.pool, move |conn| {
        reports::list(conn, &viewer, &filter, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(rows, ReportView::from)))
}

/// One report: a published one for everyone, one's own, or any for coordinators.
#[utoipa::path(
    operation_id = "getReport",
    tag = "reports",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ReportView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/reports/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ReportView>, ApiError> {
    let (id, viewer) = (id.into_inner(), caller.viewer());
    let report = crate::db::run(&state.pool, move |conn| reports::get(conn, id, &viewer))
        .await
        .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(report.into()))
}

/// 404 for a report the caller may not see, 403 for one it sees but may not moderate.
async fn require_coordinator(caller: &Caller, state: &AppState, id: Uuid) -> Result<(), ApiError> {
    require_role_on(
        caller,
        &[Role::Coordinator],
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| reports::get(conn, id, viewer),
    )
    .await
}

async fn decide(
    caller: &Caller,
    state: &AppState,
    id: Uuid,
    decision: Decision,
) -> Result<web::Json<ReportView>, ApiError> {
    let (actor, viewer, clock) = (caller.actor(), caller.viewer(), state.clock.clone());
    let report = crate::db::run(&state.pool, move |conn| {
        reports::decide(conn, &actor, id, &viewer, &decision, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(report.into()))
}

/// A coordinator publishes a submitted report: from then on everyone reads and finds it.
#[utoipa::path(
    operation_id = "publishReport",
    tag = "reports",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ReportView),
        Unauthenticated,
        (status = 403, description = "the caller sees the report (its author, or a published one) but is no coordinator", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "published or rejected already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/reports/{id}/publish")]
pub async fn publish(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ReportView>, ApiError> {
    let id = id.into_inner();
    require_coordinator(&caller, &state, id).await?;
    decide(&caller, &state, id, Decision::Publish).await
}

/// A coordinator rejects a submitted report with a reason its author reads; it is
/// never published.
#[utoipa::path(
    operation_id = "rejectReport",
    tag = "reports",
    params(("id" = Uuid, Path)),
    request_body = RejectionFields,
    responses(
        (status = 200, body = ReportView),
        Malformed,
        Unauthenticated,
        (status = 403, description = "the caller sees the report (its author, or a published one) but is no coordinator", body = Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "published or rejected already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` is missing, empty, longer than 2000 characters, or holds a control character", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/reports/{id}/reject")]
pub async fn reject(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<RejectionFields>,
) -> Result<web::Json<ReportView>, ApiError> {
    let id = id.into_inner();
    require_coordinator(&caller, &state, id).await?;
    let reason = body.0.parse().map_err(ApiError::Unprocessable);
    let reason = body_after_access(
        reason,
        &caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| reports::get(conn, id, viewer),
    )
    .await?;
    decide(&caller, &state, id, Decision::Reject(reason)).await
}
