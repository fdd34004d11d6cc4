//! `GET /applications/{id}/explanation`: why an application got what it got, wish by
//! wish, from the published draw.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::responses::{NotFound, Unauthenticated};
use crate::routes::applications::NOT_FOUND;
use abroad_domain::draw::Explanation;
use abroad_storage::explanations;
use actix_web::{get, web};
use uuid::Uuid;

/// The draw explained for one application (its student, their programme, the office):
/// its rank, its phase, and every wish tried in order (own semester first, then plan B)
/// with its outcome in a sentence.
#[utoipa::path(
    operation_id = "explainApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Explanation),
        Unauthenticated,
        NotFound,
        (status = 409, description = "the call has not been drawn yet, or the application was not in the draw (not eligible)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/applications/{id}/explanation")]
pub async fn explanation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Explanation>, ApiError> {
    let (id, viewer) = (id.into_inner(), caller.viewer());
    let call = crate::db::run(&state.pool, move |conn| {
        explanations::drawn_call(conn, id, &viewer)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    let redrawn = state.redrawn.get(&state.pool, call).await?;
    // A few scans of the draw: off the worker, like a query.
    let explanation = web::block(move || redrawn.explain(id))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(web::Json(explanation))
}
