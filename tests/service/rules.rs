//! The submit rules one at a time, at their boundaries, and the call's life cycle
//! around them (`opens_at`, closing), as a student or the office meets them over HTTP.

use crate::scheme::{
    World, choices, deadline, law_call, open_call, student_token, university_wide_call, world,
};
use crate::support::catalogue::programme;
use crate::support::{Response, TestApp, coordinator, faculty_coordinator, programme_token};
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The law call's four required documents.
const LAW_DOCUMENTS: [&str; 4] = ["motivation", "cv", "language_proof", "budget"];

/// A student record: a registered BMS bachelor with 75 EC and a GPA of 7.4, with
/// these fields changed.
async fn record(app: &TestApp, number: &str, changes: &Value) {
    let mut body = json!({
        "name": format!("Student {number}"), "email": format!("{number}@umail.example.nl"),
        "programme": "BMS", "level": "bachelor", "ec": 75, "gpa": 7.4,
        "registered": true, "first_year_diploma": true
    });
    for (field, value) in changes.as_object().expect("an object of changes") {
        body[field] = value.clone();
    }
    app.put_json(
        &format!("/api/v1/students/{number}"),
        Some(&coordinator()),
        &body,
    )
    .await
    .ok();
}

fn application(semester: &str, destinations: &[&str], words: usize) -> Value {
    json!({"semester": semester, "plan_b": false, "choices": choices(destinations, words)})
}

async fn apply(app: &TestApp, call: &str, student: &str, body: &Value) -> Response {
    app.post_json(
        &format!("/api/v1/calls/{call}/applications"),
        Some(&student_token(student)),
        body,
    )
    .await
}

/// Starts a draft and answers its id.
async fn draft(app: &TestApp, call: &str, student: &str, body: &Value) -> String {
    let created = apply(app, call, student, body).await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    created.json()["id"].as_str().expect("id").to_owned()
}

async fn submit(app: &TestApp, id: &str, student: &str) -> Response {
    app.post_json(
        &format!("/api/v1/applications/{id}/submit"),
        Some(&student_token(student)),
        &json!({}),
    )
    .await
}

async fn withdraw(app: &TestApp, id: &str, student: &str) -> Response {
    app.post_json(
        &format!("/api/v1/applications/{id}/withdraw"),
        Some(&student_token(student)),
        &json!({}),
    )
    .await
}

async fn upload(app: &TestApp, id: &str, kind: &str, student: &str) -> Response {
    let request = TestRequest::put()
        .uri(&format!("/api/v1/applications/{id}/documents/{kind}"))
        .insert_header((
            "authorization",
            format!("Bearer {}", student_token(student)),
        ))
        .insert_header(("content-type", "application/pdf"))
        .set_payload(PDF.to_vec());
    app.send(request).await
}

/// The application as the office reads it.
async fn read(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/applications/{id}"), Some(&coordinator()))
        .await
        .ok()
}

/// Every `(field, code)` of a 422, sorted: the rules do not promise an order.
#[track_caller]
fn refused(response: &Response) -> Vec<(String, String)> {
    response.problem(422);
    let mut found = response.violations();
    found.sort();
    found
}

fn expected(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = pairs
        .iter()
        .map(|(field, code)| ((*field).to_owned(), (*code).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

#[track_caller]
fn submitted(response: &Response) {
    assert_eq!(response.ok()["status"], "submitted");
}

/// The university-wide call open at six green destinations and ISEP (min GPA 6.5),
/// with a master's programme beside BMS.
async fn wide() -> (World, String) {
    let w = world().await;
    programme(&w.app, "MBMS", "LUMC", "master").await;
    let mut all: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    all.push(w.isep.as_str());
    let call = open_call(&w.app, &university_wide_call(), &all, false).await;
    (w, call)
}

/// Five of the university-wide destinations (one of them low chance, within the advice).
fn five(w: &World) -> Vec<&str> {
    w.wide[..5].iter().map(String::as_str).collect()
}

/// The law faculty's call open at its one destination, with a master's programme.
async fn law() -> (World, String) {
    let w = world().await;
    programme(&w.app, "LLM", "LAW", "master").await;
    let call = open_call(&w.app, &law_call(), &[w.law.as_str()], true).await;
    (w, call)
}

/// A law student (bachelor, 80 EC unless changed) with a complete draft in the law call.
async fn law_draft(w: &World, call: &str, number: &str, changes: &Value) -> String {
    let mut fields = json!({"programme": "LAW", "ec": 80, "gpa": 7.0});
    for (field, value) in changes.as_object().expect("an object of changes") {
        fields[field] = value.clone();
    }
    record(&w.app, number, &fields).await;
    let body =
        json!({"semester": "spring", "plan_b": false, "choices": [{"destination_id": w.law}]});
    let id = draft(&w.app, call, number, &body).await;
    for kind in LAW_DOCUMENTS {
        upload(&w.app, &id, kind, number).await.ok();
    }
    id
}

async fn law_submitted(w: &World, call: &str, number: &str) -> String {
    let id = law_draft(w, call, number, &json!({})).await;
    submitted(&submit(&w.app, &id, number).await);
    id
}

async fn programme_decides(app: &TestApp, id: &str, approved: bool) -> Response {
    app.post_json(
        &format!("/api/v1/applications/{id}/programme-decision"),
        Some(&programme_token(&["LAW", "LLM"])),
        &json!({"approved": approved, "comment": "decided"}),
    )
    .await
}

async fn review(app: &TestApp, id: &str, outcome: &str) -> Response {
    app.post_json(
        &format!("/api/v1/applications/{id}/review"),
        Some(&faculty_coordinator("LAW")),
        &json!({"outcome": outcome, "note": "reviewed"}),
    )
    .await
}

async fn score(app: &TestApp, id: &str, score: f64) -> Response {
    app.put_json(
        &format!("/api/v1/applications/{id}/score"),
        Some(&faculty_coordinator("LAW")),
        &json!({"score": score}),
    )
    .await
}

async fn close(app: &TestApp, call: &str) -> Response {
    app.post_json(
        &format!("/api/v1/calls/{call}/close"),
        Some(&faculty_coordinator("LAW")),
        &json!({}),
    )
    .await
}

/// Whether a sentence names the number `n` as a number of its own.
fn mentions(detail: &str, n: usize) -> bool {
    detail
        .split(|c: char| !c.is_ascii_digit())
        .any(|token| token == n.to_string())
}

// 1. No destination twice.

#[actix_web::test]
async fn a_destination_chosen_twice_is_refused_at_submit_with_every_other_violation() {
    let (w, call) = wide().await;
    let app = &w.app;
    record(app, "s1", &json!({})).await;
    let d = five(&w);
    let mut body = application("autumn", &[d[0], d[1], d[2], d[3], d[0]], 250);
    body["choices"][1]["motivation"] = json!("because ".repeat(150));

    // A draft may hold it (drafts are work in progress); its eligibility says so already.
    let id = draft(app, &call, "s1", &body).await;
    let reasons: Vec<(String, String)> = read(app, &id).await["eligibility"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| {
            (
                r["field"].as_str().unwrap_or("").to_owned(),
                r["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(
            "choices[4].destination_id".to_owned(),
            "duplicate_destination".to_owned()
        )),
        "{reasons:?}"
    );

    // Submitting names the second occurrence, and the short motivation, at once.
    let response = submit(app, &id, "s1").await;
    assert_eq!(
        refused(&response),
        expected(&[
            ("choices[4].destination_id", "duplicate_destination"),
            ("choices[1].motivation", "motivation_too_short"),
        ])
    );
    assert_eq!(read(app, &id).await["status"], "draft");

    // Fixed: five different destinations, proper motivations.
    app.put_json(
        &format!("/api/v1/applications/{id}"),
        Some(&student_token("s1")),
        &application("autumn", &d, 250),
    )
    .await
    .ok();
    submitted(&submit(app, &id, "s1").await);
}

// 2. Registered this year.

#[actix_web::test]
async fn an_unregistered_student_is_refused_until_registered() {
    let (w, call) = wide().await;
    let app = &w.app;
    record(app, "s1", &json!({"registered": false})).await;
    let id = draft(app, &call, "s1", &application("autumn", &five(&w), 250)).await;
    assert_eq!(
        refused(&submit(app, &id, "s1").await),
        expected(&[("student", "not_registered")])
    );
    assert_eq!(read(app, &id).await["status"], "draft");
    // The information system syncs the registration: the same draft goes through.
    record(app, "s1", &json!({"registered": true})).await;
    submitted(&submit(app, &id, "s1").await);
}

// 3. Motivation word counts.

/// `n` words separated as pasted text is: spaces, line breaks, tabs.
fn pasted(n: usize) -> String {
    (0..n)
        .map(|i| match i % 7 {
            3 => "word\n\n",
            5 => "word\t",
            _ => "word ",
        })
        .collect()
}

#[actix_web::test]
async fn a_motivation_over_max_words_is_refused_and_exactly_max_or_min_passes() {
    let (w, call) = wide().await;
    let app = &w.app;
    record(app, "s1", &json!({})).await;
    let d = five(&w);
    let mut body = application("autumn", &d, 250);
    body["choices"][0]["motivation"] = json!(pasted(300));
    body["choices"][1]["motivation"] = json!(pasted(200));
    body["choices"][2]["motivation"] = json!(pasted(301));
    let id = draft(app, &call, "s1", &body).await;
    let response = submit(app, &id, "s1").await;
    assert_eq!(
        refused(&response),
        expected(&[("choices[2].motivation", "motivation_too_long")])
    );
    assert_eq!(read(app, &id).await["status"], "draft");

    // Cut to exactly 300 words: every motivation is within 200–300.
    body["choices"][2]["motivation"] = json!(pasted(300));
    app.put_json(
        &format!("/api/v1/applications/{id}"),
        Some(&student_token("s1")),
        &body,
    )
    .await
    .ok();
    submitted(&submit(app, &id, "s1").await);
}

// 4. A GPA to compare with.

#[actix_web::test]
async fn no_gpa_is_gpa_missing_on_every_choice_only_where_a_minimum_applies() {
    let w = world().await;
    let app = &w.app;
    let mut all: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    all.push(w.isep.as_str());
    let wide_call = open_call(app, &university_wide_call(), &all, false).await;
    let law_call_id = open_call(app, &law_call(), &[w.law.as_str()], true).await;

    // The university-wide call has a minimum (7.0, ISEP 6.5): each choice needs a GPA.
    record(app, "s1", &json!({"gpa": null, "bachelor_gpa": null})).await;
    let d = five(&w);
    let order = [w.isep.as_str(), d[0], d[1], d[2], d[3]];
    let id = draft(app, &wide_call, "s1", &application("autumn", &order, 250)).await;
    assert_eq!(
        refused(&submit(app, &id, "s1").await),
        expected(&[
            ("choices[0].destination_id", "gpa_missing"),
            ("choices[1].destination_id", "gpa_missing"),
            ("choices[2].destination_id", "gpa_missing"),
            ("choices[3].destination_id", "gpa_missing"),
            ("choices[4].destination_id", "gpa_missing"),
        ])
    );

    // The law call has none: no GPA is no obstacle there.
    let id = law_draft(&w, &law_call_id, "s2", &json!({"gpa": null})).await;
    submitted(&submit(app, &id, "s2").await);
}

#[actix_web::test]
async fn a_masters_bachelor_gpa_counts_while_there_is_no_gpa() {
    let (w, call) = wide().await;
    let app = &w.app;
    let master = json!({"programme": "MBMS", "level": "master", "gpa": null, "bachelor_gpa": 7.0});
    record(app, "m1", &master).await;
    let id = draft(app, &call, "m1", &application("autumn", &five(&w), 250)).await;
    upload(app, &id, "transcript", "m1").await.ok();
    submitted(&submit(app, &id, "m1").await);

    // Below the minimum, the bachelor GPA fails like a GPA would.
    let master = json!({"programme": "MBMS", "level": "master", "gpa": null, "bachelor_gpa": 6.9});
    record(app, "m2", &master).await;
    let id = draft(app, &call, "m2", &application("autumn", &five(&w), 250)).await;
    upload(app, &id, "transcript", "m2").await.ok();
    let found = refused(&submit(app, &id, "m2").await);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(
        found.iter().all(|(_, code)| code == "gpa_below_minimum"),
        "{found:?}"
    );
}

// 5. The transcript rule.

#[actix_web::test]
async fn a_transcript_is_required_of_master_luc_joint_degree_and_studied_elsewhere_students_only() {
    let (w, call) = wide().await;
    let app = &w.app;
    let body = application("autumn", &five(&w), 250);

    // A plain bachelor: no transcript needed.
    record(app, "b1", &json!({})).await;
    let id = draft(app, &call, "b1", &body).await;
    submitted(&submit(app, &id, "b1").await);

    for (number, changes) in [
        ("m1", json!({"programme": "MBMS", "level": "master"})),
        ("l1", json!({"luc": true})),
        ("j1", json!({"joint_degree": true})),
        ("e1", json!({"studied_elsewhere": true})),
    ] {
        record(app, number, &changes).await;
        let id = draft(app, &call, number, &body).await;
        assert_eq!(
            refused(&submit(app, &id, number).await),
            expected(&[("documents.transcript", "document_missing")]),
            "{changes}"
        );
        upload(app, &id, "transcript", number).await.ok();
        submitted(&submit(app, &id, number).await);
    }
}

// 6. EC rules that hold for bachelors only.

#[actix_web::test]
async fn the_law_calls_ec_limits_hold_for_bachelors_at_their_boundaries_and_not_for_masters() {
    let (w, call) = law().await;
    let app = &w.app;
    let master = |ec: i64| json!({"programme": "LLM", "level": "master", "ec": ec, "first_year_diploma": false});
    for (number, changes, violation) in [
        (
            "b91",
            json!({"ec": 91}),
            Some(("student.ec", "ec_above_maximum")),
        ),
        ("b90", json!({"ec": 90}), None),
        ("b60", json!({"ec": 60}), None),
        (
            "b59",
            json!({"ec": 59}),
            Some(("student.ec", "ec_below_minimum")),
        ),
        ("m95", master(95), None),
        ("m30", master(30), None),
    ] {
        let id = law_draft(&w, &call, number, &changes).await;
        let response = submit(app, &id, number).await;
        match violation {
            Some(pair) => assert_eq!(refused(&response), expected(&[pair]), "{changes}"),
            None => assert_eq!(
                response.status,
                200,
                "{changes}: {}",
                String::from_utf8_lossy(&response.body)
            ),
        }
    }
}

// 7. GPA boundaries, and a destination's own minimum per choice.

#[actix_web::test]
async fn a_gpa_exactly_at_the_calls_minimum_passes_and_just_below_fails_on_every_choice() {
    let (w, call) = wide().await;
    let app = &w.app;
    let body = application("autumn", &five(&w), 250);
    record(app, "g70", &json!({"gpa": 7.0})).await;
    let id = draft(app, &call, "g70", &body).await;
    submitted(&submit(app, &id, "g70").await);

    record(app, "g69", &json!({"gpa": 6.9})).await;
    let id = draft(app, &call, "g69", &body).await;
    assert_eq!(
        refused(&submit(app, &id, "g69").await),
        expected(&[
            ("choices[0].destination_id", "gpa_below_minimum"),
            ("choices[1].destination_id", "gpa_below_minimum"),
            ("choices[2].destination_id", "gpa_below_minimum"),
            ("choices[3].destination_id", "gpa_below_minimum"),
            ("choices[4].destination_id", "gpa_below_minimum"),
        ])
    );
}

#[actix_web::test]
async fn a_destinations_min_gpa_applies_to_its_choice_alone_at_its_boundary() {
    let (w, call) = wide().await;
    let app = &w.app;
    let d = five(&w);
    // ISEP (6.5) third, the call's 7.0 everywhere else.
    let body = application("spring", &[d[0], d[1], w.isep.as_str(), d[2], d[3]], 250);
    let others = [
        ("choices[0].destination_id", "gpa_below_minimum"),
        ("choices[1].destination_id", "gpa_below_minimum"),
        ("choices[3].destination_id", "gpa_below_minimum"),
        ("choices[4].destination_id", "gpa_below_minimum"),
    ];

    record(app, "i65", &json!({"gpa": 6.5})).await;
    let id = draft(app, &call, "i65", &body).await;
    assert_eq!(refused(&submit(app, &id, "i65").await), expected(&others));

    record(app, "i64", &json!({"gpa": 6.4})).await;
    let id = draft(app, &call, "i64", &body).await;
    let mut all = others.to_vec();
    all.push(("choices[2].destination_id", "gpa_below_minimum"));
    assert_eq!(refused(&submit(app, &id, "i64").await), expected(&all));

    // Only ISEP chosen (a call of one choice would allow it): 6.5 is enough there.
    let mut one = university_wide_call();
    one["name"] = json!("ISEP only");
    one["min_choices"] = json!(1);
    let isep_call = open_call(app, &one, &[w.isep.as_str()], false).await;
    let id = draft(
        app,
        &isep_call,
        "i65",
        &application("autumn", &[w.isep.as_str()], 250),
    )
    .await;
    submitted(&submit(app, &id, "i65").await);
}

// 8. The semester must be one of the call's.

#[actix_web::test]
async fn a_semester_the_call_does_not_offer_is_refused_at_submit() {
    let w = world().await;
    let app = &w.app;
    let d = five(&w);
    // A spring-only round: places in spring only.
    let mut body = university_wide_call();
    body["name"] = json!("University-wide exchange 2027-28, spring round");
    body["semesters"] = json!(["spring"]);
    let created = app
        .post_json("/api/v1/calls", Some(&coordinator()), &body)
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let call = created.json()["id"].as_str().expect("id").to_owned();
    let places: Vec<Value> = d
        .iter()
        .map(|id| json!({"destination_id": id, "semester": "spring", "places": 2}))
        .collect();
    app.put_json(
        &format!("/api/v1/calls/{call}/places"),
        Some(&coordinator()),
        &json!(places),
    )
    .await
    .ok();
    app.post_json(
        &format!("/api/v1/calls/{call}/open"),
        Some(&coordinator()),
        &json!({}),
    )
    .await
    .ok();

    record(app, "s1", &json!({})).await;
    let id = draft(app, &call, "s1", &application("autumn", &d, 250)).await;
    assert_eq!(
        refused(&submit(app, &id, "s1").await),
        expected(&[
            ("semester", "semester_not_in_call"),
            ("choices[0].destination_id", "destination_not_in_call"),
            ("choices[1].destination_id", "destination_not_in_call"),
            ("choices[2].destination_id", "destination_not_in_call"),
            ("choices[3].destination_id", "destination_not_in_call"),
            ("choices[4].destination_id", "destination_not_in_call"),
        ])
    );
    assert_eq!(read(app, &id).await["status"], "draft");

    app.put_json(
        &format!("/api/v1/applications/{id}"),
        Some(&student_token("s1")),
        &application("spring", &d, 250),
    )
    .await
    .ok();
    submitted(&submit(app, &id, "s1").await);
}

// 9. Nothing before `opens_at`.

/// The fixture calls' `opens_at`, 2026-11-01T09:00:00+01:00.
fn opens_at() -> DateTime<Utc> {
    "2026-11-01T08:00:00Z".parse().expect("time")
}

/// The university-wide call as a draft with places, answering its id.
async fn draft_call(w: &World) -> String {
    let app = &w.app;
    let created = app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &university_wide_call(),
        )
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let call = created.json()["id"].as_str().expect("id").to_owned();
    let places: Vec<Value> = five(w)
        .iter()
        .flat_map(|d| {
            ["autumn", "spring"].map(|s| json!({"destination_id": d, "semester": s, "places": 2}))
        })
        .collect();
    app.put_json(
        &format!("/api/v1/calls/{call}/places"),
        Some(&coordinator()),
        &json!(places),
    )
    .await
    .ok();
    call
}

#[actix_web::test]
async fn a_call_cannot_be_opened_before_its_opens_at() {
    let w = world().await;
    let app = &w.app;
    let call = draft_call(&w).await;
    let open = format!("/api/v1/calls/{call}/open");
    for early in [
        opens_at() - Duration::days(7),
        opens_at() - Duration::seconds(1),
    ] {
        app.set_now(early);
        app.post_json(&open, Some(&coordinator()), &json!({}))
            .await
            .problem(409);
        assert_eq!(
            app.get(&format!("/api/v1/calls/{call}"), Some(&coordinator()))
                .await
                .ok()["status"],
            "draft"
        );
    }
    app.set_now(opens_at());
    assert_eq!(
        app.post_json(&open, Some(&coordinator()), &json!({}))
            .await
            .ok()["status"],
        "open"
    );
}

#[actix_web::test]
async fn an_application_before_opens_at_is_refused() {
    let w = world().await;
    let app = &w.app;
    let call = draft_call(&w).await;
    // Opened on time; then a request arrives stamped before `opens_at` (a call opened
    // before the rule existed is in the same state).
    app.set_now(opens_at());
    app.post_json(
        &format!("/api/v1/calls/{call}/open"),
        Some(&coordinator()),
        &json!({}),
    )
    .await
    .ok();
    record(app, "s1", &json!({})).await;
    let body = application("autumn", &five(&w), 250);
    app.set_now(opens_at() - Duration::seconds(1));
    apply(app, &call, "s1", &body).await.problem(409);
    let mine = app
        .get("/api/v1/applications", Some(&student_token("s1")))
        .await
        .ok();
    assert_eq!(mine["items"], json!([]), "nothing was created");
    app.set_now(opens_at());
    assert_eq!(apply(app, &call, "s1", &body).await.status, 201);
}

// 10. Another student's application: not found, and untouched.

#[actix_web::test]
async fn another_students_writes_are_404_and_change_nothing() {
    let (w, call) = wide().await;
    let app = &w.app;
    record(app, "s1", &json!({})).await;
    record(app, "s2", &json!({})).await;
    let d = five(&w);
    let mine = draft(app, &call, "s1", &application("autumn", &d, 250)).await;
    // The intruder has an application in the same call.
    draft(app, &call, "s2", &application("spring", &d, 250)).await;
    let path = format!("/api/v1/applications/{mine}");
    let unknown = app
        .post_json(
            "/api/v1/applications/00000000-0000-0000-0000-000000000000/withdraw",
            Some(&student_token("s2")),
            &json!({}),
        )
        .await
        .problem(404);

    let (path_ref, mine_ref) = (&path, &mine);
    let reads = move || async move {
        (
            app.get(path_ref, Some(&student_token("s1"))).await.ok(),
            read(app, mine_ref).await,
        )
    };
    let other = student_token("s2");
    let changed = application("spring", &[d[4], d[3], d[2], d[1], d[0]], 250);

    // A draft (one that would pass): PUT, submit, withdraw.
    let before = reads().await;
    assert_eq!(before.0["status"], "draft");
    for response in [
        app.put_json(&path, Some(&other), &changed).await,
        app.post_json(&format!("{path}/submit"), Some(&other), &json!({}))
            .await,
        app.post_json(&format!("{path}/withdraw"), Some(&other), &json!({}))
            .await,
    ] {
        let problem = response.problem(404);
        assert_eq!(
            problem["detail"], unknown["detail"],
            "indistinguishable from no application at all"
        );
    }
    assert_eq!(reads().await, before);

    // Submitted: withdrawing someone else's is as impossible.
    submitted(&submit(app, &mine, "s1").await);
    let before = reads().await;
    app.post_json(&format!("{path}/withdraw"), Some(&other), &json!({}))
        .await
        .problem(404);
    app.put_json(&path, Some(&other), &changed)
        .await
        .problem(404);
    assert_eq!(reads().await, before);
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=application&entity_id={mine}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(actions, ["application.submitted", "application.created"]);
}

// 11. Closing: only with every decision made, and then everything is frozen.

#[actix_web::test]
async fn closing_waits_until_every_submitted_application_has_its_final_decision() {
    let (w, call) = law().await;
    let app = &w.app;
    let waiting_submitted = law_submitted(&w, &call, "w1").await;
    let waiting_approved = law_submitted(&w, &call, "w2").await;
    let waiting_contact = law_submitted(&w, &call, "w3").await;
    let waiting_unscored = law_submitted(&w, &call, "w4").await;
    let rejected_by_programme = law_submitted(&w, &call, "d1").await;
    let eligible_scored = law_submitted(&w, &call, "d2").await;
    let rejected_by_office = law_submitted(&w, &call, "d3").await;
    // Neither a leftover draft nor a withdrawn application waits for anything.
    law_draft(&w, &call, "d4", &json!({})).await;
    let withdrawn = law_submitted(&w, &call, "d5").await;
    withdraw(app, &withdrawn, "d5").await.ok();

    app.set_now(deadline() + Duration::hours(1));
    for id in [
        &waiting_approved,
        &waiting_contact,
        &waiting_unscored,
        &eligible_scored,
        &rejected_by_office,
    ] {
        programme_decides(app, id, true).await.ok();
    }
    programme_decides(app, &rejected_by_programme, false)
        .await
        .ok();
    review(app, &waiting_contact, "contact").await.ok();
    review(app, &waiting_unscored, "eligible").await.ok();
    score(app, &eligible_scored, 8.0).await.ok();
    review(app, &eligible_scored, "eligible").await.ok();
    review(app, &rejected_by_office, "rejected").await.ok();

    let call_path = format!("/api/v1/calls/{call}");
    let mut waiting = 4;
    let (call_ref, call_path_ref) = (&call, &call_path);
    let refused_close = move || async move {
        let problem = close(app, call_ref).await.problem(409);
        let detail = problem["detail"].as_str().unwrap_or("").to_owned();
        let status = app.get(call_path_ref, Some(&coordinator())).await.ok();
        (detail, status)
    };
    let (detail, status) = refused_close().await;
    assert!(mentions(&detail, waiting), "{waiting} wait: {detail}");
    assert_eq!(status["status"], "open");
    assert!(status["commitment"].is_null(), "{status}");

    // Settled one at a time, the count goes down.
    programme_decides(app, &waiting_submitted, false).await.ok();
    waiting -= 1;
    let (detail, _) = refused_close().await;
    assert!(mentions(&detail, waiting), "{waiting} wait: {detail}");
    review(app, &waiting_approved, "rejected").await.ok();
    waiting -= 1;
    let (detail, _) = refused_close().await;
    assert!(mentions(&detail, waiting), "{waiting} wait: {detail}");
    review(app, &waiting_contact, "rejected").await.ok();
    waiting -= 1;
    // Eligible but unscored still waits in a ranking call.
    let (detail, _) = refused_close().await;
    assert!(mentions(&detail, waiting), "{waiting} wait: {detail}");
    score(app, &waiting_unscored, 6.5).await.ok();

    let closed = close(app, &call).await.ok();
    assert_eq!(closed["status"], "closed");
    assert!(closed["commitment"].is_string(), "{closed}");
}

/// A closed law call: one eligible (scored), one rejected by its programme, one draft
/// left over; the clock an hour past the deadline.
struct Closed {
    w: World,
    call: String,
    eligible: String,
    rejected: String,
    leftover: String,
}

async fn closed_law_call() -> Closed {
    let (w, call) = law().await;
    let app = &w.app;
    let eligible = law_submitted(&w, &call, "c1").await;
    let rejected = law_submitted(&w, &call, "c2").await;
    let leftover = law_draft(&w, &call, "c3", &json!({})).await;
    record(app, "c4", &json!({"programme": "LAW", "ec": 80})).await;
    app.set_now(deadline() + Duration::hours(1));
    programme_decides(app, &eligible, true).await.ok();
    score(app, &eligible, 8.0).await.ok();
    review(app, &eligible, "eligible").await.ok();
    programme_decides(app, &rejected, false).await.ok();
    assert_eq!(close(app, &call).await.ok()["status"], "closed");
    Closed {
        w,
        call,
        eligible,
        rejected,
        leftover,
    }
}

impl Closed {
    /// Every application and the call's places, as the office reads them.
    async fn snapshot(&self) -> Vec<Value> {
        let app = &self.w.app;
        let mut all = Vec::new();
        for id in [&self.eligible, &self.rejected, &self.leftover] {
            all.push(read(app, id).await);
        }
        all.push(
            app.get(
                &format!("/api/v1/calls/{}/places", self.call),
                Some(&coordinator()),
            )
            .await
            .ok(),
        );
        all.push(
            app.get("/api/v1/applications?limit=500", Some(&coordinator()))
                .await
                .ok(),
        );
        all
    }
}

/// The attempts that were not refused with 409, with what they answered.
fn not_conflicts(attempts: Vec<(&str, Response)>) -> Vec<String> {
    attempts
        .into_iter()
        .filter(|(_, r)| r.status != 409)
        .map(|(what, r)| format!("{what}: {} {}", r.status, String::from_utf8_lossy(&r.body)))
        .collect()
}

#[actix_web::test]
async fn after_close_no_student_write_goes_through() {
    let closed = closed_law_call().await;
    let app = &closed.w.app;
    let before = closed.snapshot().await;
    let (eligible, rejected, leftover) = (&closed.eligible, &closed.rejected, &closed.leftover);
    let body = json!({"semester": "autumn", "plan_b": true, "choices": [{"destination_id": closed.w.law}]});
    let attempts = vec![
        (
            "withdraw the eligible one",
            withdraw(app, eligible, "c1").await,
        ),
        (
            "withdraw the one its programme rejected",
            withdraw(app, rejected, "c2").await,
        ),
        (
            "withdraw the leftover draft",
            withdraw(app, leftover, "c3").await,
        ),
        (
            "update the leftover draft",
            app.put_json(
                &format!("/api/v1/applications/{leftover}"),
                Some(&student_token("c3")),
                &body,
            )
            .await,
        ),
        (
            "submit the leftover draft",
            submit(app, leftover, "c3").await,
        ),
        (
            "upload to the leftover draft",
            upload(app, leftover, "cv", "c3").await,
        ),
        (
            "upload to the eligible one",
            upload(app, eligible, "cv", "c1").await,
        ),
        (
            "create a new application",
            apply(app, &closed.call, "c4", &body).await,
        ),
    ];
    for (_, response) in &attempts {
        if response.status == 409 {
            response.problem(409);
        }
    }
    let wrong = not_conflicts(attempts);
    let after = closed.snapshot().await;
    assert!(wrong.is_empty(), "not refused with 409: {wrong:#?}");
    assert_eq!(after, before, "a refused write changed nothing");
}

#[actix_web::test]
async fn after_close_no_decision_review_score_or_place_changes() {
    let closed = closed_law_call().await;
    let app = &closed.w.app;
    let before = closed.snapshot().await;
    let (eligible, rejected) = (&closed.eligible, &closed.rejected);
    let places = json!([{"destination_id": closed.w.law, "semester": "spring", "places": 5}]);
    let attempts = vec![
        (
            "programme decision on the one it rejected",
            programme_decides(app, rejected, true).await,
        ),
        (
            "programme decision on the eligible one",
            programme_decides(app, eligible, false).await,
        ),
        (
            "review of the eligible one",
            review(app, eligible, "rejected").await,
        ),
        (
            "review of the rejected one",
            review(app, rejected, "eligible").await,
        ),
        ("score of the eligible one", score(app, eligible, 9.5).await),
        ("score of the rejected one", score(app, rejected, 9.5).await),
        (
            "the call's places",
            app.put_json(
                &format!("/api/v1/calls/{}/places", closed.call),
                Some(&faculty_coordinator("LAW")),
                &places,
            )
            .await,
        ),
    ];
    for (_, response) in &attempts {
        if response.status == 409 {
            response.problem(409);
        }
    }
    let wrong = not_conflicts(attempts);
    let after = closed.snapshot().await;
    assert!(wrong.is_empty(), "not refused with 409: {wrong:#?}");
    assert_eq!(after, before, "a refused write changed nothing");
}
