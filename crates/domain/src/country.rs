//! Countries and their travel advice.

use crate::violation::{Violation, Violations, required_text};
use serde::Serialize;
use std::fmt;

/// An assigned ISO 3166-1 alpha-2 code, always upper case (`SE`, `NL`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CountryCode(String);

impl CountryCode {
    /// Two upper-case letters ([`shapes::COUNTRY_CODE`](crate::shapes::COUNTRY_CODE)),
    /// else `invalid_country_code`; of those, only codes ISO 3166-1 has assigned, else
    /// `unknown_country_code`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        if raw.len() != 2 || !raw.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Violation::new(
                field,
                "invalid_country_code",
                format!("`{raw}` is not a two-letter ISO 3166-1 alpha-2 country code"),
            ));
        }
        if celes::Country::from_alpha2(raw).is_err() {
            return Err(Violation::new(
                field,
                "unknown_country_code",
                format!("`{raw}` is not an assigned ISO 3166-1 alpha-2 country code"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every assigned code with ISO's English short name, for seeding the catalogue.
    pub fn all_assigned() -> impl Iterator<Item = (CountryCode, &'static str)> {
        celes::Country::get_countries()
            .into_iter()
            .map(|c| (CountryCode(c.alpha2.to_owned()), c.long_name))
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::vocabulary! {
    /// The foreign ministry's travel advice for a country, as the office records it.
    pub enum TravelAdvice ("travel advice level", "invalid_advice") {
        /// No special safety risks.
        Green = "green",
        /// Pay attention: safety risks.
        Yellow = "yellow",
        /// Only necessary travel. Negative advice: nobody is placed or travels there.
        Orange = "orange",
        /// Do not travel. Negative advice: nobody is placed or travels there.
        Red = "red",
    }
}

impl TravelAdvice {
    /// Orange and red are *negative* advice: no placement, acceptance or registration there.
    pub fn is_negative(self) -> bool {
        matches!(self, TravelAdvice::Orange | TravelAdvice::Red)
    }
}

/// A coordinator's update of a country: its name and current advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryUpdate {
    pub name: String,
    pub advice: TravelAdvice,
}

impl CountryUpdate {
    /// Checks every field and reports every problem at once.
    pub fn parse(name: &str, advice: &str) -> Result<Self, Vec<Violation>> {
        let mut violations = Violations::new();
        let name = violations.take(required_text("name", name, 100));
        let advice = violations.take(TravelAdvice::parse("advice", advice));
        match (name, advice) {
            (Some(name), Some(advice)) => Ok(CountryUpdate { name, advice }),
            _ => Err(violations.into_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_upper_case_and_must_be_assigned() {
        assert_eq!(CountryCode::parse("code", "SE").unwrap().as_str(), "SE");
        assert_eq!(
            CountryCode::parse("code", "se").unwrap_err().code,
            "invalid_country_code"
        );
        assert_eq!(
            CountryCode::parse("code", "SWE").unwrap_err().code,
            "invalid_country_code"
        );
        assert_eq!(
            CountryCode::parse("code", "1A").unwrap_err().code,
            "invalid_country_code"
        );
        assert_eq!(
            CountryCode::parse("code", "ZZ").unwrap_err().code,
            "unknown_country_code"
        );
    }

    #[test]
    fn there_are_249_or_more_assigned_codes_and_all_parse() {
        let all: Vec<_> = CountryCode::all_assigned().collect();
        assert!(all.len() >= 249);
        for (code, _) in all {
            assert!(CountryCode::parse("code", code.as_str()).is_ok(), "{code}");
        }
    }

    #[test]
    fn only_orange_and_red_are_negative() {
        let negative: Vec<_> = TravelAdvice::ALL
            .iter()
            .copied()
            .filter(|a| a.is_negative())
            .collect();
        assert_eq!(negative, [TravelAdvice::Orange, TravelAdvice::Red]);
    }

    #[test]
    fn an_update_reports_every_problem_at_once() {
        let err = CountryUpdate::parse(" ", "purple").unwrap_err();
        let codes: Vec<_> = err
            .iter()
            .map(|v| (v.field.as_str(), v.code.as_str()))
            .collect();
        assert_eq!(codes, [("name", "required"), ("advice", "invalid_advice")]);
        let err = CountryUpdate::parse("Sweden", "").unwrap_err();
        assert_eq!(err[0].code, "required");
        let ok = CountryUpdate::parse("Sweden", "yellow").unwrap();
        assert_eq!(ok.advice, TravelAdvice::Yellow);
    }
}
