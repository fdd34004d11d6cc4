//! Destinations: one exchange agreement with an institution, and what it offers.

use crate::programme::{FacultyCode, Level, ProgrammeCode};
use crate::violation::{Violation, Violations, optional_grade, optional_text, optional_url};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

crate::vocabulary! {
    /// Which scheme an agreement belongs to.
    pub enum ExchangeType ("exchange type", "invalid_exchange_type") {
        /// Open to students of every faculty, through the university-wide calls.
        UniversityWide = "university_wide",
        /// A faculty's own agreement.
        Faculty = "faculty",
        /// A single programme's agreement (owned by its faculty).
        Programme = "programme",
        /// Through the ISEP network.
        Isep = "isep",
    }
}

impl ExchangeType {
    /// Faculty and programme agreements have an owning faculty; the others have none.
    pub fn has_faculty(self) -> bool {
        matches!(self, ExchangeType::Faculty | ExchangeType::Programme)
    }
}

crate::vocabulary! {
    /// What a student does there.
    pub enum Activity ("activity", "invalid_activity") {
        SemesterExchange = "semester_exchange",
        HalfMinor = "half_minor",
        BachelorInternship = "bachelor_internship",
        ResearchInternship = "research_internship",
        JuniorResearchProject = "junior_research_project",
        ScientificInternship = "scientific_internship",
        ClinicalRotation = "clinical_rotation",
        Elective = "elective",
        FrontiersOfScienceCourse = "frontiers_of_science_course",
        SummerSchool = "summer_school",
        WinterSchool = "winter_school",
        Fieldwork = "fieldwork",
        Other = "other",
    }
}

crate::vocabulary! {
    /// The office's estimate of a student's chances of being placed there.
    pub enum Chance ("chance", "invalid_chance") {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

crate::vocabulary! {
    /// A period of study abroad.
    pub enum Semester ("semester", "invalid_semester") {
        Autumn = "autumn",
        Spring = "spring",
        FullYear = "full_year",
    }
}

impl Semester {
    /// The semester a `plan_b` application falls back to; a full year has none.
    pub fn other(self) -> Option<Semester> {
        match self {
            Semester::Autumn => Some(Semester::Spring),
            Semester::Spring => Some(Semester::Autumn),
            Semester::FullYear => None,
        }
    }
}

crate::vocabulary! {
    /// A CEFR language level.
    pub enum Cefr ("CEFR level", "invalid_cefr_level") {
        A1 = "A1",
        A2 = "A2",
        B1 = "B1",
        B2 = "B2",
        C1 = "C1",
        C2 = "C2",
    }
}

/// "Intended for students from": a level, an activity, and optionally one programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Offering {
    pub level: Level,
    pub activity: Activity,
    /// `null`: open to every programme.
    #[schema(value_type = Option<String>, example = "BMS")]
    pub programme: Option<String>,
    #[schema(example = "JRP 1 of 2")]
    pub note: Option<String>,
}

/// A language the host teaches in, and the level a student needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LanguageRequirement {
    /// ISO 639-1.
    #[schema(example = "en")]
    pub code: String,
    pub min_level: Cefr,
}

impl LanguageRequirement {
    /// An ISO 639-1 code: two lower-case letters
    /// ([`shapes::LANGUAGE_CODE`](crate::shapes::LANGUAGE_CODE)), else
    /// `invalid_language_code`; of those, only assigned codes, else `unknown_language_code`.
    pub fn validate_code(field: &str, code: &str) -> Result<(), Violation> {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            Err(Violation::new(
                field,
                "invalid_language_code",
                format!("`{code}` is not an ISO 639-1 language code such as `en` or `de`"),
            ))
        } else if isolang::Language::from_639_1(code).is_none() {
            Err(Violation::new(
                field,
                "unknown_language_code",
                format!("`{code}` is not an assigned ISO 639-1 language code"),
            ))
        } else {
            Ok(())
        }
    }
}

/// A semester the agreement offers, with its dates as the host gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SemesterOffered {
    pub semester: Semester,
    #[schema(example = "late August to mid January")]
    pub dates: Option<String>,
}

/// One offering as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingFields {
    #[serde(default)]
    #[schema(value_type = Level)]
    pub level: String,
    #[serde(default)]
    #[schema(value_type = Activity)]
    pub activity: String,
    #[serde(default)]
    #[schema(example = "BMS")]
    pub programme: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One language requirement as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageFields {
    #[serde(default)]
    #[schema(example = "en")]
    pub code: String,
    #[serde(default)]
    #[schema(value_type = Cefr)]
    pub min_level: String,
}

/// One semester as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SemesterFields {
    #[serde(default)]
    #[schema(value_type = Semester)]
    pub semester: String,
    #[serde(default)]
    pub dates: Option<String>,
}

/// A destination as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationFields {
    /// The partner institution; it must exist.
    #[serde(default)]
    pub institution_id: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = ExchangeType)]
    pub exchange_type: String,
    /// The owning faculty: required for `faculty` and `programme` agreements, absent otherwise.
    #[serde(default)]
    #[schema(example = "LUMC")]
    pub faculty: Option<String>,
    #[serde(default)]
    pub offerings: Vec<OfferingFields>,
    #[serde(default)]
    pub languages: Vec<LanguageFields>,
    #[serde(default)]
    #[schema(value_type = Chance)]
    pub chance: String,
    #[serde(default)]
    pub semesters: Vec<SemesterFields>,
    /// Overrides a call's minimum GPA for this destination (ISEP: 6.5).
    #[serde(default)]
    #[schema(minimum = 1.0, maximum = 10.0, example = 6.5)]
    pub min_gpa: Option<f64>,
    #[serde(default)]
    pub fees: Option<String>,
    /// Important considerations students should read before choosing it.
    #[serde(default)]
    pub considerations: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// Archived destinations are kept (applications name them) but no longer listed.
    #[serde(default)]
    pub archived: bool,
}

/// A checked destination, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationDraft {
    pub institution_id: Uuid,
    pub exchange_type: ExchangeType,
    pub faculty: Option<FacultyCode>,
    pub offerings: Vec<Offering>,
    pub languages: Vec<LanguageRequirement>,
    pub chance: Chance,
    pub semesters: Vec<SemesterOffered>,
    pub min_gpa: Option<f64>,
    pub fees: Option<String>,
    pub considerations: Option<String>,
    pub website: Option<String>,
    pub archived: bool,
}

/// At most this many offerings, languages or semesters on one destination.
const MAX_ITEMS: usize = 50;

impl DestinationDraft {
    /// Checks every field and reports every problem at once. Whether the programmes
    /// named exist is for storage to say (see [`DestinationDraft::programmes`]).
    pub fn parse(fields: &DestinationFields) -> Result<Self, Vec<Violation>> {
        let mut v = Violations::new();
        let institution_id = fields.institution_id.or_else(|| {
            v.push(
                "institution_id",
                "required",
                "`institution_id` is required: which partner is this agreement with?",
            );
            None
        });
        let exchange_type = v.take(ExchangeType::parse("exchange_type", &fields.exchange_type));
        let faculty = match (
            exchange_type,
            fields
                .faculty
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty()),
        ) {
            (Some(t), None) if t.has_faculty() => {
                v.push(
                    "faculty",
                    "required",
                    format!("a `{t}` agreement needs its owning `faculty`"),
                );
                None
            }
            (Some(t), Some(_)) if !t.has_faculty() => {
                v.push(
                    "faculty",
                    "not_allowed",
                    format!("a `{t}` agreement has no owning faculty; leave `faculty` out"),
                );
                None
            }
            (_, Some(raw)) => v.take(FacultyCode::parse("faculty", raw)),
            (_, None) => None,
        };

        if fields.offerings.is_empty() {
            v.push(
                "offerings",
                "required",
                "list at least one offering: who may go there for what",
            );
        }
        check_count(&mut v, "offerings", fields.offerings.len());
        let offerings: Vec<_> = fields
            .offerings
            .iter()
            .enumerate()
            .filter_map(|(i, o)| offering(&mut v, &format!("offerings[{i}]"), o))
            .collect();
        let mut seen = Vec::new();
        for (i, o) in offerings.iter().enumerate() {
            if seen.contains(&o) {
                v.push(
                    format!("offerings[{i}]"),
                    "duplicate",
                    "this offering is listed twice",
                );
            }
            seen.push(o);
        }

        check_count(&mut v, "languages", fields.languages.len());
        let languages: Vec<_> = fields
            .languages
            .iter()
            .enumerate()
            .filter_map(|(i, l)| language(&mut v, &format!("languages[{i}]"), l))
            .collect();
        for (i, l) in languages.iter().enumerate() {
            if languages[..i].iter().any(|earlier| earlier.code == l.code) {
                v.push(
                    format!("languages[{i}].code"),
                    "duplicate",
                    format!("`{}` is listed twice", l.code),
                );
            }
        }

        let chance = v.take(Chance::parse("chance", &fields.chance));

        if fields.semesters.is_empty() {
            v.push(
                "semesters",
                "required",
                "list at least one semester offered",
            );
        }
        check_count(&mut v, "semesters", fields.semesters.len());
        let semesters: Vec<_> = fields
            .semesters
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let field = format!("semesters[{i}]");
                let semester = v.take(Semester::parse(&format!("{field}.semester"), &s.semester));
                let dates = v.take(optional_text(
                    &format!("{field}.dates"),
                    s.dates.as_deref(),
                    200,
                ));
                Some(SemesterOffered {
                    semester: semester?,
                    dates: dates?,
                })
            })
            .collect();
        for (i, s) in semesters.iter().enumerate() {
            if semesters[..i]
                .iter()
                .any(|earlier| earlier.semester == s.semester)
            {
                v.push(
                    format!("semesters[{i}].semester"),
                    "duplicate",
                    format!("`{}` is listed twice", s.semester),
                );
            }
        }

        let min_gpa = v.take(optional_grade("min_gpa", fields.min_gpa));
        let fees = v.take(optional_text("fees", fields.fees.as_deref(), 2000));
        let considerations = v.take(optional_text(
            "considerations",
            fields.considerations.as_deref(),
            5000,
        ));
        let website = v.take(optional_url("website", fields.website.as_deref()));

        match (
            institution_id,
            exchange_type,
            chance,
            min_gpa,
            fees,
            considerations,
            website,
        ) {
            (
                Some(institution_id),
                Some(exchange_type),
                Some(chance),
                Some(min_gpa),
                Some(fees),
                Some(considerations),
                Some(website),
            ) if v.is_empty() => Ok(Self {
                institution_id,
                exchange_type,
                faculty,
                offerings,
                languages,
                chance,
                semesters,
                min_gpa,
                fees,
                considerations,
                website,
                archived: fields.archived,
            }),
            _ => Err(v.into_vec()),
        }
    }

    /// The programmes the offerings name, each once, with the field that names it first.
    pub fn programmes(&self) -> Vec<(String, String)> {
        let mut named: Vec<(String, String)> = Vec::new();
        for (i, o) in self.offerings.iter().enumerate() {
            if let Some(p) = &o.programme
                && !named.iter().any(|(code, _)| code == p)
            {
                named.push((p.clone(), format!("offerings[{i}].programme")));
            }
        }
        named
    }
}

fn check_count(v: &mut Violations, field: &str, count: usize) {
    if count > MAX_ITEMS {
        v.push(
            field,
            "too_many",
            format!("`{field}` may list at most {MAX_ITEMS} items"),
        );
    }
}

fn offering(v: &mut Violations, field: &str, o: &OfferingFields) -> Option<Offering> {
    let level = v.take(Level::parse(&format!("{field}.level"), &o.level));
    let activity = v.take(Activity::parse(&format!("{field}.activity"), &o.activity));
    let programme = match o
        .programme
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => Some(None),
        Some(raw) => v
            .take(ProgrammeCode::parse(&format!("{field}.programme"), raw))
            .map(|p| Some(p.as_str().to_owned())),
    };
    let note = v.take(optional_text(
        &format!("{field}.note"),
        o.note.as_deref(),
        500,
    ));
    Some(Offering {
        level: level?,
        activity: activity?,
        programme: programme?,
        note: note?,
    })
}

fn language(v: &mut Violations, field: &str, l: &LanguageFields) -> Option<LanguageRequirement> {
    let code = l.code.trim().to_ascii_lowercase();
    let code = if code.len() == 2 && isolang::Language::from_639_1(&code).is_some() {
        Some(code)
    } else {
        v.push(
            format!("{field}.code"),
            "invalid_language_code",
            format!(
                "`{}` is not an ISO 639-1 language code such as `en` or `de`",
                l.code
            ),
        );
        None
    };
    let min_level = v.take(Cefr::parse(&format!("{field}.min_level"), &l.min_level));
    Some(LanguageRequirement {
        code: code?,
        min_level: min_level?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn karolinska() -> DestinationFields {
        DestinationFields {
            institution_id: Some(Uuid::nil()),
            exchange_type: "faculty".into(),
            faculty: Some("LUMC".into()),
            offerings: vec![OfferingFields {
                level: "master".into(),
                activity: "junior_research_project".into(),
                programme: Some("BMS".into()),
                note: Some("JRP 1 or 2".into()),
            }],
            languages: vec![LanguageFields {
                code: "EN".into(),
                min_level: "B2".into(),
            }],
            chance: "medium".into(),
            semesters: vec![SemesterFields {
                semester: "autumn".into(),
                dates: None,
            }],
            min_gpa: None,
            fees: None,
            considerations: Some("  ".into()),
            website: Some("https://ki.se".into()),
            archived: false,
        }
    }

    #[test]
    fn a_valid_destination_is_normalised() {
        let draft = DestinationDraft::parse(&karolinska()).unwrap();
        assert_eq!(draft.faculty.unwrap().as_str(), "LUMC");
        assert_eq!(draft.languages[0].code, "en");
        assert_eq!(draft.considerations, None);
        assert_eq!(draft.offerings[0].programme.as_deref(), Some("BMS"));
    }

    #[test]
    fn the_owning_faculty_follows_the_exchange_type() {
        let mut f = karolinska();
        f.faculty = None;
        assert_eq!(DestinationDraft::parse(&f).unwrap_err()[0].code, "required");
        let mut f = karolinska();
        f.exchange_type = "isep".into();
        assert_eq!(
            DestinationDraft::parse(&f).unwrap_err()[0].code,
            "not_allowed"
        );
        f.faculty = None;
        assert!(DestinationDraft::parse(&f).is_ok());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut f = karolinska();
        f.offerings.push(OfferingFields {
            level: "phd".into(),
            activity: "surfing".into(),
            programme: Some("bms".into()),
            note: None,
        });
        f.languages.push(LanguageFields {
            code: "xx".into(),
            min_level: "D1".into(),
        });
        f.chance = "certain".into();
        f.semesters.push(SemesterFields {
            semester: "autumn".into(),
            dates: None,
        });
        f.min_gpa = Some(11.0);
        f.website = Some("ki".into());
        let fields: Vec<_> = DestinationDraft::parse(&f)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "offerings[1].level",
                "offerings[1].activity",
                "offerings[1].programme",
                "languages[1].code",
                "languages[1].min_level",
                "chance",
                "semesters[1].semester",
                "min_gpa",
                "website",
            ]
        );
    }

    #[test]
    fn empty_lists_and_duplicates_are_refused() {
        let mut f = karolinska();
        f.offerings.clear();
        f.semesters.clear();
        let codes: Vec<_> = DestinationDraft::parse(&f)
            .unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("offerings".into(), "required".into()),
                ("semesters".into(), "required".into())
            ]
        );
        let mut f = karolinska();
        f.offerings.push(f.offerings[0].clone());
        assert_eq!(
            DestinationDraft::parse(&f).unwrap_err()[0].code,
            "duplicate"
        );
    }

    #[test]
    fn the_programmes_named_are_listed_once() {
        let mut f = karolinska();
        let mut second = f.offerings[0].clone();
        second.activity = "scientific_internship".into();
        f.offerings.push(second);
        assert_eq!(
            DestinationDraft::parse(&f).unwrap().programmes(),
            [("BMS".to_owned(), "offerings[0].programme".to_owned())]
        );
    }

    #[test]
    fn plan_b_swaps_autumn_and_spring_only() {
        assert_eq!(Semester::Autumn.other(), Some(Semester::Spring));
        assert_eq!(Semester::Spring.other(), Some(Semester::Autumn));
        assert_eq!(Semester::FullYear.other(), None);
    }
}
