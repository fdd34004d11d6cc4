//! Partner institutions (the universities students go to).

use crate::country::CountryCode;
use crate::violation::{Violation, Violations, optional_text, optional_url, required_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An institution as a client sends it; every field is checked by [`InstitutionDraft::parse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionFields {
    #[serde(default)]
    #[schema(example = "Karolinska Institutet")]
    pub name: String,
    /// ISO 3166-1 alpha-2; the country must be in the catalogue.
    #[serde(default)]
    #[schema(example = "SE")]
    pub country: String,
    #[serde(default)]
    #[schema(example = "Stockholm")]
    pub city: String,
    #[serde(default)]
    #[schema(example = "https://ki.se/en")]
    pub website: Option<String>,
    /// The Erasmus+ institution code, e.g. `S  STOCKHO03`.
    #[serde(default)]
    #[schema(example = "S  STOCKHO03")]
    pub erasmus_code: Option<String>,
}

/// A checked institution, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct InstitutionDraft {
    pub name: String,
    pub country: CountryCode,
    pub city: String,
    pub website: Option<String>,
    pub erasmus_code: Option<String>,
}

impl InstitutionDraft {
    /// Checks every field and reports every problem at once. Whether the country is in
    /// the catalogue is for storage to say.
    pub fn parse(fields: &InstitutionFields) -> Result<Self, Vec<Violation>> {
        let mut v = Violations::new();
        let name = v.take(required_text("name", &fields.name, 200));
        let country = if fields.country.trim().is_empty() {
            v.push("country", "required", "`country` is required");
            None
        } else {
            v.take(CountryCode::parse("country", &fields.country))
        };
        let city = v.take(required_text("city", &fields.city, 100));
        let website = v.take(optional_url("website", fields.website.as_deref()));
        let erasmus_code = v.take(erasmus_code(fields.erasmus_code.as_deref()));
        match (name, country, city, website, erasmus_code) {
            (Some(name), Some(country), Some(city), Some(website), Some(erasmus_code)) => {
                Ok(Self {
                    name,
                    country,
                    city,
                    website,
                    erasmus_code,
                })
            }
            _ => Err(v.into_vec()),
        }
    }
}

/// Erasmus codes are upper-case letters, digits, spaces and hyphens, 3–20 long (`S  STOCKHO03`).
fn erasmus_code(raw: Option<&str>) -> Result<Option<String>, Violation> {
    let Some(code) = optional_text("erasmus_code", raw, 20)? else {
        return Ok(None);
    };
    let code = code.to_ascii_uppercase();
    if code.len() >= 3
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-')
    {
        Ok(Some(code))
    } else {
        Err(Violation::new(
            "erasmus_code",
            "invalid_erasmus_code",
            format!(
                "`{code}` is not an Erasmus code: use letters, digits, spaces and hyphens, e.g. `S  STOCKHO03`"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn karolinska() -> InstitutionFields {
        InstitutionFields {
            name: "Karolinska Institutet".into(),
            country: "SE".into(),
            city: "Stockholm".into(),
            website: Some("https://ki.se".into()),
            erasmus_code: Some("s  stockho03".into()),
        }
    }

    #[test]
    fn a_valid_institution_is_normalised() {
        let draft = InstitutionDraft::parse(&karolinska()).unwrap();
        assert_eq!(draft.country.as_str(), "SE");
        assert_eq!(draft.erasmus_code.as_deref(), Some("S  STOCKHO03"));
    }

    #[test]
    fn every_problem_is_reported() {
        let fields = InstitutionFields {
            name: String::new(),
            country: "XX".into(),
            city: " ".into(),
            website: Some("ki.se".into()),
            erasmus_code: Some("é!".into()),
        };
        let fields: Vec<_> = InstitutionDraft::parse(&fields)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            ["name", "country", "city", "website", "erasmus_code"]
        );
    }
}
