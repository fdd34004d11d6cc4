//! Student reports: what a student tells of a stay abroad, published once a
//! coordinator has read it (SPEC.md, Student reports).

use crate::country::CountryCode;
use crate::programme::FacultyCode;
use crate::violation::{Violation, Violations, required_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

crate::vocabulary! {
    /// `submitted → published | rejected`: a coordinator reads every report before
    /// anyone but its author and the office does.
    pub enum ReportStatus ("report status", "invalid_report_status") {
        /// Written, waiting for a coordinator (the moderation queue).
        Submitted = "submitted",
        /// Readable and searchable by everyone.
        Published = "published",
        /// Not published; `reject_reason` says why.
        Rejected = "rejected",
    }
}

crate::vocabulary! {
    /// What the stay was: a destination's activities and the types of other
    /// activities abroad (SPEC.md, Other activities abroad), each word once.
    pub enum ReportActivity ("report activity", "invalid_activity") {
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
        Internship = "internship",
        Research = "research",
        FieldTrip = "field_trip",
        MandatoryStudyAbroad = "mandatory_study_abroad",
        ClinicalClerkship = "clinical_clerkship",
        MootCourt = "moot_court",
        StudyAssociationTrip = "study_association_trip",
        Other = "other",
    }
}

/// The longest title, in characters (one line).
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest text, in characters (line breaks allowed).
pub const MAX_BODY_CHARS: usize = 20_000;
/// The longest period, in characters (`autumn 2026`).
pub const MAX_PERIOD_CHARS: usize = 100;
/// The longest reason for a rejection, in characters (line breaks allowed).
pub const MAX_REASON_CHARS: usize = 2_000;

impl ReportStatus {
    /// The status a coordinator's decision leads to: only a submitted report is
    /// decided, and only once.
    pub fn decide(self, to: ReportStatus) -> Result<ReportStatus, String> {
        match (self, to) {
            (ReportStatus::Submitted, ReportStatus::Published | ReportStatus::Rejected) => Ok(to),
            (_, ReportStatus::Submitted) => {
                Err("a report is submitted by its author, not by a decision".to_owned())
            }
            (from, _) => Err(format!(
                "the report has been {from} already; a report is decided once"
            )),
        }
    }
}

/// A report as its author sends it; every field is checked by [`ReportDraft::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportFields {
    /// Where the stay was, ISO 3166-1 alpha-2; the country must be in the catalogue.
    #[serde(default)]
    #[schema(example = "SE")]
    pub country: String,
    /// The host institution, if the stay had one; it must exist and lie in `country`.
    #[serde(default)]
    pub institution_id: Option<Uuid>,
    /// The faculty the student went from, if the report is for its students.
    #[serde(default)]
    #[schema(example = "LUMC")]
    pub faculty: Option<String>,
    #[serde(default)]
    #[schema(value_type = ReportActivity)]
    pub activity: String,
    /// When, as students say it.
    #[serde(default)]
    #[schema(example = "autumn 2026", max_length = 100)]
    pub period: String,
    /// One line.
    #[serde(default)]
    #[schema(
        example = "Research at Karolinska: what I wish I had known",
        max_length = 200
    )]
    pub title: String,
    /// The report itself; line breaks are kept.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub body: String,
}

/// A checked report, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDraft {
    pub country: CountryCode,
    pub institution_id: Option<Uuid>,
    pub faculty: Option<FacultyCode>,
    pub activity: ReportActivity,
    pub period: String,
    pub title: String,
    pub body: String,
}

impl ReportDraft {
    /// Checks every field and reports every problem at once. Whether the country,
    /// institution and faculty are known is for storage to say.
    pub fn parse(fields: &ReportFields) -> Result<Self, Vec<Violation>> {
        let mut v = Violations::new();
        let country = if fields.country.trim().is_empty() {
            v.take(Err(crate::violation::missing("country")))
        } else {
            v.take(CountryCode::parse("country", &fields.country))
        };
        let faculty = match fields.faculty.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => v.take(FacultyCode::parse("faculty", raw)).map(Some),
        };
        let activity = v.take(ReportActivity::parse("activity", &fields.activity));
        let period = v.take(required_text("period", &fields.period, MAX_PERIOD_CHARS));
        let title = v.take(required_text("title", &fields.title, MAX_TITLE_CHARS));
        let body = v.take(long_text("body", &fields.body, MAX_BODY_CHARS));
        match (country, faculty, activity, period, title, body) {
            (
                Some(country),
                Some(faculty),
                Some(activity),
                Some(period),
                Some(title),
                Some(body),
            ) if v.is_empty() => Ok(Self {
                country,
                institution_id: fields.institution_id,
                faculty,
                activity,
                period,
                title,
                body,
            }),
            _ => Err(v.into_vec()),
        }
    }
}

/// A coordinator's reason for not publishing a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectionFields {
    /// What the author should know: why it is not published. 1–2000 characters.
    #[serde(default)]
    #[schema(
        example = "It names fellow students; please leave names out and write it again.",
        max_length = 2000
    )]
    pub reason: String,
}

impl RejectionFields {
    /// The reason, trimmed, or the violation.
    pub fn parse(&self) -> Result<String, Vec<Violation>> {
        long_text("reason", &self.reason, MAX_REASON_CHARS).map_err(|v| vec![v])
    }
}

/// Checks a required long free text: trimmed, not empty, at most `max` characters,
/// tabs and line breaks allowed but no other control character.
fn long_text(field: &str, value: &str, max: usize) -> Result<String, Violation> {
    let trimmed = value.trim();
    if let Some(c) = crate::text::forbidden_character(trimmed, true) {
        return Err(Violation::new(
            field,
            "control_character",
            format!(
                "`{field}` may not hold the control character {}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activity;

    fn karolinska() -> ReportFields {
        ReportFields {
            country: "SE".into(),
            institution_id: Some(Uuid::nil()),
            faculty: Some("LUMC".into()),
            activity: "junior_research_project".into(),
            period: " autumn 2026 ".into(),
            title: "Research at Karolinska".into(),
            body: "  Stockholm in the autumn.\n\nThe lab was welcoming.\r\n".into(),
        }
    }

    #[test]
    fn a_valid_report_is_trimmed_and_keeps_its_line_breaks() {
        let draft = ReportDraft::parse(&karolinska()).unwrap();
        assert_eq!(draft.country.as_str(), "SE");
        assert_eq!(draft.faculty.unwrap().as_str(), "LUMC");
        assert_eq!(draft.activity, ReportActivity::JuniorResearchProject);
        assert_eq!(draft.period, "autumn 2026");
        assert_eq!(
            draft.body,
            "Stockholm in the autumn.\n\nThe lab was welcoming."
        );
    }

    #[test]
    fn institution_and_faculty_may_be_left_out() {
        let mut f = karolinska();
        f.institution_id = None;
        f.faculty = Some("  ".into());
        let draft = ReportDraft::parse(&f).unwrap();
        assert_eq!((draft.institution_id, draft.faculty), (None, None));
        f.faculty = None;
        assert!(ReportDraft::parse(&f).is_ok());
    }

    #[test]
    fn an_empty_body_reports_every_field_at_once() {
        let violations: Vec<_> = ReportDraft::parse(&ReportFields::default())
            .unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect();
        let expected = ["country", "activity", "period", "title", "body"]
            .map(|field| (field.to_owned(), "required".to_owned()));
        assert_eq!(violations, expected);
    }

    #[test]
    fn every_problem_is_reported_with_its_code() {
        let f = ReportFields {
            country: "ZZ".into(),
            institution_id: None,
            faculty: Some("law".into()),
            activity: "sailing".into(),
            period: "p".repeat(MAX_PERIOD_CHARS + 1),
            title: "Two\nlines".into(),
            body: "b".repeat(MAX_BODY_CHARS + 1),
        };
        let violations: Vec<_> = ReportDraft::parse(&f)
            .unwrap_err()
            .into_iter()
            .map(|v| format!("{}:{}", v.field, v.code))
            .collect();
        assert_eq!(
            violations,
            [
                "country:unknown_country_code",
                "faculty:invalid_faculty_code",
                "activity:invalid_activity",
                "period:too_long",
                "title:control_character",
                "body:too_long",
            ]
        );
    }

    #[test]
    fn the_limits_count_characters_not_bytes() {
        let mut f = karolinska();
        f.title = "ö".repeat(MAX_TITLE_CHARS);
        f.body = "é".repeat(MAX_BODY_CHARS);
        assert!(ReportDraft::parse(&f).is_ok());
        f.body = format!("{}\u{1b}", "a".repeat(10));
        assert_eq!(
            ReportDraft::parse(&f).unwrap_err()[0].code,
            "control_character"
        );
    }

    #[test]
    fn activities_are_the_destinations_and_the_registrations_words_once_each() {
        for activity in Activity::ALL {
            assert!(
                activity.as_str().parse::<ReportActivity>().is_ok(),
                "{activity}"
            );
        }
        for kind in crate::ActivityType::ALL {
            assert!(kind.as_str().parse::<ReportActivity>().is_ok(), "{kind}");
        }
        let mut words: Vec<_> = ReportActivity::ALL.iter().map(|a| a.as_str()).collect();
        let all = words.len();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), all);
        assert_eq!(all, 20);
    }

    #[test]
    fn a_report_is_decided_once() {
        use ReportStatus::*;
        assert_eq!(Submitted.decide(Published), Ok(Published));
        assert_eq!(Submitted.decide(Rejected), Ok(Rejected));
        assert!(Published.decide(Published).is_err());
        assert!(Published.decide(Rejected).is_err());
        assert!(Rejected.decide(Published).is_err());
        assert!(Submitted.decide(Submitted).is_err());
    }

    #[test]
    fn a_rejection_needs_a_reason_of_at_most_2000_characters() {
        let reason = |r: &str| RejectionFields { reason: r.into() }.parse();
        assert_eq!(
            reason(" Names fellow students.\n").unwrap(),
            "Names fellow students."
        );
        assert_eq!(reason("  ").unwrap_err()[0].code, "required");
        assert_eq!(
            reason(&"x".repeat(MAX_REASON_CHARS + 1)).unwrap_err()[0].code,
            "too_long"
        );
        assert!(reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
    }
}
