//! `abroad seed-demo`: idempotent, and it shows what the office's demo needs.

use crate::support::{TestApp, coordinator, student};

#[actix_web::test]
async fn the_demo_data_loads_twice_without_change_and_answers_the_demo_queries() {
    let app = TestApp::new();
    let mut conn = app.db.connect();
    abroad_api::cli::seed::run(&mut conn).expect("first load");
    let audit_after_first = app
        .get("/api/v1/audit?limit=1", Some(&coordinator()))
        .await
        .ok()["items"][0]["id"]
        .clone();
    abroad_api::cli::seed::run(&mut conn).expect("second load");
    let audit_after_second = app
        .get("/api/v1/audit?limit=1", Some(&coordinator()))
        .await
        .ok()["items"][0]["id"]
        .clone();
    assert_eq!(
        audit_after_first, audit_after_second,
        "a second load changed something"
    );

    let page = app
        .get(
            "/api/v1/destinations?country=SE&level=master&programme=BMS",
            Some(&student()),
        )
        .await
        .ok();
    let karolinska = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["institution"]["name"] == "Karolinska Institutet")
        .expect("Karolinska Institutet is found");
    assert_eq!(karolinska["advice"], "green");
    assert!(karolinska["offerings"].as_array().expect("offerings").len() > 3);

    let half_minor = app
        .get(
            "/api/v1/destinations?activity=half_minor&limit=500",
            Some(&student()),
        )
        .await
        .ok();
    assert!(!half_minor["items"].as_array().expect("items").is_empty());
    let isep = app
        .get("/api/v1/destinations?exchange_type=isep", Some(&student()))
        .await
        .ok();
    assert_eq!(isep["items"][0]["min_gpa"], 6.5);
    assert!(isep["items"][0]["fees"].is_string());
    let wide = app
        .get(
            "/api/v1/destinations?exchange_type=university_wide&limit=500",
            Some(&student()),
        )
        .await
        .ok();
    assert!(wide["items"].as_array().expect("items").len() >= 12);

    for level in ["bachelor", "master"] {
        let students = ["s1000001", "s2000001"];
        let number = if level == "bachelor" {
            students[0]
        } else {
            students[1]
        };
        let record = app
            .get(&format!("/api/v1/students/{number}"), Some(&coordinator()))
            .await
            .ok();
        assert_eq!(record["level"], level);
    }
    let red = app
        .get("/api/v1/countries?advice=red", Some(&student()))
        .await
        .ok();
    assert!(!red["items"].as_array().expect("items").is_empty());
}

#[actix_web::test]
async fn the_demo_has_a_drawn_round_with_offers_nominations_and_explanations() {
    let app = TestApp::new();
    let mut conn = app.db.connect();
    abroad_api::cli::seed::run(&mut conn).expect("demo data");
    let office = coordinator();
    let drawn = app
        .get("/api/v1/calls?status=drawn", Some(&student()))
        .await
        .ok();
    let call = drawn["items"][0]["id"]
        .as_str()
        .expect("a drawn call")
        .to_owned();

    // The published record checks out.
    let record = app
        .get(&format!("/api/v1/calls/{call}/draw"), Some(&student()))
        .await
        .ok();
    let parsed: abroad_domain::draw::DrawRecord =
        serde_json::from_value(record.clone()).expect("a draw record");
    let verified = abroad_domain::draw::verify(&parsed).expect("the demo draw checks out");
    assert_eq!(verified.applications, 16);

    // Offers in several states, and nominations in every state.
    let offers = app
        .get(
            &format!("/api/v1/offers?call_id={call}&limit=500"),
            Some(&office),
        )
        .await
        .ok();
    let mut states: Vec<String> = offers["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["status"].as_str().expect("status").to_owned())
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(states, ["accepted", "declined", "pending"]);
    let nominations = app
        .get(
            &format!("/api/v1/nominations?call_id={call}"),
            Some(&office),
        )
        .await
        .ok();
    let mut states: Vec<&str> = nominations["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["status"].as_str().expect("status"))
        .collect();
    states.sort_unstable();
    assert_eq!(states, ["confirmed", "confirmed", "pending", "sent"]);

    // Every applicant's explanation reads, for the student themselves.
    let results = app
        .get(
            &format!("/api/v1/calls/{call}/results?limit=500"),
            Some(&office),
        )
        .await
        .ok();
    for row in results["items"].as_array().expect("items") {
        let student = row["student"].as_str().expect("student");
        let explained = app
            .get(
                &format!(
                    "/api/v1/applications/{}/explanation",
                    row["application_id"].as_str().expect("id")
                ),
                Some(&crate::support::token("student", student)),
            )
            .await
            .ok();
        assert_eq!(explained["rank"], row["rank"]);
    }
}

#[actix_web::test]
async fn the_demo_has_activities_in_every_state_and_someone_to_reach_in_sweden() {
    let app = TestApp::new();
    let mut conn = app.db.connect();
    abroad_api::cli::seed::run(&mut conn).expect("demo data");
    let office = coordinator();
    let listed = app
        .get("/api/v1/activities?limit=500", Some(&office))
        .await
        .ok();
    let mut states: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["status"].as_str().expect("status"))
        .collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(states, ["approved", "draft", "held", "rejected"]);
    let sweden = app
        .get("/api/v1/countries/SE/affected", Some(&office))
        .await
        .ok();
    let reached = sweden["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["student"] == "s1000001")
        .expect("the demo's student in Stockholm");
    assert_eq!(reached["kind"], "activity");
    assert!(reached["phone"].is_string());
}

#[actix_web::test]
async fn the_demo_has_published_reports_found_by_a_word_of_their_text() {
    let app = TestApp::new();
    let mut conn = app.db.connect();
    abroad_api::cli::seed::run(&mut conn).expect("demo data");
    let found = app
        .get("/api/v1/reports?q=housing", Some(&student()))
        .await
        .ok();
    let items = found["items"].as_array().expect("items");
    assert!(!items.is_empty(), "{found}");
    assert!(
        items[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>housing</mark>")),
        "{}",
        items[0]
    );
    let queue = app
        .get("/api/v1/reports?status=submitted", Some(&coordinator()))
        .await
        .ok();
    assert_eq!(queue["items"].as_array().expect("items").len(), 1);
}
