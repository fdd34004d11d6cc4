//! The written form of every code the office uses, as the regular expressions the
//! OpenAPI document gives clients. The parsers here accept exactly these forms (a
//! property test holds each pattern and its parser equal), so a request that fits
//! the document's shape is never refused as malformed: a code of the right form that
//! is not assigned (`ZZ`) is a rule broken (422) or an object not found (404).

/// A student number: `s1234567` (SPEC.md: lowercase letters and digits, 1–20).
pub const STUDENT_NUMBER: &str = "^[a-z0-9]{1,20}$";
/// A programme's or faculty's code: `BMS`, `LAW-LLM_2`.
pub const OFFICE_CODE: &str = "^[A-Z0-9][A-Z0-9_-]{0,19}$";
/// An ISO 3166-1 alpha-2 country code, upper case: `SE`.
pub const COUNTRY_CODE: &str = "^[A-Z]{2}$";
/// An ISO 639-1 language code, lower case: `en`.
pub const LANGUAGE_CODE: &str = "^[a-z]{2}$";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destination::LanguageRequirement;
    use crate::student::student_number;
    use crate::{CountryCode, FacultyCode, ProgrammeCode};
    use proptest::prelude::*;

    fn fits(pattern: &str, raw: &str) -> bool {
        regex::Regex::new(pattern).expect("pattern").is_match(raw)
    }

    /// Strings near each shape (right letters, wrong case, odd lengths, separators)
    /// and any Unicode at all.
    fn near() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 _\\-\\n]{0,22}",
            "\\PC{0,22}",
            "[A-Z]{2}",
            "[a-z]{2}"
        ]
    }

    proptest! {
        #[test]
        fn student_numbers_parse_exactly_when_they_fit(raw in near()) {
            prop_assert_eq!(fits(STUDENT_NUMBER, &raw), student_number("number", &raw).is_ok());
        }

        #[test]
        fn office_codes_parse_exactly_when_they_fit(raw in near()) {
            prop_assert_eq!(fits(OFFICE_CODE, &raw), ProgrammeCode::parse("code", &raw).is_ok());
            prop_assert_eq!(fits(OFFICE_CODE, &raw), FacultyCode::parse("faculty", &raw).is_ok());
        }

        #[test]
        fn country_codes_are_malformed_exactly_when_they_do_not_fit(raw in near()) {
            let malformed = CountryCode::parse("code", &raw)
                .is_err_and(|v| v.code == "invalid_country_code");
            prop_assert_eq!(fits(COUNTRY_CODE, &raw), !malformed);
        }

        #[test]
        fn language_codes_are_malformed_exactly_when_they_do_not_fit(raw in near()) {
            let malformed = LanguageRequirement::validate_code("language", &raw)
                .is_err_and(|v| v.code == "invalid_language_code");
            prop_assert_eq!(fits(LANGUAGE_CODE, &raw), !malformed);
        }
    }
}
