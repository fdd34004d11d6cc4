//! Liveness and readiness, for load balancers and container health checks.

use crate::app::AppState;
use crate::error::{ApiError, Problem};
use abroad_storage::migrations;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// `ok` when the check passed.
    pub status: &'static str,
}

/// The process is up. It does not touch the database.
#[utoipa::path(operation_id = "getHealth", tag = "operations", responses((status = 200, body = Status)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// The database answers and carries every migration this build expects; 503 otherwise.
#[utoipa::path(
    operation_id = "getReadiness",
    tag = "operations",
    responses(
        (status = 200, body = Status),
        (status = 503, description = "database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pending = crate::db::run(&state.pool, migrations::has_pending)
        .await
        .map_err(|e| match e {
            ApiError::Unavailable(_) => e,
            _ => ApiError::Unavailable("the database could not be checked".to_owned()),
        })?;
    if pending {
        return Err(ApiError::Unavailable(
            "database migrations are pending; run `abroad migrate`".to_owned(),
        ));
    }
    Ok(HttpResponse::Ok().json(Status { status: "ok" }))
}
