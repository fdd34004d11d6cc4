//! The demo's activities abroad, one in each state, dated around the day of loading:
//! a registration under way in Sweden with its contacts abroad, one approved ahead,
//! one held for the office, one rejected, one still a draft. With the drawn round's
//! accepted offers, `GET /countries/{code}/affected` shows someone at once.

use super::{CommandError, invalid};
use abroad_domain::activity::ActivityFields;
use abroad_domain::offer::{ContactFields, EmergencyContactFields};
use abroad_storage::activities::{self, ActivityFilter};
use abroad_storage::{Actor, PgConnection, Viewer};
use chrono::{DateTime, Duration, Utc};
use diesel::Connection;

/// Who registers, where, when (days from now), and how far it gets.
struct Demo {
    student: &'static str,
    programme: &'static str,
    activity_type: &'static str,
    title: &'static str,
    host: &'static str,
    country: &'static str,
    city: &'static str,
    /// Days from now to departure and to the end.
    start: i64,
    end: i64,
    /// Days from now the student submits; `None`: still a draft.
    submitted: Option<i64>,
    /// For a held one: `Some(None)` the office approves, `Some(Some(reason))` it rejects.
    office: Option<Option<&'static str>>,
    credits: bool,
}

const DEMOS: &[Demo] = &[
    Demo {
        student: "s1000001",
        programme: "BMS",
        activity_type: "research",
        title: "Research internship in malaria immunology",
        host: "Karolinska Institutet",
        country: "SE",
        city: "Stockholm",
        start: -10,
        end: 80,
        submitted: Some(-40),
        office: None,
        credits: true,
    },
    Demo {
        student: "s1000003",
        programme: "LAW",
        activity_type: "moot_court",
        title: "Willem C. Vis Moot, oral rounds",
        host: "Vis Moot",
        country: "AT",
        city: "Vienna",
        start: 45,
        end: 52,
        submitted: Some(-1),
        office: None,
        credits: false,
    },
    Demo {
        student: "s1000005",
        programme: "PSY",
        activity_type: "summer_school",
        title: "Summer school in cognitive neuroscience",
        host: "Humboldt-Universität zu Berlin",
        country: "DE",
        city: "Berlin",
        start: 7,
        end: 21,
        submitted: Some(-1),
        office: Some(None),
        credits: false,
    },
    Demo {
        student: "s1000004",
        programme: "LUC",
        activity_type: "fieldwork",
        title: "Fieldwork on water governance",
        host: "Universidad de los Andes",
        country: "CO",
        city: "Bogotá",
        start: 9,
        end: 60,
        submitted: Some(-1),
        office: None,
        credits: false,
    },
    Demo {
        student: "s2000002",
        programme: "LLM",
        activity_type: "internship",
        title: "Internship at the International Criminal Court",
        host: "International Criminal Court",
        country: "NL",
        city: "The Hague",
        start: 5,
        end: 90,
        submitted: Some(-1),
        office: Some(Some(
            "Starts too soon to arrange insurance; register a later period.",
        )),
        credits: false,
    },
    Demo {
        student: "s2000001",
        programme: "BMS",
        activity_type: "clinical_clerkship",
        title: "Clinical clerkship in tropical medicine",
        host: "Kilimanjaro Christian Medical Centre",
        country: "TZ",
        city: "Moshi",
        start: 120,
        end: 180,
        submitted: None,
        office: None,
        credits: true,
    },
];

/// Loads the demo activities once, in one transaction; answers how many it made.
pub(super) fn load(conn: &mut PgConnection, actor: &Actor) -> Result<usize, CommandError> {
    conn.transaction(|conn| {
        let any = activities::list(
            conn,
            &Viewer::Student(DEMOS[0].student.to_owned()),
            &ActivityFilter::default(),
            None,
            1,
        )?;
        if !any.items.is_empty() {
            return Ok(0);
        }
        let now = Utc::now();
        let day = |d: i64| (now + Duration::days(d)).date_naive().to_string();
        for demo in DEMOS {
            let student = Actor {
                sub: demo.student.to_owned(),
                role: "student".to_owned(),
                request_id: None,
            };
            let at = |t: DateTime<Utc>| move || t;
            let draft = ActivityFields {
                activity_type: demo.activity_type.to_owned(),
                title: demo.title.to_owned(),
                host_organisation: demo.host.to_owned(),
                country: demo.country.to_owned(),
                city: demo.city.to_owned(),
                start_date: day(demo.start),
                end_date: day(demo.end),
                credits: demo.credits,
                funding: false,
                transcript: false,
            }
            .parse()
            .map_err(invalid)?;
            let row = activities::create(conn, &student, demo.student, &draft)?;
            let Some(submitted) = demo.submitted else {
                continue;
            };
            if demo.credits {
                let programme = Actor {
                    sub: format!("{}-contact", demo.programme.to_lowercase()),
                    role: "programme".to_owned(),
                    request_id: None,
                };
                activities::programme_decision(
                    conn,
                    &programme,
                    row.id,
                    &[demo.programme.to_owned()],
                    true,
                    Some("Counts for 15 EC."),
                    at(now + Duration::days(submitted - 1)),
                )?;
            }
            let row = activities::submit(
                conn,
                &student,
                row.id,
                demo.student,
                at(now + Duration::days(submitted)),
            )?;
            if let Some(decision) = demo.office {
                activities::decide(
                    conn,
                    actor,
                    row.id,
                    &Viewer::Everyone,
                    decision,
                    at(now - Duration::hours(2)),
                )?;
            }
            // Those leaving soon, or away already, have entered their contacts abroad.
            if demo.start <= 10 {
                let contacts = ContactFields {
                    address: format!("{} (student housing)", demo.city),
                    phone: "+46 70 123 45 67".to_owned(),
                    emergency_contact: EmergencyContactFields {
                        name: "Marieke de Vries".to_owned(),
                        phone: "+31 6 1234 5678".to_owned(),
                        relation: "mother".to_owned(),
                    },
                }
                .parse()
                .map_err(invalid)?;
                if matches!(
                    activities::get(conn, row.id, &Viewer::Everyone)?.status()?,
                    abroad_domain::ActivityStatus::Approved | abroad_domain::ActivityStatus::Held
                ) {
                    activities::set_stay(conn, &student, row.id, demo.student, &contacts, || now)?;
                }
            }
        }
        Ok(DEMOS.len())
    })
}
