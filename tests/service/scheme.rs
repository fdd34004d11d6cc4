//! Two schemes as fixtures: the university-wide call and a law faculty's call, with
//! the catalogue, students and places they need. Built through the API.

use crate::support::catalogue::{country, destination, institution, programme};
use crate::support::{TestApp, coordinator, faculty_coordinator, token};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// The deadline every fixture call has, and the time the tests start at.
pub fn deadline() -> DateTime<Utc> {
    "2026-12-01T22:59:00Z".parse().expect("time")
}

pub fn before_deadline() -> DateTime<Utc> {
    deadline() - Duration::days(10)
}

/// The university-wide scheme of SPEC.md.
pub fn university_wide_call() -> Value {
    json!({
        "name": "University-wide exchange 2027-28, round 1",
        "scheme": "university_wide",
        "activity": "semester_exchange",
        "semesters": ["autumn", "spring"],
        "opens_at": "2026-11-01T09:00:00+01:00",
        "deadline": "2026-12-01T23:59:00+01:00",
        "min_choices": 5, "max_choices": 10, "max_low_chance": 2,
        "min_ec": 60, "min_gpa": 7.0,
        "motivation": {"per_choice": true, "min_words": 200, "max_words": 300},
        "transcript_rule": true,
        "selection": "lottery", "offer_days": 7
    })
}

/// A law faculty's scheme: 1–5 choices, PDFs, 60–90 EC and the first-year diploma for
/// bachelors, ranking by the office's scores.
pub fn law_call() -> Value {
    json!({
        "name": "Law exchange 2027-28",
        "scheme": "faculty", "faculty": "LAW",
        "activity": "semester_exchange",
        "semesters": ["autumn", "spring"],
        "opens_at": "2026-11-01T09:00:00+01:00",
        "deadline": "2026-12-01T23:59:00+01:00",
        "min_choices": 1, "max_choices": 5,
        "min_ec": 60, "max_ec": 90, "ec_applies_to": "bachelor", "requires_first_year_diploma": true,
        "motivation": {"per_choice": false, "max_words": 500},
        "required_documents": ["motivation", "cv", "language_proof", "budget"],
        "selection": "ranking", "offer_days": 7
    })
}

/// Everything a test needs: the ids of the destinations, in a fixed order.
pub struct World {
    pub app: TestApp,
    /// Six green university-wide destinations; the last two have low chances.
    pub wide: Vec<String>,
    /// An ISEP destination with `min_gpa` 6.5.
    pub isep: String,
    /// A destination in a country under orange advice.
    pub unsafe_one: String,
    /// A law-faculty destination.
    pub law: String,
}

pub async fn world() -> World {
    world_with(TestApp::new()).await
}

/// [`world`] built in `app`.
pub async fn world_with(app: TestApp) -> World {
    app.set_now(before_deadline());
    for (code, advice) in [
        ("SE", "green"),
        ("DK", "green"),
        ("DE", "green"),
        ("IT", "green"),
        ("US", "green"),
        ("IL", "orange"),
    ] {
        country(&app, code, code, advice).await;
    }
    programme(&app, "BMS", "LUMC", "bachelor").await;
    programme(&app, "LAW", "LAW", "bachelor").await;
    let mut wide = Vec::new();
    for (i, (name, country_code, chance)) in [
        ("Uppsala University", "SE", "high"),
        ("University of Copenhagen", "DK", "high"),
        ("Humboldt-Universität zu Berlin", "DE", "medium"),
        ("Università di Bologna", "IT", "medium"),
        ("Lund University", "SE", "low"),
        ("Aarhus University", "DK", "low"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = institution(&app, name, country_code, &format!("City {i}")).await;
        let mut body = crate::support::catalogue::exchange(&id);
        body["chance"] = json!(chance);
        wide.push(
            destination(&app, &body).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let unm = institution(&app, "University of New Mexico", "US", "Albuquerque").await;
    let mut body = crate::support::catalogue::exchange(&unm);
    body["exchange_type"] = json!("isep");
    body["min_gpa"] = json!(6.5);
    let isep = destination(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let huji = institution(&app, "Hebrew University", "IL", "Jerusalem").await;
    let unsafe_one = destination(&app, &crate::support::catalogue::exchange(&huji)).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let kul = institution(&app, "Universität Wien", "DE", "Wien").await;
    let mut body = crate::support::catalogue::exchange(&kul);
    body["exchange_type"] = json!("faculty");
    body["faculty"] = json!("LAW");
    let law = destination(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    World {
        app,
        wide,
        isep,
        unsafe_one,
        law,
    }
}

/// A student record, through the SIS upsert.
pub async fn student_record(app: &TestApp, number: &str, programme: &str, ec: i64, gpa: f64) {
    let body = json!({"name": format!("Student {number}"), "email": format!("{number}@umail.example.nl"),
                      "programme": programme, "level": "bachelor", "ec": ec, "gpa": gpa,
                      "registered": true, "first_year_diploma": true});
    app.put_json(
        &format!("/api/v1/students/{number}"),
        Some(&coordinator()),
        &body,
    )
    .await
    .ok();
}

/// Creates a call, sets places at these destinations in both semesters, opens it.
pub async fn open_call(app: &TestApp, body: &Value, destinations: &[&str], as_law: bool) -> String {
    let token = if as_law {
        faculty_coordinator("LAW")
    } else {
        coordinator()
    };
    let created = app.post_json("/api/v1/calls", Some(&token), body).await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let places: Vec<Value> = destinations
        .iter()
        .flat_map(|d| {
            ["autumn", "spring"].map(|s| json!({"destination_id": d, "semester": s, "places": 2}))
        })
        .collect();
    app.put_json(
        &format!("/api/v1/calls/{id}/places"),
        Some(&token),
        &json!(places),
    )
    .await
    .ok();
    app.post_json(
        &format!("/api/v1/calls/{id}/open"),
        Some(&token),
        &json!({}),
    )
    .await
    .ok();
    id
}

/// `n` choices with motivations of `words` words.
pub fn choices(destinations: &[&str], words: usize) -> Value {
    json!(
        destinations
            .iter()
            .map(|d| json!({"destination_id": d, "motivation": "because ".repeat(words)}))
            .collect::<Vec<_>>()
    )
}

pub fn student_token(number: &str) -> String {
    token("student", number)
}
