//! Applications end to end: both schemes, every gate, deadlines, races, visibility.

use crate::scheme::{
    World, before_deadline, choices, deadline, law_call, open_call, student_record, student_token,
    university_wide_call, world, world_with,
};
use crate::support::{
    TestApp, coordinator, faculty_coordinator, json_request, jwt_settings, programme_token,
};
use abroad_storage::test_db::TestDb;
use actix_web::test::TestRequest;
use chrono::Duration;
use diesel::connection::InstrumentationEvent;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(
    app: &TestApp,
    id: &str,
    kind: &str,
    owner: &str,
    body: &[u8],
    content_type: &str,
) -> crate::support::Response {
    let request = TestRequest::put()
        .uri(&format!("/api/v1/applications/{id}/documents/{kind}"))
        .insert_header(("authorization", format!("Bearer {}", student_token(owner))))
        .insert_header(("content-type", content_type))
        .set_payload(body.to_vec());
    app.send(request).await
}

/// The university-wide call open, with a BMS student s1 (75 EC, GPA 7.4).
pub(crate) async fn wide_world() -> (World, String) {
    let w = world().await;
    let mut all: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    all.extend([w.isep.as_str(), w.unsafe_one.as_str()]);
    let call = open_call(&w.app, &university_wide_call(), &all, false).await;
    student_record(&w.app, "s1", "BMS", 75, 7.4).await;
    (w, call)
}

async fn apply(app: &TestApp, call: &str, student: &str, body: &Value) -> crate::support::Response {
    app.post_json(
        &format!("/api/v1/calls/{call}/applications"),
        Some(&student_token(student)),
        body,
    )
    .await
}

#[actix_web::test]
async fn the_university_wide_scheme_end_to_end() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();

    // A draft with four choices and thin motivations.
    let body = json!({"semester": "autumn", "plan_b": true, "choices": choices(&wide[..4], 150)});
    let created = apply(app, &call, "s1", &body).await;
    assert_eq!(created.status, 201);
    let draft = created.json();
    let id = draft["id"].as_str().expect("id").to_owned();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["eligibility"]["ok"], false);
    let path = format!("/api/v1/applications/{id}");

    // Submitting it reports every violation at once, and changes nothing.
    let refused = app
        .post_json(
            &format!("{path}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await;
    refused.problem(422);
    let codes: Vec<_> = refused.violations().into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "motivation_too_short")
            .count(),
        4
    );
    assert!(codes.contains(&"too_few_choices".to_owned()));
    assert_eq!(
        app.get(&path, Some(&student_token("s1"))).await.ok()["status"],
        "draft"
    );

    // Fixed: six choices, three of them low chance (only a warning), proper motivations.
    let fixed = json!({"semester": "autumn", "plan_b": true, "choices": choices(&[wide[4], wide[5], wide[0], wide[1], wide[2], wide[3]], 250)});
    let mut fixed = fixed;
    fixed["choices"]
        .as_array_mut()
        .expect("choices")
        .push(json!({"destination_id": w.isep, "motivation": "because ".repeat(250)}));
    let updated = app
        .put_json(&path, Some(&student_token("s1")), &fixed)
        .await
        .ok();
    assert_eq!(updated["eligibility"], json!({"ok": true, "reasons": []}));
    let submitted = app
        .post_json(
            &format!("{path}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["choices"][0]["rank"], 1);
    assert_eq!(submitted["choices"][0]["destination_id"], wide[4]);
    assert!(
        submitted["warnings"]
            .as_array()
            .expect("warnings")
            .is_empty(),
        "two low-chance choices are within the advice"
    );

    // Once submitted, the draft is closed to edits.
    app.put_json(&path, Some(&student_token("s1")), &fixed)
        .await
        .problem(409);
    app.post_json(
        &format!("{path}/submit"),
        Some(&student_token("s1")),
        &json!({}),
    )
    .await
    .problem(409);

    // The programme approves; the office reviews.
    app.post_json(
        &format!("{path}/programme-decision"),
        Some(&programme_token(&["LAW"])),
        &json!({"approved": true}),
    )
    .await
    .problem(404);
    let approved = app
        .post_json(
            &format!("{path}/programme-decision"),
            Some(&programme_token(&["BMS"])),
            &json!({"approved": true, "comment": "Fine by us"}),
        )
        .await
        .ok();
    assert_eq!(approved["status"], "approved");
    let contact = app
        .post_json(
            &format!("{path}/review"),
            Some(&coordinator()),
            &json!({"outcome": "contact", "note": "Talk about housing"}),
        )
        .await
        .ok();
    assert_eq!(contact["status"], "contact");
    let eligible = app
        .post_json(
            &format!("{path}/review"),
            Some(&coordinator()),
            &json!({"outcome": "eligible"}),
        )
        .await
        .ok();
    assert_eq!(eligible["status"], "eligible");
    app.post_json(
        &format!("{path}/review"),
        Some(&coordinator()),
        &json!({"outcome": "rejected"}),
    )
    .await
    .problem(409);
    // A lottery call takes no scores.
    app.put_json(
        &format!("{path}/score"),
        Some(&coordinator()),
        &json!({"score": 8}),
    )
    .await
    .problem(409);

    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=application&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "application.reviewed",
            "application.reviewed",
            "application.programme_decision",
            "application.submitted",
            "application.updated",
            "application.created"
        ]
    );
}

#[actix_web::test]
async fn more_low_chance_choices_than_advised_warn_but_submit() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    // Make a third destination low chance.
    app.patch_json(
        &format!("/api/v1/destinations/{}", wide[0]),
        Some(&coordinator()),
        &json!({"chance": "low"}),
    )
    .await
    .ok();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..6], 250)});
    let id = apply(app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let submitted = app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["warnings"][0]["code"], "many_low_chance_choices");
}

#[actix_web::test]
async fn the_rules_that_need_the_catalogue_are_checked_at_submit() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    student_record(app, "s2", "BMS", 75, 6.6).await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    // GPA 6.6: below the call's 7.0, above ISEP's 6.5; Israel is under orange advice;
    // the law-faculty destination is not among the call's places.
    let order = [
        w.isep.as_str(),
        wide[0],
        w.unsafe_one.as_str(),
        w.law.as_str(),
        wide[1],
    ];
    let body = json!({"semester": "spring", "plan_b": false, "choices": choices(&order, 250)});
    let id = apply(app, &call, "s2", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let refused = app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token("s2")),
            &json!({}),
        )
        .await;
    refused.problem(422);
    let found = refused.violations();
    let has = |field: &str, code: &str| found.contains(&(field.to_owned(), code.to_owned()));
    assert!(
        !found.iter().any(|(f, _)| f.starts_with("choices[0]")),
        "ISEP's own 6.5 applies: {found:?}"
    );
    assert!(
        has("choices[1].destination_id", "gpa_below_minimum"),
        "{found:?}"
    );
    assert!(
        has("choices[2].destination_id", "negative_travel_advice"),
        "{found:?}"
    );
    assert!(
        has("choices[3].destination_id", "destination_not_in_call"),
        "{found:?}"
    );
    assert!(
        has("choices[4].destination_id", "gpa_below_minimum"),
        "{found:?}"
    );
}

#[actix_web::test]
async fn one_active_application_per_student_per_call() {
    let (w, call) = wide_world().await;
    let body = json!({"semester": "autumn", "plan_b": false, "choices": []});
    let first = apply(&w.app, &call, "s1", &body).await.json();
    apply(&w.app, &call, "s1", &body).await.problem(409);
    let id = first["id"].as_str().expect("id");
    w.app
        .post_json(
            &format!("/api/v1/applications/{id}/withdraw"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(
        apply(&w.app, &call, "s1", &body).await.status,
        201,
        "after withdrawing, a new one may start"
    );
    w.app
        .post_json(
            &format!("/api/v1/applications/{id}/withdraw"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .problem(409);
}

#[actix_web::test]
async fn the_deadline_holds_to_the_second() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    student_record(app, "s2", "BMS", 75, 7.4).await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let early = apply(app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let late = apply(app, &call, "s2", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // One second before: accepted.
    app.set_now(deadline() - Duration::seconds(1));
    assert_eq!(
        app.post_json(
            &format!("/api/v1/applications/{early}/submit"),
            Some(&student_token("s1")),
            &json!({})
        )
        .await
        .ok()["status"],
        "submitted"
    );
    // One second after: creating, editing, uploading and submitting are all refused, and nothing changes.
    app.set_now(deadline() + Duration::seconds(1));
    let refused = app
        .post_json(
            &format!("/api/v1/applications/{late}/submit"),
            Some(&student_token("s2")),
            &json!({}),
        )
        .await
        .problem(409);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or("")
            .contains("deadline"),
        "{refused}"
    );
    app.put_json(
        &format!("/api/v1/applications/{late}"),
        Some(&student_token("s2")),
        &body,
    )
    .await
    .problem(409);
    upload(app, &late, "transcript", "s2", PDF, "application/pdf")
        .await
        .problem(409);
    student_record(app, "s3", "BMS", 75, 7.4).await;
    apply(app, &call, "s3", &body).await.problem(409);
    let unchanged = app
        .get(
            &format!("/api/v1/applications/{late}"),
            Some(&student_token("s2")),
        )
        .await
        .ok();
    assert_eq!(unchanged["status"], "draft");
    assert_eq!(unchanged["documents"], json!([]));
    // Exactly at the deadline still counts as on time.
    app.set_now(deadline());
    assert_eq!(
        app.post_json(
            &format!("/api/v1/applications/{late}/submit"),
            Some(&student_token("s2")),
            &json!({})
        )
        .await
        .ok()["status"],
        "submitted"
    );
}

/// The quick way of a submit reads, then writes only if the application's row is the
/// version it read. A document uploaded in between writes that row, so the quick way
/// stands aside and the careful way submits what is stored now, the new CV included.
/// Without the upload writing the row, the quick write would go through on a stale read.
#[actix_web::test]
async fn a_document_uploaded_between_the_quick_read_and_write_sends_the_submit_the_careful_way() {
    use abroad_domain::DocumentKind;
    use abroad_storage::applications;
    use abroad_storage::audit::Actor;
    use abroad_storage::documents::{Upload, put_document};

    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let id = apply(&w.app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    upload(&w.app, &id, "transcript", "s1", PDF, "application/pdf")
        .await
        .ok();
    let uuid: uuid::Uuid = id.parse().expect("uuid");
    let student = Actor {
        sub: "s1".to_owned(),
        role: "student".to_owned(),
        request_id: None,
    };
    let at = before_deadline();
    let (mut reader, mut other) = (w.app.db.connect(), w.app.db.connect());
    let passes = |_: &applications::Facts| Ok(Vec::new());
    let quick =
        applications::submit_quickly_with(&mut reader, &student, uuid, "s1", at, passes, || {
            let cv = Upload {
                kind: DocumentKind::Cv,
                content: PDF,
                sha256: &"0".repeat(64),
            };
            put_document(&mut other, &student, uuid, "s1", &cv, || at).expect("upload");
        })
        .expect("no error");
    assert!(quick.is_none(), "the quick way wrote on a stale read");
    let stored = w
        .app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&student_token("s1")),
        )
        .await
        .ok();
    assert_eq!(stored["status"], "draft");
    let submitted = w
        .app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    let kinds: Vec<&str> = submitted["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["cv", "transcript"]);

    // With nothing in between, the quick way submits by itself.
    student_record(&w.app, "s2", "BMS", 75, 7.4).await;
    let second = apply(&w.app, &call, "s2", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .parse::<uuid::Uuid>()
        .expect("uuid");
    let s2 = Actor {
        sub: "s2".to_owned(),
        ..student
    };
    let (record, _) =
        applications::submit_quickly_with(&mut reader, &s2, second, "s2", at, passes, || ())
            .expect("no error")
            .expect("the quick way submits");
    assert_eq!(record.application.status, "submitted");
}

/// Two more changes between the quick read and write that must send a submit the
/// careful way: the call's places changed (the row of the call is written, so its
/// version differs), and the application's row held by another transaction (the quick
/// write never waits for it; with a lock timeout on the reader, waiting would fail).
#[actix_web::test]
async fn a_places_change_or_a_held_row_between_the_quick_read_and_write_sends_the_submit_the_careful_way()
 {
    use abroad_domain::Semester;
    use abroad_storage::audit::Actor;
    use abroad_storage::calls::{Place, put_places};
    use abroad_storage::{Viewer, applications};

    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    student_record(&w.app, "s2", "BMS", 75, 7.4).await;
    let mut drafts = Vec::new();
    for student in ["s1", "s2"] {
        let id = apply(&w.app, &call, student, &body).await.json()["id"]
            .as_str()
            .expect("id")
            .to_owned();
        upload(&w.app, &id, "transcript", student, PDF, "application/pdf")
            .await
            .ok();
        drafts.push(id);
    }
    let at = before_deadline();
    let actor = |sub: &str, role: &str| Actor {
        sub: sub.to_owned(),
        role: role.to_owned(),
        request_id: None,
    };
    let (mut reader, mut other) = (w.app.db.connect(), w.app.db.connect());
    diesel::sql_query("SET lock_timeout = '2s'")
        .execute(&mut reader)
        .expect("lock timeout");
    let passes = |_: &applications::Facts| Ok(Vec::new());

    // The office takes the first choice out of the call's autumn places.
    let places: Vec<Place> = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/places"),
            Some(&coordinator()),
        )
        .await
        .ok()
        .as_array()
        .expect("places")
        .iter()
        .filter(|p| !(p["destination_id"] == wide[0] && p["semester"] == "autumn"))
        .map(|p| Place {
            destination_id: p["destination_id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
            semester: p["semester"]
                .as_str()
                .expect("semester")
                .parse::<Semester>()
                .expect("semester"),
            places: u32::try_from(p["places"].as_u64().expect("places")).expect("u32"),
        })
        .collect();
    let call_id: uuid::Uuid = call.parse().expect("uuid");
    let quick = applications::submit_quickly_with(
        &mut reader,
        &actor("s1", "student"),
        drafts[0].parse().expect("uuid"),
        "s1",
        at,
        passes,
        || {
            let office = actor("office-1", "coordinator");
            put_places(
                &mut other,
                &office,
                call_id,
                &Viewer::Everyone,
                &places,
                || at,
            )
            .expect("places");
        },
    )
    .expect("no error");
    assert!(
        quick.is_none(),
        "the quick way wrote on a stale read of the call"
    );
    let refused = w
        .app
        .post_json(
            &format!("/api/v1/applications/{}/submit", drafts[0]),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        String::from_utf8_lossy(&refused.body).contains("destination_not_in_call"),
        "{}",
        String::from_utf8_lossy(&refused.body)
    );

    // Another transaction holds the second application's row.
    let quick = applications::submit_quickly_with(
        &mut reader,
        &actor("s2", "student"),
        drafts[1].parse().expect("uuid"),
        "s2",
        at,
        passes,
        || {
            diesel::sql_query("BEGIN")
                .execute(&mut other)
                .expect("begin");
            diesel::sql_query(format!(
                "SELECT 1 FROM applications WHERE id = '{}' FOR UPDATE",
                drafts[1]
            ))
            .execute(&mut other)
            .expect("hold the application");
        },
    )
    .expect("the quick way never waits for the held row");
    assert!(quick.is_none(), "the quick way wrote past a held row");
    diesel::sql_query("ROLLBACK")
        .execute(&mut other)
        .expect("release");
    let stored = w
        .app
        .get(
            &format!("/api/v1/applications/{}", drafts[1]),
            Some(&student_token("s2")),
        )
        .await
        .ok();
    assert_eq!(stored["status"], "draft");
}

#[actix_web::test]
async fn two_submits_at_once_make_one_submission() {
    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let id = apply(&w.app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/applications/{id}/submit");
    let token = student_token("s1");
    let attempts = (0..8)
        .map(|_| json_request(TestRequest::post(), &path, Some(&token), &json!({})))
        .collect();
    let mut statuses: Vec<u16> = w
        .app
        .send_concurrently(attempts)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
    let audit = w
        .app
        .get(
            &format!("/api/v1/audit?entity_type=application&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let submits = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "application.submitted")
        .count();
    assert_eq!(submits, 1);
}

#[actix_web::test]
async fn two_decisions_at_once_cannot_both_win() {
    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let id = apply(&w.app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    w.app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    let path = format!("/api/v1/applications/{id}/programme-decision");
    let token = programme_token(&["BMS"]);
    let (yes, no) = (
        json!({"approved": true}),
        json!({"approved": false, "comment": "no"}),
    );
    let decisions = (0..8)
        .map(|i| {
            json_request(
                TestRequest::post(),
                &path,
                Some(&token),
                if i % 2 == 0 { &yes } else { &no },
            )
        })
        .collect();
    let responses = w.app.send_concurrently(decisions).await;
    let winners: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one decision wins");
    assert!(responses.iter().all(|r| r.status == 200 || r.status == 409));
    let winner = winners[0].json();
    let stored = w
        .app
        .get(&format!("/api/v1/applications/{id}"), Some(&coordinator()))
        .await
        .ok();
    assert_eq!(stored["status"], winner["status"]);
}

#[actix_web::test]
async fn each_caller_sees_only_what_is_theirs() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    student_record(app, "s2", "LAW", 75, 7.4).await;
    let body = json!({"semester": "autumn", "plan_b": false, "choices": []});
    let mine = apply(app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let theirs = apply(app, &call, "s2", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/v1/applications/{mine}");

    // Another student: 404 on every door.
    let other = student_token("s2");
    app.get(&path, Some(&other)).await.problem(404);
    app.put_json(&path, Some(&other), &body).await.problem(404);
    app.post_json(&format!("{path}/submit"), Some(&other), &json!({}))
        .await
        .problem(404);
    app.post_json(&format!("{path}/withdraw"), Some(&other), &json!({}))
        .await
        .problem(404);
    upload(app, &mine, "cv", "s2", PDF, "application/pdf")
        .await
        .problem(404);
    // Another programme, and a faculty coordinator of another faculty: 404.
    app.get(&path, Some(&programme_token(&["LAW"])))
        .await
        .problem(404);
    app.get(&path, Some(&faculty_coordinator("LAW")))
        .await
        .problem(404);
    // The student's own programme and the office: yes.
    app.get(&path, Some(&programme_token(&["BMS"]))).await.ok();
    app.get(&path, Some(&coordinator())).await.ok();

    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(
        ids(app
            .get("/api/v1/applications", Some(&student_token("s1")))
            .await
            .ok()),
        [mine.as_str()]
    );
    assert_eq!(
        ids(app
            .get("/api/v1/applications", Some(&programme_token(&["LAW"])))
            .await
            .ok()),
        [theirs.as_str()]
    );
    assert_eq!(
        ids(app
            .get("/api/v1/applications", Some(&faculty_coordinator("LAW")))
            .await
            .ok()),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(app
            .get("/api/v1/applications?programme=BMS", Some(&coordinator()))
            .await
            .ok()),
        [mine.as_str()]
    );
    assert_eq!(
        ids(app
            .get(
                &format!("/api/v1/applications?call_id={call}&status=draft"),
                Some(&coordinator())
            )
            .await
            .ok())
        .len(),
        2
    );
    assert_eq!(
        ids(app
            .get(
                "/api/v1/applications?status=submitted",
                Some(&coordinator())
            )
            .await
            .ok())
        .len(),
        0
    );
    app.get("/api/v1/applications?status=pending", Some(&coordinator()))
        .await
        .problem(400);
    // Roles that may never do a step: 403.
    app.post_json(
        &format!("{path}/review"),
        Some(&student_token("s1")),
        &json!({"outcome": "eligible"}),
    )
    .await
    .problem(403);
    app.post_json(
        &format!("{path}/programme-decision"),
        Some(&coordinator()),
        &json!({"approved": true}),
    )
    .await
    .problem(403);
    app.post_json(
        &format!("/api/v1/calls/{call}/applications"),
        Some(&coordinator()),
        &body,
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn documents_are_pdfs_checked_by_their_bytes() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    let body = json!({"semester": "autumn", "plan_b": false, "choices": []});
    let id = apply(app, &call, "s1", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let stored = upload(app, &id, "transcript", "s1", PDF, "application/pdf")
        .await
        .ok();
    assert_eq!(stored["size"], PDF.len());
    assert_eq!(stored["sha256"].as_str().expect("sha").len(), 64);
    // Sent as a PDF but not one (nor `%PDF` without its dash): a rule broken, 422.
    for bytes in [&b"GIF89a not a pdf"[..], b"%PDF1.4 no dash"] {
        let refused = upload(app, &id, "transcript", "s1", bytes, "application/pdf").await;
        refused.problem(422);
        assert_eq!(refused.violations()[0].1, "not_a_pdf");
    }
    upload(app, &id, "transcript", "s1", PDF, "image/png")
        .await
        .problem(415);
    let mut huge = PDF.to_vec();
    huge.resize(70 * 1024, b' ');
    upload(app, &id, "transcript", "s1", &huge, "application/pdf")
        .await
        .problem(413);
    upload(app, &id, "diploma", "s1", PDF, "application/pdf")
        .await
        .problem(400);

    for token in [
        student_token("s1"),
        programme_token(&["BMS"]),
        coordinator(),
    ] {
        let back = app
            .get(
                &format!("/api/v1/applications/{id}/documents/transcript"),
                Some(&token),
            )
            .await;
        assert_eq!(back.status, 200);
        assert_eq!(back.header("content-type"), Some("application/pdf"));
        assert_eq!(back.body.as_ref(), PDF);
    }
    app.get(
        &format!("/api/v1/applications/{id}/documents/cv"),
        Some(&student_token("s1")),
    )
    .await
    .problem(404);
    app.get(
        &format!("/api/v1/applications/{id}/documents/transcript"),
        Some(&programme_token(&["LAW"])),
    )
    .await
    .problem(404);
    let read = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&student_token("s1")),
        )
        .await
        .ok();
    assert_eq!(read["documents"][0]["kind"], "transcript");
}

#[actix_web::test]
async fn the_law_faculty_scheme_end_to_end() {
    let w = world().await;
    let app = &w.app;
    let call = open_call(app, &law_call(), &[w.law.as_str()], true).await;
    student_record(app, "s5", "LAW", 95, 7.0).await;
    let body =
        json!({"semester": "spring", "plan_b": false, "choices": [{"destination_id": w.law}]});
    let id = apply(app, &call, "s5", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let submit = format!("/api/v1/applications/{id}/submit");

    let refused = app
        .post_json(&submit, Some(&student_token("s5")), &json!({}))
        .await;
    refused.problem(422);
    let codes: Vec<_> = refused
        .violations()
        .into_iter()
        .map(|(f, c)| format!("{f}:{c}"))
        .collect();
    assert_eq!(
        codes,
        [
            "student.ec:ec_above_maximum",
            "documents.motivation:document_missing",
            "documents.cv:document_missing",
            "documents.language_proof:document_missing",
            "documents.budget:document_missing"
        ]
    );
    student_record(app, "s5", "LAW", 80, 7.0).await;
    for kind in ["motivation", "cv", "language_proof", "budget"] {
        upload(app, &id, kind, "s5", PDF, "application/pdf")
            .await
            .ok();
    }
    assert_eq!(
        app.post_json(&submit, Some(&student_token("s5")), &json!({}))
            .await
            .ok()["status"],
        "submitted"
    );
    app.post_json(
        &format!("/api/v1/applications/{id}/programme-decision"),
        Some(&programme_token(&["LAW"])),
        &json!({"approved": true}),
    )
    .await
    .ok();
    // The law faculty's coordinator scores and reviews its own call's applications.
    let law = faculty_coordinator("LAW");
    assert_eq!(
        app.put_json(
            &format!("/api/v1/applications/{id}/score"),
            Some(&law),
            &json!({"score": 8.5})
        )
        .await
        .ok()["score"],
        8.5
    );
    app.put_json(
        &format!("/api/v1/applications/{id}/score"),
        Some(&law),
        &json!({"score": -1}),
    )
    .await
    .problem(422);
    app.put_json(
        &format!("/api/v1/applications/{id}/score"),
        Some(&law),
        &json!({"score": "high"}),
    )
    .await
    .problem(400);
    assert_eq!(
        app.post_json(
            &format!("/api/v1/applications/{id}/review"),
            Some(&law),
            &json!({"outcome": "eligible"})
        )
        .await
        .ok()["status"],
        "eligible"
    );
    // Uploads are closed once submitted.
    upload(app, &id, "cv", "s5", PDF, "application/pdf")
        .await
        .problem(409);
    // The first-year diploma is the law call's rule for bachelors.
    let no_diploma = json!({"name": "S6", "email": "s6@umail.example.nl", "programme": "LAW", "level": "bachelor",
                            "ec": 70, "gpa": 7.0, "registered": true, "first_year_diploma": false});
    app.put_json("/api/v1/students/s6", Some(&coordinator()), &no_diploma)
        .await
        .ok();
    let id6 = apply(app, &call, "s6", &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let refused = app
        .post_json(
            &format!("/api/v1/applications/{id6}/submit"),
            Some(&student_token("s6")),
            &json!({}),
        )
        .await;
    assert!(refused.violations().contains(&(
        "student.first_year_diploma".to_owned(),
        "first_year_diploma_missing".to_owned()
    )));
}

#[actix_web::test]
async fn malformed_application_bodies_are_400_or_422_never_500() {
    let (w, call) = wide_world().await;
    let app = &w.app;
    let path = format!("/api/v1/calls/{call}/applications");
    let token = student_token("s1");
    for body in [
        json!({"semester": "autumn", "choices": [{"destination_id": "nope"}]}),
        json!({"semester": "autumn", "choices": "all of them"}),
        json!({"semester": "autumn", "plan_b": "yes"}),
        json!({"semester": "autumn", "extra": 1}),
    ] {
        app.post_json(&path, Some(&token), &body).await.problem(400);
    }
    let response = app
        .post_json(&path, Some(&token), &json!({"semester": "winter"}))
        .await;
    response.problem(422);
    assert_eq!(
        response.violations()[0],
        ("semester".to_owned(), "invalid_semester".to_owned())
    );
    let unknown = json!({"semester": "autumn", "choices": [{"destination_id": "00000000-0000-0000-0000-000000000000"}]});
    let response = app.post_json(&path, Some(&token), &unknown).await;
    response.problem(422);
    assert_eq!(
        response.violations()[0],
        (
            "choices[0].destination_id".to_owned(),
            "unknown_destination".to_owned()
        )
    );
    app.post_json(
        "/api/v1/calls/00000000-0000-0000-0000-000000000000/applications",
        Some(&token),
        &json!({"semester": "autumn"}),
    )
    .await
    .problem(404);
    // No student record yet: told so, not a 500.
    let response = app
        .post_json(
            &path,
            Some(&student_token("s99")),
            &json!({"semester": "autumn"}),
        )
        .await;
    response.problem(422);
    assert_eq!(response.violations()[0].1, "no_student_record");
    let _ = before_deadline();
}

/// The audit entry id of `action` on an object, if it happened.
async fn entry_of(app: &TestApp, entity_type: &str, id: &str, action: &str) -> Option<i64> {
    let page = app
        .get(
            &format!("/api/v1/audit?entity_type={entity_type}&entity_id={id}&limit=500"),
            Some(&coordinator()),
        )
        .await
        .ok();
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == action)
        .and_then(|e| e["id"].as_i64())
}

/// A submitted application of `student` to `call`, approved by its programme when asked.
pub(crate) async fn submitted(w: &World, call: &str, student: &str, approved: bool) -> String {
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    student_record(&w.app, student, "BMS", 75, 7.4).await;
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let id = apply(&w.app, call, student, &body).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    upload(&w.app, &id, "transcript", student, PDF, "application/pdf").await;
    w.app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token(student)),
            &json!({}),
        )
        .await
        .ok();
    if approved {
        w.app
            .post_json(
                &format!("/api/v1/applications/{id}/programme-decision"),
                Some(&programme_token(&["BMS"])),
                &json!({"approved": true}),
            )
            .await
            .ok();
    }
    id
}

/// How many sessions on this test's database wait for a lock right now (other tests'
/// databases on the same server are not counted: they run at the same time).
fn waiting_locks(app: &TestApp) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db.connect();
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity \
          WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .get_result::<Waiting>(&mut conn)
    .expect("pg_locks")
    .n
}

/// Polls `until` (a condition on the database) while driving `pending`, the requests in
/// flight; fails if they finish first or it takes longer than ten seconds.
async fn drive_until<F: std::future::Future>(
    pending: &mut std::pin::Pin<Box<F>>,
    mut until: impl FnMut() -> bool,
) {
    let started = std::time::Instant::now();
    loop {
        if until() {
            return;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "the database never got there"
        );
        let tick = actix_web::rt::time::sleep(std::time::Duration::from_millis(20));
        futures_util::pin_mut!(tick);
        if let futures_util::future::Either::Left(_) =
            futures_util::future::select(pending.as_mut(), tick).await
        {
            panic!("the requests finished while they should wait on a lock");
        }
    }
}

/// The probe's reproduction of a write racing the close: `write` on application `id`
/// is held up by a row lock taken from outside (as from psql); once it waits, the close
/// is sent, and it must queue behind the write (two waiting locks) instead of closing
/// underneath it. `meanwhile` runs before the lock is released. Answers the write's and
/// the close's responses.
async fn held_up_against_the_close(
    w: &World,
    call: &str,
    id: &str,
    write: TestRequest,
    meanwhile: impl FnOnce(),
) -> (crate::support::Response, crate::support::Response) {
    use diesel::RunQueryDsl;
    let mut holder = w.app.db.connect();
    diesel::sql_query("BEGIN")
        .execute(&mut holder)
        .expect("begin");
    diesel::sql_query(format!(
        "SELECT 1 FROM applications WHERE id = '{id}' FOR UPDATE"
    ))
    .execute(&mut holder)
    .expect("hold the application");
    let close = json_request(
        TestRequest::post(),
        &format!("/api/v1/calls/{call}/close"),
        Some(&coordinator()),
        &json!({}),
    );
    let app = &w.app;
    let mut in_flight = Box::pin(async move {
        let written = app.send(write);
        futures_util::pin_mut!(written);
        // The write first, until it waits on the held row; then the close.
        let closing = async {
            let started = std::time::Instant::now();
            while waiting_locks(app) < 1 {
                assert!(started.elapsed().as_secs() < 10);
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            app.send(close).await
        };
        futures_util::future::join(written, closing).await
    });
    drive_until(&mut in_flight, || waiting_locks(&w.app) >= 2).await;
    meanwhile();
    diesel::sql_query("COMMIT")
        .execute(&mut holder)
        .expect("release");
    in_flight.await
}

#[actix_web::test]
async fn a_withdrawal_or_review_held_up_before_the_close_lands_before_it() {
    for review in [false, true] {
        let (w, call) = wide_world().await;
        // Decided (rejected by the programme) for the withdrawal, approved for the review.
        let id = submitted(&w, &call, "s70", review).await;
        if !review {
            w.app
                .post_json(
                    &format!("/api/v1/applications/{id}/programme-decision"),
                    Some(&programme_token(&["BMS"])),
                    &json!({"approved": false, "comment": "no"}),
                )
                .await
                .ok();
        }
        w.app.set_now(deadline() + Duration::minutes(1));
        let (action, write) = if review {
            (
                "application.reviewed",
                json_request(
                    TestRequest::post(),
                    &format!("/api/v1/applications/{id}/review"),
                    Some(&coordinator()),
                    &json!({"outcome": "eligible", "note": "fine"}),
                ),
            )
        } else {
            (
                "application.withdrawn",
                json_request(
                    TestRequest::post(),
                    &format!("/api/v1/applications/{id}/withdraw"),
                    Some(&student_token("s70")),
                    &json!({}),
                ),
            )
        };
        let (written, closed) = held_up_against_the_close(&w, &call, &id, write, || {}).await;
        assert_eq!(
            written.status,
            200,
            "{}",
            String::from_utf8_lossy(&written.body)
        );
        assert_eq!(
            closed.status,
            200,
            "{}",
            String::from_utf8_lossy(&closed.body)
        );
        let written_at = entry_of(&w.app, "application", &id, action).await;
        let closed_at = entry_of(&w.app, "call", &call, "call.closed").await;
        assert!(written_at < closed_at, "{action} landed after the close");
    }
}

#[actix_web::test]
async fn a_submit_or_update_held_up_past_the_deadline_is_late() {
    // Begun a second before the deadline, held up until after it: the clock is read
    // once the locks are had, so the write is late (409) and the close goes through.
    for update in [false, true] {
        let (w, call) = wide_world().await;
        let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
        let body =
            json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
        let id = apply(&w.app, &call, "s1", &body).await.json()["id"]
            .as_str()
            .expect("id")
            .to_owned();
        upload(&w.app, &id, "transcript", "s1", PDF, "application/pdf").await;
        w.app.set_now(deadline() - Duration::seconds(1));
        let write = if update {
            let mut changed = body.clone();
            changed["plan_b"] = json!(true);
            json_request(
                TestRequest::put(),
                &format!("/api/v1/applications/{id}"),
                Some(&student_token("s1")),
                &changed,
            )
        } else {
            json_request(
                TestRequest::post(),
                &format!("/api/v1/applications/{id}/submit"),
                Some(&student_token("s1")),
                &json!({}),
            )
        };
        let clock = w.app.clock.clone();
        let (written, closed) = held_up_against_the_close(&w, &call, &id, write, move || {
            clock.set(deadline() + Duration::seconds(1));
        })
        .await;
        written.problem(409);
        assert_eq!(
            closed.status,
            200,
            "{}",
            String::from_utf8_lossy(&closed.body)
        );
        let stored = w
            .app
            .get(&format!("/api/v1/applications/{id}"), Some(&coordinator()))
            .await
            .ok();
        assert_eq!(
            (stored["status"].clone(), stored["plan_b"].clone()),
            (json!("draft"), json!(false))
        );
    }
}

#[actix_web::test]
async fn an_archived_destination_is_no_choice() {
    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let office = coordinator();
    // A destination a call not drawn yet offers cannot be archived from under it.
    w.app
        .patch_json(
            &format!("/api/v1/destinations/{}", wide[0]),
            Some(&office),
            &json!({"archived": true}),
        )
        .await
        .problem(409);
    // One no call offers can; chosen once archived, it is as unknown as one that never
    // was (it is 404 to students).
    w.app
        .patch_json(
            &format!("/api/v1/destinations/{}", w.law),
            Some(&office),
            &json!({"archived": true}),
        )
        .await
        .ok();
    let mut picks: Vec<&str> = wide[..4].to_vec();
    picks.insert(0, w.law.as_str());
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&picks, 250)});
    let refused = apply(&w.app, &call, "s1", &body).await;
    refused.problem(422);
    assert_eq!(
        refused.violations()[0],
        (
            "choices[0].destination_id".to_owned(),
            "unknown_destination".to_owned()
        )
    );

    // A draft's destination archived under it (straight in the database: the office may
    // archive it only once its call is drawn) is no longer in the call, whatever its
    // places say: so its own page and the list both read it.
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let created = apply(&w.app, &call, "s1", &body).await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let mut admin = PgConnection::establish(w.app.db.url()).expect("connect");
    diesel::sql_query(format!(
        "UPDATE destinations SET archived = true WHERE id = '{}'",
        wide[1]
    ))
    .execute(&mut admin)
    .expect("archive");
    let own = w
        .app
        .get(&format!("/api/v1/applications/{id}"), Some(&office))
        .await
        .ok();
    assert_eq!(own["eligibility"]["ok"], false);
    assert_eq!(
        own["eligibility"]["reasons"][0]["field"],
        "choices[1].destination_id"
    );
    assert_eq!(
        own["eligibility"]["reasons"][0]["code"],
        "destination_not_in_call"
    );
    let page = w.app.get("/api/v1/applications", Some(&office)).await.ok();
    let listed = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["id"] == id.as_str())
        .expect("listed");
    assert_eq!(*listed, own);
}

/// A create takes its destinations' facts from the catalogue held in memory, and writes
/// only while the database's catalogue is still the version they are of: a change the
/// process has not heard of yet (made here straight in the database, as another
/// process would) sends it to read them, so it answers on the facts of now.
#[actix_web::test]
async fn a_create_on_the_catalogue_in_memory_never_outruns_the_database() {
    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let office = coordinator();
    let held = w
        .app
        .catalogue()
        .loaded()
        .expect("loaded by the world's writes");
    let country = w
        .app
        .get(&format!("/api/v1/destinations/{}", wide[1]), Some(&office))
        .await
        .ok()["institution"]["country"]
        .as_str()
        .expect("country")
        .to_owned();
    let mut other_process = PgConnection::establish(w.app.db.url()).expect("connect");
    let change = |conn: &mut PgConnection, sql: String| {
        diesel::sql_query(sql).execute(conn).expect("change");
    };
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});

    // The first choice archived: as unknown as one that never was, and nothing stored.
    change(
        &mut other_process,
        format!(
            "UPDATE destinations SET archived = true WHERE id = '{}'",
            wide[0]
        ),
    );
    let refused = apply(&w.app, &call, "s1", &body).await;
    refused.problem(422);
    assert_eq!(
        refused.violations()[0],
        (
            "choices[0].destination_id".to_owned(),
            "unknown_destination".to_owned()
        )
    );
    let mine = w
        .app
        .get("/api/v1/applications", Some(&student_token("s1")))
        .await
        .ok();
    assert_eq!(mine["items"], json!([]));

    // The second choice's country turned orange: the draft says so.
    change(
        &mut other_process,
        format!(
            "UPDATE destinations SET archived = false WHERE id = '{}'",
            wide[0]
        ),
    );
    change(
        &mut other_process,
        format!("UPDATE countries SET advice = 'orange' WHERE code = '{country}'"),
    );
    let created = apply(&w.app, &call, "s1", &body).await;
    assert_eq!(created.status, 201);
    let reasons = created.json()["eligibility"]["reasons"].clone();
    assert!(
        reasons.as_array().expect("reasons").iter().any(|r| {
            r["field"] == "choices[1].destination_id"
                && r["code"].as_str().is_some_and(|c| c.contains("advice"))
        }),
        "{reasons}"
    );
    // Both went past the snapshot, which still holds the catalogue as it was.
    let now = w.app.catalogue().loaded().expect("loaded");
    assert_eq!(now.version(), held.version());
}

/// A create in a call this process holds writes only while the call's row is still the
/// version held: a change to its places (made here straight in the database, as
/// another process would, writing the call's row as every change to a call does) sends
/// the next create to read the call afresh.
#[actix_web::test]
async fn a_create_in_a_call_held_in_memory_answers_on_the_call_of_now() {
    let (w, call) = wide_world().await;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    for student in ["s2", "s3"] {
        student_record(&w.app, student, "BMS", 75, 7.4).await;
    }
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    // A time finer than PostgreSQL keeps: the draft is answered as it is stored.
    w.app
        .set_now(w.app.clock.now() + Duration::nanoseconds(123_456_789));
    let created = apply(&w.app, &call, "s1", &body).await;
    assert_eq!(created.status, 201);
    let draft = created.json();
    assert_eq!(draft["eligibility"]["ok"], true);
    let stored = w
        .app
        .get(
            &format!("/api/v1/applications/{}", draft["id"].as_str().expect("id")),
            Some(&student_token("s1")),
        )
        .await
        .ok();
    assert_eq!(draft, stored);

    let mut other_process = PgConnection::establish(w.app.db.url()).expect("connect");
    diesel::sql_query(format!(
        "DELETE FROM call_places WHERE call_id = '{call}' AND destination_id = '{}' \
         AND semester = 'autumn'",
        wide[1]
    ))
    .execute(&mut other_process)
    .expect("places");
    diesel::sql_query(format!(
        "UPDATE calls SET updated_at = now() WHERE id = '{call}'"
    ))
    .execute(&mut other_process)
    .expect("call");
    for student in ["s2", "s3"] {
        let created = apply(&w.app, &call, student, &body).await;
        assert_eq!(created.status, 201);
        let eligibility = created.json()["eligibility"].clone();
        assert_eq!(eligibility["ok"], false, "{student}");
        assert_eq!(
            eligibility["reasons"][0],
            json!({"field": "choices[1].destination_id", "code": "destination_not_in_call",
                   "message": eligibility["reasons"][0]["message"]}),
            "{student}"
        );
    }
}

#[actix_web::test]
async fn a_student_number_has_one_form_only() {
    let app = TestApp::new();
    let body = json!({"name": "A", "email": "a@example.edu", "programme": "BMS",
        "level": "bachelor", "ec": 60, "gpa": 7.0, "registered": true, "first_year_diploma": true});
    // `S9100006` is not `s9100006` spelled otherwise: it is no student number at all.
    let refused = app
        .put_json("/api/v1/students/S9100006", Some(&coordinator()), &body)
        .await;
    refused.problem(400);
    assert_eq!(refused.violations()[0].1, "invalid_student_number");
    app.get("/api/v1/students/S9100006", Some(&coordinator()))
        .await
        .problem(400);
}

#[actix_web::test]
async fn close_publishes_the_digest_of_exactly_the_frozen_inputs() {
    use abroad_domain::Semester;
    use abroad_domain::draw::{DrawInputs, Entry, Slot, inputs_digest};
    let (w, call) = wide_world().await;
    let office = coordinator();
    // Two eligible applications and a rejected one: only the eligible ones count.
    let mut eligible = Vec::new();
    for (student, outcome) in [
        ("s61", "eligible"),
        ("s62", "eligible"),
        ("s63", "rejected"),
    ] {
        let id = submitted(&w, &call, student, true).await;
        w.app
            .post_json(
                &format!("/api/v1/applications/{id}/review"),
                Some(&office),
                &json!({"outcome": outcome, "note": "seen"}),
            )
            .await
            .ok();
        if outcome == "eligible" {
            let stored = w
                .app
                .get(&format!("/api/v1/applications/{id}"), Some(&office))
                .await
                .ok();
            eligible.push(stored);
        }
    }
    let places = w
        .app
        .get(&format!("/api/v1/calls/{call}/places"), Some(&office))
        .await
        .ok();
    w.app.set_now(deadline() + Duration::minutes(1));
    let closed = w
        .app
        .post_json(
            &format!("/api/v1/calls/{call}/close"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    // Recomputed here from what the API shows, with the domain's own digest.
    let uuid = |v: &Value| v.as_str().expect("id").parse().expect("uuid");
    let semester = |v: &Value| {
        v.as_str()
            .expect("semester")
            .parse::<Semester>()
            .expect("semester")
    };
    let inputs = DrawInputs {
        slots: places
            .as_array()
            .expect("places")
            .iter()
            .map(|p| Slot {
                destination_id: uuid(&p["destination_id"]),
                semester: semester(&p["semester"]),
                places: u32::try_from(p["places"].as_u64().expect("places")).expect("small"),
                blocked: false,
            })
            .collect(),
        applications: eligible
            .iter()
            .map(|a| Entry {
                application_id: uuid(&a["id"]),
                semester: semester(&a["semester"]),
                plan_b: a["plan_b"].as_bool().expect("plan_b"),
                choices: a["choices"]
                    .as_array()
                    .expect("choices")
                    .iter()
                    .map(|c| uuid(&c["destination_id"]))
                    .collect(),
                score: None,
            })
            .collect(),
    };
    assert_eq!(inputs.applications.len(), 2);
    assert_eq!(
        closed["inputs_digest"].as_str(),
        Some(inputs_digest(&inputs).expect("digest").as_str()),
        "{closed}"
    );
}

/// A university-wide call with three eligible applications, closed: ready to draw.
pub(crate) async fn closed_with_eligible(students: &[&str]) -> (World, String, Vec<String>) {
    let (w, call) = wide_world().await;
    let office = coordinator();
    let mut ids = Vec::new();
    for student in students {
        let id = submitted(&w, &call, student, true).await;
        w.app
            .post_json(
                &format!("/api/v1/applications/{id}/review"),
                Some(&office),
                &json!({"outcome": "eligible", "note": "ok"}),
            )
            .await
            .ok();
        ids.push(id);
    }
    w.app.set_now(deadline() + Duration::minutes(1));
    w.app
        .post_json(
            &format!("/api/v1/calls/{call}/close"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    (w, call, ids)
}

#[actix_web::test]
async fn a_draw_is_run_once_published_whole_and_checks_out() {
    let (w, call, ids) = closed_with_eligible(&["s51", "s52", "s53"]).await;
    let office = coordinator();
    let path = format!("/api/v1/calls/{call}/draw");
    // Before the draw there is no record to read.
    w.app
        .get(&path, Some(&student_token("s51")))
        .await
        .problem(404);
    let drawn = w.app.post_json(&path, Some(&office), &json!({})).await;
    assert_eq!(
        drawn.status,
        201,
        "{}",
        String::from_utf8_lossy(&drawn.body)
    );
    assert_eq!(drawn.header("location"), Some(path.as_str()));
    let summary = drawn.json();
    assert_eq!(summary["applications"], 3);
    assert_eq!(
        summary["placed"].as_u64().expect("placed")
            + summary["unplaced"].as_u64().expect("unplaced"),
        3
    );
    // Once only.
    w.app
        .post_json(&path, Some(&office), &json!({}))
        .await
        .problem(409);
    // Everyone reads the record, and it checks out from its contents alone.
    let record = w.app.get(&path, Some(&student_token("s52"))).await.ok();
    assert_eq!(record["commitment"], summary["commitment"]);
    assert_eq!(record["inputs_digest"], summary["inputs_digest"]);
    assert_eq!(record["seed"].as_str().expect("seed").len(), 64);
    let parsed: abroad_domain::draw::DrawRecord =
        serde_json::from_value(record.clone()).expect("a draw record");
    let verified = abroad_domain::draw::verify(&parsed).expect("the published draw checks out");
    assert_eq!(verified.applications, 3);
    // The inputs are published exactly as the digest took them (SPEC.md, Selection 1):
    // slots by destination then semester, applications by id, so that hashing them as
    // read, less the slots' `blocked`, gives `inputs_digest` with no sorting of one's own.
    let mut inputs = record["inputs"].clone();
    let slots = inputs["slots"].as_array_mut().expect("slots");
    let keys: Vec<(String, String)> = slots
        .iter()
        .map(|s| (s["destination_id"].to_string(), s["semester"].to_string()))
        .collect();
    assert!(keys.is_sorted(), "slots in the order given: {keys:?}");
    assert!(keys.len() > 2, "{keys:?}");
    for slot in slots.iter_mut() {
        slot.as_object_mut().expect("a slot").remove("blocked");
    }
    let published: Vec<String> = inputs["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .map(|a| a["application_id"].to_string())
        .collect();
    assert!(published.is_sorted(), "{published:?}");
    let digest = hex(&<sha2::Sha256 as sha2::Digest>::digest(
        canonical(&inputs).as_bytes(),
    ));
    assert_eq!(record["inputs_digest"], digest.as_str());
    // Every application in the draw is placed or unplaced now.
    for id in &ids {
        let status = w
            .app
            .get(&format!("/api/v1/applications/{id}"), Some(&office))
            .await
            .ok()["status"]
            .clone();
        assert!(status == "placed" || status == "unplaced", "{status}");
    }
    // No names in the record.
    let text = record.to_string();
    assert!(!text.contains("s51") && !text.contains("Student"), "{text}");
}

/// RFC 8785 canonical JSON of what a draw record publishes (ASCII member names and
/// strings, integers only): members sorted, no white space. Written out here so that
/// the test hashes the record as any reader would, not through the service's own code.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            names.sort();
            let inner: Vec<String> = names
                .into_iter()
                .map(|name| {
                    format!(
                        "{}:{}",
                        Value::from(name.as_str()),
                        canonical(&members[name])
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        scalar => scalar.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[actix_web::test]
async fn twenty_draws_at_once_leave_one() {
    let (w, call, _) = closed_with_eligible(&["s41", "s42"]).await;
    let office = coordinator();
    let path = format!("/api/v1/calls/{call}/draw");
    let requests = (0..20)
        .map(|_| json_request(TestRequest::post(), &path, Some(&office), &json!({})))
        .collect();
    let mut statuses: Vec<u16> = w
        .app
        .send_concurrently(requests)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    statuses.sort_unstable();
    let mut expected = vec![409; 19];
    expected.insert(0, 201);
    assert_eq!(statuses, expected);
}

#[actix_web::test]
async fn a_country_turned_red_after_close_is_blocked_in_the_draw() {
    let (w, call, _) = closed_with_eligible(&["s31", "s32"]).await;
    let office = coordinator();
    let places = w
        .app
        .get(&format!("/api/v1/calls/{call}/places"), Some(&office))
        .await
        .ok();
    let first = places[0]["destination_id"].as_str().expect("id").to_owned();
    let destination = w
        .app
        .get(&format!("/api/v1/destinations/{first}"), Some(&office))
        .await
        .ok();
    let country = destination["institution"]["country"]
        .as_str()
        .expect("country")
        .to_owned();
    w.app
        .put_json(
            &format!("/api/v1/countries/{country}"),
            Some(&office),
            &json!({"name": "Somewhere", "advice": "red"}),
        )
        .await
        .ok();
    w.app
        .post_json(
            &format!("/api/v1/calls/{call}/draw"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    let record = w
        .app
        .get(&format!("/api/v1/calls/{call}/draw"), Some(&office))
        .await
        .ok();
    for slot in record["inputs"]["slots"].as_array().expect("slots") {
        if slot["destination_id"] == first.as_str() {
            assert_eq!(slot["blocked"], true, "{slot}");
        }
    }
    assert!(
        record["placements"]
            .as_array()
            .expect("placements")
            .iter()
            .all(|p| p["destination_id"] != first.as_str()),
        "nobody is placed under negative advice"
    );
}

/// Counts the statements the service sends on the connections of its pool, BEGIN and
/// COMMIT included.
#[derive(Debug, Clone, Default)]
struct Statements(Arc<AtomicUsize>);

impl Statements {
    fn sent(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for Statements {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        let sent = Arc::clone(&self.0);
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                sent.fetch_add(1, Ordering::SeqCst);
            }
        });
        Ok(())
    }
}

/// The deadline rush in round trips (issue 11): a create costs two statements, and one
/// once its call is held; a submit two, and one for a draft just created (the quick
/// way: no BEGIN, no COMMIT, no connection test); a page of the
/// list costs three however long it is (the page, its applications' facts, the facts
/// of the destinations they choose), and shows each application exactly as its own
/// page.
#[actix_web::test]
async fn a_create_costs_one_or_two_statements_its_submit_one_or_two_and_a_list_page_three() {
    let statements = Statements::default();
    let db = TestDb::new();
    let pool = abroad_storage::pool_builder(4)
        .connection_customizer(Box::new(statements.clone()))
        .build_unchecked(ConnectionManager::new(db.url()));
    let w = world_with(TestApp::with_pool(db, pool, &jwt_settings())).await;
    let app = &w.app;
    let mut all: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    all.extend([w.isep.as_str(), w.unsafe_one.as_str()]);
    let call = open_call(app, &university_wide_call(), &all, false).await;
    for student in ["s1", "s2", "s3"] {
        student_record(app, student, "BMS", 75, 7.4).await;
    }
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();

    let start = statements.sent();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let created = apply(app, &call, "s1", &body).await;
    assert_eq!(created.status, 201);
    assert_eq!(statements.sent() - start, 2, "a create");
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let start = statements.sent();
    let submitted = app
        .post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token("s1")),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(submitted["status"], "submitted");
    // Kept from its creation with the versions of what it was read from: one statement.
    assert_eq!(
        statements.sent() - start,
        1,
        "a submit of a draft just created"
    );
    // Each audit entry, written in the statement that made the change, holds what is stored.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=application&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let after = |action: &str| {
        audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["after"].clone())
            .unwrap_or_else(|| panic!("no {action}"))
    };
    let (on_create, on_submit) = (after("application.created"), after("application.submitted"));
    assert_eq!(on_create["choices"], submitted["choices"]);
    for field in [
        "status",
        "created_at",
        "updated_at",
        "submitted_at",
        "semester",
        "programme",
    ] {
        assert_eq!(on_submit[field], submitted[field], "{field}");
    }
    assert_eq!(on_create["status"], "draft");
    assert_eq!(on_create["created_at"], submitted["created_at"]);
    // The programme the statement read from the student's row, in the entry too.
    assert_eq!(on_create["programme"], "BMS");
    assert_eq!(submitted["programme"], "BMS");

    // Two drafts that break rules: thin motivations with a transcript, an unsafe choice.
    // A draft written in one statement is stamped with the service's clock, which
    // stands still here: it is moved on as time would, so the list has an order.
    let later = || app.set_now(app.clock.now() + Duration::seconds(1));
    later();
    let thin = json!({"semester": "autumn", "choices": choices(&wide[..3], 10)});
    let start = statements.sent();
    let created = apply(app, &call, "s2", &thin).await;
    // The call was read with the first create and is held: one statement.
    assert_eq!(statements.sent() - start, 1, "a create in a call held");
    let second = created.json()["id"].as_str().expect("id").to_owned();
    let transcript = upload(app, &second, "transcript", "s2", PDF, "application/pdf")
        .await
        .ok();
    // Changed since its creation (the upload): the submit reads it afresh, in two.
    let start = statements.sent();
    let refused = app
        .post_json(
            &format!("/api/v1/applications/{second}/submit"),
            Some(&student_token("s2")),
            &json!({}),
        )
        .await;
    refused.problem(422);
    assert!(statements.sent() - start >= 2, "a submit read afresh");
    later();
    let risky = json!({"semester": "spring", "plan_b": true,
                       "choices": choices(&[wide[4], w.unsafe_one.as_str()], 250)});
    assert_eq!(apply(app, &call, "s3", &risky).await.status, 201);

    let office = coordinator();
    for limit in [1, 3] {
        let start = statements.sent();
        let page = app
            .get(
                &format!("/api/v1/applications?limit={limit}"),
                Some(&office),
            )
            .await
            .ok();
        assert_eq!(statements.sent() - start, 3, "a page of {limit}");
        assert_eq!(page["items"].as_array().expect("items").len(), limit);
    }
    let page = app
        .get("/api/v1/applications?limit=3", Some(&office))
        .await
        .ok();
    let items = page["items"].as_array().expect("items");
    for item in items {
        let id = item["id"].as_str().expect("id");
        let own = app
            .get(&format!("/api/v1/applications/{id}"), Some(&office))
            .await
            .ok();
        assert_eq!(*item, own);
    }
    let eligible: Vec<&Value> = items.iter().map(|i| &i["eligibility"]["ok"]).collect();
    assert_eq!(eligible, [&json!(false), &json!(false), &json!(true)]);
    assert_eq!(items[1]["documents"][0], transcript);
}

/// Connections are not tested when taken from the pool (that was a round trip per
/// request): one the database has dropped costs the request that finds it a 503,
/// never a 500, and the pool replaces it.
#[actix_web::test]
async fn a_connection_the_database_dropped_costs_one_503_and_is_replaced() {
    let (w, _) = wide_world().await;
    let office = coordinator();
    w.app.get("/api/v1/applications", Some(&office)).await.ok();
    let mut admin = PgConnection::establish(w.app.db.url()).expect("connect");
    let dropped = diesel::sql_query(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .expect("terminate");
    assert!(dropped >= 1);
    let mut statuses = Vec::new();
    while statuses.last() != Some(&200) && statuses.len() <= dropped {
        let status = w
            .app
            .get("/api/v1/applications", Some(&office))
            .await
            .status;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
    assert!(
        statuses.len() >= 2,
        "the first request found a dropped connection"
    );
    assert!(
        statuses[..statuses.len() - 1].iter().all(|s| *s == 503),
        "{statuses:?}"
    );
    w.app.get("/api/v1/applications", Some(&office)).await.ok();
}

/// A draft's submission is checked on the facts as they are when it is submitted, also
/// when this process kept them from its creation: a change to the student's record or
/// to the catalogue in between is seen, and one that breaks no rule still lets it through.
#[actix_web::test]
async fn a_draft_kept_from_its_creation_is_submitted_on_the_facts_of_its_submission() {
    let (w, call) = wide_world().await;
    let (app, call) = (&w.app, call.as_str());
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let office = coordinator();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&wide[..5], 250)});
    let submit = |student: &'static str, id: String| async move {
        app.post_json(
            &format!("/api/v1/applications/{id}/submit"),
            Some(&student_token(student)),
            &json!({}),
        )
        .await
    };
    let create = |student: &'static str| {
        let body = body.clone();
        async move {
            student_record(app, student, "BMS", 75, 7.4).await;
            let created = apply(app, call, student, &body).await;
            assert_eq!(created.status, 201);
            created.json()["id"].as_str().expect("id").to_owned()
        }
    };

    // The student's record changes: too few EC now.
    let id = create("s71").await;
    student_record(app, "s71", "BMS", 30, 7.4).await;
    let refused = submit("s71", id).await;
    refused.problem(422);
    assert!(
        refused
            .violations()
            .iter()
            .any(|(_, code)| code.contains("ec")),
        "{:?}",
        refused.violations()
    );

    // The first choice's country turns orange.
    let id = create("s72").await;
    let first = app
        .get(&format!("/api/v1/destinations/{}", wide[0]), Some(&office))
        .await
        .ok();
    let country = first["institution"]["country"].as_str().expect("country");
    let named = app
        .get(&format!("/api/v1/countries/{country}"), Some(&office))
        .await
        .ok();
    app.put_json(
        &format!("/api/v1/countries/{country}"),
        Some(&office),
        &json!({"name": named["name"], "advice": "orange"}),
    )
    .await
    .ok();
    let refused = submit("s72", id).await;
    refused.problem(422);
    assert!(
        refused
            .violations()
            .iter()
            .any(|(field, code)| field == "choices[0].destination_id" && code.contains("advice")),
        "{:?}",
        refused.violations()
    );
    app.put_json(
        &format!("/api/v1/countries/{country}"),
        Some(&office),
        &json!({"name": named["name"], "advice": "green"}),
    )
    .await
    .ok();

    // A change elsewhere in the catalogue breaks no rule of this one.
    let id = create("s73").await;
    app.put_json(
        "/api/v1/countries/FI",
        Some(&office),
        &json!({"name": "Finland", "advice": "yellow"}),
    )
    .await
    .ok();
    assert_eq!(submit("s73", id).await.ok()["status"], "submitted");

    // Another student's request leaves the kept draft to its owner.
    let id = create("s74").await;
    submit("s75", id.clone()).await.problem(404);
    assert_eq!(submit("s74", id).await.ok()["status"], "submitted");
}
