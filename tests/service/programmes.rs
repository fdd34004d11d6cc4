//! Study programmes, including a faculty coordinator's scope.

use crate::support::{TestApp, coordinator, faculty_coordinator, student};
use serde_json::json;

fn bms() -> serde_json::Value {
    json!({"name": "Biomedical Sciences", "faculty": "LUMC", "level": "master"})
}

#[actix_web::test]
async fn a_coordinator_creates_and_changes_a_programme() {
    let app = TestApp::new();
    let created = app
        .put_json("/api/v1/programmes/BMS", Some(&coordinator()), &bms())
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/api/v1/programmes/BMS"));
    assert_eq!(
        created.json(),
        json!({"code": "BMS", "name": "Biomedical Sciences", "faculty": "LUMC", "level": "master"})
    );
    let changed = app
        .put_json(
            "/api/v1/programmes/BMS",
            Some(&coordinator()),
            &json!({"name": "Biomedical Sciences", "faculty": "LUMC", "level": "bachelor"}),
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(
        app.get("/api/v1/programmes/BMS", Some(&student()))
            .await
            .ok()["level"],
        "bachelor"
    );
    app.get("/api/v1/programmes/NOPE", Some(&student()))
        .await
        .problem(404);
}

#[actix_web::test]
async fn students_may_read_but_not_change_programmes() {
    let app = TestApp::new();
    app.put_json("/api/v1/programmes/BMS", Some(&student()), &bms())
        .await
        .problem(403);
    assert_eq!(
        app.get("/api/v1/programmes", Some(&student())).await.ok()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn every_violation_is_reported_at_once() {
    let app = TestApp::new();
    let response = app
        .put_json(
            "/api/v1/programmes/BMS",
            Some(&coordinator()),
            &json!({"name": " ", "faculty": "lumc", "level": "phd"}),
        )
        .await;
    response.problem(422);
    let fields: Vec<_> = response.violations().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["name", "faculty", "level"]);
    app.put_json(
        "/api/v1/programmes/bad%20code",
        Some(&coordinator()),
        &bms(),
    )
    .await
    .problem(400);
}

#[actix_web::test]
async fn a_faculty_coordinator_keeps_to_its_faculty() {
    let app = TestApp::new();
    let law = faculty_coordinator("LAW");
    // Creating for another faculty is 403 (SPEC.md, "Faculty scope, exactly").
    app.put_json("/api/v1/programmes/BMS", Some(&law), &bms())
        .await
        .problem(403);
    // Another faculty's programme cannot be taken over: programmes are public, so 403.
    assert_eq!(
        app.put_json("/api/v1/programmes/BMS", Some(&coordinator()), &bms())
            .await
            .status,
        201
    );
    let takeover = json!({"name": "Mine now", "faculty": "LAW", "level": "master"});
    app.put_json("/api/v1/programmes/BMS", Some(&law), &takeover)
        .await
        .problem(403);
    assert_eq!(
        app.get("/api/v1/programmes/BMS", Some(&law)).await.ok()["faculty"],
        "LUMC"
    );
    // Its own faculty's programmes it manages.
    let llm = json!({"name": "Law (LLM)", "faculty": "LAW", "level": "master"});
    assert_eq!(
        app.put_json("/api/v1/programmes/LLM", Some(&law), &llm)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn the_list_filters_by_faculty_and_level() {
    let app = TestApp::new();
    for (code, faculty, level) in [
        ("BMS", "LUMC", "master"),
        ("MED", "LUMC", "bachelor"),
        ("LAW", "LAW", "bachelor"),
    ] {
        let body = json!({"name": code, "faculty": faculty, "level": level});
        assert_eq!(
            app.put_json(
                &format!("/api/v1/programmes/{code}"),
                Some(&coordinator()),
                &body
            )
            .await
            .status,
            201
        );
    }
    let codes = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["code"].as_str().expect("code").to_owned())
            .collect()
    };
    assert_eq!(
        codes(
            app.get("/api/v1/programmes?faculty=LUMC", Some(&student()))
                .await
                .ok()
        ),
        ["BMS", "MED"]
    );
    assert_eq!(
        codes(
            app.get("/api/v1/programmes?level=bachelor", Some(&student()))
                .await
                .ok()
        ),
        ["LAW", "MED"]
    );
    assert_eq!(
        codes(
            app.get(
                "/api/v1/programmes?faculty=LUMC&level=master",
                Some(&student())
            )
            .await
            .ok()
        ),
        ["BMS"]
    );
    app.get("/api/v1/programmes?level=phd", Some(&student()))
        .await
        .problem(400);
}
