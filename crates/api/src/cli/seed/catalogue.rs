//! Demo catalogue: the LUMC partner list, a dozen university-wide partners, one
//! ISEP destination, and demo students of each level.

use super::reference::LUMC_PARTNERS;
use super::{CommandError, invalid};
use abroad_domain::destination::{LanguageFields, OfferingFields, SemesterFields};
use abroad_domain::{
    DestinationDraft, DestinationFields, ExchangeType, InstitutionDraft, InstitutionFields,
    StudentDraft, StudentFields,
};
use abroad_storage::{Actor, PgConnection, Viewer, destinations, institutions, students};
use serde::Deserialize;
use uuid::Uuid;

const UNIVERSITY_WIDE: &str = include_str!("../../../../../data/demo/university-wide.json");
const STUDENTS: &str = include_str!("../../../../../data/demo/students.json");

#[derive(Debug, Deserialize)]
struct PartnerList {
    destinations: Vec<Partner>,
}

/// One partner as the demo files describe it.
#[derive(Debug, Deserialize)]
struct Partner {
    institution: String,
    country: String,
    city: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    erasmus_code: Option<String>,
    #[serde(default)]
    faculty: Option<String>,
    #[serde(default)]
    offerings: Vec<OfferingFields>,
    #[serde(default)]
    considerations: Option<String>,
    #[serde(default)]
    chance: Option<String>,
    #[serde(default)]
    min_gpa: Option<f64>,
    #[serde(default)]
    fees: Option<String>,
    /// `[code, min_level]` pairs.
    #[serde(default)]
    languages: Vec<(String, String)>,
    /// `[semester, dates]` pairs.
    #[serde(default)]
    semesters: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct UniversityWide {
    destinations: Vec<Partner>,
    isep: Partner,
}

#[derive(Debug, Deserialize)]
struct Students {
    students: Vec<Student>,
}

#[derive(Debug, Deserialize)]
struct Student {
    number: String,
    #[serde(flatten)]
    fields: StudentFields,
}

fn demo_data<T: serde::de::DeserializeOwned>(name: &str, json: &str) -> Result<T, CommandError> {
    serde_json::from_str(json).map_err(|e| CommandError::Other(format!("demo data {name}: {e}")))
}

/// Loads what is missing; answers how many records it created.
pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    let lumc: PartnerList = demo_data("destinations-lumc.json", LUMC_PARTNERS)?;
    let wide: UniversityWide = demo_data("university-wide.json", UNIVERSITY_WIDE)?;
    let mut created = 0;
    for partner in &lumc.destinations {
        created += partner_destination(conn, actor, partner, ExchangeType::Faculty)?;
    }
    for partner in &wide.destinations {
        created += partner_destination(conn, actor, partner, ExchangeType::UniversityWide)?;
    }
    created += partner_destination(conn, actor, &wide.isep, ExchangeType::Isep)?;

    let list: Students = demo_data("students.json", STUDENTS)?;
    for student in &list.students {
        if students::get(conn, &student.number, &Viewer::Everyone).is_ok() {
            continue;
        }
        let draft = StudentDraft::parse(&student.fields).map_err(invalid)?;
        students::upsert(conn, actor, &Viewer::Everyone, &student.number, &draft)?;
        created += 1;
    }
    Ok(created)
}

/// The partner's institution (found or created) and its agreement of this type.
fn partner_destination(
    conn: &mut PgConnection,
    actor: &Actor,
    partner: &Partner,
    exchange_type: ExchangeType,
) -> Result<usize, CommandError> {
    let mut created = 0;
    let institution = InstitutionDraft::parse(&InstitutionFields {
        name: partner.institution.clone(),
        country: partner.country.clone(),
        city: partner.city.clone(),
        website: partner.website.clone(),
        erasmus_code: partner.erasmus_code.clone(),
    })
    .map_err(invalid)?;
    let institution_id: Uuid =
        match institutions::find(conn, &institution.name, &institution.country)? {
            Some(existing) => existing.id,
            None => {
                created += 1;
                institutions::create(conn, actor, &institution)?.id
            }
        };
    let faculty = exchange_type
        .has_faculty()
        .then(|| partner.faculty.clone())
        .flatten();
    if destinations::exists_for(conn, institution_id, exchange_type, faculty.as_deref())? {
        return Ok(created);
    }
    let offerings = if partner.offerings.is_empty() {
        // University-wide and ISEP agreements: a semester exchange for any programme.
        ["bachelor", "master"]
            .map(|level| OfferingFields {
                level: level.to_owned(),
                activity: "semester_exchange".to_owned(),
                programme: None,
                note: None,
            })
            .to_vec()
    } else {
        partner.offerings.clone()
    };
    let languages = if partner.languages.is_empty() {
        vec![LanguageFields {
            code: "en".to_owned(),
            min_level: "B2".to_owned(),
        }]
    } else {
        partner
            .languages
            .iter()
            .map(|(code, level)| LanguageFields {
                code: code.clone(),
                min_level: level.clone(),
            })
            .collect()
    };
    let semesters = if partner.semesters.is_empty() {
        ["autumn", "spring"]
            .map(|s| SemesterFields {
                semester: s.to_owned(),
                dates: None,
            })
            .to_vec()
    } else {
        partner
            .semesters
            .iter()
            .map(|(semester, dates)| SemesterFields {
                semester: semester.clone(),
                dates: Some(dates.clone()),
            })
            .collect()
    };
    let draft = DestinationDraft::parse(&DestinationFields {
        institution_id: Some(institution_id),
        exchange_type: exchange_type.as_str().to_owned(),
        faculty,
        offerings,
        languages,
        chance: partner
            .chance
            .clone()
            .unwrap_or_else(|| "medium".to_owned()),
        semesters,
        min_gpa: partner.min_gpa,
        fees: partner.fees.clone(),
        considerations: partner.considerations.clone(),
        website: partner.website.clone(),
        archived: false,
    })
    .map_err(invalid)?;
    destinations::create(conn, actor, &draft)?;
    Ok(created + 1)
}
