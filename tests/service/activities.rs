//! Activities abroad outside the lottery, contacts during the stay, and who the office
//! must reach when a country's advice turns orange or red.

use crate::scheme::{student_record, student_token, world};
use crate::support::{TestApp, coordinator, faculty_coordinator, programme_token};
use actix_web::test::TestRequest;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

/// 10:00 in Amsterdam on `day` (winter time, UTC+1).
fn morning(day: &str) -> DateTime<Utc> {
    format!("{day}T09:00:00Z").parse().expect("time")
}

fn activity(start: &str, end: &str, credits: bool) -> Value {
    json!({"type": "internship", "title": "Research internship in immunology",
           "host_organisation": "Karolinska Institutet", "country": "SE", "city": "Stockholm",
           "start_date": start, "end_date": end, "credits": credits})
}

async fn register(app: &TestApp, student: &str, body: &Value) -> String {
    let created = app
        .post_json("/api/v1/activities", Some(&student_token(student)), body)
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert!(created.header("location").is_some());
    created.json()["id"].as_str().expect("id").to_owned()
}

async fn submit(app: &TestApp, id: &str, student: &str) -> crate::support::Response {
    app.post_json(
        &format!("/api/v1/activities/{id}/submit"),
        Some(&student_token(student)),
        &json!({}),
    )
    .await
}

fn contacts() -> Value {
    json!({"address": "Solnavägen 1, Stockholm", "phone": "+46 70 111 22 33",
           "emergency_contact": {"name": "Jan de Vries", "phone": "+31 6 9876 5432", "relation": "father"}})
}

#[actix_web::test]
async fn fourteen_calendar_days_before_departure_is_approved_thirteen_is_held_across_dst() {
    let w = world().await;
    student_record(&w.app, "s201", "BMS", 75, 7.4).await;
    // Departure on 2027-03-29, the day after Europe's clocks go forward: the rule counts
    // calendar days in Amsterdam, not 24-hour periods.
    let body = activity("2027-03-29", "2027-06-30", false);
    let on_time = register(&w.app, "s201", &body).await;
    let late = register(&w.app, "s201", &body).await;
    w.app.set_now(morning("2027-03-15"));
    let approved = submit(&w.app, &on_time, "s201").await.ok();
    assert_eq!(approved["status"], "approved");
    // 23:30 in Amsterdam on the 15th is still the 15th (22:30 UTC)…
    w.app.set_now("2027-03-15T22:30:00Z".parse().expect("time"));
    let mut probe = body.clone();
    probe["title"] = json!("Another internship");
    let still_on_time = register(&w.app, "s201", &probe).await;
    assert_eq!(
        submit(&w.app, &still_on_time, "s201").await.ok()["status"],
        "approved"
    );
    // …and 00:30 on the 16th is 13 days before: held.
    w.app.set_now("2027-03-15T23:30:00Z".parse().expect("time"));
    let held = submit(&w.app, &late, "s201").await.ok();
    assert_eq!(held["status"], "held");
    // Once only.
    submit(&w.app, &late, "s201").await.problem(409);
}

#[actix_web::test]
async fn a_registration_breaking_rules_reports_them_all_and_changes_nothing() {
    let w = world().await;
    student_record(&w.app, "s202", "BMS", 75, 7.4).await;
    w.app.set_now(morning("2027-02-01"));
    let mut body = activity("2027-01-10", "2027-01-05", true);
    body["country"] = json!("IL");
    let id = register(&w.app, "s202", &body).await;
    let refused = submit(&w.app, &id, "s202").await;
    refused.problem(422);
    let mut codes: Vec<String> = refused.violations().into_iter().map(|(_, c)| c).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "ends_before_start",
            "negative_travel_advice",
            "programme_approval_missing",
            "starts_in_the_past"
        ]
    );
    let unchanged = w
        .app
        .get(
            &format!("/api/v1/activities/{id}"),
            Some(&student_token("s202")),
        )
        .await
        .ok();
    assert_eq!(unchanged["status"], "draft");
    assert_eq!(unchanged["needs_programme_approval"], true);
    // Malformed fields are every one named at once, before anything is stored.
    let bad = w
        .app
        .post_json(
            "/api/v1/activities",
            Some(&student_token("s202")),
            &json!({"type": "holiday", "country": "XX", "start_date": "tomorrow"}),
        )
        .await;
    bad.problem(422);
    assert!(bad.violations().len() >= 6, "{:?}", bad.violations());
}

#[actix_web::test]
async fn credits_need_the_programme_s_approval_first_and_a_change_asks_again() {
    let w = world().await;
    student_record(&w.app, "s203", "BMS", 75, 7.4).await;
    w.app.set_now(morning("2027-01-04"));
    let id = register(&w.app, "s203", &activity("2027-03-01", "2027-05-01", true)).await;
    submit(&w.app, &id, "s203").await.problem(422);
    let decision = |approved: bool| json!({"approved": approved, "comment": if approved { "Counts as an elective" } else { "No" }});
    // Another programme does not see it; the student's own decides.
    w.app
        .post_json(
            &format!("/api/v1/activities/{id}/programme-decision"),
            Some(&programme_token(&["LAW"])),
            &decision(true),
        )
        .await
        .problem(404);
    let decided = w
        .app
        .post_json(
            &format!("/api/v1/activities/{id}/programme-decision"),
            Some(&programme_token(&["BMS"])),
            &decision(true),
        )
        .await
        .ok();
    assert_eq!(decided["programme_decision"], "approved");
    // A change clears the decision: the programme decides on what is submitted.
    let mut changed = activity("2027-03-01", "2027-05-15", true);
    changed["title"] = json!("Longer internship");
    let edited = w
        .app
        .put_json(
            &format!("/api/v1/activities/{id}"),
            Some(&student_token("s203")),
            &changed,
        )
        .await
        .ok();
    assert_eq!(edited["programme_decision"], Value::Null);
    submit(&w.app, &id, "s203").await.problem(422);
    w.app
        .post_json(
            &format!("/api/v1/activities/{id}/programme-decision"),
            Some(&programme_token(&["BMS"])),
            &decision(true),
        )
        .await
        .ok();
    assert_eq!(submit(&w.app, &id, "s203").await.ok()["status"], "approved");
    // Submitted: no more changes or decisions.
    w.app
        .put_json(
            &format!("/api/v1/activities/{id}"),
            Some(&student_token("s203")),
            &changed,
        )
        .await
        .problem(409);
    w.app
        .post_json(
            &format!("/api/v1/activities/{id}/programme-decision"),
            Some(&programme_token(&["BMS"])),
            &decision(false),
        )
        .await
        .problem(409);
}

#[actix_web::test]
async fn a_held_registration_is_the_office_s_to_approve_or_reject_with_a_reason() {
    let w = world().await;
    student_record(&w.app, "s204", "BMS", 75, 7.4).await;
    w.app.set_now(morning("2027-02-20"));
    let a = register(&w.app, "s204", &activity("2027-03-01", "2027-03-20", false)).await;
    let b = register(&w.app, "s204", &activity("2027-03-02", "2027-03-20", false)).await;
    for id in [&a, &b] {
        assert_eq!(submit(&w.app, id, "s204").await.ok()["status"], "held");
    }
    let office = coordinator();
    // Only a coordinator decides; the student may not approve their own.
    w.app
        .post_json(
            &format!("/api/v1/activities/{a}/approve"),
            Some(&student_token("s204")),
            &json!({}),
        )
        .await
        .problem(403);
    let approved = w
        .app
        .post_json(
            &format!("/api/v1/activities/{a}/approve"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(approved["status"], "approved");
    w.app
        .post_json(
            &format!("/api/v1/activities/{a}/approve"),
            Some(&office),
            &json!({}),
        )
        .await
        .problem(409);
    // A rejection says why.
    let no_reason = w
        .app
        .post_json(
            &format!("/api/v1/activities/{b}/reject"),
            Some(&office),
            &json!({}),
        )
        .await;
    no_reason.problem(422);
    let rejected = w
        .app
        .post_json(
            &format!("/api/v1/activities/{b}/reject"),
            Some(&office),
            &json!({"reason": "Too late to arrange insurance"}),
        )
        .await
        .ok();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reject_reason"], "Too late to arrange insurance");
    // The approved one keeps its contacts abroad; the rejected one has none to keep.
    let kept = w
        .app
        .put_json(
            &format!("/api/v1/activities/{a}/stay"),
            Some(&student_token("s204")),
            &contacts(),
        )
        .await
        .ok();
    assert_eq!(kept["stay"]["emergency_contact"]["relation"], "father");
    w.app
        .put_json(
            &format!("/api/v1/activities/{b}/stay"),
            Some(&student_token("s204")),
            &contacts(),
        )
        .await
        .problem(409);
    // Every step is in the audit log.
    let log = w
        .app
        .get(
            &format!("/api/v1/audit?entity_type=activity&entity_id={a}"),
            Some(&office),
        )
        .await
        .ok();
    let mut actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "activity.approved",
            "activity.created",
            "activity.stay_updated",
            "activity.submitted_held"
        ]
    );
}

#[actix_web::test]
async fn turning_a_country_red_lists_who_is_there_or_going_and_refuses_what_comes_next() {
    let w = world().await;
    let office = coordinator();
    w.app.set_now(morning("2027-01-04"));
    for (student, programme) in [
        ("s211", "BMS"),
        ("s212", "BMS"),
        ("s213", "LAW"),
        ("s214", "BMS"),
    ] {
        student_record(&w.app, student, programme, 75, 7.4).await;
    }
    // s211 leaves next month; s212's stay ended last week; s213 (LAW) is there now.
    let next_month = register(&w.app, "s211", &activity("2027-02-04", "2027-04-01", false)).await;
    submit(&w.app, &next_month, "s211").await.ok();
    w.app
        .put_json(
            &format!("/api/v1/activities/{next_month}/stay"),
            Some(&student_token("s211")),
            &contacts(),
        )
        .await
        .ok();
    w.app.set_now(morning("2026-11-01"));
    let ended = register(&w.app, "s212", &activity("2026-12-01", "2026-12-28", false)).await;
    submit(&w.app, &ended, "s212").await.ok();
    let under_way = register(&w.app, "s213", &activity("2026-12-01", "2027-02-01", false)).await;
    submit(&w.app, &under_way, "s213").await.ok();
    w.app.set_now(morning("2027-01-04"));
    // s214 has a draft there, pending its submission.
    let draft = register(&w.app, "s214", &activity("2027-03-01", "2027-04-01", false)).await;

    let turned = w
        .app
        .put_json(
            "/api/v1/countries/SE",
            Some(&office),
            &json!({"name": "Sweden", "advice": "red"}),
        )
        .await
        .ok();
    assert_eq!(turned["advice"], "red");
    assert_eq!(turned["affected_students"], 2);

    let listed = w
        .app
        .get("/api/v1/countries/SE/affected", Some(&office))
        .await
        .ok();
    let mut ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    ids.sort_unstable();
    let mut expected = vec![next_month.as_str(), under_way.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected, "not the ended stay, not the draft");
    let s211 = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["student"] == "s211")
        .expect("s211");
    assert_eq!(s211["phone"], "+46 70 111 22 33");
    assert_eq!(s211["emergency_phone"], "+31 6 9876 5432");
    assert_eq!(s211["kind"], "activity");

    // The office's phone list as CSV; a faculty's coordinator gets its own students.
    let csv = w
        .app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries/SE/affected")
                .insert_header(("authorization", format!("Bearer {office}")))
                .insert_header(("accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8(csv.body.to_vec()).expect("utf-8");
    assert!(
        text.starts_with("student,student_name,student_email,programme,kind,id,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
    let law = w
        .app
        .get(
            "/api/v1/countries/SE/affected",
            Some(&faculty_coordinator("LAW")),
        )
        .await
        .ok();
    let students: Vec<&str> = law["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["student"].as_str().expect("student"))
        .collect();
    assert_eq!(students, ["s213"]);
    // Students and programmes do not read the list.
    w.app
        .get(
            "/api/v1/countries/SE/affected",
            Some(&student_token("s211")),
        )
        .await
        .problem(403);

    // From now on a registration there is refused.
    let refused = submit(&w.app, &draft, "s214").await;
    refused.problem(422);
    assert_eq!(
        refused.violations(),
        [("country".to_owned(), "negative_travel_advice".to_owned())]
    );
    // Yellow again: nobody counted.
    let calmer = w
        .app
        .put_json(
            "/api/v1/countries/SE",
            Some(&office),
            &json!({"name": "Sweden", "advice": "yellow"}),
        )
        .await
        .ok();
    assert!(calmer.get("affected_students").is_none(), "{calmer}");
}

#[actix_web::test]
async fn an_accepted_offer_without_dates_counts_as_upcoming_and_a_pending_one_is_refused() {
    let (w, _, offer_of) = crate::offers::drawn(&["s221", "s222"]).await;
    let office = coordinator();
    let accepted = w
        .app
        .post_json(
            &format!("/api/v1/offers/{}/accept", offer_of["s221"]),
            Some(&student_token("s221")),
            &json!({"regulations_accepted": true}),
        )
        .await
        .ok();
    let destination = w
        .app
        .get(
            &format!(
                "/api/v1/destinations/{}",
                accepted["destination_id"].as_str().expect("id")
            ),
            Some(&office),
        )
        .await
        .ok();
    let country = destination["institution"]["country"]
        .as_str()
        .expect("country")
        .to_owned();
    let pending_there = {
        let other = w
            .app
            .get(
                &format!("/api/v1/offers/{}", offer_of["s222"]),
                Some(&office),
            )
            .await
            .ok();
        other["destination_id"] == accepted["destination_id"]
    };
    let turned = w
        .app
        .put_json(
            &format!("/api/v1/countries/{country}"),
            Some(&office),
            &json!({"name": "Somewhere", "advice": "orange"}),
        )
        .await
        .ok();
    assert!(turned["affected_students"].as_u64().expect("a count") >= 1);
    let listed = w
        .app
        .get(
            &format!("/api/v1/countries/{country}/affected"),
            Some(&office),
        )
        .await
        .ok();
    let stay = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["student"] == "s221")
        .expect("s221, whose dates are not known yet, is listed");
    assert_eq!(stay["kind"], "offer");
    assert_eq!(stay["start_date"], Value::Null);
    if pending_there {
        w.app
            .post_json(
                &format!("/api/v1/offers/{}/accept", offer_of["s222"]),
                Some(&student_token("s222")),
                &json!({"regulations_accepted": true}),
            )
            .await
            .problem(409);
    }
    // Once the stay has ended, the student is no longer listed.
    w.app
        .put_json(
            &format!("/api/v1/offers/{}/stay", offer_of["s221"]),
            Some(&student_token("s221")),
            &json!({"start_date": "2026-09-01", "end_date": "2026-12-20",
                    "address": "Somewhere 1", "phone": "+46 70 123 45 67",
                    "emergency_contact": {"name": "A", "phone": "+31 6 1234 5678", "relation": "sister"}}),
        )
        .await
        .ok();
    w.app.set_now(
        NaiveDate::from_ymd_opt(2027, 1, 5)
            .expect("day")
            .and_hms_opt(12, 0, 0)
            .expect("time")
            .and_utc(),
    );
    let later = w
        .app
        .get(
            &format!("/api/v1/countries/{country}/affected"),
            Some(&office),
        )
        .await
        .ok();
    assert!(
        later["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["student"] != "s221"),
        "{later}"
    );
}
