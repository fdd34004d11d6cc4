//! Study programmes, faculties and study levels.

use crate::violation::{Violation, Violations, required_text};
use serde::Serialize;
use std::fmt;

/// Checks an office code (programme or faculty): `BMS`, `LAW-LLM`; upper case letters,
/// digits, `-` and `_`, 1–20 characters, starting with a letter or digit.
fn office_code(field: &str, what: &str, raw: &str) -> Result<String, Violation> {
    let valid = !raw.is_empty()
        && raw.len() <= 20
        && raw.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_'))
        });
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(Violation::new(
            field,
            format!("invalid_{what}_code"),
            format!(
                "`{raw}` is not a {what} code: use 1–20 upper-case letters, digits, `-` or `_`, \
                 starting with a letter or digit"
            ),
        ))
    }
}

/// A study programme's code, e.g. `BMS` (Biomedical Sciences).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ProgrammeCode(String);

impl ProgrammeCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        office_code(field, "programme", raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProgrammeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A faculty's code, e.g. `LUMC`; also the `faculty` claim of a faculty coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FacultyCode(String);

impl FacultyCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        office_code(field, "faculty", raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FacultyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::vocabulary! {
    /// The level of study.
    pub enum Level ("level of study", "invalid_level") {
        Bachelor = "bachelor",
        Master = "master",
    }
}

/// A coordinator's update of a programme: name, owning faculty and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeUpdate {
    pub name: String,
    pub faculty: FacultyCode,
    pub level: Level,
}

impl ProgrammeUpdate {
    /// Checks every field and reports every problem at once.
    pub fn parse(name: &str, faculty: &str, level: &str) -> Result<Self, Vec<Violation>> {
        let mut violations = Violations::new();
        let name = violations.take(required_text("name", name, 200));
        let faculty = violations.take(FacultyCode::parse("faculty", faculty));
        let level = violations.take(Level::parse("level", level));
        match (name, faculty, level) {
            (Some(name), Some(faculty), Some(level)) => Ok(ProgrammeUpdate {
                name,
                faculty,
                level,
            }),
            _ => Err(violations.into_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_codes_accept_the_offices_style_only() {
        assert!(ProgrammeCode::parse("code", "BMS").is_ok());
        assert!(ProgrammeCode::parse("code", "LAW-LLM_2").is_ok());
        for bad in ["", "bms", "-BMS", "B MS", "ABCDEFGHIJKLMNOPQRSTU"] {
            let err = ProgrammeCode::parse("code", bad).unwrap_err();
            assert_eq!(err.code, "invalid_programme_code", "{bad:?}");
        }
        assert_eq!(
            FacultyCode::parse("faculty", "lumc").unwrap_err().code,
            "invalid_faculty_code"
        );
    }

    #[test]
    fn an_update_reports_every_problem_at_once() {
        let err = ProgrammeUpdate::parse("", "law", "phd").unwrap_err();
        let fields: Vec<_> = err.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["name", "faculty", "level"]);
        let ok = ProgrammeUpdate::parse("Biomedical Sciences", "LUMC", "master").unwrap();
        assert_eq!(ok.level, Level::Master);
    }
}
