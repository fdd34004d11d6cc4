//! Partner institutions.

use crate::support::catalogue::{country, institution};
use crate::support::{TestApp, coordinator, student};
use serde_json::json;

#[actix_web::test]
async fn a_coordinator_adds_reads_and_changes_an_institution() {
    let app = TestApp::new();
    country(&app, "SE", "Sweden", "green").await;
    let body = json!({"name": "Karolinska Institutet", "country": "SE", "city": "Stockholm",
                      "website": "https://ki.se", "erasmus_code": "S  STOCKHO03"});
    let created = app
        .post_json("/api/v1/institutions", Some(&coordinator()), &body)
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/institutions/{id}").as_str())
    );
    let read = app
        .get(&format!("/api/v1/institutions/{id}"), Some(&student()))
        .await
        .ok();
    assert_eq!(read["country"], "SE");
    assert_eq!(read["erasmus_code"], "S  STOCKHO03");

    // PATCH changes what it names, clears with null, keeps the rest.
    let patched = app
        .patch_json(
            &format!("/api/v1/institutions/{id}"),
            Some(&coordinator()),
            &json!({"city": "Solna", "website": null}),
        )
        .await
        .ok();
    assert_eq!(patched["city"], "Solna");
    assert_eq!(patched["website"], json!(null));
    assert_eq!(patched["name"], "Karolinska Institutet");
    assert_eq!(patched["erasmus_code"], "S  STOCKHO03");
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=institution&entity_id={id}"),
            Some(&coordinator()),
        )
        .await
        .ok();
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [json!("institution.updated"), json!("institution.created")]
    );
}

#[actix_web::test]
async fn the_country_must_be_in_the_catalogue() {
    let app = TestApp::new();
    let body = json!({"name": "Karolinska Institutet", "country": "SE", "city": "Stockholm"});
    let response = app
        .post_json("/api/v1/institutions", Some(&coordinator()), &body)
        .await;
    response.problem(422);
    assert_eq!(
        response.violations(),
        [("country".to_owned(), "unknown_country".to_owned())]
    );
}

#[actix_web::test]
async fn every_violation_is_reported_and_nothing_is_stored() {
    let app = TestApp::new();
    let body =
        json!({"name": "", "country": "SWE", "city": "", "website": "ki.se", "erasmus_code": "!!"});
    let response = app
        .post_json("/api/v1/institutions", Some(&coordinator()), &body)
        .await;
    response.problem(422);
    let fields: Vec<_> = response.violations().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["name", "country", "city", "website", "erasmus_code"]
    );
    let list = app
        .get("/api/v1/institutions", Some(&coordinator()))
        .await
        .ok();
    assert_eq!(list["items"], json!([]));
}

#[actix_web::test]
async fn a_second_institution_of_the_same_name_in_a_country_is_409() {
    let app = TestApp::new();
    country(&app, "BE", "Belgium", "green").await;
    institution(&app, "KU Leuven", "BE", "Leuven").await;
    let again = json!({"name": "ku leuven", "country": "BE", "city": "Leuven"});
    app.post_json("/api/v1/institutions", Some(&coordinator()), &again)
        .await
        .problem(409);
}

#[actix_web::test]
async fn the_list_filters_by_country_and_text() {
    let app = TestApp::new();
    country(&app, "SE", "Sweden", "green").await;
    country(&app, "DK", "Denmark", "green").await;
    institution(&app, "Karolinska Institutet", "SE", "Stockholm").await;
    institution(&app, "Uppsala University", "SE", "Uppsala").await;
    institution(&app, "University of Copenhagen", "DK", "Copenhagen").await;
    let names = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["name"].as_str().expect("name").to_owned())
            .collect()
    };
    assert_eq!(
        names(
            app.get("/api/v1/institutions?country=SE", Some(&student()))
                .await
                .ok()
        ),
        ["Karolinska Institutet", "Uppsala University"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/institutions?q=univ", Some(&student()))
                .await
                .ok()
        ),
        ["University of Copenhagen", "Uppsala University"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/institutions?q=stockholm", Some(&student()))
                .await
                .ok()
        ),
        ["Karolinska Institutet"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/institutions?q=100%25", Some(&student()))
                .await
                .ok()
        ),
        Vec::<String>::new()
    );
    app.get("/api/v1/institutions?country=ZZ", Some(&student()))
        .await
        .problem(422);
    app.get("/api/v1/institutions?country=se", Some(&student()))
        .await
        .problem(400);
}

#[actix_web::test]
async fn only_coordinators_add_or_change_institutions() {
    let app = TestApp::new();
    country(&app, "SE", "Sweden", "green").await;
    let body = json!({"name": "Karolinska Institutet", "country": "SE", "city": "Stockholm"});
    app.post_json("/api/v1/institutions", Some(&student()), &body)
        .await
        .problem(403);
    let id = institution(&app, "Karolinska Institutet", "SE", "Stockholm").await;
    app.patch_json(
        &format!("/api/v1/institutions/{id}"),
        Some(&student()),
        &json!({"city": "Solna"}),
    )
    .await
    .problem(403);
    app.get(
        "/api/v1/institutions/00000000-0000-0000-0000-000000000000",
        Some(&student()),
    )
    .await
    .problem(404);
    app.get("/api/v1/institutions/not-a-uuid", Some(&student()))
        .await
        .problem(400);
}
