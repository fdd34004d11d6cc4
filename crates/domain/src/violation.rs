//! Rule violations, reported all at once so a client can fix everything in one go.

use serde::Serialize;
use utoipa::ToSchema;

/// One broken rule: which field, a stable machine-readable `code`, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Violation {
    /// The offending field as a JSON path (`choices[2].motivation`), or empty for the whole body.
    pub field: String,
    /// Stable code clients can switch on, e.g. `too_long` or `unknown_country_code`.
    pub code: String,
    /// What is wrong and how to fix it, in plain English.
    pub message: String,
}

impl Violation {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A collector of violations; validation keeps going after the first one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Violation::new(field, code, message));
    }

    /// Keeps the value when it parsed, records the violation when it did not.
    pub fn take<T>(&mut self, result: Result<T, Violation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violation) => {
                self.0.push(violation);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

/// The violation for a required field left out or empty.
pub fn missing(field: &str) -> Violation {
    Violation::new(field, "required", format!("`{field}` is required"))
}

/// Checks a required free-text field: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, Violation> {
    let trimmed = value.trim();
    if let Some(c) = crate::text::forbidden_character(trimmed, false) {
        return Err(Violation::new(
            field,
            "control_character",
            format!(
                "`{field}` is one line of text; it may not hold {}",
                crate::text::describe(c)
            ),
        ));
    }
    if trimmed.is_empty() {
        return Err(Violation::new(
            field,
            "required",
            format!("`{field}` must not be empty"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(Violation::new(
            field,
            "too_long",
            format!("`{field}` must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Checks an optional free-text field: trimmed, empty means absent, at most `max` characters.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Violation> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => Err(Violation::new(
            field,
            "too_long",
            format!("`{field}` must be at most {max} characters"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// Checks an optional web address: `http://` or `https://`, a host, no spaces.
pub fn optional_url(field: &str, value: Option<&str>) -> Result<Option<String>, Violation> {
    let Some(url) = optional_text(field, value, 500)? else {
        return Ok(None);
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or("");
    if host.contains('.') && !url.chars().any(char::is_whitespace) {
        Ok(Some(url))
    } else {
        Err(Violation::new(
            field,
            "invalid_url",
            format!("`{url}` is not a web address; write it as https://host/path"),
        ))
    }
}

/// Checks an optional grade on the Dutch 1–10 scale.
pub fn optional_grade(field: &str, value: Option<f64>) -> Result<Option<f64>, Violation> {
    match value {
        Some(grade) if !(1.0..=10.0).contains(&grade) => Err(Violation::new(
            field,
            "out_of_range",
            format!("`{field}` must be a grade from 1.0 to 10.0 (got {grade})"),
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_keeps_values_and_collects_every_violation() {
        let mut v = Violations::new();
        assert_eq!(v.take(Ok::<_, Violation>(1)), Some(1));
        assert_eq!(
            v.take::<i32>(Err(Violation::new("a", "required", "a"))),
            None
        );
        assert_eq!(
            v.take::<i32>(Err(Violation::new("b", "too_long", "b"))),
            None
        );
        let fields: Vec<_> = v.into_vec().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["a", "b"]);
    }

    #[test]
    fn optional_fields_are_trimmed_bounded_and_checked() {
        assert_eq!(optional_text("fees", Some("  "), 10).unwrap(), None);
        assert_eq!(
            optional_text("fees", Some(" none "), 10)
                .unwrap()
                .as_deref(),
            Some("none")
        );
        assert_eq!(
            optional_text("fees", Some("0123456789x"), 10)
                .unwrap_err()
                .code,
            "too_long"
        );
        assert!(
            optional_url("website", Some("https://ki.se/en"))
                .unwrap()
                .is_some()
        );
        assert_eq!(optional_url("website", None).unwrap(), None);
        for bad in [
            "ki.se",
            "https://",
            "ftp://ki.se",
            "https://ki se.se",
            "https://localhost",
        ] {
            assert_eq!(
                optional_url("website", Some(bad)).unwrap_err().code,
                "invalid_url",
                "{bad}"
            );
        }
        assert_eq!(optional_grade("gpa", Some(6.5)).unwrap(), Some(6.5));
        assert_eq!(
            optional_grade("gpa", Some(0.9)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            optional_grade("gpa", Some(10.1)).unwrap_err().code,
            "out_of_range"
        );
    }

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("name", "  Sweden ", 10).unwrap(), "Sweden");
        assert_eq!(
            required_text("name", "   ", 10).unwrap_err().code,
            "required"
        );
        assert_eq!(
            required_text("name", "Sweden!!!!!", 10).unwrap_err().code,
            "too_long"
        );
        // Characters, not bytes: "Österreich" is 10 characters, 11 bytes.
        assert!(required_text("name", "Österreich", 10).is_ok());
    }
}
