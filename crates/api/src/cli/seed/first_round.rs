//! The demo's drawn round: last year's university-wide call, its applications taken
//! through every step (submitted, approved by the programme, reviewed), closed with a
//! committed seed and drawn, with offers accepted, declined and still pending and
//! nominations in each state. A newcomer sees a real draw, its explanations, results
//! and nominations right after `scripts/serve`.
//!
//! Everything goes through the storage calls the API uses, each at the moment it would
//! have happened (a clock per step), so the audit log tells the round's story.

use super::{CommandError, invalid};
use abroad_domain::{
    CallDraft, CallFields, ExchangeType, Motivation, NominationStatus, ReviewOutcome, Semester,
    StudentDraft, StudentFields, assess,
};
use abroad_storage::applications::{self, ApplicationInput};
use abroad_storage::calls::{self, Place};
use abroad_storage::{
    Actor, PgConnection, Viewer, destinations, nominations, offers, results, students,
};
use chrono::{DateTime, Days, Duration, Utc};
use chrono_tz::Europe::Amsterdam;
use diesel::Connection;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

const FIRST_ROUND: &str = include_str!("../../../../../data/demo/first-round.json");

#[derive(Debug, Deserialize)]
struct Round {
    call: String,
    applicants: Vec<Applicant>,
}

#[derive(Debug, Deserialize)]
struct Applicant {
    number: String,
    semester: Semester,
    plan_b: bool,
    /// Institution names, first choice first.
    choices: Vec<String>,
    #[serde(flatten)]
    record: StudentFields,
}

/// A motivation of about 220 words: the call asks 200–300 per choice.
fn motivation(institution: &str) -> String {
    let sentence = format!(
        "I want to study at {institution} because its courses complete my programme and \
         its city lets me practise the language every day."
    );
    let words = sentence.split_whitespace().count();
    vec![sentence; 220 / words + 1].join(" ")
}

/// Loads the round once, in one transaction: a failure leaves no half-drawn call.
pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    conn.transaction(|conn| load_round(conn, actor))
}

fn load_round(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    let round: Round = serde_json::from_str(FIRST_ROUND)
        .map_err(|e| CommandError::Other(format!("demo data first-round.json: {e}")))?;
    if calls::find_by_name(conn, &round.call)?.is_some() {
        return Ok(0);
    }
    let now = Utc::now();
    // Drawn three days ago: its 7-day offers are still open for four days.
    let drawn_at = now - Duration::days(3);
    let deadline = (now.with_timezone(&Amsterdam).date_naive() - Days::new(30))
        .and_hms_opt(23, 59, 0)
        .and_then(|t| t.and_local_timezone(Amsterdam).single())
        .ok_or_else(|| {
            CommandError::Other("no 23:59 in Amsterdam on the demo deadline".to_owned())
        })?
        .with_timezone(&Utc);
    let at = |t: DateTime<Utc>| move || t;

    let draft = CallDraft::parse(&CallFields {
        name: round.call.clone(),
        scheme: "university_wide".to_owned(),
        activity: "semester_exchange".to_owned(),
        semesters: vec!["autumn".to_owned(), "spring".to_owned()],
        opens_at: (deadline - Duration::days(60)).to_rfc3339(),
        deadline: deadline.to_rfc3339(),
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
        selection: "lottery".to_owned(),
        offer_days: Some(7),
        ..CallFields::default()
    })
    .map_err(invalid)?;
    let office = Viewer::Everyone;
    let call = calls::create(conn, actor, &draft, &office)?;

    // One place a semester at each university-wide partner: fewer than the applicants
    // want at the popular ones, so the lottery decides.
    let mut by_name = HashMap::new();
    for id in destinations::ids_of_types(conn, &[ExchangeType::UniversityWide])? {
        by_name.insert(destinations::get(conn, id)?.institution.name, id);
    }
    let places: Vec<Place> = by_name
        .values()
        .flat_map(|&destination_id| {
            [Semester::Autumn, Semester::Spring].map(|semester| Place {
                destination_id,
                semester,
                places: 1,
            })
        })
        .collect();
    calls::put_places(conn, actor, call.id, &office, &places, at(deadline))?;
    calls::open(
        conn,
        actor,
        call.id,
        &office,
        at(deadline - Duration::days(59)),
    )?;

    for (i, applicant) in round.applicants.iter().enumerate() {
        let step = |days: i64| at(deadline - Duration::days(days) + Duration::minutes(i as i64));
        let record = StudentDraft::parse(&applicant.record).map_err(invalid)?;
        students::upsert(conn, actor, &office, &applicant.number, &record)?;
        let student = Actor {
            sub: applicant.number.clone(),
            role: "student".to_owned(),
            request_id: None,
        };
        let choices = applicant
            .choices
            .iter()
            .map(|name| {
                by_name
                    .get(name)
                    .map(|&id| (id, Some(motivation(name))))
                    .ok_or_else(|| {
                        CommandError::Other(format!("first-round.json: no partner {name}"))
                    })
            })
            .collect::<Result<Vec<(Uuid, Option<String>)>, _>>()?;
        let input = ApplicationInput {
            semester: applicant.semester,
            plan_b: applicant.plan_b,
            choices,
        };
        let (created, _) =
            applications::create(conn, &student, call.id, &applicant.number, &input, step(20))?;
        let id = created.application.id;
        applications::submit(conn, &student, id, &applicant.number, step(19), |f| {
            let a = assess(&f.rules, f.semester, &f.student, &f.choices, &f.uploaded);
            if a.violations.is_empty() {
                Ok(a.warnings)
            } else {
                Err(a.violations)
            }
        })?;
        let programme = Actor {
            sub: format!("{}-contact", applicant.record.programme.to_lowercase()),
            role: "programme".to_owned(),
            request_id: None,
        };
        applications::programme_decision(
            conn,
            &programme,
            id,
            std::slice::from_ref(&applicant.record.programme),
            true,
            Some("Fits the programme."),
            step(10),
        )?;
        applications::review(
            conn,
            actor,
            id,
            &office,
            ReviewOutcome::Eligible,
            Some("Meets every rule."),
            step(5),
        )?;
    }

    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| CommandError::Other(format!("no random bytes for the demo seed: {e}")))?;
    calls::close(
        conn,
        actor,
        call.id,
        &office,
        at(deadline + Duration::days(1)),
        &seed,
    )?;
    abroad_storage::draws::draw(conn, actor, call.id, &office, at(drawn_at))?;

    // The students answer: the first four placed accept (their nominations pending,
    // sent, confirmed, confirmed), the fifth declines, the rest still think it over.
    let placed = results::results(conn, call.id, &office, now, None, None)?;
    let placed = placed.items.iter().filter(|r| r.destination_id.is_some());
    for (answered, row) in (0_i64..5).zip(placed) {
        let student = Actor {
            sub: row.student.clone(),
            role: "student".to_owned(),
            request_id: None,
        };
        let offer = offers::list(
            conn,
            &Viewer::Student(row.student.clone()),
            &offers::OfferFilter {
                call_id: Some(call.id),
                status: None,
            },
            now,
            None,
            1,
        )?
        .items
        .pop()
        .ok_or_else(|| CommandError::Other("a placement without an offer".to_owned()))?;
        let when = at(drawn_at + Duration::hours(20 + answered));
        match answered {
            0..=3 => {
                let accepted = offers::accept(conn, &student, offer.id, &row.student, when)?;
                let steps: &[NominationStatus] = match answered {
                    0 => &[],
                    1 => &[NominationStatus::Sent],
                    _ => &[NominationStatus::Sent, NominationStatus::Confirmed],
                };
                for (k, &to) in steps.iter().enumerate() {
                    let later = at(drawn_at + Duration::days(1 + k as i64));
                    nominations::step(conn, actor, accepted.nomination_id, &office, to, later)?;
                }
            }
            _ => {
                offers::decline(conn, &student, offer.id, &row.student, when)?;
            }
        }
    }
    Ok(1)
}
