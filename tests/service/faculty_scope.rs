//! SPEC.md's "Faculty scope, exactly", as the probe that found the leaks tried it:
//! each reproduction answers as SPEC.md says and leaves the data as it was.

use crate::matrix_world::{
    ActivityState, F, G, P1, P2, Req, S1, S2, World, faculty_call, faculty_destination,
    student_body, wide_destination,
};
use crate::support::{coordinator, faculty_coordinator, programme_token, token, with_token};
use actix_web::http::{Method, header};
use actix_web::test::TestRequest;
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

/// Sends `body` to `path` as `unseeing`, who may not see the object there, and as
/// `seeing`, who may act on it: 404 for the first, `status` (the body's own fault) for
/// the second. So the 404 answers for the object, not for the body.
async fn unseen_before_body(
    w: &World,
    method: Method,
    path: &str,
    body: &Value,
    unseeing: &str,
    seeing: &str,
    status: u16,
) {
    let request = Req::json(method, path.to_owned(), body.clone());
    w.app
        .send(request.request(Some(unseeing)))
        .await
        .problem(404);
    w.app
        .send(request.request(Some(seeing)))
        .await
        .problem(status);
}

#[actix_web::test]
async fn decisions_on_an_application_one_may_not_see_are_404_whatever_the_body_says() {
    let w = World::build().await;
    let application = format!("/api/v1/applications/{}", w.application);
    let cases = [
        (
            Method::POST,
            "review",
            json!({"outcome": "maybe"}),
            faculty_coordinator(G),
            faculty_coordinator(F),
        ),
        (
            Method::PUT,
            "score",
            json!({"score": 5000}),
            faculty_coordinator(G),
            faculty_coordinator(F),
        ),
        (
            Method::POST,
            "programme-decision",
            json!({"approved": true, "comment": "x".repeat(2001)}),
            programme_token(&[P2]),
            programme_token(&[P1]),
        ),
    ];
    for (method, action, body, unseeing, seeing) in cases {
        let path = format!("{application}/{action}");
        unseen_before_body(&w, method, &path, &body, &unseeing, &seeing, 422).await;
    }
}

#[actix_web::test]
async fn another_students_draft_and_a_draft_call_are_404_whatever_the_body_says() {
    let w = World::build().await;
    let bad = json!({"semester": "winter"});
    unseen_before_body(
        &w,
        Method::PUT,
        &format!("/api/v1/applications/{}", w.application),
        &bad,
        &token("student", S2),
        &token("student", S1),
        422,
    )
    .await;
    // A call is applied to only while students see it.
    let draft = format!("/api/v1/calls/{}/applications", w.draft_call);
    w.app
        .post_json(&draft, Some(&token("student", S2)), &bad)
        .await
        .problem(404);
    let open = format!("/api/v1/calls/{}/applications", w.open_call);
    w.app
        .post_json(&open, Some(&token("student", S2)), &bad)
        .await
        .problem(422);
}

#[actix_web::test]
async fn documents_for_an_application_one_may_not_see_are_404_whatever_is_sent() {
    let w = World::build().await;
    let path = format!("/api/v1/applications/{}/documents/cv", w.application);
    let upload = |who: &str, content_type: &str| {
        let request = TestRequest::put()
            .uri(&path)
            .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
            .set_payload("not a PDF at all");
        with_token(request, Some(who))
    };
    let (other, owner) = (token("student", S2), token("student", S1));
    for content_type in ["application/pdf", "text/plain"] {
        w.app.send(upload(&other, content_type)).await.problem(404);
    }
    w.app
        .send(upload(&owner, "application/pdf"))
        .await
        .problem(422);
    w.app.send(upload(&owner, "text/plain")).await.problem(415);
}

#[actix_web::test]
async fn another_facultys_student_is_404_whatever_the_body_says() {
    let w = World::build().await;
    let mut bad = student_body("Student s1", P1, 75);
    bad["email"] = json!("not an address");
    unseen_before_body(
        &w,
        Method::PUT,
        &format!("/api/v1/students/{S1}"),
        &bad,
        &faculty_coordinator(G),
        &faculty_coordinator(F),
        422,
    )
    .await;
    // A number no one has yet is a record to create: in one's own faculty's programme
    // the body's fault is told; in another's it is 403, whatever else the body says.
    let new = "/api/v1/students/s9999999";
    let mut physicist = bad.clone();
    physicist["programme"] = json!(P2);
    for (who, status) in [
        (faculty_coordinator(G), 422),
        (faculty_coordinator(F), 403),
        (coordinator(), 422),
    ] {
        w.app
            .put_json(new, Some(&who), &physicist)
            .await
            .problem(status);
    }
}

#[actix_web::test]
async fn a_call_one_may_not_manage_is_404_or_403_before_the_patch_is_read() {
    let w = World::build().await;
    let not_an_object = json!(["name"]);
    let draft = format!("/api/v1/calls/{}", w.draft_call);
    unseen_before_body(
        &w,
        Method::PATCH,
        &draft,
        &not_an_object,
        &faculty_coordinator(G),
        &faculty_coordinator(F),
        400,
    )
    .await;
    let open = format!("/api/v1/calls/{}", w.open_call);
    w.app
        .patch_json(&open, Some(&faculty_coordinator(G)), &not_an_object)
        .await
        .problem(403);
}

#[actix_web::test]
async fn creating_for_another_faculty_is_403_whatever_else_the_body_says() {
    let w = World::build().await;
    let own = faculty_coordinator(F);
    let mut calls = Vec::new();
    for (scheme, faculty) in [("university_wide", Value::Null), ("faculty", json!(G))] {
        let mut call = faculty_call("");
        call["scheme"] = json!(scheme);
        call["faculty"] = faculty;
        calls.push(call);
    }
    let mut wide = wide_destination(&w.institution);
    wide["chance"] = json!("certain");
    let mut other = faculty_destination(&w.institution);
    other["faculty"] = json!(G);
    other["chance"] = json!("certain");
    let creations = calls
        .into_iter()
        .map(|c| (Method::POST, "/api/v1/calls".to_owned(), c))
        .chain([wide, other].map(|d| (Method::POST, "/api/v1/destinations".to_owned(), d)))
        .chain([
            // Another faculty's programme, and a new one for another faculty.
            (
                Method::PUT,
                format!("/api/v1/programmes/{P2}"),
                json!({"name": "Physics", "faculty": F, "level": "doctorate"}),
            ),
            (
                Method::PUT,
                "/api/v1/programmes/NEW".to_owned(),
                json!({"name": "New", "faculty": G, "level": "doctorate"}),
            ),
        ]);
    for (method, path, body) in creations {
        let request = Req::json(method, path.clone(), body.clone());
        let refused = w.app.send(request.request(Some(&own))).await;
        refused.problem(403);
        // The office may create it: to it, the body's faults are told.
        let told = w.app.send(request.request(Some(&coordinator()))).await;
        told.problem(422);
    }
    // Its own faculty's, with the same fault, is the body's to answer.
    let mut mine = faculty_destination(&w.institution);
    mine["chance"] = json!("certain");
    w.app
        .post_json("/api/v1/destinations", Some(&own), &mine)
        .await
        .problem(422);
}

#[actix_web::test]
async fn another_students_activity_and_offer_are_404_whatever_the_body_says() {
    let w = World::build().await;
    let (owner, other) = (token("student", S1), token("student", S2));
    let draft = w.fresh_activity(ActivityState::NeedsApproval).await;
    let activity = format!("/api/v1/activities/{draft}");
    let unnamed = json!({"type": "internship", "title": "", "host_organisation": "Lind",
                         "country": "SE", "city": "Stockholm",
                         "start_date": "2027-01-10", "end_date": "2027-02-01"});
    unseen_before_body(&w, Method::PUT, &activity, &unnamed, &other, &owner, 422).await;
    let long = json!({"approved": true, "comment": "x".repeat(2001)});
    let decision = format!("{activity}/programme-decision");
    let (unseeing, seeing) = (programme_token(&[P2]), programme_token(&[P1]));
    unseen_before_body(&w, Method::POST, &decision, &long, &unseeing, &seeing, 422).await;
    let held = w.fresh_activity(ActivityState::Held).await;
    unseen_before_body(
        &w,
        Method::POST,
        &format!("/api/v1/activities/{held}/reject"),
        &json!({"reason": ""}),
        &faculty_coordinator(G),
        &faculty_coordinator(F),
        422,
    )
    .await;
    let (_, offer) = w.fresh_offer().await;
    unseen_before_body(
        &w,
        Method::POST,
        &format!("/api/v1/offers/{offer}/accept"),
        &json!({"regulations_accepted": false}),
        &other,
        &owner,
        422,
    )
    .await;
}
