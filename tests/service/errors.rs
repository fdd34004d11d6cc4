//! Every error is problem+json with the right status; bad input never gets a 500.

use crate::support::{TestApp, coordinator, jwt_settings, with_token};
use abroad_storage::test_db::TestDb;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn unknown_paths_are_404_problems() {
    let app = TestApp::new();
    for path in [
        "/nowhere",
        "/api/v1/nowhere",
        "/api/v1/countries/SE/extra",
        "/api/v2/countries",
    ] {
        let body = app.get(path, Some(&coordinator())).await.problem(404);
        assert!(
            body["detail"].as_str().unwrap_or("").contains(path),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::new();
    let response = app
        .call(Method::DELETE, "/api/v1/countries/SE", Some(&coordinator()))
        .await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, PUT"));
    let response = app
        .call(Method::POST, "/api/v1/countries", Some(&coordinator()))
        .await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
    let response = app.call(Method::POST, "/health", None).await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
}

fn put(path: &str, content_type: &str, body: impl Into<actix_web::web::Bytes>) -> TestRequest {
    with_token(
        TestRequest::put()
            .uri(path)
            .insert_header(("content-type", content_type))
            .set_payload(body.into()),
        Some(&coordinator()),
    )
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::new();
    let huge = format!(r#"{{"name":"{}","advice":"green"}}"#, "x".repeat(70 * 1024));
    app.send(put("/api/v1/countries/SE", "application/json", huge))
        .await
        .problem(413);
    // Nothing was written.
    app.get("/api/v1/countries/SE", Some(&coordinator()))
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::new();
    let body = app
        .send(put("/api/v1/countries/SE", "text/plain", "name=Sweden"))
        .await
        .problem(415);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("application/json"),
        "{body}"
    );
    let request = with_token(
        TestRequest::put()
            .uri("/api/v1/countries/SE")
            .set_payload("{}"),
        Some(&coordinator()),
    );
    app.send(request).await.problem(415);
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new();
    for body in [
        r#"{"name": "Sweden", "#,
        "",
        "[1, 2",
        r#"{"name":"Sweden","advice":"green"} trailing"#,
    ] {
        app.send(put("/api/v1/countries/SE", "application/json", body))
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn wrong_field_types_and_unknown_fields_are_400_naming_the_field() {
    let app = TestApp::new();
    let response = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&coordinator()),
            &json!({"name": 5, "advice": "green"}),
        )
        .await;
    response.problem(400);
    assert_eq!(
        response.violations(),
        [("name".to_owned(), "invalid_type".to_owned())]
    );
    let response = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&coordinator()),
            &json!({"name": "Sweden", "advise": "green"}),
        )
        .await;
    response.problem(400);
    assert_eq!(
        response.violations(),
        [("advise".to_owned(), "unknown_field".to_owned())]
    );
    let response = app
        .put_json(
            "/api/v1/countries/SE",
            Some(&coordinator()),
            &json!("Sweden"),
        )
        .await;
    response.problem(400);
}

#[actix_web::test]
async fn bad_query_parameters_are_400_naming_them() {
    let app = TestApp::new();
    let token = coordinator();
    for (query, field) in [
        ("advice=purple", "advice"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not%20a%20cursor", "cursor"),
        ("cursor=", "cursor"),
    ] {
        let response = app
            .get(&format!("/api/v1/countries?{query}"), Some(&token))
            .await;
        let body = response.problem(400);
        assert_eq!(response.violations()[0].0, field, "{query}: {body}");
    }
    // A cursor of the right form that no list issued breaks a rule: 422.
    let response = app
        .get("/api/v1/countries?cursor=not-a-cursor", Some(&token))
        .await;
    response.problem(422);
    assert_eq!(response.violations()[0].0, "cursor");
    let body = app
        .get("/api/v1/countries?advise=red", Some(&token))
        .await
        .problem(400);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("advise"),
        "{body}"
    );
}

#[actix_web::test]
async fn a_database_that_is_down_is_503_not_500() {
    let db = TestDb::new();
    // Nothing listens on port 1: every connection attempt fails at once.
    let pool = abroad_storage::pool("postgres://nobody@127.0.0.1:1/none", 1);
    let app = TestApp::with_pool(db, pool, &jwt_settings());
    app.get("/ready", None).await.problem(503);
    app.get("/api/v1/countries", Some(&coordinator()))
        .await
        .problem(503);
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health", None).await.status, 200);
}

#[actix_web::test]
async fn control_characters_are_refused_naming_the_field_never_a_500() {
    let app = TestApp::new();
    let token = coordinator();
    // In a body, anywhere, and in a single-line name even tabs and line breaks.
    for (body, field) in [
        (json!({"name": "Swe\u{0}den", "advice": "green"}), "name"),
        (
            json!({"name": "Sweden\u{1b}[31m", "advice": "green"}),
            "name",
        ),
        (json!({"name": "Swe\u{202E}den", "advice": "green"}), "name"),
        (json!({"name": "Swe\nden", "advice": "green"}), "name"),
        (json!({"name": "Sweden", "advice": "gr\u{0}een"}), "advice"),
    ] {
        let response = app
            .put_json("/api/v1/countries/SE", Some(&token), &body)
            .await;
        response.problem(422);
        assert_eq!(
            response.violations()[0],
            (field.to_owned(), "control_character".to_owned()),
            "{body}"
        );
    }
    // In a query.
    for query in ["q=a%00b", "country=SE&q=%1B"] {
        let response = app
            .get(&format!("/api/v1/institutions?{query}"), Some(&token))
            .await;
        response.problem(422);
        assert_eq!(response.violations()[0].0, "q", "{query}");
    }
    let response = app.get("/api/v1/audit?entity_id=x%00", Some(&token)).await;
    response.problem(422);
    assert_eq!(response.violations()[0].0, "entity_id");
}

#[actix_web::test]
async fn a_whole_number_written_with_a_fraction_is_still_that_integer() {
    // JSON Schema counts 600.0 as the integer 600; so does the service.
    let app = TestApp::new();
    let token = coordinator();
    app.put_json(
        "/api/v1/programmes/BMS",
        Some(&token),
        &json!({"name": "Biomedical Sciences", "faculty": "LUMC", "level": "bachelor"}),
    )
    .await;
    let body = json!({"name": "A", "email": "a@example.edu", "programme": "BMS",
        "level": "bachelor", "ec": 60.0, "gpa": 7.0, "registered": true,
        "first_year_diploma": true});
    let stored = app
        .put_json("/api/v1/students/s1", Some(&token), &body)
        .await;
    assert_eq!(
        stored.status,
        201,
        "{}",
        String::from_utf8_lossy(&stored.body)
    );
    assert_eq!(stored.json()["ec"], 60);
    let mut fractional = body.clone();
    fractional["ec"] = json!(60.5);
    app.put_json("/api/v1/students/s2", Some(&token), &fractional)
        .await
        .problem(400);
}
