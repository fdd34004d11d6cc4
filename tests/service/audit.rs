//! The audit log records every change with its actor, in the same transaction.

use crate::support::{TestApp, claims, coordinator, sign, student};
use serde_json::json;

#[actix_web::test]
async fn a_change_is_audited_with_actor_role_before_and_after() {
    let app = TestApp::new();
    let mut officer = claims("coordinator", "officer-7");
    officer.name = Some("Officer Seven".to_owned());
    let token = sign(&officer);
    app.put_json(
        "/api/v1/countries/SE",
        Some(&token),
        &json!({"name": "Sweden", "advice": "green"}),
    )
    .await
    .ok();
    let request = actix_web::test::TestRequest::put()
        .uri("/api/v1/countries/SE")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-request-id", "advice-change-1"))
        .set_payload(json!({"name": "Sweden", "advice": "red"}).to_string());
    app.send(request).await.ok();

    let log = app
        .get(
            "/api/v1/audit?entity_type=country&entity_id=SE",
            Some(&coordinator()),
        )
        .await
        .ok();
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let latest = &items[0];
    assert_eq!(latest["action"], "country.updated");
    assert_eq!(latest["actor"], "officer-7");
    assert_eq!(latest["role"], "coordinator");
    assert_eq!(latest["before"]["advice"], "green");
    assert_eq!(latest["after"]["advice"], "red");
    assert_eq!(latest["request_id"], "advice-change-1");
    assert!(latest["at"].is_string());
    assert_eq!(items[1]["action"], "country.created");
    assert_eq!(items[1]["before"], json!(null));
}

#[actix_web::test]
async fn a_refused_change_leaves_no_entry() {
    let app = TestApp::new();
    app.put_json(
        "/api/v1/countries/SE",
        Some(&coordinator()),
        &json!({"name": "", "advice": "green"}),
    )
    .await
    .problem(422);
    app.put_json(
        "/api/v1/countries/SE",
        Some(&student()),
        &json!({"name": "Sweden", "advice": "green"}),
    )
    .await
    .problem(403);
    let log = app.get("/api/v1/audit", Some(&coordinator())).await.ok();
    assert_eq!(log["items"], json!([]));
}

#[actix_web::test]
async fn only_coordinators_read_the_audit_log() {
    let app = TestApp::new();
    app.get("/api/v1/audit", Some(&student()))
        .await
        .problem(403);
    let mut programme = claims("programme", "bms");
    programme.programmes = vec!["BMS".to_owned()];
    app.get("/api/v1/audit", Some(&sign(&programme)))
        .await
        .problem(403);
    app.get("/api/v1/audit", None).await.problem(401);
}

#[actix_web::test]
async fn the_log_filters_by_entity_and_pages_newest_first() {
    let app = TestApp::new();
    let token = coordinator();
    for advice in ["green", "yellow", "orange", "red"] {
        app.put_json(
            "/api/v1/countries/SE",
            Some(&token),
            &json!({"name": "Sweden", "advice": advice}),
        )
        .await
        .ok();
    }
    app.put_json(
        "/api/v1/countries/NO",
        Some(&token),
        &json!({"name": "Norway", "advice": "green"}),
    )
    .await
    .ok();
    let first = app
        .get(
            "/api/v1/audit?entity_type=country&entity_id=SE&limit=3",
            Some(&token),
        )
        .await
        .ok();
    let advice: Vec<_> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["after"]["advice"].clone())
        .collect();
    assert_eq!(advice, [json!("red"), json!("orange"), json!("yellow")]);
    let cursor = first["next_cursor"].as_str().expect("more");
    let rest = app
        .get(
            &format!("/api/v1/audit?entity_type=country&entity_id=SE&limit=3&cursor={cursor}"),
            Some(&token),
        )
        .await
        .ok();
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);
    assert_eq!(rest["next_cursor"], json!(null));
}

#[test]
fn audit_entries_cannot_be_changed_or_deleted() {
    use diesel::RunQueryDsl;
    let db = abroad_storage::test_db::TestDb::new();
    let mut conn = db.connect();
    let actor = abroad_storage::Actor::system("test");
    abroad_storage::audit::record(
        &mut conn,
        &actor,
        "x.created",
        "x",
        "1",
        None::<&()>,
        Some(&json!({"a": 1})),
    )
    .expect("insert");
    assert!(
        diesel::sql_query("UPDATE audit_log SET actor = 'someone-else'")
            .execute(&mut conn)
            .is_err()
    );
    assert!(
        diesel::sql_query("DELETE FROM audit_log")
            .execute(&mut conn)
            .is_err()
    );
}
