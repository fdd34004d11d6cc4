//! SPEC.md's "Faculty scope, exactly", as the probe that found the leaks tried it:
//! each reproduction answers as SPEC.md says and leaves the data as it was.

use crate::matrix_world::{F, G, S1, World, student_body};
use crate::support::{coordinator, faculty_coordinator};
use serde_json::{Value, json};

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

#[actix_web::test]
async fn another_faculty_cannot_overwrite_a_students_record() {
    let w = World::build().await;
    let path = format!("/api/v1/students/{S1}");
    let mut changed = student_body("Student s1", "LLB", 75);
    changed["gpa"] = json!(9.9);
    let before = w.app.get(&path, Some(&coordinator())).await.ok();
    w.app
        .put_json(&path, Some(&faculty_coordinator(G)), &changed)
        .await
        .problem(404);
    w.app
        .get(&path, Some(&faculty_coordinator(G)))
        .await
        .problem(404);
    assert_eq!(w.app.get(&path, Some(&coordinator())).await.ok(), before);
    // Its own faculty's coordinator does write it.
    let own = w
        .app
        .put_json(&path, Some(&faculty_coordinator(F)), &changed)
        .await
        .ok();
    assert_eq!(own["gpa"], 9.9);
    // Moving a student into another faculty's programme is not F's to do.
    let moved = student_body("Student s1", "PHY", 75);
    w.app
        .put_json(&path, Some(&faculty_coordinator(F)), &moved)
        .await
        .problem(403);
}

#[actix_web::test]
async fn the_audit_log_shows_another_faculty_nothing_of_its_objects() {
    let w = World::build().await;
    let queries = [
        format!("entity_type=application&entity_id={}", w.application),
        format!("entity_type=student&entity_id={S1}"),
        format!("entity_type=call&entity_id={}", w.draft_call),
        format!("entity_type=destination&entity_id={}", w.archived),
    ];
    for query in &queries {
        let path = format!("/api/v1/audit?{query}");
        let office = w.app.get(&path, Some(&coordinator())).await.ok();
        assert!(!items(&office).is_empty(), "{query}: the office sees it");
        let own = w.app.get(&path, Some(&faculty_coordinator(F))).await.ok();
        assert_eq!(items(&own).len(), items(&office).len(), "{query}");
        let other = w.app.get(&path, Some(&faculty_coordinator(G))).await.ok();
        assert!(items(&other).is_empty(), "{query}: {other}");
    }
    // Nor does the whole log, page by page.
    let whole = w
        .app
        .get("/api/v1/audit?limit=500", Some(&faculty_coordinator(G)))
        .await
        .ok();
    let hidden = [&w.application, &w.draft_call, &w.archived];
    for entry in items(&whole) {
        let id = entry["entity_id"].as_str().expect("id");
        assert!(!hidden.iter().any(|h| h.as_str() == id), "{entry}");
        assert_ne!(id, S1, "{entry}");
    }
    // What everyone reads stays readable: the published call's entries.
    let open = format!("/api/v1/audit?entity_type=call&entity_id={}", w.open_call);
    assert!(!items(&w.app.get(&open, Some(&faculty_coordinator(G))).await.ok()).is_empty());
}

#[actix_web::test]
async fn drafts_and_archives_of_another_faculty_are_not_there() {
    let w = World::build().await;
    let other = faculty_coordinator(G);
    for path in [
        format!("/api/v1/calls/{}", w.draft_call),
        format!("/api/v1/calls/{}/places", w.draft_call),
        format!("/api/v1/destinations/{}", w.archived),
    ] {
        w.app.get(&path, Some(&other)).await.problem(404);
        w.app.get(&path, Some(&faculty_coordinator(F))).await.ok();
    }
    let calls = w
        .app
        .get("/api/v1/calls?limit=500", Some(&other))
        .await
        .ok();
    assert!(
        !items(&calls)
            .iter()
            .any(|c| c["id"] == w.draft_call.as_str())
    );
    let archived = w
        .app
        .get("/api/v1/destinations?archived=true", Some(&other))
        .await
        .ok();
    assert!(items(&archived).is_empty(), "{archived}");
}

#[actix_web::test]
async fn advice_institutions_and_places_stay_within_the_faculty() {
    let w = World::build().await;
    let own = faculty_coordinator(F);
    // Travel advice is the office's.
    w.app
        .put_json(
            "/api/v1/countries/SE",
            Some(&own),
            &json!({"name": "Sweden", "advice": "red"}),
        )
        .await
        .problem(403);
    assert_eq!(
        w.app.get("/api/v1/countries/SE", Some(&own)).await.ok()["advice"],
        "green"
    );
    // An institution shared with the university's destinations is not F's to edit.
    let shared = format!("/api/v1/institutions/{}", w.shared_institution);
    let name = w.app.get(&shared, Some(&own)).await.ok()["name"].clone();
    w.app
        .patch_json(&shared, Some(&own), &json!({"name": "Renamed"}))
        .await
        .problem(403);
    assert_eq!(w.app.get(&shared, Some(&own)).await.ok()["name"], name);
    // F's call offers places only at F's active destinations.
    let places = format!("/api/v1/calls/{}/places", w.draft_call);
    for (destination, code) in [
        (&w.wide_destination, "destination_outside_scheme"),
        (&w.archived, "archived_destination"),
    ] {
        let response = w
            .app
            .put_json(
                &places,
                Some(&own),
                &json!([{"destination_id": destination, "semester": "autumn", "places": 2}]),
            )
            .await;
        response.problem(422);
        assert_eq!(
            response.violations(),
            [("[0].destination_id".to_owned(), code.to_owned())]
        );
    }
    // And a university-wide call only at university-wide or ISEP ones.
    let wide_places = format!("/api/v1/calls/{}/places", w.wide_call);
    let response = w
        .app
        .put_json(
            &wide_places,
            Some(&coordinator()),
            &json!([{"destination_id": w.destination, "semester": "autumn", "places": 2}]),
        )
        .await;
    response.problem(422);
    assert_eq!(response.violations()[0].1, "destination_outside_scheme");
}

#[actix_web::test]
async fn who_may_comes_before_what_the_body_says() {
    // A caller who may not set a call's places learns nothing from a bad body: 404 for a
    // draft it may not see, 403 for a call it sees, before any 422.
    let w = World::build().await;
    let bad = json!([{"destination_id": w.destination, "semester": "winter", "places": -1}]);
    w.app
        .put_json(
            &format!("/api/v1/calls/{}/places", w.draft_call),
            Some(&faculty_coordinator(G)),
            &bad,
        )
        .await
        .problem(404);
    w.app
        .put_json(
            &format!("/api/v1/calls/{}/places", w.open_call),
            Some(&crate::support::student()),
            &bad,
        )
        .await
        .problem(403);
    w.app
        .put_json(
            &format!("/api/v1/calls/{}/places", w.draft_call),
            Some(&faculty_coordinator(F)),
            &bad,
        )
        .await
        .problem(422);
}
