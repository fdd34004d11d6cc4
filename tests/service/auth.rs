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

async fn assert_rejected(app: &TestApp, token: &str, why: &str) -> String {
    let response = app.get(SE, Some(token)).await;
    let body = response.problem(401);
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")),
        "{why}"
    );
    let detail = body["detail"].as_str().unwrap_or("").to_owned();
    assert!(!detail.is_empty(), "{why}");
    detail
}

/// 401, and the detail says `says`.
async fn assert_rejected_saying(app: &TestApp, token: &str, says: &str) {
    let detail = assert_rejected(app, token, says).await;
    assert!(detail.contains(says), "`{detail}` should say `{says}`");
}

/// The token is accepted: `/me` answers with its subject.
async fn assert_accepted(app: &TestApp, token: &str, sub: &str) {
    let me = app.get("/api/v1/me", Some(token)).await.ok();
    assert_eq!(me["sub"], sub);
}

/// Signs claims under any header, with the suite's secret.
fn sign_with_header(header: &Header, claims: &impl serde::Serialize) -> String {
    jsonwebtoken::encode(
        header,
        claims,
        &EncodingKey::from_secret(support::SECRET.as_bytes()),
    )
    .expect("sign")
}

/// Signs a header and claims written by hand, bypassing `Header`'s own types.
fn sign_handmade(header: &str, claims: &serde_json::Value) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(support::SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .expect("sign");
    format!("{message}.{signature}")
}

/// The test claims as JSON, to sign what `abroad token` would refuse to.
fn claims_json(c: &abroad_api::auth::Claims) -> serde_json::Value {
    serde_json::to_value(c).expect("claims")
}

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

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

#[actix_web::test]
async fn the_usual_tokens_of_each_role_are_accepted() {
    let app = TestApp::new();
    assert_accepted(&app, &support::student(), "s1000001").await;
    assert_accepted(&app, &support::coordinator(), "office-1").await;
    let mut programme = claims("programme", "bms-contact@uni.example");
    programme.programmes = vec!["BMS".to_owned(), "LAW-LLM_2".to_owned()];
    programme.name = Some("Zoë Ørsted – Bureau".to_owned());
    programme.email = Some("zoe@uni.example".to_owned());
    assert_accepted(&app, &sign(&programme), "bms-contact@uni.example").await;
    let mut faculty = claims("coordinator", "office-law");
    faculty.faculty = Some("LAW".to_owned());
    assert_accepted(&app, &sign(&faculty), "office-law").await;
}

#[actix_web::test]
async fn a_token_living_longer_than_the_maximum_is_401() {
    let app = TestApp::new();

    // With `iat`: up to a day after it (the default ABROAD_JWT_MAX_TTL), no further.
    let mut day = claims("coordinator", "office-1");
    day.exp = now() + DAY;
    assert_accepted(&app, &sign(&day), "office-1").await;
    let mut longer = claims("coordinator", "office-1");
    longer.exp = now() + DAY + HOUR;
    let longer = sign_raw(&claims_json(&longer), Algorithm::HS256);
    assert_rejected_saying(&app, &longer, "lives too long").await;
    assert_rejected_saying(&app, &longer, "after its `iat`").await;

    // An old `iat` does not make room for a later `exp`.
    let mut old = claims("coordinator", "office-1");
    old.iat = Some(now() - 2 * DAY);
    let old = sign_raw(&claims_json(&old), Algorithm::HS256);
    assert_rejected_saying(&app, &old, "after its `iat`").await;

    // Without `iat`: up to a day from now (and the leeway), no further.
    let mut no_iat = claims("coordinator", "office-1");
    no_iat.iat = None;
    no_iat.exp = now() + DAY;
    assert_accepted(&app, &sign(&no_iat), "office-1").await;
    no_iat.exp = now() + DAY + 120;
    let no_iat = sign_raw(&claims_json(&no_iat), Algorithm::HS256);
    assert_rejected_saying(&app, &no_iat, "no `iat` and its `exp` is more than").await;

    // Ten thousand years.
    let mut forever = raw_claims();
    forever["exp"] = json!(253_402_300_799_u64);
    assert_rejected_saying(
        &app,
        &sign_raw(&forever, Algorithm::HS256),
        "lives too long",
    )
    .await;
}

#[actix_web::test]
async fn abroad_token_will_not_sign_beyond_the_maximum() {
    let mut c = claims("coordinator", "office-1");
    c.exp = now() + DAY + 1;
    let refused = abroad_api::auth::sign(&support::jwt_settings(), &c).unwrap_err();
    assert!(
        refused.to_string().contains("ABROAD_JWT_MAX_TTL"),
        "{refused}"
    );
}

#[actix_web::test]
async fn a_token_issued_in_the_future_is_401() {
    let app = TestApp::new();
    let mut ahead = claims("coordinator", "office-1");
    ahead.iat = Some(now() + 10);
    assert_accepted(&app, &sign(&ahead), "office-1").await;
    let mut future = claims("coordinator", "office-1");
    future.iat = Some(now() + 300);
    assert_rejected_saying(&app, &sign(&future), "issued in the future").await;

    // An `iat` that is not a whole number of seconds.
    for iat in [json!("yesterday"), json!(-1), json!(1.5)] {
        let mut c = raw_claims();
        c["iat"] = iat;
        assert_rejected_saying(&app, &sign_raw(&c, Algorithm::HS256), "iat").await;
    }
}

#[actix_web::test]
async fn a_header_with_critical_extensions_is_401() {
    let app = TestApp::new();
    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["urn:example:must-understand".to_owned()]);
    header.extras.insert("urn:example:must-understand", "yes");
    assert_rejected_saying(&app, &sign_with_header(&header, &raw_claims()), "`crit`").await;

    // Even naming a parameter this service does know, or none (an empty list is invalid).
    for crit in [vec!["exp".to_owned()], Vec::new()] {
        let mut header = Header::new(Algorithm::HS256);
        header.crit = Some(crit);
        assert_rejected_saying(&app, &sign_with_header(&header, &raw_claims()), "`crit`").await;
    }

    // `crit` that is not a list at all, and a header that is not JSON.
    let not_a_list = sign_handmade(r#"{"alg":"HS256","crit":"b64"}"#, &raw_claims());
    assert_rejected_saying(&app, &not_a_list, "header or claims are malformed").await;
    let not_json = sign_handmade(r#"{"alg":"HS256""#, &raw_claims());
    assert_rejected(&app, &not_json, "header not JSON").await;

    // The same hand-made path without `crit` is accepted, so the refusals above are `crit`'s.
    let plain = sign_handmade(r#"{"alg":"HS256","typ":"JWT"}"#, &raw_claims());
    assert_accepted(&app, &plain, "office-1").await;
}

#[actix_web::test]
async fn control_characters_and_bidi_overrides_in_any_claim_are_401() {
    let app = TestApp::new();
    for bad in ['\u{0}', '\u{1b}', '\u{7f}', '\n', '\u{202E}', '\u{2066}'] {
        let held = format!("holds U+{:04X}", u32::from(bad));
        let tainted = |clean: &str| format!("{clean}{bad}x");

        let sub = claims("coordinator", &tainted("office-1"));
        assert_rejected_saying(&app, &sign(&sub), &format!("`sub` {held}")).await;

        let mut programmes = claims("programme", "bms-contact");
        programmes.programmes = vec!["BMS".to_owned(), tainted("LAW")];
        assert_rejected_saying(&app, &sign(&programmes), &format!("`programmes` {held}")).await;

        let mut faculty = claims("coordinator", "office-law");
        faculty.faculty = Some(tainted("LAW"));
        assert_rejected_saying(&app, &sign(&faculty), &format!("`faculty` {held}")).await;

        let mut name = claims("student", "s1000001");
        name.name = Some(tainted("Sanne de Vries"));
        assert_rejected_saying(&app, &sign(&name), &format!("`name` {held}")).await;

        let mut email = claims("student", "s1000001");
        email.email = Some(tainted("sanne@uni.example"));
        assert_rejected_saying(&app, &sign(&email), &format!("`email` {held}")).await;
    }
}

#[actix_web::test]
async fn claims_must_have_the_office_shapes() {
    let app = TestApp::new();
    for sub in ["S9100006", "s-1", "s12345678901234567890", "s1 "] {
        assert_rejected_saying(
            &app,
            &support::token("student", sub),
            "`sub` is not a student number",
        )
        .await;
    }

    let mut programme = claims("programme", "bms-contact");
    programme.programmes = vec!["BMS".to_owned(), "bms".to_owned()];
    assert_rejected_saying(
        &app,
        &sign(&programme),
        "`programmes[1]` is not a programme code",
    )
    .await;

    let mut faculty = claims("coordinator", "office-law");
    faculty.faculty = Some("Law faculty".to_owned());
    assert_rejected_saying(&app, &sign(&faculty), "`faculty` is not a faculty code").await;

    // Other roles' subjects are free text, but not of any length.
    let long = "x".repeat(201);
    assert_rejected_saying(
        &app,
        &support::token("coordinator", &long),
        "`sub` is longer than 200 characters",
    )
    .await;
    assert_accepted(&app, &support::token("coordinator", &long[1..]), &long[1..]).await;
}
