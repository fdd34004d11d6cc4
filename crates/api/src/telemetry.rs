//! Logs: one span per request carrying its id, one access line per request.
//!
//! The `X-Request-Id` a client (or a proxy) sends is kept when it is a sane token,
//! otherwise one is made; either way it comes back on the response and sits on
//! every log line of the request. Headers are never logged, so neither is the
//! `Authorization` bearer token.

use crate::settings::LogFormat;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use std::time::Instant;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Installs the global subscriber: JSON lines or pretty, filtered by `RUST_LOG`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    drop(result);
}

/// Accepts a client's request id only if it is short and plain, so it cannot forge log lines.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Middleware: request id, a span around the whole request, and the access line.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut response) => {
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            let status = response.status().as_u16();
            span.in_scope(|| {
                if status >= 500 {
                    tracing::error!(status, latency_ms, "request served");
                } else {
                    tracing::info!(status, latency_ms, "request served");
                }
            });
            Ok(response)
        }
        Err(err) => {
            // Handlers' errors arrive as responses; only a failing middleware ends here.
            let status = err.as_response_error().status_code().as_u16();
            span.in_scope(|| tracing::error!(status, latency_ms, error = %err, "request failed"));
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn request_ids_from_clients_must_be_plain() {
        assert!(acceptable("b7c1e0e4-3f4a-4a47-9c36-1f1f5c1f0a01"));
        assert!(acceptable("lb:42.7_x"));
        assert!(!acceptable(""));
        assert!(!acceptable("has space"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable(&"x".repeat(129)));
    }
}
