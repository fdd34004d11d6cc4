//! Student records: the SIS upsert, who may read them, and `/me`.

use crate::support::catalogue::programme;
use crate::support::{TestApp, claims, coordinator, sign, student, token};
use serde_json::{Value, json};

fn sanne() -> Value {
    json!({"name": "Sanne de Vries", "email": "sanne@umail.example.nl", "programme": "BMS", "level": "bachelor",
           "ec": 75, "gpa": null, "bachelor_gpa": null, "registered": true, "first_year_diploma": true})
}

async fn with_bms(app: &TestApp) {
    programme(app, "BMS", "LUMC", "bachelor").await;
    programme(app, "LAW", "LAW", "bachelor").await;
}

#[actix_web::test]
async fn the_sis_upserts_a_record() {
    let app = TestApp::new();
    with_bms(&app).await;
    let created = app
        .put_json("/api/v1/students/s1000001", Some(&coordinator()), &sanne())
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.header("location"),
        Some("/api/v1/students/s1000001")
    );
    let same = app
        .put_json("/api/v1/students/s1000001", Some(&coordinator()), &sanne())
        .await;
    assert_eq!(same.status, 200);
    let mut graded = sanne();
    graded["gpa"] = json!(7.4);
    graded["ec"] = json!(90);
    let updated = app
        .put_json("/api/v1/students/s1000001", Some(&coordinator()), &graded)
        .await
        .ok();
    assert_eq!(updated["ec"], 90);
    assert_eq!(updated["counting_gpa"], 7.4);
    let audit = app
        .get(
            "/api/v1/audit?entity_type=student&entity_id=s1000001",
            Some(&coordinator()),
        )
        .await
        .ok();
    assert_eq!(
        audit["items"].as_array().expect("items").len(),
        2,
        "the unchanged PUT is not a change"
    );
}

#[actix_web::test]
async fn every_rule_is_checked_at_once() {
    let app = TestApp::new();
    with_bms(&app).await;
    let bad = json!({"name": "", "email": "nope", "programme": "BMS", "level": "phd", "ec": 601,
                     "gpa": 10.5, "bachelor_gpa": 0.5});
    let response = app
        .put_json("/api/v1/students/s1000001", Some(&coordinator()), &bad)
        .await;
    response.problem(422);
    let fields: Vec<_> = response.violations().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "name",
            "email",
            "level",
            "ec",
            "gpa",
            "bachelor_gpa",
            "registered"
        ]
    );
    for (field, value) in [
        ("ec", json!(-1)),
        ("gpa", json!(0.99)),
        ("bachelor_gpa", json!(10.01)),
    ] {
        let mut body = sanne();
        body[field] = value;
        let response = app
            .put_json("/api/v1/students/s1000001", Some(&coordinator()), &body)
            .await;
        response.problem(422);
        assert_eq!(response.violations()[0].0, field);
    }
    for (field, value) in [
        ("ec", json!(0)),
        ("gpa", json!(1.0)),
        ("bachelor_gpa", json!(10.0)),
    ] {
        let mut body = sanne();
        body[field] = value;
        assert!(
            app.put_json("/api/v1/students/s1000001", Some(&coordinator()), &body)
                .await
                .status
                .is_success()
        );
    }
    let mut unknown = sanne();
    unknown["programme"] = json!("ASTRO");
    let response = app
        .put_json("/api/v1/students/s1000002", Some(&coordinator()), &unknown)
        .await;
    response.problem(422);
    assert_eq!(
        response.violations(),
        [("programme".to_owned(), "unknown_programme".to_owned())]
    );
    app.put_json("/api/v1/students/s%20100", Some(&coordinator()), &sanne())
        .await
        .problem(400);
    app.get("/api/v1/students/s1000002", Some(&coordinator()))
        .await
        .problem(404);
}

#[actix_web::test]
async fn only_coordinators_write_records() {
    let app = TestApp::new();
    with_bms(&app).await;
    app.put_json("/api/v1/students/s1000001", Some(&student()), &sanne())
        .await
        .problem(403);
    let mut bms = claims("programme", "bms-contact");
    bms.programmes = vec!["BMS".to_owned()];
    app.put_json("/api/v1/students/s1000001", Some(&sign(&bms)), &sanne())
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_record_is_seen_by_the_student_their_programme_and_coordinators_only() {
    let app = TestApp::new();
    with_bms(&app).await;
    app.put_json("/api/v1/students/s1000001", Some(&coordinator()), &sanne())
        .await
        .ok();
    let path = "/api/v1/students/s1000001";
    assert_eq!(
        app.get(path, Some(&token("student", "s1000001")))
            .await
            .ok()["name"],
        "Sanne de Vries"
    );
    assert_eq!(
        app.get(path, Some(&coordinator())).await.ok()["number"],
        "s1000001"
    );
    let mut bms = claims("programme", "bms-contact");
    bms.programmes = vec!["LAW".to_owned(), "BMS".to_owned()];
    assert_eq!(
        app.get(path, Some(&sign(&bms))).await.ok()["programme"],
        "BMS"
    );

    app.get(path, Some(&token("student", "s1000002")))
        .await
        .problem(404);
    let mut law = claims("programme", "law-contact");
    law.programmes = vec!["LAW".to_owned()];
    app.get(path, Some(&sign(&law))).await.problem(404);
    app.get(path, Some(&token("programme", "no-programmes")))
        .await
        .problem(404);
}

#[actix_web::test]
async fn me_shows_the_caller_and_a_students_own_record() {
    let app = TestApp::new();
    with_bms(&app).await;
    app.put_json("/api/v1/students/s1000001", Some(&coordinator()), &sanne())
        .await
        .ok();
    let me = app
        .get("/api/v1/me", Some(&token("student", "s1000001")))
        .await
        .ok();
    assert_eq!(me["role"], "student");
    assert_eq!(me["student"]["programme"], "BMS");
    let unknown = app
        .get("/api/v1/me", Some(&token("student", "s9999999")))
        .await
        .ok();
    assert_eq!(unknown["student"], json!(null));
    let mut officer = claims("coordinator", "officer-2");
    officer.faculty = Some("LAW".to_owned());
    let me = app.get("/api/v1/me", Some(&sign(&officer))).await.ok();
    assert_eq!(
        (
            me["role"].clone(),
            me["faculty"].clone(),
            me["student"].clone()
        ),
        (json!("coordinator"), json!("LAW"), json!(null))
    );
    app.get("/api/v1/me", None).await.problem(401);
}
