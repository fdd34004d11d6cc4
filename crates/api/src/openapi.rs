//! The OpenAPI 3.1 document, collected from the `#[utoipa::path]` of the real handlers.

use crate::error::Problem;
use crate::responses;
use abroad_domain::{EntityType, Violation};
use actix_web::App;
use actix_web::http::Method;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Abroad",
        description = "The study-abroad office's API: destinations, calls, applications, a verifiable \
                       lottery, offers and nominations. Every `/api/v1` call takes `Authorization: Bearer <JWT>`; \
                       every error is `application/problem+json` (RFC 9457)."
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, Violation, EntityType)),
    tags(
        (name = "reference data", description = "Countries with travel advice, study programmes"),
        (name = "catalogue", description = "Partner institutions and destinations: the world map students choose from"),
        (name = "students", description = "Student records from the student-information system"),
        (name = "calls", description = "Application rounds with their rules and places"),
        (name = "applications", description = "Students' ranked choices, submission, and the decisions on them"),
        (name = "audit", description = "Who changed what, when"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with `sub`, `role` (student, programme, coordinator), `exp`, `iss` and `aud`; \
                         `programmes` for the programme role, `faculty` to limit a coordinator",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as the running service describes itself.
pub fn document() -> Document {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    declare_shared_statuses(&mut document);
    constrain_parameters(&mut document);
    document
}

/// The schema of every path and query parameter that names a code, a cursor or free
/// text, from the same constants its parser keeps to (`abroad_domain::shapes`), so a
/// client that fits the document is never told its request is malformed, and one that
/// does not fit it always is.
fn constrain_parameters(document: &mut Document) {
    use abroad_domain::shapes;
    use abroad_storage::page::CURSOR_SHAPE;
    for (path, item) in &mut document.paths.paths {
        for operation in operations_mut(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                let text = ObjectBuilder::new().schema_type(Type::String);
                let schema = match (parameter.name.as_str(), &parameter.parameter_in) {
                    ("number", ParameterIn::Path) => text.pattern(Some(shapes::STUDENT_NUMBER)),
                    ("code", ParameterIn::Path) if path.starts_with("/api/v1/countries") => {
                        text.pattern(Some(shapes::COUNTRY_CODE))
                    }
                    ("code", ParameterIn::Path) => text.pattern(Some(shapes::OFFICE_CODE)),
                    ("country", ParameterIn::Query) => text.pattern(Some(shapes::COUNTRY_CODE)),
                    ("programme" | "faculty", ParameterIn::Query) => {
                        text.pattern(Some(shapes::OFFICE_CODE))
                    }
                    ("language", ParameterIn::Query) => text.pattern(Some(shapes::LANGUAGE_CODE)),
                    ("cursor", ParameterIn::Query) => text.pattern(Some(CURSOR_SHAPE)),
                    ("q", ParameterIn::Query)
                        if path.ends_with("/destinations") || path.ends_with("/reports") =>
                    {
                        text.min_length(Some(1))
                            .max_length(Some(crate::extract::MAX_SEARCH_CHARS))
                    }
                    ("q", ParameterIn::Query) => {
                        text.max_length(Some(crate::extract::MAX_SEARCH_CHARS))
                    }
                    ("entity_id", ParameterIn::Query) => text
                        .min_length(Some(1))
                        .max_length(Some(crate::routes::audit::MAX_ENTITY_ID_CHARS)),
                    _ => continue,
                };
                parameter.schema = Some(RefOr::T(Schema::Object(schema.build())));
            }
        }
    }
}

/// Every operation of a path, to change in place.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Declares on every operation the statuses its kind of route answers whatever the
/// handler does: 401, 422 and 503 on every `/api/v1` route (the token, a control
/// character in the query, the database), 400
/// and 404 where a path names an object, 400 and 422 where a query is read (422: a value
/// of the right form that names nothing, such as a cursor not issued, or a control
/// character), and 400, 413, 415 and 422 where a body is read. A status a handler declares itself keeps its own text.
fn declare_shared_statuses(document: &mut Document) {
    for (path, item) in &mut document.paths.paths {
        let authenticated = path.starts_with("/api/v1/");
        for operation in operations_mut(item) {
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            let reads = |place: ParameterIn| parameters.iter().any(|p| p.parameter_in == place);
            let mut shared = Vec::new();
            if authenticated {
                // 422: any query parameter holding a control character, read or not.
                shared.extend([
                    (401, responses::NO_TOKEN),
                    (422, responses::QUERY_RULE),
                    (503, responses::UNAVAILABLE),
                ]);
            }
            if reads(ParameterIn::Path) {
                shared.extend([
                    (400, responses::MALFORMED_PATH),
                    (404, responses::NOT_VISIBLE),
                ]);
            }
            if reads(ParameterIn::Query) {
                shared.extend([
                    (400, responses::MALFORMED_PATH),
                    (422, responses::QUERY_RULE),
                ]);
            }
            if operation.request_body.is_some() {
                shared.extend([
                    (400, responses::MALFORMED_PATH),
                    (413, responses::TOO_LARGE),
                    (415, responses::WRONG_CONTENT_TYPE),
                    (422, responses::BODY_RULE),
                ]);
            }
            for (status, description) in shared {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(responses::problem_response(description)));
            }
        }
    }
}

/// The committed form of the document: pretty JSON ending in a newline.
pub fn to_json(document: &Document) -> String {
    let mut json = document.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// Every path the service serves and its methods, to tell 405 (known path) from 404:
/// the documented paths, plus the document itself and its docs page. `HEAD` goes
/// wherever `GET` does.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<Segment>, Vec<Method>)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
    /// Any number of further segments (the docs page's assets).
    Rest,
}

impl RouteTable {
    pub fn from_document(document: &Document) -> Self {
        let read_only = || vec![Method::GET, Method::HEAD];
        let mut routes: Vec<(Vec<Segment>, Vec<Method>)> = vec![
            (
                vec![Segment::Literal("openapi.json".to_owned())],
                read_only(),
            ),
            (vec![Segment::Literal("docs".to_owned())], read_only()),
            (
                vec![Segment::Literal("docs".to_owned()), Segment::Rest],
                read_only(),
            ),
        ];
        let documented = document.paths.paths.iter().map(|(path, item)| {
            let segments = path
                .trim_matches('/')
                .split('/')
                .map(|s| {
                    if s.starts_with('{') {
                        Segment::Parameter
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::HEAD, item.get.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ]
            .into_iter()
            .filter_map(|(method, present)| present.then_some(method))
            .collect();
            (segments, methods)
        });
        routes.extend(documented);
        Self(routes)
    }

    /// The methods a documented path allows, or `None` when no documented path matches.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<_> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<Method> = Vec::new();
        for (segments, methods) in &self.0 {
            let rest = segments.last() == Some(&Segment::Rest);
            let fixed = if rest {
                &segments[..segments.len() - 1]
            } else {
                &segments[..]
            };
            let matches = (if rest {
                parts.len() > fixed.len() || path.ends_with('/')
            } else {
                parts.len() == fixed.len()
            }) && fixed
                .iter()
                .zip(&parts)
                .all(|(segment, part)| match segment {
                    Segment::Literal(literal) => literal == part,
                    Segment::Parameter => !part.is_empty(),
                    Segment::Rest => true,
                });
            if matches {
                allowed.extend(
                    methods
                        .iter()
                        .filter(|m| !allowed.contains(m))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_table_knows_paths_and_their_methods() {
        let table = RouteTable::from_document(&document());
        assert_eq!(
            table.allowed("/api/v1/countries/SE"),
            Some(vec![Method::GET, Method::HEAD, Method::PUT])
        );
        assert_eq!(
            table.allowed("/api/v1/countries"),
            Some(vec![Method::GET, Method::HEAD])
        );
        let read_only = Some(vec![Method::GET, Method::HEAD]);
        assert_eq!(table.allowed("/openapi.json"), read_only);
        assert_eq!(table.allowed("/docs"), read_only);
        assert_eq!(table.allowed("/docs/"), read_only);
        assert_eq!(table.allowed("/docs/swagger-ui.css"), read_only);
        assert_eq!(table.allowed("/api/v1/nowhere"), None);
        assert_eq!(table.allowed("/api/v1/countries/SE/extra"), None);
    }
}
