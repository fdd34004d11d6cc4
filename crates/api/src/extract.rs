//! Request extractors whose every failure is a problem+json that names what to fix.

use crate::error::ApiError;
use abroad_domain::Violation;
use abroad_storage::page::{Cursor, DEFAULT_LIMIT, MAX_LIMIT};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// The largest JSON body the service reads; set from `ABROAD_MAX_JSON_BYTES`.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub usize);

/// A JSON body. Unlike actix's own, it answers 415 for another content type, 413 past
/// the limit, and 400 naming the field (`choices[2].destination_id`) for wrong types.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<JsonLimit>().map_or(64 * 1024, |l| l.0);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(content_type.as_deref()) {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "send the body as `Content-Type: application/json` (got {})",
                    content_type
                        .as_deref()
                        .map_or("none".to_owned(), |c| format!("`{c}`"))
                )));
            }
            let too_large =
                || ApiError::PayloadTooLarge(format!("a JSON body may be at most {limit} bytes"));
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(format!("the body could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

fn is_json(content_type: Option<&str>) -> bool {
    let Some(essence) = content_type.and_then(|c| c.split(';').next()) else {
        return false;
    };
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses JSON, naming the field that has the wrong type or an unknown name.
///
/// Two steps, for the document's sake: the text is read into a JSON value first, in
/// which a number with no fraction (`5.0`) becomes the integer it is, as JSON Schema
/// counts it, and every string is held to the boundary rule for text
/// ([`abroad_domain::text`]: 422 naming the field); then the value becomes `T`.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the body is empty; send a JSON object",
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    integral_numbers(&mut value);
    let mut refused = Vec::new();
    forbidden_characters(&value, &mut String::new(), &mut refused);
    if !refused.is_empty() {
        return Err(ApiError::Unprocessable(refused));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = if path == "." { String::new() } else { path };
        let message = inner.to_string();
        let code = if message.starts_with("unknown field") {
            "unknown_field"
        } else if message.starts_with("missing field") {
            "missing_field"
        } else {
            "invalid_type"
        };
        ApiError::BadRequest {
            detail: if field.is_empty() {
                message.clone()
            } else {
                format!("`{field}`: {message}")
            },
            errors: vec![Violation::new(field, code, message)],
        }
    })
}

/// The largest integer a JSON number with no fraction is read as exactly (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// `5.0` → `5`, everywhere in `value`: JSON Schema counts both as the integer 5.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() <= EXACT_INTEGERS
            {
                // In range and whole, so the conversion is exact.
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "checked whole and in range"
                )]
                let whole = f as i64;
                *n = whole.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(members) => members.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Every string (and member name) in `value` that breaks the boundary rule for text,
/// named by its path (`choices[2].motivation`).
fn forbidden_characters(value: &serde_json::Value, path: &mut String, found: &mut Vec<Violation>) {
    fn check(text: &str, at: &str, found: &mut Vec<Violation>) {
        if let Some(c) = abroad_domain::text::forbidden_character(text, true) {
            found.push(Violation::new(
                at,
                "control_character",
                format!(
                    "`{}` may not hold the control character {}",
                    if at.is_empty() { "the body" } else { at },
                    abroad_domain::text::describe(c)
                ),
            ));
        }
    }
    match value {
        serde_json::Value::String(text) => check(text, path, found),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                forbidden_characters(item, path, found);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(members) => {
            for (name, member) in members {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                check(name, path, found);
                forbidden_characters(member, path, found);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// For PATCH bodies: tells a field left out (`None`) from one set to `null`
/// (`Some(None)`), so `"website": null` clears the website and leaving it out keeps it.
/// Use with `#[serde(default, deserialize_with = "absent_or_null")]`.
pub fn absent_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// Applies a JSON merge patch (RFC 7396): members of `patch` replace those of
/// `target`, `null` removes one, objects merge member by member.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    if let serde_json::Value::Object(members) = target {
        for (name, change) in changes {
            if change.is_null() {
                members.remove(name);
            } else {
                merge_patch(
                    members
                        .entry(name.clone())
                        .or_insert(serde_json::Value::Null),
                    change,
                );
            }
        }
    }
}

/// A decision's comment, note or reason (a programme's, a review's, a rejection's):
/// trimmed, blank as absent, at most 2,000 characters, else 422 naming `field`.
pub fn decision_text(field: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    abroad_domain::violation::optional_text(field, text, 2000)
        .map_err(|v| ApiError::Unprocessable(vec![v]))
}

/// The longest free-text search accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Splits free text (1–200 characters) into the words a search looks for, as
/// `abroad_domain::catalogue::words` writes down once: accents folded, lower case,
/// letters and digits only, at most ten. Text with no such word (`?q=!!`) finds
/// nothing; an empty or longer `q` does not fit the document and is a 400.
pub fn search_words(raw: &str) -> Result<Vec<String>, ApiError> {
    let length = raw.chars().count();
    if length == 0 || length > MAX_SEARCH_CHARS {
        return Err(ApiError::bad_parameter(Violation::new(
            "q",
            "invalid_search",
            format!("`q` must be 1 to {MAX_SEARCH_CHARS} characters"),
        )));
    }
    Ok(abroad_domain::catalogue::words::query_words(raw))
}

/// `?limit=` and `?cursor=` as every list reads them.
#[derive(Debug)]
pub struct PageRequest<K> {
    pub limit: i64,
    pub after: Option<Cursor<K>>,
}

impl<K: abroad_storage::page::PageKey> PageRequest<K> {
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            // Digits only, as the document's integer says: not `+5`, not ` 5`.
            Some(raw) => Some(raw)
                .filter(|r| !r.is_empty() && r.len() <= 4 && r.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|r| r.parse::<i64>().ok())
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_parameter(Violation::new(
                        "limit",
                        "invalid_limit",
                        format!(
                            "`{raw}` is not a page size; use a whole number from 1 to {MAX_LIMIT}"
                        ),
                    ))
                })?,
        };
        let after = cursor
            .map(|raw| {
                if !Cursor::<K>::fits(raw) {
                    return Err(ApiError::bad_parameter(Violation::new(
                        "cursor",
                        "invalid_cursor",
                        "`cursor` is the `next_cursor` of a previous page: letters, digits, `-` and `_`",
                    )));
                }
                // Of the right form but not one this list issued: a rule broken, not a
                // malformed request.
                Cursor::decode(raw).map_err(|e| {
                    ApiError::Unprocessable(vec![Violation::new(
                        "cursor",
                        "unknown_cursor",
                        e.to_string(),
                    )])
                })
            })
            .transpose()?;
        Ok(Self { limit, after })
    }
}

/// Turns a query string that does not fit the endpoint's parameters into a 400.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    let message = err.to_string();
    let message = message
        .trim_start_matches("Query deserialize error: ")
        .to_owned();
    ApiError::BadRequest {
        detail: format!("the query string does not fit this endpoint: {message}"),
        errors: vec![Violation::new("", "invalid_query", message)],
    }
    .into()
}

/// Turns a path segment of the wrong shape (e.g. not a UUID) into a 400.
pub fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("the path does not fit this endpoint: {err}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Body {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Item {
        places: u32,
    }

    fn field_of(body: &str) -> String {
        match parse_json::<Body>(body.as_bytes()).unwrap_err() {
            ApiError::BadRequest { errors, .. } => {
                errors.first().map(|e| e.field.clone()).unwrap_or_default()
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn wrong_types_name_their_field() {
        assert_eq!(
            field_of(r#"{"name":"x","items":[{"places":1},{"places":"two"}]}"#),
            "items[1].places"
        );
        assert_eq!(field_of(r#"{"name":"x","items":[],"extra":1}"#), "extra");
        assert_eq!(field_of(r#"{"name":"x"}"#), "");
    }

    #[test]
    fn malformed_json_and_trailing_garbage_are_bad_requests() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":"),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"name":"x","items":[]} x"#),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_json::<Body>(b"  "),
            Err(ApiError::BadRequest { .. })
        ));
    }

    #[test]
    fn whole_numbers_are_integers_and_control_characters_are_refused() {
        #[derive(Debug, Deserialize)]
        struct Count {
            places: u32,
        }
        let count: Count = parse_json(br#"{"places": 5.0}"#).unwrap();
        assert_eq!(count.places, 5);
        assert!(matches!(
            parse_json::<Count>(br#"{"places": 5.5}"#),
            Err(ApiError::BadRequest { .. })
        ));
        match parse_json::<Body>(br#"{"name":"a\u0000b","items":[]}"#) {
            Err(ApiError::Unprocessable(v)) => {
                assert_eq!(
                    (v[0].field.as_str(), v[0].code.as_str()),
                    ("name", "control_character")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }

    #[test]
    fn merge_patches_follow_rfc_7396() {
        let mut target = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        merge_patch(
            &mut target,
            &serde_json::json!({"a": null, "b": {"c": 4}, "e": [2], "f": "new"}),
        );
        assert_eq!(
            target,
            serde_json::json!({"b": {"c": 4, "d": 3}, "e": [2], "f": "new"})
        );
    }

    #[test]
    fn page_requests_are_bounded() {
        assert_eq!(
            PageRequest::<String>::parse(None, None).unwrap().limit,
            DEFAULT_LIMIT
        );
        assert_eq!(
            PageRequest::<String>::parse(Some("500"), None)
                .unwrap()
                .limit,
            500
        );
        for bad in ["0", "501", "-1", "ten", " 5", "+5", ""] {
            assert!(
                PageRequest::<String>::parse(Some(bad), None).is_err(),
                "{bad}"
            );
        }
        assert!(matches!(
            PageRequest::<String>::parse(None, Some("%%%")),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            PageRequest::<String>::parse(None, Some("AAAA")),
            Err(ApiError::Unprocessable(_))
        ));
    }
}
