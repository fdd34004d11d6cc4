//! Health, readiness, request ids, logs, the API docs and the committed OpenAPI document.

use crate::support::{TestApp, coordinator};
use abroad_storage::migrations;
use actix_web::test::TestRequest;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[actix_web::test]
async fn health_and_ready_answer_200_on_a_migrated_database() {
    let app = TestApp::new();
    assert_eq!(app.get("/health", None).await.ok()["status"], "ok");
    assert_eq!(app.get("/ready", None).await.ok()["status"], "ok");
}

#[actix_web::test]
async fn ready_is_503_while_migrations_are_pending() {
    let app = TestApp::new();
    let mut conn = app.db.connect();
    migrations::revert_all(&mut conn).expect("revert");
    let body = app.get("/ready", None).await.problem(503);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("migrat"),
        "{body}"
    );
}

#[test]
fn every_migration_reverts_and_applies_again() {
    let db = abroad_storage::test_db::TestDb::new();
    let mut conn = db.connect();
    let reverted = migrations::revert_all(&mut conn).expect("every down.sql runs");
    assert!(!reverted.is_empty());
    assert!(migrations::has_pending(&mut conn).expect("check"));
    let applied = migrations::run_pending(&mut conn).expect("every up.sql runs again");
    assert_eq!(applied.len(), reverted.len());
    assert!(!migrations::has_pending(&mut conn).expect("check"));
}

#[actix_web::test]
async fn a_request_id_is_kept_when_sane_and_made_otherwise() {
    let app = TestApp::new();
    let given = app
        .send(
            TestRequest::get()
                .uri("/health")
                .insert_header(("x-request-id", "portal-42")),
        )
        .await;
    assert_eq!(given.header("x-request-id"), Some("portal-42"));
    let forged = app
        .send(
            TestRequest::get()
                .uri("/health")
                .insert_header(("x-request-id", "a b\tc")),
        )
        .await;
    let made = forged.header("x-request-id").expect("made");
    assert!(uuid::Uuid::parse_str(made).is_ok(), "{made}");
    // Errors carry it too.
    let missing = app.get("/nowhere", None).await;
    assert!(missing.header("x-request-id").is_some());
}

/// Every log line of this test process, as JSON: one global subscriber, set once.
///
/// Global rather than per test, because a thread-local subscriber loses events
/// whenever another test's thread (with no subscriber) switches a callsite off first.
fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_writer(move || sink.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        captured
    })
}

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn each_request_logs_one_access_line_with_its_id_and_never_the_token() {
    let app = TestApp::new();
    let captured = captured_logs();
    let token = coordinator();
    let request = TestRequest::get()
        .uri("/api/v1/countries?limit=5")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("x-request-id", "log-check-1"));
    assert_eq!(app.send(request).await.status, 200);

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    let access: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["fields"]["message"] == "request served")
        .filter(|l: &serde_json::Value| l["span"]["request_id"] == "log-check-1")
        .collect();
    assert_eq!(access.len(), 1, "{logs}");
    assert_eq!(access[0]["fields"]["status"], 200);
    assert!(access[0]["fields"]["latency_ms"].is_number());
    assert_eq!(access[0]["span"]["request_id"], "log-check-1");
    assert!(!logs.contains(&token), "the bearer token was logged");
    assert!(
        !logs.to_lowercase().contains("authorization"),
        "a header was logged"
    );
}

#[actix_web::test]
async fn the_docs_page_and_its_script_are_served_without_any_network() {
    let app = TestApp::new();
    let redirect = app.get("/docs", None).await;
    assert_eq!(redirect.header("location"), Some("/docs/"));
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("swagger-ui-bundle.js"), "{html}");
    let script = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(script.status, 200);
    assert!(script.body.len() > 100_000, "the vendored bundle is served");
    let init = app.get("/docs/swagger-initializer.js", None).await;
    assert!(String::from_utf8_lossy(&init.body).contains("/openapi.json"));
    let spec = app.get("/openapi.json", None).await.ok();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec["paths"]["/api/v1/countries/{code}"]["put"].is_object());
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = abroad_api::openapi::to_json(&abroad_api::openapi::document());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: regenerate it with \
         `cargo run -q --bin abroad -- openapi > openapi/openapi.json` and commit it"
    );
}
