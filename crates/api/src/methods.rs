//! HTTP methods as clients expect them (RFC 9110): `HEAD` wherever `GET` answers,
//! and `405` with `Allow` for any other method on a known path.
//!
//! One middleware decides both from the [`RouteTable`], which is read from the
//! OpenAPI document (plus `/openapi.json` and `/docs`), so the answer for a path
//! cannot drift from the routes that serve it.

use crate::error::ApiError;
use crate::openapi::RouteTable;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};

/// Middleware: answers `405` for a method the path does not allow, and serves `HEAD`
/// as the `GET` it stands for. The HTTP/1 and HTTP/2 layers know the request was
/// `HEAD` and send the `GET`'s status and headers (`Content-Length` included) without
/// its body.
pub async fn allowed_methods(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let allowed = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.allowed(req.path()));
    if let Some(allow) = allowed {
        let method = req.method().clone();
        if !allow.contains(&method) {
            let err = ApiError::MethodNotAllowed { allow };
            return Ok(req.error_response(err).map_into_right_body());
        }
        if method == Method::HEAD {
            req.head_mut().method = Method::GET;
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
