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
