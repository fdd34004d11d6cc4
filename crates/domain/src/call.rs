//! Calls: application rounds, each with its rules as data.
//!
//! Every number SPEC.md gives (60 EC, 5–10 choices, 200–300 words, 7 days …) is a
//! field a coordinator sets per call; nothing here hard-codes one scheme.

use crate::destination::{Activity, Semester};
use crate::programme::{FacultyCode, Level};
use crate::violation::{Violation, Violations, missing, optional_grade, required_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

crate::vocabulary! {
    /// Which scheme a call runs.
    pub enum Scheme ("scheme", "invalid_scheme") {
        UniversityWide = "university_wide",
        Faculty = "faculty",
    }
}

crate::vocabulary! {
    /// How places are given.
    pub enum Selection ("selection", "invalid_selection") {
        /// The verifiable lottery.
        Lottery = "lottery",
        /// The office's scores, highest first; the lottery key breaks ties.
        Ranking = "ranking",
    }
}

crate::vocabulary! {
    /// A call's state: `draft → open → closed → drawn`.
    pub enum CallStatus ("call status", "invalid_call_status") {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Drawn = "drawn",
    }
}

crate::vocabulary! {
    /// A document an application may need, uploaded as PDF.
    pub enum DocumentKind ("document kind", "invalid_document_kind") {
        Motivation = "motivation",
        Cv = "cv",
        LanguageProof = "language_proof",
        Budget = "budget",
        Transcript = "transcript",
    }
}

/// How students motivate their choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Motivation {
    /// `true`: a text per chosen destination, counted in words. `false`: one letter,
    /// uploaded as the `motivation` document.
    #[serde(default)]
    pub per_choice: bool,
    #[serde(default)]
    #[schema(example = 200, maximum = 5000)]
    pub min_words: Option<u32>,
    #[serde(default)]
    #[schema(example = 300, maximum = 5000)]
    pub max_words: Option<u32>,
}

/// A call as a coordinator sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallFields {
    #[serde(default)]
    #[schema(example = "University-wide exchange 2027-28, round 1")]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Scheme)]
    pub scheme: String,
    /// The owning faculty: required for the `faculty` scheme, absent otherwise.
    #[serde(default)]
    pub faculty: Option<String>,
    #[serde(default)]
    #[schema(value_type = Activity)]
    pub activity: String,
    #[serde(default)]
    #[schema(value_type = Vec<Semester>)]
    pub semesters: Vec<String>,
    /// RFC 3339 with any offset.
    #[serde(default)]
    #[schema(example = "2026-11-01T09:00:00+01:00")]
    pub opens_at: String,
    /// RFC 3339 with any offset; stored in UTC. Late applications are never considered.
    #[serde(default)]
    #[schema(example = "2026-12-01T23:59:00+01:00")]
    pub deadline: String,
    #[serde(default)]
    #[schema(example = 5, minimum = 1, maximum = 20)]
    pub min_choices: Option<i64>,
    #[serde(default)]
    #[schema(example = 10, minimum = 1, maximum = 20)]
    pub max_choices: Option<i64>,
    /// More low-chance choices than this gives a warning, not an error.
    #[serde(default)]
    #[schema(example = 2, minimum = 0, maximum = 20)]
    pub max_low_chance: Option<i64>,
    #[serde(default)]
    #[schema(example = 60, minimum = 0, maximum = 600)]
    pub min_ec: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 600)]
    pub max_ec: Option<i64>,
    /// `bachelor`: the EC rules hold for bachelor students only; absent: for everyone.
    #[serde(default)]
    #[schema(value_type = Option<Level>)]
    pub ec_applies_to: Option<String>,
    /// Bachelor students must have their first-year diploma.
    #[serde(default)]
    pub requires_first_year_diploma: bool,
    /// A destination's own `min_gpa` overrides it.
    #[serde(default)]
    #[schema(example = 7.0)]
    pub min_gpa: Option<f64>,
    #[serde(default)]
    pub motivation: Motivation,
    #[serde(default)]
    #[schema(value_type = Vec<DocumentKind>)]
    pub required_documents: Vec<String>,
    /// Master, LUC, joint-degree and studied-elsewhere students must also upload a transcript.
    #[serde(default)]
    pub transcript_rule: bool,
    #[serde(default)]
    #[schema(value_type = Selection)]
    pub selection: String,
    /// Days a student has to answer an offer.
    #[serde(default)]
    #[schema(example = 7, minimum = 1, maximum = 60)]
    pub offer_days: Option<i64>,
    /// A second-round call names its first round.
    #[serde(default)]
    pub parent_call_id: Option<Uuid>,
}

/// A checked call, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CallDraft {
    pub name: String,
    pub scheme: Scheme,
    pub faculty: Option<FacultyCode>,
    pub rules: CallRules,
    pub opens_at: DateTime<Utc>,
    pub parent_call_id: Option<Uuid>,
}

/// The rules an application is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRules {
    pub activity: Activity,
    pub semesters: Vec<Semester>,
    pub deadline: DateTime<Utc>,
    pub min_choices: u32,
    pub max_choices: u32,
    pub max_low_chance: Option<u32>,
    pub min_ec: u32,
    pub max_ec: Option<u32>,
    pub ec_applies_to: Option<Level>,
    pub requires_first_year_diploma: bool,
    pub min_gpa: Option<f64>,
    pub motivation: Motivation,
    pub required_documents: Vec<DocumentKind>,
    pub transcript_rule: bool,
    pub selection: Selection,
    pub offer_days: u32,
}

/// Most choices any call may allow.
pub const MAX_CHOICES: u32 = 20;

fn count(
    v: &mut Violations,
    field: &str,
    raw: Option<i64>,
    range: std::ops::RangeInclusive<u32>,
) -> Option<u32> {
    let value = raw?;
    match u32::try_from(value).ok().filter(|n| range.contains(n)) {
        Some(n) => Some(n),
        None => {
            v.push(
                field,
                "out_of_range",
                format!(
                    "`{field}` must be from {} to {} (got {value})",
                    range.start(),
                    range.end()
                ),
            );
            None
        }
    }
}

fn required_count(
    v: &mut Violations,
    field: &str,
    raw: Option<i64>,
    range: std::ops::RangeInclusive<u32>,
) -> Option<u32> {
    if raw.is_none() {
        v.take::<()>(Err(missing(field)));
    }
    count(v, field, raw, range)
}

/// An RFC 3339 time with any offset, in UTC, between 1970 and 9999: every rendering
/// of it (UTC, and local in Europe/Amsterdam) then stays a four-digit-year RFC 3339
/// time, and PostgreSQL stores it as given.
pub fn timestamp(field: &str, raw: &str) -> Result<DateTime<Utc>, Violation> {
    if raw.trim().is_empty() {
        return Err(missing(field));
    }
    let at = DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Violation::new(
                field,
                "invalid_timestamp",
                format!("`{raw}` is not an RFC 3339 time; write e.g. 2026-12-01T23:59:00+01:00"),
            )
        })?;
    let (earliest, latest) = timestamp_range();
    if at < earliest || at > latest {
        return Err(Violation::new(
            field,
            "timestamp_out_of_range",
            format!("`{raw}` lies outside 1970-01-01 to 9999-12-31 (UTC)"),
        ));
    }
    Ok(at)
}

/// The times a call may name: from 1970 to the last day of 9999, less a day so that
/// local time (UTC+1/+2) never reaches the year 10000.
pub fn timestamp_range() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        DateTime::UNIX_EPOCH,
        DateTime::UNIX_EPOCH + chrono::Duration::days(2_932_896),
    )
}

impl CallDraft {
    /// Checks every field and reports every problem at once.
    pub fn parse(f: &CallFields) -> Result<Self, Vec<Violation>> {
        let mut v = Violations::new();
        let name = v.take(required_text("name", &f.name, 200));
        let scheme = v.take(Scheme::parse("scheme", &f.scheme));
        let faculty = match (
            scheme,
            f.faculty
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        ) {
            (Some(Scheme::Faculty), None) => {
                v.push(
                    "faculty",
                    "required",
                    "a `faculty` call needs its owning `faculty`",
                );
                None
            }
            (Some(Scheme::UniversityWide), Some(_)) => {
                v.push(
                    "faculty",
                    "not_allowed",
                    "a `university_wide` call has no owning faculty; leave `faculty` out",
                );
                None
            }
            (_, Some(raw)) => v.take(FacultyCode::parse("faculty", raw)),
            (_, None) => None,
        };
        let activity = v.take(Activity::parse("activity", &f.activity));
        if f.semesters.is_empty() {
            v.push(
                "semesters",
                "required",
                "list the semesters students may apply for",
            );
        }
        let mut semesters = Vec::new();
        for (i, raw) in f.semesters.iter().enumerate() {
            if let Some(s) = v.take(Semester::parse(&format!("semesters[{i}]"), raw)) {
                if semesters.contains(&s) {
                    v.push(
                        format!("semesters[{i}]"),
                        "duplicate",
                        format!("`{s}` is listed twice"),
                    );
                }
                semesters.push(s);
            }
        }
        let opens_at = v.take(timestamp("opens_at", &f.opens_at));
        let deadline = v.take(timestamp("deadline", &f.deadline));
        if let (Some(opens), Some(deadline)) = (opens_at, deadline)
            && deadline <= opens
        {
            v.push(
                "deadline",
                "before_opening",
                "the `deadline` must come after `opens_at`",
            );
        }
        let min_choices = required_count(&mut v, "min_choices", f.min_choices, 1..=MAX_CHOICES);
        let max_choices = required_count(&mut v, "max_choices", f.max_choices, 1..=MAX_CHOICES);
        if let (Some(min), Some(max)) = (min_choices, max_choices)
            && max < min
        {
            v.push(
                "max_choices",
                "below_minimum",
                "`max_choices` must be at least `min_choices`",
            );
        }
        let max_low_chance = count(&mut v, "max_low_chance", f.max_low_chance, 0..=MAX_CHOICES);
        let min_ec = count(&mut v, "min_ec", f.min_ec, 0..=600).or(f.min_ec.is_none().then_some(0));
        let max_ec = count(&mut v, "max_ec", f.max_ec, 0..=600);
        if let (Some(min), Some(max)) = (min_ec, max_ec)
            && max < min
        {
            v.push(
                "max_ec",
                "below_minimum",
                "`max_ec` must be at least `min_ec`",
            );
        }
        let ec_applies_to = match f.ec_applies_to.as_deref() {
            None => Some(None),
            Some(raw) => v.take(Level::parse("ec_applies_to", raw)).map(Some),
        };
        let min_gpa = v.take(optional_grade("min_gpa", f.min_gpa));
        let m = f.motivation;
        if let (Some(min), Some(max)) = (m.min_words, m.max_words)
            && max < min
        {
            v.push(
                "motivation.max_words",
                "below_minimum",
                "`max_words` must be at least `min_words`",
            );
        }
        for (field, words) in [
            ("motivation.min_words", m.min_words),
            ("motivation.max_words", m.max_words),
        ] {
            if words.is_some_and(|w| w > 5000) {
                v.push(
                    field,
                    "out_of_range",
                    format!("`{field}` must be at most 5000"),
                );
            }
        }
        let mut required_documents = Vec::new();
        for (i, raw) in f.required_documents.iter().enumerate() {
            if let Some(kind) = v.take(DocumentKind::parse(
                &format!("required_documents[{i}]"),
                raw,
            )) {
                if required_documents.contains(&kind) {
                    v.push(
                        format!("required_documents[{i}]"),
                        "duplicate",
                        format!("`{kind}` is listed twice"),
                    );
                }
                required_documents.push(kind);
            }
        }
        if !m.per_choice && !required_documents.contains(&DocumentKind::Motivation) {
            v.push(
                "required_documents",
                "motivation_letter_missing",
                "without per-choice motivations the call needs a `motivation` letter among `required_documents`",
            );
        }
        let selection = v.take(Selection::parse("selection", &f.selection));
        let offer_days = required_count(&mut v, "offer_days", f.offer_days, 1..=60);

        match (
            name,
            scheme,
            activity,
            opens_at,
            deadline,
            min_choices,
            max_choices,
            min_ec,
            ec_applies_to,
            min_gpa,
            selection,
            offer_days,
        ) {
            (
                Some(name),
                Some(scheme),
                Some(activity),
                Some(opens_at),
                Some(deadline),
                Some(min_choices),
                Some(max_choices),
                Some(min_ec),
                Some(ec_applies_to),
                Some(min_gpa),
                Some(selection),
                Some(offer_days),
            ) if v.is_empty() => Ok(CallDraft {
                name,
                scheme,
                faculty,
                opens_at,
                parent_call_id: f.parent_call_id,
                rules: CallRules {
                    activity,
                    semesters,
                    deadline,
                    min_choices,
                    max_choices,
                    max_low_chance,
                    min_ec,
                    max_ec,
                    ec_applies_to,
                    requires_first_year_diploma: f.requires_first_year_diploma,
                    min_gpa,
                    motivation: m,
                    required_documents,
                    transcript_rule: f.transcript_rule,
                    selection,
                    offer_days,
                },
            }),
            _ => Err(v.into_vec()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The university-wide scheme of SPEC.md.
    pub fn university_wide() -> CallFields {
        CallFields {
            name: "University-wide exchange 2027-28".into(),
            scheme: "university_wide".into(),
            activity: "semester_exchange".into(),
            semesters: vec!["autumn".into(), "spring".into()],
            opens_at: "2026-11-01T09:00:00+01:00".into(),
            deadline: "2026-12-01T23:59:00+01:00".into(),
            min_choices: Some(5),
            max_choices: Some(10),
            max_low_chance: Some(2),
            min_ec: Some(60),
            min_gpa: Some(7.0),
            motivation: Motivation {
                per_choice: true,
                min_words: Some(200),
                max_words: Some(300),
            },
            transcript_rule: true,
            selection: "lottery".into(),
            offer_days: Some(7),
            ..CallFields::default()
        }
    }

    #[test]
    fn the_university_wide_scheme_parses_and_the_deadline_is_stored_in_utc() {
        let call = CallDraft::parse(&university_wide()).unwrap();
        assert_eq!(
            call.rules.deadline.to_rfc3339(),
            "2026-12-01T22:59:00+00:00"
        );
        assert_eq!(call.rules.min_ec, 60);
        assert_eq!(call.rules.selection, Selection::Lottery);
    }

    #[test]
    fn every_problem_is_reported() {
        let mut f = university_wide();
        f.faculty = Some("LAW".into());
        f.semesters = vec!["autumn".into(), "autumn".into()];
        f.deadline = "2026-10-01T00:00:00Z".into();
        f.min_choices = Some(11);
        f.min_ec = Some(-1);
        f.motivation.per_choice = false;
        f.offer_days = None;
        let fields: Vec<_> = CallDraft::parse(&f)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "faculty",
                "semesters[1]",
                "deadline",
                "max_choices",
                "min_ec",
                "required_documents",
                "offer_days"
            ]
        );
    }

    #[test]
    fn a_faculty_call_needs_its_faculty_and_a_letter_call_needs_the_letter() {
        let mut f = university_wide();
        f.scheme = "faculty".into();
        assert_eq!(CallDraft::parse(&f).unwrap_err()[0].field, "faculty");
        f.faculty = Some("LAW".into());
        f.motivation = Motivation {
            per_choice: false,
            min_words: None,
            max_words: Some(500),
        };
        f.required_documents = vec!["motivation".into(), "cv".into()];
        assert!(CallDraft::parse(&f).is_ok());
    }

    #[test]
    fn timestamps_stay_within_four_digit_years_everywhere() {
        assert!(timestamp("deadline", "2026-12-01T23:59:00+01:00").is_ok());
        assert!(timestamp("deadline", "1970-01-01T00:00:00Z").is_ok());
        assert!(timestamp("deadline", "9999-12-30T23:59:59Z").is_ok());
        for raw in [
            "9999-12-31T23:59:59-12:00",
            "9999-12-31T12:00:00Z",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(
                timestamp("deadline", raw).unwrap_err().code,
                "timestamp_out_of_range",
                "{raw}"
            );
        }
        let (_, latest) = timestamp_range();
        assert_eq!(latest.to_rfc3339(), "9999-12-31T00:00:00+00:00");
    }
}
