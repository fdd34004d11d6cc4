//! `Cache-Control: no-store` on every answer that carries personal data: student
//! records, applications with their motivations and documents, offers with the stay's
//! contacts, nominations, a call's results, the audit log, reports (the same path
//! answers a published report to all and, to its author and coordinators, drafts,
//! rejection reasons and the author's number). A
//! shared cache (a proxy, a portal's CDN) or the browser's disk must never keep them.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::middleware::Next;

/// Whether answers on `path` carry personal data.
fn is_personal(path: &str) -> bool {
    path == "/api/v1/me"
        || path.starts_with("/api/v1/students")
        || path.starts_with("/api/v1/audit")
        || path.starts_with("/api/v1/applications")
        || path.starts_with("/api/v1/offers")
        || path.starts_with("/api/v1/nominations")
        || path.starts_with("/api/v1/reports")
        || (path.starts_with("/api/v1/calls/")
            && (path.ends_with("/applications") || path.ends_with("/results")))
}

/// Middleware: marks personal answers (errors included) as never to be stored.
pub async fn no_store_for_personal_data(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let personal = is_personal(req.path());
    let mut response = next.call(req).await?;
    if personal {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::is_personal;

    #[test]
    fn personal_paths() {
        for path in [
            "/api/v1/me",
            "/api/v1/students/s1",
            "/api/v1/applications",
            "/api/v1/applications/x/documents/cv",
            "/api/v1/calls/x/applications",
            "/api/v1/calls/x/results",
            "/api/v1/offers/x/stay",
            "/api/v1/nominations",
            "/api/v1/reports",
            "/api/v1/reports/x",
            "/api/v1/audit",
        ] {
            assert!(is_personal(path), "{path}");
        }
        for path in [
            "/api/v1/countries",
            "/api/v1/destinations",
            "/api/v1/calls/x/places",
            "/api/v1/calls/x/remaining-places",
        ] {
            assert!(!is_personal(path), "{path}");
        }
    }
}
