//! Query strings held to the boundary rule for text ([`abroad_domain::text`]), before
//! any handler reads them: a NUL or control character in `?q=` or `?entity_id=` is a
//! 422 naming the parameter, never a value that reaches PostgreSQL.

use crate::error::ApiError;
use abroad_domain::Violation;
use abroad_domain::text::{describe, forbidden_character};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

/// Middleware: refuses a query parameter (name or value) with a forbidden character.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    // The API's queries only; `/health` and the docs read none.
    if !req.path().starts_with("/api/v1/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    // A query that does not decode at all is left to the route, which answers 400.
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let refused: Vec<Violation> = pairs
        .iter()
        .filter_map(|(name, value)| {
            let c =
                forbidden_character(name, false).or_else(|| forbidden_character(value, false))?;
            Some(Violation::new(
                name.clone(),
                "control_character",
                format!("query parameter `{name}` may not hold {}", describe(c)),
            ))
        })
        .collect();
    if refused.is_empty() {
        Ok(next.call(req).await?.map_into_left_body())
    } else {
        Ok(req
            .error_response(ApiError::Unprocessable(refused))
            .map_into_right_body())
    }
}
