//! Destinations: create, read, change, archive, and a faculty coordinator's scope.

use crate::support::catalogue::{country, destination, exchange, institution, programme};
use crate::support::{TestApp, coordinator, faculty_coordinator, student};
use serde_json::json;

async fn sweden_with_karolinska(app: &TestApp) -> String {
    country(app, "SE", "Sweden", "yellow").await;
    programme(app, "BMS", "LUMC", "master").await;
    institution(app, "Karolinska Institutet", "SE", "Stockholm").await
}

fn lumc_agreement(institution_id: &str) -> serde_json::Value {
    json!({
        "institution_id": institution_id,
        "exchange_type": "faculty",
        "faculty": "LUMC",
        "offerings": [{"level": "master", "activity": "junior_research_project", "programme": "BMS", "note": "JRP 1 or 2"}],
        "chance": "medium",
        "semesters": [{"semester": "autumn", "dates": "September to January"}],
        "considerations": "Places are assigned by the half-minor committee."
    })
}

#[actix_web::test]
async fn a_destination_embeds_its_institution_and_the_countrys_advice() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let created = app
        .post_json(
            "/api/v1/destinations",
            Some(&coordinator()),
            &lumc_agreement(&ki),
        )
        .await;
    assert_eq!(created.status, 201);
    let body = created.json();
    let id = body["id"].as_str().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/destinations/{id}").as_str())
    );
    let read = app
        .get(&format!("/api/v1/destinations/{id}"), Some(&student()))
        .await
        .ok();
    assert_eq!(read["institution"]["name"], "Karolinska Institutet");
    assert_eq!(read["advice"], "yellow");
    assert_eq!(read["country_name"], "Sweden");
    assert_eq!(
        read["offerings"],
        json!([{"level": "master", "activity": "junior_research_project", "programme": "BMS", "note": "JRP 1 or 2"}])
    );
    assert_eq!(
        read["semesters"],
        json!([{"semester": "autumn", "dates": "September to January"}])
    );
    assert_eq!(read["languages"], json!([]));
    assert_eq!(read["archived"], false);
}

#[actix_web::test]
async fn every_violation_is_reported_with_its_path() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let body = json!({
        "institution_id": ki,
        "exchange_type": "faculty",
        "offerings": [{"level": "phd", "activity": "semester_exchange"}],
        "languages": [{"code": "english", "min_level": "B2"}],
        "chance": "likely",
        "semesters": [],
        "min_gpa": 12.0,
        "website": "nope"
    });
    let response = app
        .post_json("/api/v1/destinations", Some(&coordinator()), &body)
        .await;
    response.problem(422);
    let fields: Vec<_> = response.violations().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "faculty",
            "offerings[0].level",
            "languages[0].code",
            "chance",
            "semesters",
            "min_gpa",
            "website"
        ]
    );
}

#[actix_web::test]
async fn the_institution_and_programmes_named_must_exist() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let mut body = lumc_agreement("00000000-0000-0000-0000-000000000000");
    body["offerings"][0]["programme"] = json!("NOPE");
    let response = app
        .post_json("/api/v1/destinations", Some(&coordinator()), &body)
        .await;
    response.problem(422);
    assert_eq!(
        response.violations(),
        [
            (
                "institution_id".to_owned(),
                "unknown_institution".to_owned()
            ),
            (
                "offerings[0].programme".to_owned(),
                "unknown_programme".to_owned()
            )
        ]
    );
    let mut body = lumc_agreement(&ki);
    body["institution_id"] = json!("not-a-uuid");
    app.post_json("/api/v1/destinations", Some(&coordinator()), &body)
        .await
        .problem(400);
}

#[actix_web::test]
async fn patch_changes_only_what_it_names() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let created = destination(&app, &lumc_agreement(&ki)).await;
    let path = format!(
        "/api/v1/destinations/{}",
        created["id"].as_str().expect("id")
    );
    let patched = app
        .patch_json(
            &path,
            Some(&coordinator()),
            &json!({"chance": "low", "considerations": null, "min_gpa": 7.5}),
        )
        .await
        .ok();
    assert_eq!(patched["chance"], "low");
    assert_eq!(patched["considerations"], json!(null));
    assert_eq!(patched["min_gpa"], 7.5);
    assert_eq!(patched["offerings"], created["offerings"]);
    assert_eq!(patched["faculty"], "LUMC");
    let invalid = app
        .patch_json(
            &path,
            Some(&coordinator()),
            &json!({"exchange_type": "isep"}),
        )
        .await;
    invalid.problem(422);
    assert_eq!(
        invalid.violations()[0],
        ("faculty".to_owned(), "not_allowed".to_owned())
    );
    app.patch_json(&path, Some(&coordinator()), &json!({"colour": "red"}))
        .await
        .problem(400);
}

#[actix_web::test]
async fn an_archived_destination_is_kept_but_hidden_from_students() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let created = destination(&app, &lumc_agreement(&ki)).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/api/v1/destinations/{id}");
    app.patch_json(&path, Some(&coordinator()), &json!({"archived": true}))
        .await
        .ok();

    app.get(&path, Some(&student())).await.problem(404);
    assert_eq!(
        app.get(&path, Some(&coordinator())).await.ok()["archived"],
        true
    );
    let listed = app.get("/api/v1/destinations", Some(&student())).await.ok();
    assert_eq!(listed["items"], json!([]));
    app.get("/api/v1/destinations?archived=true", Some(&student()))
        .await
        .problem(403);
    let archived = app
        .get("/api/v1/destinations?archived=true", Some(&coordinator()))
        .await
        .ok();
    assert_eq!(archived["items"][0]["id"], id);

    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=destination&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    assert_eq!(audit["items"][0]["action"], "destination.archived");
    // Restoring brings it back.
    app.patch_json(&path, Some(&coordinator()), &json!({"archived": false}))
        .await
        .ok();
    assert_eq!(
        app.get(&path, Some(&student())).await.ok()["archived"],
        false
    );
}

#[actix_web::test]
async fn a_faculty_coordinator_creates_and_changes_only_its_faculty_destinations() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    let lumc = faculty_coordinator("LUMC");
    let law = faculty_coordinator("LAW");

    // Its own faculty's agreement: yes.
    let own = app
        .post_json("/api/v1/destinations", Some(&lumc), &lumc_agreement(&ki))
        .await;
    assert_eq!(own.status, 201);
    let own_path = format!(
        "/api/v1/destinations/{}",
        own.json()["id"].as_str().expect("id")
    );
    // Another faculty's, or a university-wide one: creating what it may not is 403.
    app.post_json("/api/v1/destinations", Some(&law), &lumc_agreement(&ki))
        .await
        .problem(403);
    app.post_json("/api/v1/destinations", Some(&lumc), &exchange(&ki))
        .await
        .problem(403);

    // Another faculty's active destination is public: changing it is 403.
    app.patch_json(&own_path, Some(&law), &json!({"chance": "high"}))
        .await
        .problem(403);
    let wide = destination(&app, &exchange(&ki)).await;
    let wide_path = format!("/api/v1/destinations/{}", wide["id"].as_str().expect("id"));
    app.patch_json(&wide_path, Some(&lumc), &json!({"chance": "high"}))
        .await
        .problem(403);
    // Nor may it hand its own to another faculty.
    let handed = app
        .patch_json(&own_path, Some(&lumc), &json!({"faculty": "LAW"}))
        .await;
    handed.problem(403);
    assert_eq!(
        app.get(&own_path, Some(&coordinator())).await.ok()["faculty"],
        "LUMC"
    );
    assert_eq!(
        app.patch_json(&own_path, Some(&lumc), &json!({"chance": "high"}))
            .await
            .ok()["chance"],
        "high"
    );
    // Archived, it is the owning faculty's and the office's alone: 404 to LAW.
    app.patch_json(&own_path, Some(&lumc), &json!({"archived": true}))
        .await
        .ok();
    app.get(&own_path, Some(&law)).await.problem(404);
    app.patch_json(&own_path, Some(&law), &json!({"archived": false}))
        .await
        .problem(404);
    app.get(&own_path, Some(&lumc)).await.ok();
    app.get(&own_path, Some(&coordinator())).await.ok();
    let archived = |token: String| {
        let app = &app;
        async move {
            app.get("/api/v1/destinations?archived=true", Some(&token))
                .await
                .ok()["items"]
                .as_array()
                .expect("items")
                .len()
        }
    };
    assert_eq!(archived(law.clone()).await, 0);
    assert_eq!(archived(lumc.clone()).await, 1);
    assert_eq!(archived(coordinator()).await, 1);
}

#[actix_web::test]
async fn students_and_programmes_may_not_create_or_change_destinations() {
    let app = TestApp::new();
    let ki = sweden_with_karolinska(&app).await;
    app.post_json(
        "/api/v1/destinations",
        Some(&student()),
        &lumc_agreement(&ki),
    )
    .await
    .problem(403);
    let created = destination(&app, &lumc_agreement(&ki)).await;
    let path = format!(
        "/api/v1/destinations/{}",
        created["id"].as_str().expect("id")
    );
    app.patch_json(&path, Some(&student()), &json!({"archived": true}))
        .await
        .problem(403);
}
