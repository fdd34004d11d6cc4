//! The audit log, for coordinators.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::PageRequest;
use crate::responses::{Forbidden, Malformed, Unauthenticated};
use crate::routes::ListResponse;
use abroad_domain::{Role, Violation};
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
    /// The record before the change; `null` when it was created.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change; `null` when it was removed.
    #[schema(value_type = Option<Object>)]
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
    /// e.g. `country`, `programme`.
    pub entity_type: Option<String>,
    /// The entity's id or code, e.g. `SE`.
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
    let too_long = |field: &str, value: &Option<String>| match value {
        Some(v) if v.len() > 200 => Err(ApiError::bad_parameter(Violation::new(
            field,
            "too_long",
            format!("`{field}` must be at most 200 characters"),
        ))),
        _ => Ok(()),
    };
    too_long("entity_type", &query.entity_type)?;
    too_long("entity_id", &query.entity_id)?;
    let filter = AuditFilter {
        entity_type: query.entity_type,
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
