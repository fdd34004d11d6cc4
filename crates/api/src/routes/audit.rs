//! The audit log, for coordinators.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::PageRequest;
use crate::responses::{Forbidden, Malformed, Unauthenticated};
use crate::routes::ListResponse;
use abroad_domain::{EntityType, Role, Violation};
use abroad_storage::audit::{self, AuditEntry, AuditFilter};
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token subject that made the change, or `system:…` for the command line.
    pub actor: String,
    /// `student`, `programme`, `coordinator` or `system`.
    pub role: String,
    /// What happened, e.g. `country.updated`.
    #[schema(example = "country.updated")]
    pub action: String,
    #[schema(example = "country")]
    pub entity_type: String,
    #[schema(example = "SE")]
    pub entity_id: String,
    /// The record before the change, as its own route shows it (an object, or a list
    /// such as a call's places); `null` when it was created.
    pub before: Option<serde_json::Value>,
    /// The record after the change, as its own route shows it; `null` when it was removed.
    pub after: Option<serde_json::Value>,
    /// The `X-Request-Id` of the request that made it.
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor: e.actor,
            role: e.role,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            request_id: e.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this kind of object.
    #[param(value_type = Option<EntityType>)]
    pub entity_type: Option<String>,
    /// Only entries of the object with this id or code, e.g. `SE` (1–200 characters).
    pub entity_id: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The audit log, newest first (coordinators). A faculty's coordinator reads only the
/// entries of objects it may see; an object it may not see has no entries for it.
#[utoipa::path(
    operation_id = "listAuditEntries",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = ListResponse<AuditEntryView>),
        Malformed,
        Unauthenticated,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<ListResponse<AuditEntryView>>, ApiError> {
    caller.require(&[Role::Coordinator])?;
    let query = query.into_inner();
    let entity_type = query
        .entity_type
        .as_deref()
        .map(|raw| EntityType::parse("entity_type", raw).map_err(ApiError::parameter))
        .transpose()?;
    if let Some(id) = &query.entity_id
        && !(1..=MAX_ENTITY_ID_CHARS).contains(&id.chars().count())
    {
        return Err(ApiError::bad_parameter(Violation::new(
            "entity_id",
            "invalid_entity_id",
            format!("`entity_id` must be 1 to {MAX_ENTITY_ID_CHARS} characters"),
        )));
    }
    let filter = AuditFilter {
        entity_type: entity_type.map(|t| t.as_str().to_owned()),
        entity_id: query.entity_id,
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let viewer = caller.viewer();
    let rows = crate::db::run(&state.pool, move |conn| {
        audit::list(conn, &viewer, &filter, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(
        rows,
        AuditEntryView::from,
    )))
}

/// The longest `entity_id` accepted: ids and codes are far shorter.
pub const MAX_ENTITY_ID_CHARS: usize = 200;
