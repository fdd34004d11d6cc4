//! Applications and the rules a submission is checked against.
//!
//! [`assess`] is the one place these rules live: the API runs it at submit (and
//! refuses with every violation at once) and on every read (as `eligibility`), so
//! what a student sees is what the office will check.

use crate::call::{CallRules, DocumentKind};
use crate::country::TravelAdvice;
use crate::destination::{Chance, Offering, Semester};
use crate::programme::Level;
use crate::violation::Violation;
use uuid::Uuid;

crate::vocabulary! {
    /// `draft → submitted → approved (programme) → eligible | contact | rejected (office)`,
    /// then `placed | unplaced` by the draw; `withdrawn` any time before the call closes.
    pub enum ApplicationStatus ("application status", "invalid_application_status") {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Eligible = "eligible",
        Contact = "contact",
        Rejected = "rejected",
        Placed = "placed",
        Unplaced = "unplaced",
        Withdrawn = "withdrawn",
    }
}

impl ApplicationStatus {
    /// Submitted and still in the running: what the live demand on places counts.
    pub fn is_submitted(self) -> bool {
        !matches!(
            self,
            ApplicationStatus::Draft | ApplicationStatus::Withdrawn
        )
    }
}

crate::vocabulary! {
    /// The office's review of an approved application.
    pub enum ReviewOutcome ("review outcome", "invalid_outcome") {
        /// Enters the draw.
        Eligible = "eligible",
        /// Needs a talk first; a final outcome follows.
        Contact = "contact",
        Rejected = "rejected",
    }
}

/// What the rules need to know of the student.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentFacts {
    pub registered: bool,
    pub level: Level,
    pub programme: String,
    pub ec: i32,
    /// The GPA, or the bachelor GPA while there is none.
    pub gpa: Option<f64>,
    pub first_year_diploma: bool,
    pub luc: bool,
    pub joint_degree: bool,
    pub studied_elsewhere: bool,
}

/// What the rules need to know of one choice and its destination.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceFacts {
    pub destination_id: Uuid,
    pub motivation: Option<String>,
    /// The call has places at this destination in the application's semester.
    pub in_call: bool,
    pub offerings: Vec<Offering>,
    pub advice: TravelAdvice,
    pub min_gpa: Option<f64>,
    pub chance: Chance,
}

/// The outcome: violations refuse a submission, warnings only inform.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    pub violations: Vec<Violation>,
    pub warnings: Vec<Violation>,
}

/// The documents this student must upload for this call.
pub fn required_documents(rules: &CallRules, student: &StudentFacts) -> Vec<DocumentKind> {
    let mut kinds = rules.required_documents.clone();
    let special = student.level == Level::Master
        || student.luc
        || student.joint_degree
        || student.studied_elsewhere;
    if rules.transcript_rule && special && !kinds.contains(&DocumentKind::Transcript) {
        kinds.push(DocumentKind::Transcript);
    }
    kinds
}

/// How many words `text` has: runs of what is not whitespace, as `str::split_whitespace`
/// has them. A list of 500 applications counts the words of thousands of motivations,
/// so ASCII text (nearly all of it) is counted byte by byte without decoding characters.
fn words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut count = 0;
    let mut in_word = false;
    for &byte in text.as_bytes() {
        // The ASCII characters `char::is_whitespace` counts: tab to carriage return, space.
        let space = matches!(byte, b'\t'..=b'\r' | b' ');
        count += usize::from(!space && !in_word);
        in_word = !space;
    }
    count
}

/// Checks an application against every rule of its call and reports every violation.
/// The deadline is not among them: after it, a submission is refused outright (409).
pub fn assess(
    rules: &CallRules,
    semester: Semester,
    student: &StudentFacts,
    choices: &[ChoiceFacts],
    uploaded: &[DocumentKind],
) -> Assessment {
    let mut out = Assessment::default();
    let mut violation = |field: String, code: &str, message: String| {
        out.violations.push(Violation::new(field, code, message))
    };

    if !rules.semesters.contains(&semester) {
        violation(
            "semester".into(),
            "semester_not_in_call",
            format!("this call is not for the {semester} semester"),
        );
    }
    if !student.registered {
        violation(
            "student".into(),
            "not_registered",
            "you must be registered as a student this year".into(),
        );
    }
    let ec_rules_apply = rules
        .ec_applies_to
        .is_none_or(|level| level == student.level);
    if ec_rules_apply && student.ec < i32::try_from(rules.min_ec).unwrap_or(i32::MAX) {
        violation(
            "student.ec".into(),
            "ec_below_minimum",
            format!(
                "this call needs at least {} EC; you have {}",
                rules.min_ec, student.ec
            ),
        );
    }
    if let Some(max) = rules.max_ec
        && ec_rules_apply
        && student.ec > i32::try_from(max).unwrap_or(i32::MAX)
    {
        violation(
            "student.ec".into(),
            "ec_above_maximum",
            format!("this call takes at most {max} EC; you have {}", student.ec),
        );
    }
    if rules.requires_first_year_diploma
        && student.level == Level::Bachelor
        && !student.first_year_diploma
    {
        violation(
            "student.first_year_diploma".into(),
            "first_year_diploma_missing",
            "this call needs your first-year diploma".into(),
        );
    }

    let n = u32::try_from(choices.len()).unwrap_or(u32::MAX);
    if n < rules.min_choices {
        violation(
            "choices".into(),
            "too_few_choices",
            format!(
                "choose at least {} destinations; you chose {n}",
                rules.min_choices
            ),
        );
    }
    if n > rules.max_choices {
        violation(
            "choices".into(),
            "too_many_choices",
            format!(
                "choose at most {} destinations; you chose {n}",
                rules.max_choices
            ),
        );
    }

    for (i, choice) in choices.iter().enumerate() {
        let field = format!("choices[{i}]");
        if choices[..i]
            .iter()
            .any(|earlier| earlier.destination_id == choice.destination_id)
        {
            violation(
                format!("{field}.destination_id"),
                "duplicate_destination",
                "this destination is chosen twice".into(),
            );
        }
        if !choice.in_call {
            violation(
                format!("{field}.destination_id"),
                "destination_not_in_call",
                format!("this call has no places at this destination in the {semester} semester"),
            );
        }
        let offered = choice.offerings.iter().any(|o| {
            o.level == student.level
                && o.activity == rules.activity
                && o.programme
                    .as_deref()
                    .is_none_or(|p| p == student.programme)
        });
        if !offered {
            violation(
                format!("{field}.destination_id"),
                "destination_not_offered",
                format!(
                    "this destination offers no {} for {} students of {}",
                    rules.activity, student.level, student.programme
                ),
            );
        }
        if choice.advice.is_negative() {
            violation(
                format!("{field}.destination_id"),
                "negative_travel_advice",
                format!(
                    "the travel advice for this destination's country is {}: nobody is placed there",
                    choice.advice
                ),
            );
        }
        if let Some(minimum) = choice.min_gpa.or(rules.min_gpa) {
            match student.gpa {
                None => violation(
                    format!("{field}.destination_id"),
                    "gpa_missing",
                    format!("this choice needs a GPA of {minimum:.1}; you have none yet"),
                ),
                Some(gpa) if gpa < minimum => violation(
                    format!("{field}.destination_id"),
                    "gpa_below_minimum",
                    format!("this choice needs a GPA of at least {minimum:.1}; yours is {gpa:.1}"),
                ),
                Some(_) => {}
            }
        }
        if rules.motivation.per_choice {
            let count = choice.motivation.as_deref().map_or(0, words);
            let min = rules.motivation.min_words.unwrap_or(1);
            if count == 0 {
                violation(
                    format!("{field}.motivation"),
                    "motivation_missing",
                    "write a motivation for this choice".into(),
                );
            } else if count < usize::try_from(min).unwrap_or(usize::MAX) {
                violation(
                    format!("{field}.motivation"),
                    "motivation_too_short",
                    format!("write at least {min} words; this has {count}"),
                );
            }
            if let Some(max) = rules.motivation.max_words
                && count > usize::try_from(max).unwrap_or(usize::MAX)
            {
                violation(
                    format!("{field}.motivation"),
                    "motivation_too_long",
                    format!("write at most {max} words; this has {count}"),
                );
            }
        }
    }

    for kind in required_documents(rules, student) {
        if !uploaded.contains(&kind) {
            violation(
                format!("documents.{kind}"),
                "document_missing",
                format!("upload your {kind} as a PDF"),
            );
        }
    }

    let low = choices.iter().filter(|c| c.chance == Chance::Low).count();
    if let Some(advised) = rules.max_low_chance
        && low > usize::try_from(advised).unwrap_or(usize::MAX)
    {
        out.warnings.push(Violation::new(
            "choices",
            "many_low_chance_choices",
            format!("{low} of your choices have low chances; we advise at most {advised}"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{CallDraft, tests::university_wide};
    use crate::destination::Activity;

    fn rules() -> CallRules {
        CallDraft::parse(&university_wide()).unwrap().rules
    }

    fn sanne() -> StudentFacts {
        StudentFacts {
            registered: true,
            level: Level::Bachelor,
            programme: "BMS".into(),
            ec: 75,
            gpa: Some(7.4),
            first_year_diploma: true,
            luc: false,
            joint_degree: false,
            studied_elsewhere: false,
        }
    }

    fn choice(n: u128) -> ChoiceFacts {
        ChoiceFacts {
            destination_id: Uuid::from_u128(n),
            motivation: Some("word ".repeat(250)),
            in_call: true,
            offerings: vec![Offering {
                level: Level::Bachelor,
                activity: Activity::SemesterExchange,
                programme: None,
                note: None,
            }],
            advice: TravelAdvice::Green,
            min_gpa: None,
            chance: Chance::Medium,
        }
    }

    fn five() -> Vec<ChoiceFacts> {
        (1..=5).map(choice).collect()
    }

    fn codes(a: &Assessment) -> Vec<&str> {
        a.violations.iter().map(|v| v.code.as_str()).collect()
    }

    #[test]
    fn a_complete_application_passes() {
        let a = assess(&rules(), Semester::Autumn, &sanne(), &five(), &[]);
        assert_eq!(a, Assessment::default());
    }

    #[test]
    fn each_student_rule_fails_on_its_own() {
        let mut s = sanne();
        s.registered = false;
        assert_eq!(
            codes(&assess(&rules(), Semester::Autumn, &s, &five(), &[])),
            ["not_registered"]
        );
        let mut s = sanne();
        s.ec = 59;
        assert_eq!(
            codes(&assess(&rules(), Semester::Autumn, &s, &five(), &[])),
            ["ec_below_minimum"]
        );
        s.ec = 60;
        assert!(codes(&assess(&rules(), Semester::Autumn, &s, &five(), &[])).is_empty());
        let mut s = sanne();
        s.gpa = Some(6.9);
        assert_eq!(
            codes(&assess(&rules(), Semester::Autumn, &s, &five(), &[])),
            ["gpa_below_minimum"; 5]
        );
    }

    #[test]
    fn a_destinations_min_gpa_overrides_the_calls() {
        let mut s = sanne();
        s.gpa = Some(6.6);
        let mut choices: Vec<_> = (1..=5).map(choice).collect();
        for c in &mut choices {
            c.min_gpa = Some(6.5);
        }
        assert!(
            assess(&rules(), Semester::Autumn, &s, &choices, &[])
                .violations
                .is_empty()
        );
        choices[0].min_gpa = None;
        assert_eq!(
            assess(&rules(), Semester::Autumn, &s, &choices, &[]).violations[0].field,
            "choices[0].destination_id"
        );
    }

    #[test]
    fn each_choice_rule_fails_on_its_own() {
        let r = rules();
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &five()[..4], &[])),
            ["too_few_choices"]
        );
        let eleven: Vec<_> = (1..=11).map(choice).collect();
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &eleven, &[])),
            ["too_many_choices"]
        );
        let mut c = five();
        c[4].destination_id = c[0].destination_id;
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])),
            ["duplicate_destination"]
        );
        let mut c = five();
        c[1].in_call = false;
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])),
            ["destination_not_in_call"]
        );
        let mut c = five();
        c[2].offerings[0].level = Level::Master;
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])),
            ["destination_not_offered"]
        );
        let mut c = five();
        c[2].offerings[0].programme = Some("LAW".into());
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])),
            ["destination_not_offered"]
        );
        c[2].offerings[0].programme = Some("BMS".into());
        assert!(codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])).is_empty());
        let mut c = five();
        c[3].advice = TravelAdvice::Orange;
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &sanne(), &c, &[])),
            ["negative_travel_advice"]
        );
    }

    proptest::proptest! {
        /// The quick count agrees with `split_whitespace` on any text, ASCII or not,
        /// including the control characters `u8::is_ascii_whitespace` leaves out.
        #[test]
        fn words_are_counted_as_split_whitespace_counts_them(
            ascii in "[a-z\\x00-\\x7f\\t\\n\\x0b\\x0c\\r -]{0,60}",
            mixed in "([a-z\\t\\n\\x0b\\x0c\\r -]|\\PC|\\u{a0}|\\u{85}|\\u{2003}){0,60}"
        ) {
            proptest::prop_assert!(ascii.is_ascii());
            proptest::prop_assert_eq!(words(&ascii), ascii.split_whitespace().count());
            proptest::prop_assert_eq!(words(&mixed), mixed.split_whitespace().count());
        }
    }

    #[test]
    fn motivations_are_counted_in_words() {
        let r = rules();
        let mut c = five();
        c[0].motivation = Some("word ".repeat(199));
        c[1].motivation = Some("word ".repeat(301));
        c[2].motivation = None;
        c[3].motivation = Some("word ".repeat(200));
        c[4].motivation = Some("word ".repeat(300));
        let a = assess(&r, Semester::Autumn, &sanne(), &c, &[]);
        assert_eq!(
            codes(&a),
            [
                "motivation_too_short",
                "motivation_too_long",
                "motivation_missing"
            ]
        );
    }

    #[test]
    fn the_transcript_rule_holds_for_masters_and_special_students_only() {
        let r = rules();
        assert!(codes(&assess(&r, Semester::Autumn, &sanne(), &five(), &[])).is_empty());
        let mut luc = sanne();
        luc.luc = true;
        assert_eq!(
            codes(&assess(&r, Semester::Autumn, &luc, &five(), &[])),
            ["document_missing"]
        );
        assert!(
            codes(&assess(
                &r,
                Semester::Autumn,
                &luc,
                &five(),
                &[DocumentKind::Transcript]
            ))
            .is_empty()
        );
    }

    #[test]
    fn low_chance_choices_above_the_advice_warn_but_do_not_refuse() {
        let mut c = five();
        for choice in c.iter_mut().take(3) {
            choice.chance = Chance::Low;
        }
        let a = assess(&rules(), Semester::Autumn, &sanne(), &c, &[]);
        assert!(a.violations.is_empty());
        assert_eq!(a.warnings[0].code, "many_low_chance_choices");
        c[2].chance = Chance::High;
        assert!(
            assess(&rules(), Semester::Autumn, &sanne(), &c, &[])
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let mut s = sanne();
        s.registered = false;
        s.ec = 10;
        let mut c = five()[..4].to_vec();
        c[0].advice = TravelAdvice::Red;
        let a = assess(&rules(), Semester::FullYear, &s, &c, &[]);
        assert_eq!(
            codes(&a),
            [
                "semester_not_in_call",
                "not_registered",
                "ec_below_minimum",
                "too_few_choices",
                "negative_travel_advice"
            ]
        );
    }
}
