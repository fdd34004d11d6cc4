//! The OpenAPI 3.1 document, collected from the `#[utoipa::path]` of the real handlers.

use crate::error::Problem;
use abroad_domain::Violation;
use actix_web::App;
use actix_web::http::Method;
use utoipa::openapi::OpenApi as Document;
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
    components(schemas(Problem, Violation)),
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
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    document
}

/// The committed form of the document: pretty JSON ending in a newline.
pub fn to_json(document: &Document) -> String {
    let mut json = document.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// The documented paths and their methods, to tell 405 (known path) from 404.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<Segment>, Vec<Method>)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl RouteTable {
    pub fn from_document(document: &Document) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
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
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods a documented path allows, or `None` when no documented path matches.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<_> = path.trim_matches('/').split('/').collect();
        let mut allowed: Vec<Method> = Vec::new();
        for (segments, methods) in &self.0 {
            let matches = segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(segment, part)| match segment {
                        Segment::Literal(literal) => literal == part,
                        Segment::Parameter => !part.is_empty(),
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
            Some(vec![Method::GET, Method::PUT])
        );
        assert_eq!(table.allowed("/api/v1/countries"), Some(vec![Method::GET]));
        assert_eq!(table.allowed("/api/v1/nowhere"), None);
        assert_eq!(table.allowed("/api/v1/countries/SE/extra"), None);
    }
}
