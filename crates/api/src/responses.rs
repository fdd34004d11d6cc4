//! The problem+json answers of the OpenAPI document, one name per status, so a
//! route's `#[utoipa::path]` lists what it can answer without repeating the shape.

use std::collections::BTreeMap;
use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

/// A problem+json response of one status, as the document declares it.
pub(crate) fn problem_response(description: &str) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", content)
        .build()
}

fn problem(status: u16, description: &str) -> BTreeMap<String, RefOr<Response>> {
    BTreeMap::from([(status.to_string(), RefOr::T(problem_response(description)))])
}

/// The statuses any route of a kind answers whatever its handler does, with the
/// reason each one can come: added to every operation by the document itself, so
/// that no route can forget one (see `openapi::declare_shared_statuses`).
pub(crate) const MALFORMED_PATH: &str = "A path segment, query parameter or body does not fit this route's schema; `errors` names the field.";
pub(crate) const NO_TOKEN: &str =
    "The bearer token is missing, malformed, expired, or not for this service.";
pub(crate) const NOT_VISIBLE: &str = "Unknown, or not yours to see.";
pub(crate) const TOO_LARGE: &str = "The body is larger than this service takes.";
pub(crate) const WRONG_CONTENT_TYPE: &str = "The body is not of the content type this route takes.";
pub(crate) const QUERY_RULE: &str = "A query value of the right form that names nothing (a cursor this list did not issue, an unassigned code) or holds a control character; `errors` names it.";
pub(crate) const BODY_RULE: &str = "Well-formed, but breaks one or more rules (a control character in text among them); `errors` lists every violation.";
pub(crate) const UNAVAILABLE: &str =
    "The service cannot reach its database, or the database is not migrated.";

macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    problem($status, $description)
                }
            }
        )+
    };
}

problems! {
    /// 400: the body or query is malformed.
    Malformed = 400, "The body or query is malformed; `errors` names the fields when it can.";
    /// 401: no valid token.
    Unauthenticated = 401, "The bearer token is missing, malformed, expired, or not for this service.";
    /// 403: the role may never do this.
    Forbidden = 403, "Your role may never do this.";
    /// 404: unknown, or not the caller's to see.
    NotFound = 404, "Unknown, or not yours to see.";
    /// 409: conflicts with the current state.
    Conflict = 409, "Conflicts with the current state (a deadline passed, already done, not a draft …).";
    /// 413: the body is too large.
    TooLarge = 413, "The body is larger than this service takes.";
    /// 415: the wrong content type.
    WrongContentType = 415, "The body is not of the content type this route takes.";
    /// 422: breaks the office's rules.
    BreaksRules = 422, "Well-formed, but breaks one or more rules; `errors` lists every violation.";
    /// 503: the database is not reachable or not migrated.
    Unavailable = 503, "The service cannot reach its database, or the database is not migrated.";
}
