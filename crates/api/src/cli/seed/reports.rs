//! The demo's student reports: written by demo students with a real stay (the
//! registration under way in Stockholm, accepted offers of the drawn round), three
//! published so that the report search shows something at once, one waiting in the
//! office's moderation queue.

use super::{CommandError, invalid};
use abroad_domain::report::ReportFields;
use abroad_storage::reports::{self, Decision, ReportFilter};
use abroad_storage::{Actor, PgConnection, Viewer, offers};
use chrono::Utc;
use diesel::Connection;

/// (title, period, activity, country, body, publish).
const TEXTS: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "Research at Karolinska: what I wish I had known",
        "autumn 2026",
        "research",
        "SE",
        "Stockholm is expensive, so apply for student housing the day you are accepted. \
         The lab expects you to present your project in the second week; my supervisor \
         was generous with time. Winter days are short: plan your fieldtrips early.\n\n\
         Fika at three is not optional. Learn a few words of Swedish: people switch to \
         English at once, but they appreciate it.",
        true,
    ),
    (
        "A semester in Copenhagen on a student budget",
        "spring 2026",
        "semester_exchange",
        "DK",
        "Cycling is the way to get around Copenhagen; buy a second-hand bike in the first \
         week. Courses are project-based with oral exams, which took getting used to. \
         The international office organised a buddy programme that made the first \
         month much easier.",
        true,
    ),
    (
        "Bologna: the oldest university and the best food",
        "autumn 2025",
        "semester_exchange",
        "IT",
        "Italian lectures were hard in the first month, but professors allow exams in \
         English if you ask early. Find housing through the university's portal, not \
         social media. Bologna is small enough to walk everywhere.",
        true,
    ),
    (
        "Uppsala in the dark months",
        "autumn 2026",
        "semester_exchange",
        "SE",
        "The nations (student societies) are the heart of Uppsala life. Join one in the \
         first week for cheap meals and friends.",
        false,
    ),
];

/// Loads the demo reports once, in one transaction; answers how many it made.
pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    conn.transaction(|conn| {
        let any = reports::list(conn, &Viewer::Everyone, &ReportFilter::default(), None, 1)?;
        if !any.items.is_empty() {
            return Ok(0);
        }
        // Authors with a real stay: the student in Stockholm, and those who accepted an
        // offer in the drawn round.
        let mut authors = vec!["s1000001".to_owned()];
        let accepted = offers::list(
            conn,
            &Viewer::Everyone,
            &offers::OfferFilter {
                call_id: None,
                status: Some(abroad_domain::OfferStatus::Accepted),
            },
            Utc::now(),
            None,
            10,
        )?;
        authors.extend(accepted.items.into_iter().map(|o| o.student));
        for (i, (title, period, activity, country, body, publish)) in TEXTS.iter().enumerate() {
            let author = &authors[i % authors.len()];
            let draft = ReportFields {
                country: (*country).to_owned(),
                institution_id: None,
                faculty: None,
                activity: (*activity).to_owned(),
                period: (*period).to_owned(),
                title: (*title).to_owned(),
                body: (*body).to_owned(),
            };
            let draft = abroad_domain::report::ReportDraft::parse(&draft).map_err(invalid)?;
            let student = Actor {
                sub: author.clone(),
                role: "student".to_owned(),
                request_id: None,
            };
            let report = reports::create(conn, &student, author, &draft)?;
            if *publish {
                reports::decide(
                    conn,
                    actor,
                    report.id,
                    &Viewer::Everyone,
                    &Decision::Publish,
                    Utc::now,
                )?;
            }
        }
        Ok(TEXTS.len())
    })
}
