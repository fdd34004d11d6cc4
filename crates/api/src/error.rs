//! Every error the service answers with, as RFC 9457 `application/problem+json`.
//!
//! A small hand-written [`Problem`] type rather than a crate: it must derive
//! `ToSchema` for the OpenAPI document and carry the `errors` list of API.md, which
//! the problem-details crates would only hold as untyped extension members.

use abroad_domain::Violation;
use abroad_storage::StorageError;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem, e.g. `urn:abroad:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary that is the same for every problem of this kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time and how to fix it.
    pub detail: String,
    /// Every violated rule, for validation problems; absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
}

/// What a handler can fail with; one status per variant.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query is malformed; `errors` names the offending fields when known.
    #[error("bad request: {detail}")]
    BadRequest {
        detail: String,
        errors: Vec<Violation>,
    },
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<Method> },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// Well-formed but breaks the office's rules; every violation at once.
    #[error("unprocessable: {} violation(s)", .0.len())]
    Unprocessable(Vec<Violation>),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Something broke inside; the cause was logged, the client learns nothing of it.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A malformed path segment (`/countries/SWE`), named so the client knows what to fix.
    pub fn bad_path(violation: Violation) -> Self {
        ApiError::BadRequest {
            detail: violation.message.clone(),
            errors: vec![violation],
        }
    }

    /// A malformed query parameter, named so the client knows what to fix.
    pub fn bad_parameter(violation: Violation) -> Self {
        ApiError::BadRequest {
            detail: format!(
                "query parameter `{}`: {}",
                violation.field, violation.message
            ),
            errors: vec![violation],
        }
    }

    /// A query parameter that is refused: 400 when its form does not fit the
    /// document's schema, 422 when the form fits but the value is not assigned
    /// (violations coded `unknown_…`, e.g. the country code `ZZ`).
    pub fn parameter(violation: Violation) -> Self {
        if violation.code.starts_with("unknown_") {
            ApiError::Unprocessable(vec![violation])
        } else {
            ApiError::bad_parameter(violation)
        }
    }

    /// Logs the cause with the request's span (and so its request id), answers 500.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        ApiError::Internal
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("bad-request", "The request is malformed"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication is required"),
            ApiError::Forbidden(_) => ("forbidden", "Your role may not do this"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict(_) => ("conflict", "Conflicts with the current state"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "The body is too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported content type")
            }
            ApiError::Unprocessable(_) => ("validation", "The request breaks one or more rules"),
            ApiError::Unavailable(_) => ("unavailable", "The service is not available right now"),
            ApiError::Internal => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let (detail, errors) = match self {
            ApiError::BadRequest { detail, errors } => (detail.clone(), errors.clone()),
            ApiError::Unauthorized(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::PayloadTooLarge(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::Unavailable(d) => (d.clone(), Vec::new()),
            ApiError::MethodNotAllowed { allow } => {
                let allowed: Vec<_> = allow.iter().map(Method::as_str).collect();
                (
                    format!("this path allows {}", allowed.join(", ")),
                    Vec::new(),
                )
            }
            ApiError::Unprocessable(errors) => {
                let fields: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
                (fields.join("; "), errors.clone())
            }
            ApiError::Internal => (
                "something went wrong on our side; quote the X-Request-Id header when reporting it"
                    .to_owned(),
                Vec::new(),
            ),
        };
        Problem {
            kind: format!("urn:abroad:problem:{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"abroad\", error=\"invalid_token\"",
                ));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header(header::Allow(allow.clone()));
            }
            _ => {}
        }
        // A `Problem` is strings and numbers: serialising it cannot fail.
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

/// Says what was not found, for `.map_err(missing("no call with this id"))`; any
/// other error passes through unchanged.
pub fn missing(detail: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |err| match err {
        ApiError::NotFound(_) => ApiError::NotFound(detail.to_owned()),
        other => other,
    }
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => ApiError::NotFound("no such record".to_owned()),
            StorageError::Conflict(constraint) => ApiError::Conflict(format!(
                "this conflicts with an existing record ({constraint})"
            )),
            StorageError::Invalid(violations) => ApiError::Unprocessable(violations),
            StorageError::State(message) => ApiError::Conflict(message),
            StorageError::Forbidden(message) => ApiError::Forbidden(message),
            StorageError::Rule(constraint) => ApiError::Unprocessable(vec![Violation::new(
                "",
                "database_rule",
                format!("refused by the rule `{constraint}`"),
            )]),
            StorageError::Busy(why) => {
                tracing::warn!(%why, "the database asked to try again");
                ApiError::Unavailable("the service is busy; try again in a moment".to_owned())
            }
            StorageError::Unavailable(_) => {
                tracing::warn!(error = %err, "no database connection");
                ApiError::Unavailable("the database is not reachable; try again shortly".to_owned())
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<Vec<Violation>> for ApiError {
    fn from(violations: Vec<Violation>) -> Self {
        ApiError::Unprocessable(violations)
    }
}
