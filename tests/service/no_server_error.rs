//! Never a 500 from input: a property test that throws arbitrary Unicode (control
//! characters and bidi overrides included), huge and odd numbers, and odd timestamps at
//! every write route, one field at a time into an otherwise valid body, and at the
//! codes in their paths. Whatever it sends, the answer is a 4xx or a success.

use crate::matrix_world::{
    CallState, F, Req, S1, World, application_body, faculty_call, faculty_destination, student_body,
};
use crate::support::{coordinator, faculty_coordinator, token};
use actix_web::http::Method;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

/// Text no careful client sends: any Unicode, control characters and bidi overrides,
/// odd timestamps, one far too long.
fn odd_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any::<String>(),
        4 => "\\PC{0,40}",
        8 => "[\\x00-\\x1f\\u{7f}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z ]{1,12}",
        1 => Just("9999-12-31T23:59:59-12:00".to_owned()),
        1 => Just("0000-01-01T00:00:00Z".to_owned()),
        1 => Just("+275760-09-13T00:00:00Z".to_owned()),
        1 => Just("1969-12-31T23:59:59Z".to_owned()),
        1 => Just("2026-02-30T25:61:61+99:99".to_owned()),
        1 => Just("x".repeat(70_000)),
    ]
    .prop_map(Value::String)
}

/// Numbers no careful client sends: huge, negative, fractional, tiny.
fn odd_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(4_294_967_296_u64)),
    ]
}

/// Values of every JSON type, nested.
fn odd_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        odd_text(),
        odd_number(),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null)
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An odd value for a place that holds `like`: mostly of its own type, so that it
/// passes the body's shape and reaches the rules and the database behind it.
fn odd_like(like: &Value) -> BoxedStrategy<Value> {
    match like {
        Value::String(_) => prop_oneof![4 => odd_text(), 1 => odd_value()].boxed(),
        Value::Number(_) => prop_oneof![4 => odd_number(), 1 => odd_value()].boxed(),
        _ => odd_value().boxed(),
    }
}

fn at<'a>(body: &'a Value, place: &[String]) -> &'a Value {
    place.iter().fold(body, |v, step| match v {
        Value::Array(items) => &items[step.parse::<usize>().expect("index")],
        other => &other[step.as_str()],
    })
}

/// Every place in `body` a value can be swapped: its members, and one level into
/// arrays of objects (`choices[0].motivation`).
fn places(body: &Value) -> Vec<Vec<String>> {
    let mut found = vec![Vec::new()];
    if let Value::Object(members) = body {
        for (name, member) in members {
            found.push(vec![name.clone()]);
            if let Value::Array(items) = member {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(inner) = item {
                        for key in inner.keys() {
                            found.push(vec![name.clone(), i.to_string(), key.clone()]);
                        }
                    }
                }
            } else if let Value::Object(inner) = member {
                for key in inner.keys() {
                    found.push(vec![name.clone(), key.clone()]);
                }
            }
        }
    }
    found
}

fn swap(body: &Value, place: &[String], value: Value) -> Value {
    let mut body = body.clone();
    let mut at = &mut body;
    for step in place {
        at = match at {
            Value::Array(items) => &mut items[step.parse::<usize>().expect("index")],
            other => &mut other[step.as_str()],
        };
    }
    *at = value;
    body
}

/// Percent-encodes a path segment byte by byte.
fn segment(raw: &str) -> String {
    raw.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn no_write_route_answers_a_server_error_whatever_it_is_sent() {
    let runtime = actix_web::rt::System::new();
    let world = runtime.block_on(World::build());
    let draft_call = runtime.block_on(world.fresh_call(CallState::Draft));
    let office = coordinator();
    let law = faculty_coordinator(F);
    let student = token("student", S1);

    // Each write route with a valid body and a caller who may make it.
    let routes: Vec<(Method, String, Value, String)> = vec![
        (
            Method::PUT,
            "/api/v1/countries/SE".into(),
            json!({"name": "Sweden", "advice": "green"}),
            office.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/programmes/LLB".into(),
            json!({"name": "Law", "faculty": F, "level": "bachelor"}),
            office.clone(),
        ),
        (
            Method::POST,
            "/api/v1/institutions".into(),
            json!({"name": "Uppsala universitet", "country": "SE", "city": "Uppsala", "website": "https://uu.se", "erasmus_code": "S UPPSALA01"}),
            office.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/institutions/{}", world.institution),
            json!({"name": "Lunds universitet", "city": "Lund"}),
            office.clone(),
        ),
        (
            Method::POST,
            "/api/v1/destinations".into(),
            faculty_destination(&world.institution),
            law.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/destinations/{}", world.destination),
            json!({"chance": "high", "considerations": "Housing is scarce."}),
            law.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/students/{S1}"),
            student_body("Student s1", "LLB", 75),
            office.clone(),
        ),
        (
            Method::POST,
            "/api/v1/calls".into(),
            faculty_call("Fuzzed call"),
            law.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/calls/{draft_call}"),
            json!({"name": "Renamed", "deadline": "2026-12-01T23:59:00+01:00"}),
            law.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/calls/{draft_call}/places"),
            json!([{"destination_id": world.destination, "semester": "autumn", "places": 2}]),
            law.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{}/applications", world.open_call),
            application_body(&world.destination, "autumn"),
            student.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/applications/{}", world.application),
            application_body(&world.destination, "autumn"),
            student.clone(),
        ),
        (
            Method::POST,
            format!(
                "/api/v1/applications/{}/programme-decision",
                world.application
            ),
            json!({"approved": true, "comment": "fine"}),
            token("programme", "llb-office"),
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{}/review", world.application),
            json!({"outcome": "eligible", "note": "fine"}),
            office.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/applications/{}/score", world.application),
            json!({"score": 7.5}),
            office.clone(),
        ),
    ];

    // A runner per property: one runner counts its cases across every `run`.
    let runner = || {
        TestRunner::new(Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        })
    };
    for (method, path, valid, caller) in &routes {
        let spots = places(valid);
        let strategy = (0..spots.len()).prop_flat_map(|spot| {
            let like = at(valid, &spots[spot]).clone();
            (Just(spot), odd_like(&like))
        });
        runner()
            .run(&strategy, |(spot, value)| {
                let body = swap(valid, &spots[spot], value);
                let request = Req::json(method.clone(), path.clone(), body.clone());
                let response = runtime.block_on(world.app.send(request.request(Some(caller))));
                prop_assert!(
                    response.status.as_u16() < 500,
                    "{method} {path} answered {} to {}: {}",
                    response.status,
                    body.to_string().chars().take(300).collect::<String>(),
                    String::from_utf8_lossy(&response.body)
                );
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    // Odd codes in paths, percent-encoded byte by byte.
    let paths = [
        "/api/v1/countries/",
        "/api/v1/programmes/",
        "/api/v1/students/",
    ];
    runner()
        .run(&(0..paths.len(), any::<String>()), |(which, raw)| {
            let path = format!("{}{}", paths[which], segment(&raw));
            for method in [Method::GET, Method::PUT] {
                let body =
                    json!({"name": "x", "advice": "green", "faculty": F, "level": "bachelor"});
                let request = Req::json(method.clone(), path.clone(), body);
                let response = runtime.block_on(world.app.send(request.request(Some(&office))));
                prop_assert!(
                    response.status.as_u16() < 500,
                    "{method} {path} answered {}",
                    response.status
                );
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
