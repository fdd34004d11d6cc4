//! CORS for browser frontends on other origins, from `ABROAD_CORS_ORIGINS` only.
//!
//! `actix-cors` answers the preflights of the allowed origins and adds the headers to
//! their responses. A preflight from any other origin gets a problem+json 403 here,
//! before `actix-cors` would answer it in plain text; an actual request from another
//! origin is served without CORS headers, so the browser keeps the answer from the
//! page (a script with curl is not a browser and is not affected).

use crate::error::ApiError;
use crate::telemetry::REQUEST_ID_HEADER;
use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, web};

/// The origins allowed to call from a browser, exactly as browsers send `Origin`.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(pub Vec<String>);

/// Preflight answers may be cached by the browser for this long, in seconds.
const MAX_AGE_SECONDS: usize = 3600;

/// The `actix-cors` middleware for the allowed origins.
pub fn cors(origins: &AllowedOrigins) -> Cors {
    let mut cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([header::LOCATION, REQUEST_ID_HEADER, header::ALLOW])
        .block_on_origin_mismatch(false)
        .max_age(MAX_AGE_SECONDS);
    for origin in &origins.0 {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Middleware in front of [`cors`]: refuses the preflight of an origin not allowed.
pub async fn refuse_other_origins(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let headers = req.headers();
    let preflight = req.method() == Method::OPTIONS
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let Some(origin) = headers.get(header::ORIGIN).filter(|_| preflight) {
        let allowed = req
            .app_data::<web::Data<AllowedOrigins>>()
            .is_some_and(|o| o.0.iter().any(|a| a.as_bytes() == origin.as_bytes()));
        if !allowed {
            let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            let err = ApiError::Forbidden(format!(
                "pages from {origin} may not call this API; the operator lists allowed origins in ABROAD_CORS_ORIGINS"
            ));
            return Ok(req.error_response(err).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
