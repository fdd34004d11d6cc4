//! Countries and travel advice, end to end.

use crate::support::{TestApp, coordinator, json_request, student};
use actix_web::test::TestRequest;
use serde_json::json;
use std::collections::HashSet;

#[actix_web::test]
async fn a_coordinator_creates_then_changes_a_country() {
    let app = TestApp::new();
    let token = coordinator();
    let created = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&token),
            &json!({"name": " Sweden ", "advice": "green"}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/api/v1/countries/SE"));
    let body = created.json();
    assert_eq!(body["code"], "SE");
    assert_eq!(body["name"], "Sweden");
    assert_eq!(body["advice"], "green");
    let set_at = body["advice_updated_at"].clone();

    // The same again: 200, nothing moves.
    let same = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&token),
            &json!({"name": "Sweden", "advice": "green"}),
        )
        .await;
    assert_eq!(same.status, 200);
    assert_eq!(same.json()["advice_updated_at"], set_at);

    // A new name keeps the date the advice was set.
    let renamed = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&token),
            &json!({"name": "Kingdom of Sweden", "advice": "green"}),
        )
        .await;
    assert_eq!(renamed.ok()["advice_updated_at"], set_at);

    // New advice moves it.
    let orange = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&token),
            &json!({"name": "Sweden", "advice": "orange"}),
        )
        .await;
    let mut orange = orange.ok();
    assert_eq!(orange["advice"], "orange");
    assert_ne!(orange["advice_updated_at"], set_at);
    // Negative advice: the answer says how many students are there (none here).
    assert_eq!(orange["affected_students"], 0);

    // Everyone signed in reads it.
    let read = app.get("/api/v1/countries/SE", Some(&student())).await.ok();
    orange
        .as_object_mut()
        .expect("an object")
        .remove("affected_students");
    assert_eq!(read, orange);
}

#[actix_web::test]
async fn country_codes_are_checked_against_iso_3166() {
    let app = TestApp::new();
    let token = coordinator();
    let body = json!({"name": "Nowhere", "advice": "green"});
    // Not two upper-case letters: malformed, as the document's pattern says.
    for code in ["SWE", "S", "12", "se"] {
        let response = app
            .put_json(&format!("/api/v1/countries/{code}"), Some(&token), &body)
            .await;
        response.problem(400);
        assert_eq!(response.violations()[0].0, "code", "{code}");
    }
    // Of that form but not assigned: a rule broken to write, nothing there to read.
    let response = app
        .put_json("/api/v1/countries/ZZ", Some(&token), &body)
        .await;
    response.problem(422);
    assert_eq!(response.violations()[0].1, "unknown_country_code");
    app.get("/api/v1/countries/XX", Some(&token))
        .await
        .problem(404);
    app.get("/api/v1/countries/NO", Some(&token))
        .await
        .problem(404);
}

#[actix_web::test]
async fn every_violation_is_reported_at_once() {
    let app = TestApp::new();
    let response = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&coordinator()),
            &json!({"name": "", "advice": "purple"}),
        )
        .await;
    response.problem(422);
    assert_eq!(
        response.violations(),
        [
            ("name".to_owned(), "required".to_owned()),
            ("advice".to_owned(), "invalid_advice".to_owned())
        ]
    );
    let response = app
        .put_json("/api/v1/countries/SE", Some(&coordinator()), &json!({}))
        .await;
    assert_eq!(
        response.violations(),
        [
            ("name".to_owned(), "required".to_owned()),
            ("advice".to_owned(), "required".to_owned())
        ]
    );
    let long = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&coordinator()),
            &json!({"name": "x".repeat(101), "advice": "red"}),
        )
        .await;
    long.problem(422);
    assert_eq!(
        long.violations(),
        [("name".to_owned(), "too_long".to_owned())]
    );
    app.get("/api/v1/countries/SE", Some(&coordinator()))
        .await
        .problem(404);
}

async fn seed(app: &TestApp, countries: &[(&str, &str)]) {
    for (code, advice) in countries {
        let response = app
            .put_json(
                &format!("/api/v1/countries/{code}"),
                Some(&coordinator()),
                &json!({"name": code, "advice": advice}),
            )
            .await;
        assert_eq!(response.status, 201);
    }
}

#[actix_web::test]
async fn the_list_filters_by_advice() {
    let app = TestApp::new();
    seed(
        &app,
        &[
            ("SE", "green"),
            ("UA", "red"),
            ("IL", "orange"),
            ("SY", "red"),
            ("FR", "yellow"),
        ],
    )
    .await;
    let red = app
        .get("/api/v1/countries?advice=red", Some(&student()))
        .await
        .ok();
    let codes: Vec<_> = red["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["code"].clone())
        .collect();
    assert_eq!(codes, [json!("SY"), json!("UA")]);
    assert_eq!(red["next_cursor"], json!(null));
}

#[actix_web::test]
async fn pages_cover_every_country_once_in_order() {
    let app = TestApp::new();
    let all = ["AT", "BE", "DE", "ES", "FI", "FR", "IE", "SE"];
    seed(&app, &all.map(|c| (c, "green"))).await;
    let mut seen = Vec::new();
    let mut url = "/api/v1/countries?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&url, Some(&student())).await.ok();
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|c| c["code"].as_str().expect("code").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/v1/countries?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), all.len());
}

#[actix_web::test]
async fn two_creates_at_once_make_one_country_and_one_created_entry() {
    let app = TestApp::new();
    let token = coordinator();
    let body = json!({"name": "Sweden", "advice": "yellow"});
    let requests = (0..4)
        .map(|_| {
            json_request(
                TestRequest::put(),
                "/api/v1/countries/SE",
                Some(&token),
                &body,
            )
        })
        .collect();
    let mut statuses: Vec<u16> = app
        .send_concurrently(requests)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 201]);
    let audit = app
        .get(
            "/api/v1/audit?entity_type=country&entity_id=SE",
            Some(&token),
        )
        .await
        .ok();
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions, [json!("country.created")]);
}
