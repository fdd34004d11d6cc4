//! Demo reference data: every country with a realistic mix of travel advice, and
//! the programmes of the demo faculties.

use super::{CommandError, invalid};
use abroad_domain::{
    CountryCode, CountryUpdate, FacultyCode, Level, ProgrammeCode, ProgrammeUpdate, TravelAdvice,
};
use abroad_storage::{Actor, PgConnection, Upserted, Viewer, countries, programmes};
use serde::Deserialize;

/// A real faculty's partner list (copied from the office's published list).
pub(super) const LUMC_PARTNERS: &str =
    include_str!("../../../../../data/demo/destinations-lumc.json");

/// A realistic mix of advice levels, in the style of a foreign ministry's colour codes.
const ADVICE: &[(&str, TravelAdvice)] = &[
    ("AF", TravelAdvice::Red),
    ("BY", TravelAdvice::Red),
    ("IR", TravelAdvice::Red),
    ("KP", TravelAdvice::Red),
    ("LY", TravelAdvice::Red),
    ("ML", TravelAdvice::Red),
    ("RU", TravelAdvice::Red),
    ("SD", TravelAdvice::Red),
    ("SO", TravelAdvice::Red),
    ("SS", TravelAdvice::Red),
    ("SY", TravelAdvice::Red),
    ("UA", TravelAdvice::Red),
    ("YE", TravelAdvice::Red),
    ("HT", TravelAdvice::Orange),
    ("IL", TravelAdvice::Orange),
    ("LB", TravelAdvice::Orange),
    ("MM", TravelAdvice::Orange),
    ("NE", TravelAdvice::Orange),
    ("PK", TravelAdvice::Orange),
    ("VE", TravelAdvice::Orange),
    ("BR", TravelAdvice::Yellow),
    ("CN", TravelAdvice::Yellow),
    ("CO", TravelAdvice::Yellow),
    ("CU", TravelAdvice::Yellow),
    ("EG", TravelAdvice::Yellow),
    ("FR", TravelAdvice::Yellow),
    ("ID", TravelAdvice::Yellow),
    ("IN", TravelAdvice::Yellow),
    ("KE", TravelAdvice::Yellow),
    ("MX", TravelAdvice::Yellow),
    ("TH", TravelAdvice::Yellow),
    ("TR", TravelAdvice::Yellow),
    ("US", TravelAdvice::Yellow),
    ("ZA", TravelAdvice::Yellow),
];

/// Everyday names where ISO's formal ones are long ("The United Kingdom Of Great Britain…").
const NAMES: &[(&str, &str)] = &[
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("NL", "Netherlands"),
    ("KR", "South Korea"),
    ("KP", "North Korea"),
    ("RU", "Russia"),
    ("IR", "Iran"),
    ("SY", "Syria"),
    ("TW", "Taiwan"),
    ("VN", "Vietnam"),
    ("CZ", "Czechia"),
    ("BO", "Bolivia"),
    ("VE", "Venezuela"),
    ("TZ", "Tanzania"),
    ("LA", "Laos"),
    ("MD", "Moldova"),
];

/// Programmes outside the partner list, for university-wide and law-faculty demos.
const OTHER_PROGRAMMES: &[(&str, &str, &str, Level)] = &[
    ("LAW", "Law", "LAW", Level::Bachelor),
    ("LLM", "Law (LLM)", "LAW", Level::Master),
    ("PSY", "Psychology", "FSW", Level::Bachelor),
    ("HIS", "History", "HUM", Level::Bachelor),
    ("IR", "International Relations", "HUM", Level::Master),
    ("CS", "Computer Science", "SCI", Level::Bachelor),
    ("LUC", "Liberal Arts and Sciences", "LUC", Level::Bachelor),
];

#[derive(Debug, Deserialize)]
struct PartnerList {
    faculty: Faculty,
    programmes: Vec<PartnerProgramme>,
}

#[derive(Debug, Deserialize)]
struct Faculty {
    code: String,
}

#[derive(Debug, Deserialize)]
struct PartnerProgramme {
    code: String,
    name: String,
    levels: Vec<Level>,
}

/// Loads what is missing; answers how many records it created.
pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    let mut created = 0;

    for (code, iso_name) in CountryCode::all_assigned() {
        let name = NAMES
            .iter()
            .find(|(c, _)| *c == code.as_str())
            .map_or(iso_name, |(_, n)| n);
        let advice = ADVICE
            .iter()
            .find(|(c, _)| *c == code.as_str())
            .map_or(TravelAdvice::Green, |(_, a)| *a);
        if countries::get(conn, &code).is_ok() {
            continue;
        }
        let update = CountryUpdate::parse(name, advice.as_str()).map_err(invalid)?;
        if countries::upsert(conn, actor, &code, &update)?.1 == Upserted::Created {
            created += 1;
        }
    }

    let partners: PartnerList = serde_json::from_str(LUMC_PARTNERS)
        .map_err(|e| CommandError::Other(format!("demo data: {e}")))?;
    let faculty =
        FacultyCode::parse("faculty", &partners.faculty.code).map_err(|v| invalid(vec![v]))?;
    let mut wanted: Vec<(String, String, FacultyCode, Level)> = partners
        .programmes
        .iter()
        .map(|p| {
            // The list gives some programmes both levels; the programme record takes its first.
            let level = p.levels.first().copied().unwrap_or(Level::Master);
            (p.code.clone(), p.name.clone(), faculty.clone(), level)
        })
        .collect();
    for (code, name, faculty, level) in OTHER_PROGRAMMES {
        let faculty = FacultyCode::parse("faculty", faculty).map_err(|v| invalid(vec![v]))?;
        wanted.push(((*code).to_owned(), (*name).to_owned(), faculty, *level));
    }
    for (code, name, faculty, level) in wanted {
        let code = ProgrammeCode::parse("code", &code).map_err(|v| invalid(vec![v]))?;
        if programmes::get(conn, &code).is_ok() {
            continue;
        }
        let update =
            ProgrammeUpdate::parse(&name, faculty.as_str(), level.as_str()).map_err(invalid)?;
        if programmes::upsert(conn, actor, &Viewer::Everyone, &code, &update)?.1
            == Upserted::Created
        {
            created += 1;
        }
    }
    Ok(created)
}
