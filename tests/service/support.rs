//! `TestApp`: the real app on a private database, with request and token helpers.

use abroad_api::app::{self, AppState, Services};
use abroad_api::auth::{self, Claims, Verifier};
use abroad_api::catalogue::CatalogueCache;
use abroad_api::clock::Clock;
use abroad_api::db::Db;
use abroad_api::redrawn::RedrawnCalls;
use abroad_api::settings::{JwtSettings, Settings};
use abroad_storage::test_db::TestDb;
use actix_web::http::{Method, StatusCode, header};
use actix_web::test::{self, TestRequest};
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub const SECRET: &str = "test-secret-for-the-abroad-suite-0123456789";

/// The settings the suite signs and checks tokens with.
pub fn jwt_settings() -> JwtSettings {
    Settings::from_source(&HashMap::from([("ABROAD_JWT_SECRET", SECRET)]))
        .expect("test settings")
        .jwt
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// Claims a token of the given role would carry, valid for an hour.
pub fn claims(role: &str, sub: &str) -> Claims {
    let jwt = jwt_settings();
    Claims {
        sub: sub.to_owned(),
        role: role.to_owned(),
        programmes: Vec::new(),
        faculty: None,
        name: None,
        email: None,
        iss: jwt.issuer,
        aud: jwt.audience,
        exp: now() + 3600,
        iat: Some(now()),
    }
}

pub fn sign(claims: &Claims) -> String {
    auth::sign(&jwt_settings(), claims).expect("sign")
}

pub fn token(role: &str, sub: &str) -> String {
    sign(&claims(role, sub))
}

pub fn coordinator() -> String {
    token("coordinator", "office-1")
}

pub fn student() -> String {
    token("student", "s1000001")
}

/// A programme contact's token acting for `programmes`.
pub fn programme_token(programmes: &[&str]) -> String {
    let mut c = claims("programme", "programme-contact");
    c.programmes = programmes.iter().map(|p| (*p).to_owned()).collect();
    sign(&c)
}

/// A faculty coordinator's token.
pub fn faculty_coordinator(faculty: &str) -> String {
    let mut c = claims("coordinator", &format!("office-{faculty}"));
    c.faculty = Some(faculty.to_owned());
    sign(&c)
}

/// The app with its own database, on a clock the test sets.
pub struct TestApp {
    /// Shared by every instance on this database (see [`TestApp::on_database_of`]).
    pub db: Arc<TestDb>,
    pub clock: Clock,
    catalogue: CatalogueCache,
    services: Services,
}

impl TestApp {
    pub fn new() -> Self {
        let db = TestDb::new();
        let pool = abroad_storage::pool(db.url(), 4);
        Self::with_pool(db, pool, &jwt_settings())
    }

    /// The app with another token configuration (e.g. an EdDSA public key).
    pub fn with_jwt(jwt: &JwtSettings) -> Self {
        let db = TestDb::new();
        let pool = abroad_storage::pool(db.url(), 4);
        Self::with_pool(db, pool, jwt)
    }

    pub fn with_pool(db: TestDb, pool: abroad_storage::Pool, jwt: &JwtSettings) -> Self {
        Self::on(Arc::new(db), pool, jwt)
    }

    /// A second service instance on `first`'s database, with a catalogue snapshot of
    /// its own: two processes behind one load balancer.
    pub fn on_database_of(first: &TestApp) -> Self {
        let pool = abroad_storage::pool(first.db.url(), 4);
        Self::on(Arc::clone(&first.db), pool, &jwt_settings())
    }

    fn on(db: Arc<TestDb>, pool: abroad_storage::Pool, jwt: &JwtSettings) -> Self {
        let verifier = Verifier::new(jwt).expect("verifier");
        let clock = Clock::fixed(Utc::now());
        let catalogue = CatalogueCache::default();
        let state = AppState {
            pool: Db::new(pool),
            clock: clock.clone(),
            catalogue: catalogue.clone(),
            redrawn: RedrawnCalls::default(),
            max_document_bytes: 64 * 1024,
            drafts: Default::default(),
            known_calls: Default::default(),
        };
        Self {
            db,
            clock,
            catalogue,
            services: Services::new(state, verifier, 64 * 1024),
        }
    }

    /// This instance's catalogue snapshot.
    pub fn catalogue(&self) -> CatalogueCache {
        self.catalogue.clone()
    }

    /// The same app, letting browser pages from `origins` call it (CORS).
    pub fn with_cors_origins(mut self, origins: &[&str]) -> Self {
        self.services = self
            .services
            .with_cors_origins(origins.iter().map(|o| (*o).to_owned()).collect());
        self
    }

    /// What the app is built from, to serve it on a real socket.
    pub fn services(&self) -> Services {
        self.services.clone()
    }

    /// Moves the service's clock.
    pub fn set_now(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    pub async fn send(&self, request: TestRequest) -> Response {
        let service = test::init_service(app::build(self.services.clone())).await;
        let response = test::call_service(&service, request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await;
        Response {
            status,
            headers,
            body,
        }
    }

    /// Sends every request at once through one service, so their database work overlaps.
    pub async fn send_concurrently(&self, requests: Vec<TestRequest>) -> Vec<Response> {
        let service = test::init_service(app::build(self.services.clone())).await;
        let calls = requests.into_iter().map(|request| {
            let service = &service;
            async move {
                let response = test::call_service(service, request.to_request()).await;
                let status = response.status();
                let headers = response.headers().clone();
                let body = test::read_body(response).await;
                Response {
                    status,
                    headers,
                    body,
                }
            }
        });
        futures_util::future::join_all(calls).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send(with_token(TestRequest::get().uri(path), token))
            .await
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let request = TestRequest::put()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body.to_string());
        self.send(with_token(request, token)).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(TestRequest::post(), path, token, body).await
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(TestRequest::patch(), path, token, body)
            .await
    }

    async fn send_json(
        &self,
        request: TestRequest,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        let request = request
            .uri(path)
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body.to_string());
        self.send(with_token(request, token)).await
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>) -> Response {
        self.send(with_token(
            TestRequest::default().method(method).uri(path),
            token,
        ))
        .await
    }
}

/// A JSON request, e.g. for [`TestApp::send_concurrently`].
pub fn json_request(
    request: TestRequest,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> TestRequest {
    let request = request
        .uri(path)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(body.to_string());
    with_token(request, token)
}

pub fn with_token(request: TestRequest, token: Option<&str>) -> TestRequest {
    match token {
        Some(token) => request.insert_header((header::AUTHORIZATION, format!("Bearer {token}"))),
        None => request,
    }
}

/// A finished response, body read.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and returns its body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:abroad:problem:")),
            "{body}"
        );
        assert!(
            body["title"].is_string() && body["detail"].is_string(),
            "{body}"
        );
        body
    }

    /// The `(field, code)` of every violation listed in a problem body.
    pub fn violations(&self) -> Vec<(String, String)> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn ok(&self) -> Value {
        assert!(
            self.status.is_success(),
            "{}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }
}

/// Catalogue records made through the API, as a coordinator.
pub mod catalogue {
    use super::{TestApp, coordinator};
    use serde_json::{Value, json};

    pub async fn country(app: &TestApp, code: &str, name: &str, advice: &str) {
        app.put_json(
            &format!("/api/v1/countries/{code}"),
            Some(&coordinator()),
            &json!({"name": name, "advice": advice}),
        )
        .await
        .ok();
    }

    pub async fn programme(app: &TestApp, code: &str, faculty: &str, level: &str) {
        let body = json!({"name": format!("Programme {code}"), "faculty": faculty, "level": level});
        app.put_json(
            &format!("/api/v1/programmes/{code}"),
            Some(&coordinator()),
            &body,
        )
        .await
        .ok();
    }

    /// Creates an institution and answers its id.
    pub async fn institution(app: &TestApp, name: &str, country: &str, city: &str) -> String {
        let body = json!({"name": name, "country": country, "city": city});
        let response = app
            .post_json("/api/v1/institutions", Some(&coordinator()), &body)
            .await;
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.json()["id"].as_str().expect("id").to_owned()
    }

    /// A university-wide semester exchange for any programme, autumn and spring, in English.
    pub fn exchange(institution_id: &str) -> Value {
        json!({
            "institution_id": institution_id,
            "exchange_type": "university_wide",
            "offerings": [
                {"level": "bachelor", "activity": "semester_exchange"},
                {"level": "master", "activity": "semester_exchange"}
            ],
            "languages": [{"code": "en", "min_level": "B2"}],
            "chance": "medium",
            "semesters": [{"semester": "autumn"}, {"semester": "spring"}]
        })
    }

    /// Creates a destination (as a university-wide coordinator) and answers it.
    pub async fn destination(app: &TestApp, body: &Value) -> Value {
        let response = app
            .post_json("/api/v1/destinations", Some(&coordinator()), body)
            .await;
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.json()
    }
}
