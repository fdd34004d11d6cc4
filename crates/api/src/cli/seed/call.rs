//! The demo's open university-wide call, with places at every university-wide and
//! ISEP destination. Its deadline is a month after the first load, at 23:59 in
//! Amsterdam, so a fresh demo always takes applications.

use super::{CommandError, invalid};
use abroad_domain::{CallDraft, CallFields, ExchangeType, Motivation, Semester};
use abroad_storage::Viewer;
use abroad_storage::calls::{self, Place};
use abroad_storage::{Actor, PgConnection, destinations};
use chrono::{Days, Utc};
use chrono_tz::Europe::Amsterdam;

pub const NAME: &str = "University-wide exchange 2027-28, round 1";

pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    if calls::find_by_name(conn, NAME)?.is_some() {
        return Ok(0);
    }
    let today = Utc::now().with_timezone(&Amsterdam).date_naive();
    let deadline = (today + Days::new(30))
        .and_hms_opt(23, 59, 0)
        .and_then(|t| t.and_local_timezone(Amsterdam).single())
        .ok_or_else(|| {
            CommandError::Other("no 23:59 in Amsterdam on the demo deadline".to_owned())
        })?;
    let opens = Utc::now() - chrono::Duration::days(1);
    let draft = CallDraft::parse(&CallFields {
        name: NAME.to_owned(),
        scheme: "university_wide".to_owned(),
        activity: "semester_exchange".to_owned(),
        semesters: vec!["autumn".to_owned(), "spring".to_owned()],
        opens_at: opens.to_rfc3339(),
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
    let call = calls::create(conn, actor, &draft, &Viewer::Everyone)?;
    let places: Vec<Place> =
        destinations::ids_of_types(conn, &[ExchangeType::UniversityWide, ExchangeType::Isep])?
            .into_iter()
            .flat_map(|destination_id| {
                [Semester::Autumn, Semester::Spring].map(|semester| Place {
                    destination_id,
                    semester,
                    places: 2,
                })
            })
            .collect();
    calls::put_places(conn, actor, call.id, &Viewer::Everyone, &places, Utc::now)?;
    calls::open(conn, actor, call.id, &Viewer::Everyone, chrono::Utc::now)?;
    Ok(1)
}
