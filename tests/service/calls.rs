//! Calls: their rules as data, the status machine, places with live demand, scope.

use crate::scheme::{
    self, before_deadline, choices, deadline, open_call, student_record, student_token,
    university_wide_call, world,
};
use crate::support::{TestApp, coordinator, faculty_coordinator, student};
use chrono::Duration;
use serde_json::json;

#[actix_web::test]
async fn a_call_is_created_as_a_draft_with_its_deadline_in_utc_and_amsterdam_time() {
    let app = TestApp::new();
    let created = app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &university_wide_call(),
        )
        .await;
    assert_eq!(created.status, 201);
    let call = created.json();
    assert_eq!(call["status"], "draft");
    assert_eq!(call["deadline"], "2026-12-01T22:59:00Z");
    assert_eq!(call["deadline_local"], "2026-12-01T23:59:00+01:00");
    assert_eq!(call["commitment"], json!(null));
    assert_eq!(
        call["motivation"],
        json!({"per_choice": true, "min_words": 200, "max_words": 300})
    );
    let path = format!("/api/v1/calls/{}", call["id"].as_str().expect("id"));
    assert_eq!(created.header("location"), Some(path.as_str()));
    // A draft is the office's own.
    app.get(&path, Some(&student())).await.problem(404);
    assert_eq!(
        app.get("/api/v1/calls", Some(&student())).await.ok()["items"],
        json!([])
    );
    assert_eq!(
        app.get(&path, Some(&coordinator())).await.ok()["name"],
        call["name"]
    );
}

#[actix_web::test]
async fn every_broken_call_rule_is_reported() {
    let app = TestApp::new();
    let mut body = university_wide_call();
    body["semesters"] = json!(["winter"]);
    body["deadline"] = json!("1 December");
    body["min_choices"] = json!(0);
    body["selection"] = json!("coin");
    body["offer_days"] = json!(0);
    let response = app
        .post_json("/api/v1/calls", Some(&coordinator()), &body)
        .await;
    response.problem(422);
    let fields: Vec<_> = response.violations().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "semesters[0]",
            "deadline",
            "min_choices",
            "selection",
            "offer_days"
        ]
    );
    app.post_json("/api/v1/calls", Some(&student()), &university_wide_call())
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_draft_is_patched_then_opened_then_frozen() {
    let app = TestApp::new();
    let call = app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &university_wide_call(),
        )
        .await
        .json();
    let path = format!("/api/v1/calls/{}", call["id"].as_str().expect("id"));
    let patched = app
        .patch_json(
            &path,
            Some(&coordinator()),
            &json!({"max_low_chance": null, "min_ec": 45}),
        )
        .await
        .ok();
    assert_eq!(patched["max_low_chance"], json!(null));
    assert_eq!(patched["min_ec"], 45);
    assert_eq!(patched["max_choices"], 10);
    let bad = app
        .patch_json(&path, Some(&coordinator()), &json!({"min_choices": 11}))
        .await;
    bad.problem(422);
    app.patch_json(&path, Some(&coordinator()), &json!({"colour": "red"}))
        .await
        .problem(422);

    assert_eq!(
        app.post_json(&format!("{path}/open"), Some(&coordinator()), &json!({}))
            .await
            .ok()["status"],
        "open"
    );
    app.patch_json(&path, Some(&coordinator()), &json!({"min_ec": 30}))
        .await
        .problem(409);
    app.post_json(&format!("{path}/open"), Some(&coordinator()), &json!({}))
        .await
        .problem(409);
    assert_eq!(
        app.get(&path, Some(&student())).await.ok()["status"],
        "open"
    );
}

#[actix_web::test]
async fn a_call_closes_only_after_its_deadline_and_then_publishes_its_commitment() {
    let app = TestApp::new();
    app.set_now(before_deadline());
    let id = open_call(&app, &university_wide_call(), &[], false).await;
    let close = format!("/api/v1/calls/{id}/close");
    app.set_now(deadline());
    let body = app
        .post_json(&close, Some(&coordinator()), &json!({}))
        .await
        .problem(409);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("deadline"),
        "{body}"
    );
    app.set_now(deadline() + Duration::seconds(1));
    let closed = app
        .post_json(&close, Some(&coordinator()), &json!({}))
        .await
        .ok();
    assert_eq!(closed["status"], "closed");
    let commitment = closed["commitment"].as_str().expect("commitment");
    assert_eq!(commitment.len(), 64);
    assert!(
        commitment
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(
        closed.get("seed").is_none(),
        "the seed stays secret until the draw"
    );
    app.post_json(&close, Some(&coordinator()), &json!({}))
        .await
        .problem(409);
    // Frozen: places can no longer change.
    app.put_json(
        &format!("/api/v1/calls/{id}/places"),
        Some(&coordinator()),
        &json!([]),
    )
    .await
    .problem(409);
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=call&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            json!("call.closed"),
            json!("call.opened"),
            json!("call.places_set"),
            json!("call.created")
        ]
    );
}

#[actix_web::test]
async fn a_faculty_coordinator_manages_only_its_faculty_calls() {
    let app = TestApp::new();
    let law = faculty_coordinator("LAW");
    let refused = app
        .post_json("/api/v1/calls", Some(&law), &university_wide_call())
        .await;
    // Creating something it may not: 403 (SPEC.md, "Faculty scope, exactly").
    assert!(
        refused.problem(403)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("LAW"))
    );
    let wide = app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &university_wide_call(),
        )
        .await
        .json();
    let wide_path = format!("/api/v1/calls/{}", wide["id"].as_str().expect("id"));
    // A draft of the university's is not LAW's to see.
    app.patch_json(&wide_path, Some(&law), &json!({"min_ec": 1}))
        .await
        .problem(404);
    app.get(&wide_path, Some(&law)).await.problem(404);
    app.post_json(&format!("{wide_path}/open"), Some(&law), &json!({}))
        .await
        .problem(404);
    app.put_json(&format!("{wide_path}/places"), Some(&law), &json!([]))
        .await
        .problem(404);
    let own = app
        .post_json("/api/v1/calls", Some(&law), &scheme::law_call())
        .await;
    assert_eq!(own.status, 201);
    // Once published, everyone reads it, and a change by LAW is 403, not 404.
    app.post_json(
        &format!("{wide_path}/open"),
        Some(&coordinator()),
        &json!({}),
    )
    .await
    .ok();
    app.get(&wide_path, Some(&law)).await.ok();
    app.get(&format!("{wide_path}/places"), Some(&law))
        .await
        .ok();
    app.put_json(&format!("{wide_path}/places"), Some(&law), &json!([]))
        .await
        .problem(403);
    app.post_json(&format!("{wide_path}/close"), Some(&law), &json!({}))
        .await
        .problem(403);
}

#[actix_web::test]
async fn places_show_the_live_demand_of_submitted_applications() {
    let w = world().await;
    let app = &w.app;
    let wide: Vec<&str> = w.wide.iter().map(String::as_str).collect();
    let id = open_call(app, &university_wide_call(), &wide, false).await;
    for (number, first) in [("s1", 0), ("s2", 0), ("s3", 1)] {
        student_record(app, number, "BMS", 75, 7.5).await;
        let mut order: Vec<&str> = wide[..5].to_vec();
        order.swap(0, first);
        let body = json!({"semester": "autumn", "plan_b": false, "choices": choices(&order, 250)});
        let created = app
            .post_json(
                &format!("/api/v1/calls/{id}/applications"),
                Some(&student_token(number)),
                &body,
            )
            .await
            .json();
        if number != "s3" {
            let submit = format!(
                "/api/v1/applications/{}/submit",
                created["id"].as_str().expect("id")
            );
            app.post_json(&submit, Some(&student_token(number)), &json!({}))
                .await
                .ok();
        }
    }
    let places = app
        .get(&format!("/api/v1/calls/{id}/places"), Some(&student()))
        .await
        .ok();
    let slot = |destination: &str, semester: &str| {
        places
            .as_array()
            .expect("places")
            .iter()
            .find(|p| p["destination_id"] == destination && p["semester"] == semester)
            .cloned()
            .expect("slot")
    };
    // s3's application is a draft: it does not count.
    assert_eq!(
        (
            slot(wide[0], "autumn")["first_choice_count"].clone(),
            slot(wide[0], "autumn")["total_count"].clone()
        ),
        (json!(2), json!(2))
    );
    assert_eq!(slot(wide[1], "autumn")["first_choice_count"], 0);
    assert_eq!(slot(wide[1], "autumn")["total_count"], 2);
    assert_eq!(slot(wide[0], "spring")["total_count"], 0);
    assert_eq!(slot(wide[5], "autumn")["total_count"], 0);
    assert_eq!(slot(wide[0], "autumn")["places"], 2);

    // Rejected by its programme, s2's application is out of the running: it no longer
    // counts (nor would a withdrawn one).
    let listed = app
        .get(
            &format!("/api/v1/applications?call_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let s2 = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["student"] == "s2")
        .expect("s2's application")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.post_json(
        &format!("/api/v1/applications/{s2}/programme-decision"),
        Some(&crate::support::programme_token(&["BMS"])),
        &json!({"approved": false, "comment": "not this year"}),
    )
    .await
    .ok();
    let places = app
        .get(&format!("/api/v1/calls/{id}/places"), Some(&student()))
        .await
        .ok();
    let first = places
        .as_array()
        .expect("places")
        .iter()
        .find(|p| p["destination_id"] == wide[0] && p["semester"] == "autumn")
        .cloned()
        .expect("slot");
    assert_eq!(
        (
            first["first_choice_count"].clone(),
            first["total_count"].clone()
        ),
        (json!(1), json!(1))
    );
}

#[actix_web::test]
async fn a_call_opens_at_its_opens_at_and_its_times_stay_four_digit_years() {
    let app = TestApp::new();
    let office = coordinator();
    // Times whose rendering would leave RFC 3339's four-digit years are refused.
    for (field, raw) in [
        ("deadline", "9999-12-31T23:59:59-12:00"),
        ("opens_at", "1969-12-31T23:00:00Z"),
    ] {
        let mut body = university_wide_call();
        body[field] = json!(raw);
        let response = app.post_json("/api/v1/calls", Some(&office), &body).await;
        response.problem(422);
        assert!(
            response
                .violations()
                .contains(&(field.to_owned(), "timestamp_out_of_range".to_owned())),
            "{field}: {:?}",
            response.violations()
        );
    }
    // Opening before `opens_at` is refused; from it on it opens.
    let created = app
        .post_json("/api/v1/calls", Some(&office), &university_wide_call())
        .await
        .json();
    let opens_at: chrono::DateTime<chrono::Utc> = created["opens_at"]
        .as_str()
        .expect("opens_at")
        .parse()
        .expect("time");
    let open = format!("/api/v1/calls/{}/open", created["id"].as_str().expect("id"));
    app.set_now(opens_at - Duration::seconds(1));
    app.post_json(&open, Some(&office), &json!({}))
        .await
        .problem(409);
    app.set_now(opens_at);
    assert_eq!(
        app.post_json(&open, Some(&office), &json!({})).await.ok()["status"],
        "open"
    );
}

#[actix_web::test]
async fn places_name_existing_destinations_in_the_calls_semesters() {
    let w = world().await;
    let id = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &university_wide_call(),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let body = json!([
        {"destination_id": w.wide[0], "semester": "full_year", "places": 1},
        {"destination_id": "00000000-0000-0000-0000-000000000000", "semester": "autumn", "places": 1},
    ]);
    let response = w
        .app
        .put_json(
            &format!("/api/v1/calls/{id}/places"),
            Some(&coordinator()),
            &body,
        )
        .await;
    response.problem(422);
    assert_eq!(
        response.violations(),
        [
            ("[0].semester".to_owned(), "semester_not_in_call".to_owned()),
            (
                "[1].destination_id".to_owned(),
                "unknown_destination".to_owned()
            )
        ]
    );
    let negative = json!([{"destination_id": w.wide[0], "semester": "autumn", "places": -1}]);
    w.app
        .put_json(
            &format!("/api/v1/calls/{id}/places"),
            Some(&coordinator()),
            &negative,
        )
        .await
        .problem(422);
}

#[actix_web::test]
async fn a_change_of_scheme_faculty_or_semesters_never_leaves_places_the_call_may_not_offer() {
    let w = world().await;
    let office = coordinator();
    let created = w
        .app
        .post_json("/api/v1/calls", Some(&office), &scheme::law_call())
        .await
        .ok();
    let path = format!("/api/v1/calls/{}", created["id"].as_str().expect("id"));
    let places = json!([{"destination_id": w.law, "semester": "autumn", "places": 2}]);
    w.app
        .put_json(&format!("{path}/places"), Some(&office), &places)
        .await
        .ok();
    // The law destination fits neither a university-wide call nor another faculty's.
    for (change, field) in [
        (
            json!({"scheme": "university_wide", "faculty": null}),
            "scheme",
        ),
        (json!({"faculty": "SCI"}), "faculty"),
        (json!({"semesters": ["spring"]}), "semesters"),
    ] {
        let refused = w.app.patch_json(&path, Some(&office), &change).await;
        refused.problem(422);
        let codes = refused.violations();
        assert_eq!(codes.len(), 1, "{change}: {codes:?}");
        assert_eq!(codes[0].0, field, "{change}");
    }
    // Nothing changed; once its places are gone, the call may change.
    let stored = w.app.get(&path, Some(&office)).await.ok();
    assert_eq!(stored["faculty"], "LAW");
    assert_eq!(stored["semesters"], json!(["autumn", "spring"]));
    w.app
        .put_json(&format!("{path}/places"), Some(&office), &json!([]))
        .await
        .ok();
    let changed = w
        .app
        .patch_json(&path, Some(&office), &json!({"faculty": "SCI"}))
        .await
        .ok();
    assert_eq!(changed["faculty"], "SCI");
}

#[actix_web::test]
async fn another_faculty_s_draft_is_no_first_round_that_anyone_could_name() {
    let w = world().await;
    let law = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&faculty_coordinator("LAW")),
            &scheme::law_call(),
        )
        .await
        .ok();
    let mut second = scheme::law_call();
    second["faculty"] = json!("SCI");
    second["name"] = json!("Science exchange, round 2");
    let answer = |parent: &str| {
        let mut body = second.clone();
        body["parent_call_id"] = json!(parent);
        body
    };
    let unseen = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&faculty_coordinator("SCI")),
            &answer(law["id"].as_str().expect("id")),
        )
        .await;
    let unknown = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&faculty_coordinator("SCI")),
            &answer("00000000-0000-4000-8000-000000000000"),
        )
        .await;
    unseen.problem(422);
    // The same answer as for a call that never was, word for word but the id.
    let message = |r: &crate::support::Response| {
        r.json()["errors"][0]["message"]
            .as_str()
            .expect("message")
            .split(' ')
            .take(4)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(unseen.violations(), unknown.violations());
    assert_eq!(message(&unseen), message(&unknown));
    // The office sees the draft, and is told why it is no first round of this one.
    let office = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&coordinator()),
            &answer(law["id"].as_str().expect("id")),
        )
        .await;
    office.problem(422);
    assert!(
        office.json()["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("same scheme and faculty"),
        "{}",
        office.json()
    );
}
