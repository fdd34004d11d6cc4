//! Other activities abroad: internships, research, summer schools and the like that a
//! student registers outside the exchange lottery (SPEC.md, Other activities abroad).

use crate::country::CountryCode;
use crate::offer::iso_date;
use crate::violation::{Violation, Violations, required_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::vocabulary! {
    /// What kind of activity abroad.
    pub enum ActivityType ("activity type", "invalid_activity_type") {
        Internship = "internship",
        Research = "research",
        Fieldwork = "fieldwork",
        FieldTrip = "field_trip",
        SummerSchool = "summer_school",
        WinterSchool = "winter_school",
        MandatoryStudyAbroad = "mandatory_study_abroad",
        ClinicalClerkship = "clinical_clerkship",
        MootCourt = "moot_court",
        StudyAssociationTrip = "study_association_trip",
        Other = "other",
    }
}

crate::vocabulary! {
    /// `draft → approved | held` at submit; a coordinator `approve`s or `reject`s a held one.
    pub enum ActivityStatus ("activity status", "invalid_activity_status") {
        Draft = "draft",
        /// Registered: every rule met, submitted at least 14 days before departure.
        Approved = "approved",
        /// Submitted fewer than 14 days before departure: a coordinator decides.
        Held = "held",
        Rejected = "rejected",
    }
}

/// How many calendar days (Europe/Amsterdam) before departure a registration must come
/// to be approved at once; a later one is held for a coordinator.
pub const MIN_DAYS_BEFORE_DEPARTURE: i64 = 14;

/// An activity as the student sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityFields {
    #[serde(default, rename = "type")]
    #[schema(value_type = ActivityType)]
    pub activity_type: String,
    #[serde(default)]
    #[schema(example = "Research internship in malaria immunology")]
    pub title: String,
    #[serde(default)]
    #[schema(example = "Karolinska Institutet")]
    pub host_organisation: String,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    #[schema(example = "SE", pattern = "^[A-Z]{2}$")]
    pub country: String,
    #[serde(default)]
    #[schema(example = "Stockholm")]
    pub city: String,
    /// ISO date of departure.
    #[serde(default)]
    #[schema(format = Date, example = "2027-02-01")]
    pub start_date: String,
    /// ISO date, not before `start_date`.
    #[serde(default)]
    #[schema(format = Date, example = "2027-06-30")]
    pub end_date: String,
    /// Gives credits: the programme approves it first.
    #[serde(default)]
    pub credits: bool,
    /// Gets funding: the programme approves it first.
    #[serde(default)]
    pub funding: bool,
    /// Goes on the transcript: the programme approves it first.
    #[serde(default)]
    pub transcript: bool,
}

/// A checked activity, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub activity_type: ActivityType,
    pub title: String,
    pub host_organisation: String,
    pub country: CountryCode,
    pub city: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub credits: bool,
    pub funding: bool,
    pub transcript: bool,
}

impl ActivityFields {
    /// Checks the fields' forms, every violation at once. The rules of registration
    /// (dates, advice, approval) are checked at submit: [`check_submission`].
    pub fn parse(&self) -> Result<ActivityDraft, Vec<Violation>> {
        let mut v = Violations::new();
        let activity_type = v.take(ActivityType::parse("type", &self.activity_type));
        let title = v.take(required_text("title", &self.title, 200));
        let host = v.take(required_text(
            "host_organisation",
            &self.host_organisation,
            200,
        ));
        let country = v.take(CountryCode::parse("country", &self.country));
        let city = v.take(required_text("city", &self.city, 100));
        let start = v.take(iso_date("start_date", &self.start_date));
        let end = v.take(iso_date("end_date", &self.end_date));
        match (activity_type, title, host, country, city, start, end) {
            (
                Some(activity_type),
                Some(title),
                Some(host_organisation),
                Some(country),
                Some(city),
                Some(start_date),
                Some(end_date),
            ) if v.is_empty() => Ok(ActivityDraft {
                activity_type,
                title,
                host_organisation,
                country,
                city,
                start_date,
                end_date,
                credits: self.credits,
                funding: self.funding,
                transcript: self.transcript,
            }),
            _ => Err(v.into_vec()),
        }
    }
}

/// What submitting needs to know besides the activity itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionFacts {
    /// Today in Europe/Amsterdam.
    pub today: NaiveDate,
    /// The country is under orange or red travel advice now.
    pub negative_advice: bool,
    /// The programme has approved it (`Some(true)`), rejected it, or not decided.
    pub programme_approved: Option<bool>,
}

/// Whether the programme must approve first: an activity that gives credits, funding
/// or a transcript mention.
pub fn needs_programme_approval(draft: &ActivityDraft) -> bool {
    draft.credits || draft.funding || draft.transcript
}

/// SPEC.md's registration rules: every violation at once, or `Approved` when submitted
/// at least [`MIN_DAYS_BEFORE_DEPARTURE`] calendar days before departure and `Held`
/// when later.
pub fn check_submission(
    draft: &ActivityDraft,
    facts: SubmissionFacts,
) -> Result<ActivityStatus, Vec<Violation>> {
    let mut v = Violations::new();
    if needs_programme_approval(draft) && facts.programme_approved != Some(true) {
        v.push(
            "programme_decision",
            "programme_approval_missing",
            match facts.programme_approved {
                Some(false) => "your programme rejected this activity; it gives credits, funding \
                                or a transcript mention, which need its approval"
                    .to_owned(),
                _ => "this activity gives credits, funding or a transcript mention: your \
                      programme approves it before you submit"
                    .to_owned(),
            },
        );
    }
    if facts.negative_advice {
        v.push(
            "country",
            "negative_travel_advice",
            format!(
                "the travel advice for {} is orange or red: no activity there is registered",
                draft.country.as_str()
            ),
        );
    }
    if draft.end_date < draft.start_date {
        v.push(
            "end_date",
            "ends_before_start",
            "`end_date` may not be before `start_date`",
        );
    }
    if draft.start_date < facts.today {
        v.push(
            "start_date",
            "starts_in_the_past",
            format!(
                "the activity starts on {}, before today ({}): register activities before they begin",
                draft.start_date, facts.today
            ),
        );
    }
    if !v.is_empty() {
        return Err(v.into_vec());
    }
    let days = (draft.start_date - facts.today).num_days();
    Ok(if days >= MIN_DAYS_BEFORE_DEPARTURE {
        ActivityStatus::Approved
    } else {
        ActivityStatus::Held
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ActivityFields {
        ActivityFields {
            activity_type: "internship".into(),
            title: "Research internship".into(),
            host_organisation: "Karolinska Institutet".into(),
            country: "SE".into(),
            city: "Stockholm".into(),
            start_date: "2027-03-29".into(),
            end_date: "2027-06-30".into(),
            credits: true,
            funding: false,
            transcript: false,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(today: &str) -> SubmissionFacts {
        SubmissionFacts {
            today: day(today),
            negative_advice: false,
            programme_approved: Some(true),
        }
    }

    #[test]
    fn fourteen_calendar_days_before_departure_is_approved_thirteen_is_held() {
        let draft = fields().parse().unwrap();
        // Europe's clocks go forward on 2027-03-28: calendar days, not 24-hour periods.
        assert_eq!(
            check_submission(&draft, facts("2027-03-15")),
            Ok(ActivityStatus::Approved)
        );
        assert_eq!(
            check_submission(&draft, facts("2027-03-16")),
            Ok(ActivityStatus::Held)
        );
        assert_eq!(
            check_submission(&draft, facts("2027-03-29")),
            Ok(ActivityStatus::Held)
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let mut f = fields();
        f.start_date = "2027-01-10".into();
        f.end_date = "2027-01-05".into();
        let draft = f.parse().unwrap();
        let codes: Vec<String> = check_submission(
            &draft,
            SubmissionFacts {
                today: day("2027-02-01"),
                negative_advice: true,
                programme_approved: None,
            },
        )
        .unwrap_err()
        .into_iter()
        .map(|v| v.code)
        .collect();
        assert_eq!(
            codes,
            [
                "programme_approval_missing",
                "negative_travel_advice",
                "ends_before_start",
                "starts_in_the_past"
            ]
        );
    }

    #[test]
    fn without_credits_funding_or_transcript_no_approval_is_needed() {
        let mut f = fields();
        f.credits = false;
        let draft = f.parse().unwrap();
        let no_decision = SubmissionFacts {
            programme_approved: None,
            ..facts("2027-01-01")
        };
        assert_eq!(
            check_submission(&draft, no_decision),
            Ok(ActivityStatus::Approved)
        );
    }

    #[test]
    fn the_fields_are_checked_whole() {
        let f = ActivityFields {
            activity_type: "holiday".into(),
            country: "se".into(),
            start_date: "soon".into(),
            ..ActivityFields::default()
        };
        let fields: Vec<String> = f
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "type",
                "title",
                "host_organisation",
                "country",
                "city",
                "start_date",
                "end_date"
            ]
        );
    }
}
