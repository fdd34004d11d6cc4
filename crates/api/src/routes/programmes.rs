//! Study programmes.

use crate::access::{body_after_access, creating_within_faculty};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, missing};
use crate::extract::{Json, PageRequest};
use crate::responses::{
    BreaksRules, Forbidden, Malformed, NotFound, TooLarge, Unauthenticated, WrongContentType,
};
use crate::routes::{ListResponse, upsert_response};
use abroad_domain::{FacultyCode, Level, ProgrammeCode, ProgrammeUpdate, Role};
use abroad_storage::programmes::{self, Programme, ProgrammeFilter};
use abroad_storage::{PgConnection, StorageError, Viewer};
use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A study programme.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeView {
    #[schema(example = "BMS")]
    pub code: String,
    #[schema(example = "Biomedical Sciences")]
    pub name: String,
    /// The faculty that owns it.
    #[schema(example = "LUMC")]
    pub faculty: String,
    #[schema(value_type = Level)]
    pub level: String,
}

impl From<Programme> for ProgrammeView {
    fn from(p: Programme) -> Self {
        Self {
            code: p.code,
            name: p.name,
            faculty: p.faculty,
            level: p.level,
        }
    }
}

/// A coordinator's change of a programme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    #[serde(default)]
    #[schema(example = "Biomedical Sciences")]
    pub name: String,
    #[serde(default)]
    #[schema(example = "LUMC")]
    pub faculty: String,
    #[serde(default)]
    #[schema(value_type = Level)]
    pub level: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Only this faculty's programmes.
    pub faculty: Option<String>,
    /// Only programmes of this level.
    #[param(value_type = Option<Level>)]
    pub level: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn code_from_path(raw: &str) -> Result<ProgrammeCode, ApiError> {
    ProgrammeCode::parse("code", raw).map_err(ApiError::bad_path)
}

/// Lists programmes in code order.
#[utoipa::path(
    operation_id = "listProgrammes",
    tag = "reference data",
    params(ProgrammeQuery),
    responses(
        (status = 200, body = ListResponse<ProgrammeView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/programmes")]
pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ProgrammeQuery>,
) -> Result<web::Json<ListResponse<ProgrammeView>>, ApiError> {
    let query = query.into_inner();
    let filter = ProgrammeFilter {
        faculty: query
            .faculty
            .as_deref()
            .map(|raw| FacultyCode::parse("faculty", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
        level: query
            .level
            .as_deref()
            .map(|raw| Level::parse("level", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let rows = crate::db::run(&state.pool, move |conn| {
        programmes::list(conn, &filter, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(
        rows,
        ProgrammeView::from,
    )))
}

/// One programme.
#[utoipa::path(
    operation_id = "getProgramme",
    tag = "reference data",
    params(("code" = String, Path, description = "programme code", example = "BMS")),
    responses(
        (status = 200, body = ProgrammeView),
        Malformed,
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/programmes/{code}")]
pub async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<web::Json<ProgrammeView>, ApiError> {
    let code = code_from_path(&code)?;
    let programme = crate::db::run(&state.pool, move |conn| programmes::get(conn, &code))
        .await
        .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(programme.into()))
}

/// Creates or changes a programme (coordinators).
///
/// A coordinator limited to a faculty may only create and change that faculty's
/// programmes; another faculty's programme answers 403 (programmes are public).
#[utoipa::path(
    operation_id = "putProgramme",
    tag = "reference data",
    params(("code" = String, Path, description = "programme code", example = "BMS")),
    request_body = ProgrammeInput,
    responses(
        (status = 200, description = "changed (or already so)", body = ProgrammeView),
        (status = 201, description = "created", body = ProgrammeView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        TooLarge,
        WrongContentType,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/programmes/{code}")]
pub async fn put(
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: Json<ProgrammeInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let code = code_from_path(&code)?;
    let body = body.0;
    creating_within_faculty(&caller, Some(true), Some(&body.faculty), outside_scope)?;
    let checked = ProgrammeUpdate::parse(&body.name, &body.faculty, &body.level)
        .map_err(ApiError::Unprocessable);
    let changed = code.clone();
    let update = body_after_access(
        checked,
        &caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| within_faculty(conn, viewer, &changed),
    )
    .await?;
    if let Some(scope) = &caller.faculty
        && update.faculty.as_str() != scope
    {
        return Err(ApiError::Forbidden(outside_scope(scope)));
    }
    let (actor, viewer) = (caller.actor(), caller.viewer());
    let (programme, upserted) = crate::db::run(&state.pool, move |conn| {
        programmes::upsert(conn, &actor, &viewer, &code, &update)
    })
    .await?;
    let location = format!("/api/v1/programmes/{}", programme.code);
    Ok(upsert_response(
        upserted,
        location,
        &ProgrammeView::from(programme),
    ))
}

fn outside_scope(faculty: &str) -> String {
    format!("you coordinate faculty {faculty}; a programme you create or change must belong to it")
}

/// `Forbidden` when a faculty coordinator names programme `code` of another faculty
/// (to change it, or to put a student in it), as storage decides when it writes; a
/// programme not there yet is no one's. For answers to bodies that do not pass.
pub(crate) fn within_faculty(
    conn: &mut PgConnection,
    viewer: &Viewer,
    code: &ProgrammeCode,
) -> Result<(), StorageError> {
    let Some(scope) = viewer.faculty() else {
        return Ok(());
    };
    match programmes::get(conn, code) {
        Ok(p) if p.faculty != scope => Err(StorageError::Forbidden(format!(
            "you coordinate faculty {scope}: programme `{code}` belongs to faculty {}",
            p.faculty
        ))),
        Ok(_) | Err(StorageError::NotFound) => Ok(()),
        Err(other) => Err(other),
    }
}

/// What a 404 here says.
const NOT_FOUND: &str = "no programme with this code";
