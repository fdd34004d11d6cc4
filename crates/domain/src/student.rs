//! Student records, as the student-information system sends them.

use crate::programme::{Level, ProgrammeCode};
use crate::violation::{Violation, Violations, missing, optional_grade, required_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A student number: 1–20 letters and digits (`s1234567`).
pub fn student_number(field: &str, raw: &str) -> Result<String, Violation> {
    if !raw.is_empty()
        && raw.len() <= 20
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Ok(raw.to_owned())
    } else {
        Err(Violation::new(
            field,
            "invalid_student_number",
            format!(
                "`{raw}` is not a student number (1–20 lowercase letters and digits, e.g. s1234567)"
            ),
        ))
    }
}

/// A student record as the student-information system sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentFields {
    #[serde(default)]
    #[schema(example = "Sanne de Vries")]
    pub name: String,
    #[serde(default)]
    #[schema(example = "s.de.vries@umail.example.nl")]
    pub email: String,
    /// The programme's code; it must be in the catalogue.
    #[serde(default)]
    #[schema(example = "BMS")]
    pub programme: String,
    #[serde(default)]
    #[schema(value_type = Level)]
    pub level: String,
    /// EC obtained, 0–600.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 600, example = 75)]
    pub ec: Option<i64>,
    /// 1.0–10.0, or `null` when there are no grades yet.
    #[serde(default)]
    #[schema(minimum = 1.0, maximum = 10.0, example = 7.4)]
    pub gpa: Option<f64>,
    /// For master students without grades yet: their bachelor's GPA.
    #[serde(default)]
    #[schema(minimum = 1.0, maximum = 10.0)]
    pub bachelor_gpa: Option<f64>,
    /// Registered for this academic year (required).
    #[serde(default)]
    pub registered: Option<bool>,
    #[serde(default)]
    pub first_year_diploma: bool,
    /// A Leiden University College student.
    #[serde(default)]
    pub luc: bool,
    #[serde(default)]
    pub joint_degree: bool,
    #[serde(default)]
    pub studied_elsewhere: bool,
}

/// A checked student record, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentDraft {
    pub name: String,
    pub email: String,
    pub programme: ProgrammeCode,
    pub level: Level,
    pub ec: i32,
    pub gpa: Option<f64>,
    pub bachelor_gpa: Option<f64>,
    pub registered: bool,
    pub first_year_diploma: bool,
    pub luc: bool,
    pub joint_degree: bool,
    pub studied_elsewhere: bool,
}

impl StudentDraft {
    /// Checks every field and reports every problem at once; whether the programme
    /// exists is for storage to say.
    pub fn parse(f: &StudentFields) -> Result<Self, Vec<Violation>> {
        let mut v = Violations::new();
        let name = v.take(required_text("name", &f.name, 200));
        let email = v.take(email(&f.email));
        let programme = if f.programme.trim().is_empty() {
            v.take(Err(missing("programme")))
        } else {
            v.take(ProgrammeCode::parse("programme", f.programme.trim()))
        };
        let level = v.take(Level::parse("level", &f.level));
        let ec = match f.ec {
            None => v.take(Err(missing("ec"))),
            Some(ec) => v.take(
                i32::try_from(ec)
                    .ok()
                    .filter(|ec| (0..=600).contains(ec))
                    .ok_or_else(|| {
                        Violation::new(
                            "ec",
                            "out_of_range",
                            format!("`ec` must be from 0 to 600 (got {ec})"),
                        )
                    }),
            ),
        };
        let gpa = v.take(optional_grade("gpa", f.gpa));
        let bachelor_gpa = v.take(optional_grade("bachelor_gpa", f.bachelor_gpa));
        let registered = f.registered.or_else(|| {
            v.push(
                "registered",
                "required",
                "`registered` is required: is the student registered this year?",
            );
            None
        });
        match (
            name,
            email,
            programme,
            level,
            ec,
            gpa,
            bachelor_gpa,
            registered,
        ) {
            (
                Some(name),
                Some(email),
                Some(programme),
                Some(level),
                Some(ec),
                Some(gpa),
                Some(bachelor_gpa),
                Some(registered),
            ) => Ok(Self {
                name,
                email,
                programme,
                level,
                ec,
                gpa,
                bachelor_gpa,
                registered,
                first_year_diploma: f.first_year_diploma,
                luc: f.luc,
                joint_degree: f.joint_degree,
                studied_elsewhere: f.studied_elsewhere,
            }),
            _ => Err(v.into_vec()),
        }
    }

    /// The GPA that counts: the GPA, or the bachelor GPA while there is none.
    pub fn counting_gpa(&self) -> Option<f64> {
        self.gpa.or(self.bachelor_gpa)
    }
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain.
fn email(raw: &str) -> Result<String, Violation> {
    let email = raw.trim();
    if email.is_empty() {
        return Err(missing("email"));
    }
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && matches!(email.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.contains('@') && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email.to_owned())
    } else {
        Err(Violation::new(
            "email",
            "invalid_email",
            format!("`{email}` is not an e-mail address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanne() -> StudentFields {
        StudentFields {
            name: "Sanne".into(),
            email: "sanne@umail.example.nl".into(),
            programme: "BMS".into(),
            level: "bachelor".into(),
            ec: Some(75),
            gpa: None,
            bachelor_gpa: Some(7.1),
            registered: Some(true),
            ..StudentFields::default()
        }
    }

    #[test]
    fn the_counting_gpa_falls_back_to_the_bachelor_gpa() {
        let draft = StudentDraft::parse(&sanne()).unwrap();
        assert_eq!(draft.counting_gpa(), Some(7.1));
        let mut f = sanne();
        f.gpa = Some(8.0);
        assert_eq!(StudentDraft::parse(&f).unwrap().counting_gpa(), Some(8.0));
    }

    #[test]
    fn every_problem_is_reported() {
        let f = StudentFields {
            ec: Some(601),
            gpa: Some(0.5),
            email: "not-an-email".into(),
            ..StudentFields::default()
        };
        let codes: Vec<_> = StudentDraft::parse(&f)
            .unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect();
        let expected = [
            ("name", "required"),
            ("email", "invalid_email"),
            ("programme", "required"),
            ("level", "required"),
            ("ec", "out_of_range"),
            ("gpa", "out_of_range"),
            ("registered", "required"),
        ];
        assert_eq!(codes, expected.map(|(f, c)| (f.to_owned(), c.to_owned())));
    }

    #[test]
    fn ec_bounds_are_inclusive() {
        for ec in [0, 600] {
            let mut f = sanne();
            f.ec = Some(ec);
            assert!(StudentDraft::parse(&f).is_ok(), "{ec}");
        }
        let mut f = sanne();
        f.ec = Some(-1);
        assert!(StudentDraft::parse(&f).is_err());
    }

    #[test]
    fn student_numbers_are_plain() {
        assert!(student_number("number", "s1234567").is_ok());
        assert!(student_number("number", "s 123").is_err());
        assert!(student_number("number", "").is_err());
        // One form only, so `S9100006` never becomes a second student.
        assert!(student_number("number", "S9100006").is_err());
    }
}
