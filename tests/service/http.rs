//! HTTP as clients expect it (RFC 9110): HEAD for every GET, 405 with `Allow` on every
//! known path, and CORS for the browser origins the operator allows.

use crate::support::{TestApp, coordinator, with_token};
use abroad_api::app;
use actix_web::HttpServer;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use std::io::{Read, Write};
use std::net::TcpStream;

#[actix_web::test]
async fn head_answers_every_get_with_its_status_and_headers() {
    let app = TestApp::new();
    let token = coordinator();
    let document = abroad_api::openapi::document();
    for path in [
        "/api/v1/countries",
        "/api/v1/calls",
        "/api/v1/me",
        "/health",
        "/openapi.json",
    ] {
        let get = app.get(path, Some(&token)).await;
        let head = app
            .send(with_token(
                TestRequest::default().method(Method::HEAD).uri(path),
                Some(&token),
            ))
            .await;
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
    }
    // Every documented GET takes HEAD too (the 405 table says so).
    let table = abroad_api::openapi::RouteTable::from_document(&document);
    for (path, item) in &document.paths.paths {
        if item.get.is_some() {
            let concrete = path
                .replace("{code}", "SE")
                .replace("{number}", "s1")
                .replace("{id}", "00000000-0000-0000-0000-000000000000");
            let concrete = concrete.replace("{kind}", "cv");
            let allowed = table.allowed(&concrete).expect(path);
            assert!(allowed.contains(&Method::HEAD), "{path}: {allowed:?}");
        }
    }
}

/// Sends one raw HTTP/1.1 request to a real server and returns the raw answer.
fn exchange(address: std::net::SocketAddr, request: String) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[actix_web::test]
async fn head_sends_no_body_over_a_real_connection() {
    let app = TestApp::new();
    let services = app.services();
    let server = HttpServer::new(move || app::build(services.clone()))
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind");
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let token = coordinator();
    let ask = |method: &'static str| {
        let token = token.clone();
        actix_web::web::block(move || {
            exchange(
                address,
                format!(
                    "{method} /api/v1/countries?limit=5 HTTP/1.1\r\nHost: localhost\r\n\
                     Authorization: Bearer {token}\r\nConnection: close\r\n\r\n"
                ),
            )
        })
    };
    let get = ask("GET").await.expect("get");
    let head = ask("HEAD").await.expect("head");
    handle.stop(true).await;
    let (get_head, get_body) = get.split_once("\r\n\r\n").expect("a GET answer");
    let (head_head, head_body) = head.split_once("\r\n\r\n").expect("a HEAD answer");
    assert!(head_head.starts_with("HTTP/1.1 200"), "{head_head}");
    assert!(!get_body.is_empty());
    assert_eq!(head_body, "", "HEAD must not send a body");
    let length = |head: &str| {
        head.lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-length:"))
            .map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_owned())
    };
    assert_eq!(length(head_head), length(get_head));
}

#[actix_web::test]
async fn every_known_path_answers_405_with_allow_for_another_method() {
    let app = TestApp::new();
    for (method, path, allow) in [
        (Method::POST, "/openapi.json", "GET, HEAD"),
        (Method::DELETE, "/docs", "GET, HEAD"),
        (Method::PUT, "/docs/", "GET, HEAD"),
        (Method::POST, "/health", "GET, HEAD"),
        (Method::DELETE, "/api/v1/calls", "GET, HEAD, POST"),
        (Method::OPTIONS, "/api/v1/countries/SE", "GET, HEAD, PUT"),
    ] {
        let response = app.call(method.clone(), path, Some(&coordinator())).await;
        response.problem(405);
        assert_eq!(response.header("allow"), Some(allow), "{method} {path}");
    }
    app.get("/api/v1/nowhere", Some(&coordinator()))
        .await
        .problem(404);
}

fn preflight(origin: &str) -> TestRequest {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/destinations")
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "GET"))
        .insert_header(("access-control-request-headers", "authorization"))
}

#[actix_web::test]
async fn cors_answers_the_allowed_origins_only() {
    let portal = "https://portal.example.edu";
    let app = TestApp::new().with_cors_origins(&[portal]);
    let allowed = app.send(preflight(portal)).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(portal));
    assert!(
        allowed
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("GET"))
    );
    let other = app.send(preflight("https://evil.example.com")).await;
    other.problem(403);
    assert_eq!(other.header("access-control-allow-origin"), None);

    // An actual request: the allowed origin may read the answer, another may not.
    let read = |origin: &str| {
        with_token(
            TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("origin", origin.to_owned())),
            Some(&coordinator()),
        )
    };
    let answer = app.send(read(portal)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some(portal));
    assert!(
        answer
            .header("access-control-expose-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("location"))
    );
    let elsewhere = app.send(read("https://evil.example.com")).await;
    assert_eq!(elsewhere.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn without_configured_origins_no_browser_origin_is_allowed() {
    let app = TestApp::new();
    app.send(preflight("http://localhost:5173"))
        .await
        .problem(403);
}

#[actix_web::test]
async fn personal_data_is_never_stored_by_a_cache() {
    let app = TestApp::new();
    let token = coordinator();
    for path in [
        "/api/v1/me",
        "/api/v1/students/s1",
        "/api/v1/applications",
        "/api/v1/audit",
        "/api/v1/applications/00000000-0000-0000-0000-000000000000/documents/cv",
    ] {
        let response = app.get(path, Some(&token)).await;
        assert_eq!(response.header("cache-control"), Some("no-store"), "{path}");
    }
    let catalogue = app.get("/api/v1/countries", Some(&token)).await;
    assert_eq!(catalogue.header("cache-control"), None);
}
