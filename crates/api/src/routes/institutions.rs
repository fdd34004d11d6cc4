//! Partner institutions.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, MAX_SEARCH_CHARS, PageRequest, absent_or_null};
use crate::responses::{BreaksRules, Conflict, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::destinations::refreshed;
use crate::routes::{ListResponse, created_response};
use abroad_domain::{CountryCode, InstitutionDraft, InstitutionFields, Role, Violation};
use abroad_storage::StorageError;
use abroad_storage::institutions::{self, Institution, InstitutionFilter};
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A partner institution.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstitutionView {
    pub id: Uuid,
    #[schema(example = "Karolinska Institutet")]
    pub name: String,
    #[schema(example = "SE")]
    pub country: String,
    #[schema(example = "Stockholm")]
    pub city: String,
    pub website: Option<String>,
    pub erasmus_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Institution> for InstitutionView {
    fn from(i: Institution) -> Self {
        Self {
            id: i.id,
            name: i.name,
            country: i.country,
            city: i.city,
            website: i.website,
            erasmus_code: i.erasmus_code,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// A change to an institution: fields left out stay as they are; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionPatch {
    pub name: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub erasmus_code: Option<Option<String>>,
}

impl InstitutionPatch {
    fn apply(self, to: &Institution) -> InstitutionFields {
        InstitutionFields {
            name: self.name.unwrap_or_else(|| to.name.clone()),
            country: self.country.unwrap_or_else(|| to.country.clone()),
            city: self.city.unwrap_or_else(|| to.city.clone()),
            website: self.website.unwrap_or_else(|| to.website.clone()),
            erasmus_code: self.erasmus_code.unwrap_or_else(|| to.erasmus_code.clone()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InstitutionQuery {
    /// Only institutions in this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Part of the name or city, any case.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Lists institutions by name.
#[utoipa::path(
    operation_id = "listInstitutions",
    tag = "catalogue",
    params(InstitutionQuery),
    responses(
        (status = 200, body = ListResponse<InstitutionView>),
        Malformed,
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/institutions")]
pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<InstitutionQuery>,
) -> Result<web::Json<ListResponse<InstitutionView>>, ApiError> {
    let query = query.into_inner();
    // The length as sent, as the document counts it, before any trimming.
    let query_q_too_long = query
        .q
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS);
    let filter = InstitutionFilter {
        country: query
            .country
            .as_deref()
            .map(|raw| CountryCode::parse("country", raw).map_err(ApiError::parameter))
            .transpose()?,
        q: query
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
    };
    if query_q_too_long {
        return Err(ApiError::bad_parameter(Violation::new(
            "q",
            "too_long",
            format!("`q` must be at most {MAX_SEARCH_CHARS} characters"),
        )));
    }
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let rows = crate::db::run(&state.pool, move |conn| {
        institutions::list(conn, &filter, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(
        rows,
        InstitutionView::from,
    )))
}

/// Adds a partner institution (coordinators).
#[utoipa::path(
    operation_id = "createInstitution",
    tag = "catalogue",
    request_body = InstitutionFields,
    responses(
        (status = 201, body = InstitutionView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 409, description = "an institution of that name in that country, or that Erasmus code, exists", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/institutions")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Json<InstitutionFields>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let draft = InstitutionDraft::parse(&body.0)?;
    let actor = caller.actor();
    let after_write = refreshed(&state);
    let created = crate::db::run(&state.pool, move |conn| {
        let created = institutions::create(conn, &actor, &draft)?;
        Ok(after_write(conn, created))
    })
    .await?;
    Ok(created_response(
        format!("/api/v1/institutions/{}", created.id),
        &InstitutionView::from(created),
    ))
}

/// One institution.
#[utoipa::path(
    operation_id = "getInstitution",
    tag = "catalogue",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = InstitutionView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/institutions/{id}")]
pub async fn get(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<InstitutionView>, ApiError> {
    let id = id.into_inner();
    let institution = crate::db::run(&state.pool, move |conn| institutions::get(conn, id))
        .await
        .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(institution.into()))
}

/// Changes an institution (coordinators); fields left out stay as they are.
#[utoipa::path(
    operation_id = "updateInstitution",
    tag = "catalogue",
    params(("id" = Uuid, Path)),
    request_body = InstitutionPatch,
    responses(
        (status = 200, body = InstitutionView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[patch("/institutions/{id}")]
pub async fn patch(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<InstitutionPatch>,
) -> Result<web::Json<InstitutionView>, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let (id, patch, actor, viewer) = (id.into_inner(), body.0, caller.actor(), caller.viewer());
    let after_write = refreshed(&state);
    let updated = crate::db::run(&state.pool, move |conn| {
        // The catalogue shows each destination's institution.
        let updated = institutions::update(conn, &actor, id, &viewer, |current| {
            InstitutionDraft::parse(&patch.apply(current)).map_err(StorageError::Invalid)
        })?;
        Ok(after_write(conn, updated))
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(updated.into()))
}

/// What a 404 here says.
const NOT_FOUND: &str = "no institution with this id";
