//! The OpenAPI document tells the truth, so that generated clients work: regression
//! tests for each kind of mismatch a contract run (schemathesis) and a generated
//! TypeScript client found once.

use abroad_domain::{
    Activity, ApplicationStatus, CallStatus, Cefr, Chance, DocumentKind, EntityType, ExchangeType,
    Level, NominationStatus, OfferStatus, ReportActivity, ReportStatus, ReviewOutcome, Role,
    Scheme, Selection, Semester, TravelAdvice,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn document() -> Value {
    serde_json::to_value(abroad_api::openapi::document()).expect("the document is JSON")
}

fn words<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

/// Every operation as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            found.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    found
}

#[test]
fn every_enum_lists_exactly_the_words_on_the_wire() {
    let vocabularies: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        ("Activity", words(Activity::ALL)),
        ("ActivityStatus", words(abroad_domain::ActivityStatus::ALL)),
        ("ActivityType", words(abroad_domain::ActivityType::ALL)),
        ("ApplicationStatus", words(ApplicationStatus::ALL)),
        ("CallStatus", words(CallStatus::ALL)),
        ("Cefr", words(Cefr::ALL)),
        ("Chance", words(Chance::ALL)),
        ("DocumentKind", words(DocumentKind::ALL)),
        ("EntityType", words(EntityType::ALL)),
        ("ExchangeType", words(ExchangeType::ALL)),
        ("Level", words(Level::ALL)),
        ("NominationStatus", words(NominationStatus::ALL)),
        ("OfferStatus", words(OfferStatus::ALL)),
        ("Outcome", words(abroad_domain::draw::Outcome::ALL)),
        ("ReportActivity", words(ReportActivity::ALL)),
        ("ReportStatus", words(ReportStatus::ALL)),
        ("ReviewOutcome", words(ReviewOutcome::ALL)),
        ("Role", words(Role::ALL)),
        ("Scheme", words(Scheme::ALL)),
        ("Selection", words(Selection::ALL)),
        ("Semester", words(Semester::ALL)),
        ("TravelAdvice", words(TravelAdvice::ALL)),
    ]);
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas {
        let Some(listed) = schema["enum"].as_array() else {
            continue;
        };
        let listed: Vec<String> = listed
            .iter()
            .map(|w| w.as_str().expect("a word").to_owned())
            .collect();
        let wire = vocabularies
            .get(name.as_str())
            .unwrap_or_else(|| panic!("the enum {name} is no vocabulary this test knows"));
        assert_eq!(&listed, wire, "{name}");
    }
    for name in vocabularies.keys() {
        assert!(schemas.contains_key(*name), "{name} is not in the document");
    }
    // The words are the lowercase ones the service sends, not the Rust names.
    assert_eq!(words(Semester::ALL), ["autumn", "spring", "full_year"]);
}

#[test]
fn operation_ids_are_unique_and_say_what_they_do() {
    let doc = document();
    let mut seen = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric())
                && !["list", "get", "create", "patch", "put"].contains(&id),
            "{method} {path}: `{id}` is not a descriptive lowerCamelCase id"
        );
        assert!(
            seen.insert(id.to_owned()),
            "operationId `{id}` is used twice"
        );
    }
}

#[test]
fn every_reference_resolves() {
    fn walk(doc: &Value, at: &Value, trail: &str) {
        match at {
            Value::Object(members) => {
                if let Some(Value::String(target)) = members.get("$ref") {
                    let pointer = target.strip_prefix('#').expect("a local $ref");
                    assert!(
                        doc.pointer(pointer).is_some(),
                        "{trail}: $ref {target} does not resolve"
                    );
                }
                for (name, value) in members {
                    walk(doc, value, &format!("{trail}/{name}"));
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    walk(doc, value, &format!("{trail}/{i}"));
                }
            }
            _ => {}
        }
    }
    let doc = document();
    walk(&doc, &doc, "");
}

#[test]
fn no_parameter_is_looser_than_its_handler() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().expect("name");
            let schema = &parameter["schema"];
            let resolved = match schema["$ref"].as_str() {
                Some(target) => doc
                    .pointer(target.trim_start_matches('#'))
                    .expect("resolves")
                    .clone(),
                None => schema.clone(),
            };
            let constrained = resolved["type"] != "string"
                || ["enum", "pattern", "format", "maxLength"]
                    .iter()
                    .any(|c| !resolved[c].is_null());
            assert!(
                constrained,
                "{method} {path}: parameter `{name}` is a bare string: {resolved}"
            );
        }
    }
}

#[test]
fn every_status_a_kind_of_route_can_answer_is_declared() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let declared = |status: &str| !operation["responses"][status].is_null();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let takes = |place: &str| parameters.iter().any(|p| p["in"] == place);
        let mut expected = Vec::new();
        if path.starts_with("/api/v1/") {
            expected.extend(["401", "422", "503"]);
        }
        if takes("path") {
            expected.extend(["400", "404"]);
        }
        if takes("query") {
            expected.push("400");
        }
        if !operation["requestBody"].is_null() {
            expected.extend(["400", "413", "415"]);
        }
        for status in expected {
            assert!(
                declared(status),
                "{method} {path} does not declare {status}"
            );
            assert!(
                operation["responses"][status]["content"]["application/problem+json"].is_object(),
                "{method} {path}: {status} is not problem+json"
            );
        }
    }
}

#[test]
fn a_calls_number_bounds_are_the_rules_own() {
    // The schema's bounds are the parser's: a value inside them is never refused for its
    // size, one outside never accepted.
    let doc = document();
    let fields = &doc["components"]["schemas"]["CallFields"]["properties"];
    let max_choices = u64::from(abroad_domain::call::MAX_CHOICES);
    for (field, low, high) in [
        ("min_choices", 1, max_choices),
        ("max_choices", 1, max_choices),
        ("max_low_chance", 0, max_choices),
        ("min_ec", 0, 600),
        ("max_ec", 0, 600),
        ("offer_days", 1, 60),
    ] {
        assert_eq!(fields[field]["minimum"].as_u64(), Some(low), "{field}");
        assert_eq!(fields[field]["maximum"].as_u64(), Some(high), "{field}");
    }
}
