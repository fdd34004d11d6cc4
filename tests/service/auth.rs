//! Token checks: every attack gets 401, a role that may never call a route 403.

use crate::support::{self, TestApp, claims, coordinator, now, sign, student};
use abroad_api::settings::{JwtSettings, Secret};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const SE: &str = "/api/v1/countries/SE";

fn sweden() -> serde_json::Value {
    json!({"name": "Sweden", "advice": "green"})
}

/// Signs arbitrary claims (missing or extra ones) with the suite's secret.
fn sign_raw(claims: &serde_json::Value, algorithm: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(support::SECRET.as_bytes()),
    )
    .expect("sign")
}

fn raw_claims() -> serde_json::Value {
    json!({"sub": "office-1", "role": "coordinator", "iss": "abroad", "aud": "abroad-api", "exp": now() + 600})
}

async fn assert_rejected(app: &TestApp, token: &str, why: &str) {
    let response = app.get(SE, Some(token)).await;
    let body = response.problem(401);
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")),
        "{why}"
    );
    assert!(!body["detail"].as_str().unwrap_or("").is_empty(), "{why}");
}

#[actix_web::test]
async fn a_missing_or_malformed_authorization_header_is_401() {
    let app = TestApp::new();
    app.get(SE, None).await.problem(401);
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"] {
        let request = actix_web::test::TestRequest::get()
            .uri(SE)
            .insert_header(("authorization", header));
        app.send(request).await.problem(401);
    }
    assert_rejected(&app, "not.a.jwt", "garbage").await;
    assert_rejected(&app, "a.b", "two segments").await;
}

#[actix_web::test]
async fn each_forged_or_stale_token_is_401() {
    let app = TestApp::new();

    // Signed with another key.
    let other = JwtSettings {
        secret: Some(Secret::new("another-secret-another-secret-0123456789")),
        ..support::jwt_settings()
    };
    let wrong_key =
        abroad_api::auth::sign(&other, &claims("coordinator", "office-1")).expect("sign");
    assert_rejected(&app, &wrong_key, "wrong key").await;

    // `alg: none`, no signature.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(raw_claims().to_string());
    assert_rejected(&app, &format!("{header}.{payload}."), "alg none").await;

    // The right secret under another algorithm than the pinned HS256.
    assert_rejected(&app, &sign_raw(&raw_claims(), Algorithm::HS512), "HS512").await;

    // Expired beyond the leeway.
    let mut expired = claims("coordinator", "office-1");
    expired.exp = now() - 120;
    assert_rejected(&app, &sign(&expired), "expired").await;

    // Wrong issuer, wrong audience.
    let mut wrong_iss = claims("coordinator", "office-1");
    wrong_iss.iss = "someone-else".to_owned();
    assert_rejected(&app, &sign(&wrong_iss), "iss").await;
    let mut wrong_aud = claims("coordinator", "office-1");
    wrong_aud.aud = "another-api".to_owned();
    assert_rejected(&app, &sign(&wrong_aud), "aud").await;

    // Missing required claims, one at a time.
    for missing in ["exp", "iss", "aud", "sub", "role"] {
        let mut c = raw_claims();
        c.as_object_mut().expect("object").remove(missing);
        assert_rejected(&app, &sign_raw(&c, Algorithm::HS256), missing).await;
    }

    // A role this service does not know.
    assert_rejected(&app, &support::token("admin", "root"), "unknown role").await;

    // A signature tampered with after signing: the role raised to coordinator.
    let honest = support::token("student", "s1");
    let mut parts: Vec<String> = honest.split('.').map(str::to_owned).collect();
    let mut body: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
    body["role"] = json!("coordinator");
    parts[1] = URL_SAFE_NO_PAD.encode(body.to_string());
    assert_rejected(&app, &parts.join("."), "tampered").await;
}

#[actix_web::test]
async fn a_clock_a_little_behind_is_tolerated() {
    let app = TestApp::new();
    let mut recent = claims("coordinator", "office-1");
    recent.exp = now() - 10;
    // The country does not exist yet: 404 means the token was accepted.
    app.get(SE, Some(&sign(&recent))).await.problem(404);
}

#[actix_web::test]
async fn an_audience_list_naming_this_service_is_accepted() {
    let app = TestApp::new();
    let mut c = raw_claims();
    c["aud"] = json!(["portal", "abroad-api"]);
    app.get(SE, Some(&sign_raw(&c, Algorithm::HS256)))
        .await
        .problem(404);
}

#[actix_web::test]
async fn roles_that_may_never_change_countries_get_403() {
    let app = TestApp::new();
    app.put_json(SE, Some(&student()), &sweden())
        .await
        .problem(403);
    let mut programme = claims("programme", "bms-contact");
    programme.programmes = vec!["BMS".to_owned()];
    app.put_json(SE, Some(&sign(&programme)), &sweden())
        .await
        .problem(403);
    assert_eq!(
        app.put_json(SE, Some(&coordinator()), &sweden())
            .await
            .status,
        201
    );
}

fn eddsa_settings() -> JwtSettings {
    JwtSettings {
        algorithm: Algorithm::EdDSA,
        secret: None,
        public_key_pem: Some(include_str!("fixtures/ed25519-public.pem").to_owned()),
        private_key_pem: Some(Secret::new(include_str!("fixtures/ed25519-private.pem"))),
        ..support::jwt_settings()
    }
}

#[actix_web::test]
async fn with_a_public_key_configured_only_that_algorithm_and_key_pass() {
    let jwt = eddsa_settings();
    let app = TestApp::with_jwt(&jwt);
    let good = abroad_api::auth::sign(&jwt, &claims("coordinator", "office-1")).expect("sign");
    assert_eq!(app.put_json(SE, Some(&good), &sweden()).await.status, 201);

    // Key confusion: an HS256 token whose "secret" is the public key anyone can read.
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &raw_claims(),
        &EncodingKey::from_secret(include_str!("fixtures/ed25519-public.pem").as_bytes()),
    )
    .expect("sign");
    assert_rejected(&app, &confused, "key confusion").await;
    // And a token signed with the suite's HS256 secret.
    assert_rejected(&app, &support::coordinator(), "hs256").await;
}
