//! The catalogue search: each filter alone, combined, free text, and paging.

use crate::support::catalogue::{country, destination, institution, programme};
use crate::support::{TestApp, student};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Four destinations that differ in every filterable way.
async fn catalogue(app: &TestApp) {
    country(app, "SE", "Sweden", "green").await;
    country(app, "ES", "Spain", "green").await;
    country(app, "IL", "Israel", "orange").await;
    programme(app, "BMS", "LUMC", "master").await;
    programme(app, "MED", "LUMC", "bachelor").await;
    let ki = institution(app, "Karolinska Institutet", "SE", "Stockholm").await;
    let uu = institution(app, "Uppsala University", "SE", "Uppsala").await;
    let ub = institution(app, "Universitat de Barcelona", "ES", "Barcelona").await;
    let huji = institution(app, "Hebrew University of Jerusalem", "IL", "Jerusalem").await;
    destination(
        app,
        &json!({
            "institution_id": ki, "exchange_type": "faculty", "faculty": "LUMC",
            "offerings": [
                {"level": "master", "activity": "junior_research_project", "programme": "BMS"},
                {"level": "bachelor", "activity": "half_minor", "programme": "BMS"}
            ],
            "languages": [{"code": "en", "min_level": "B2"}], "chance": "medium",
            "semesters": [{"semester": "autumn"}],
            "considerations": "The half-minor committee decides before nomination."
        }),
    )
    .await;
    destination(app, &json!({
        "institution_id": uu, "exchange_type": "university_wide",
        "offerings": [{"level": "bachelor", "activity": "semester_exchange"}, {"level": "master", "activity": "semester_exchange"}],
        "languages": [{"code": "en", "min_level": "B2"}, {"code": "sv", "min_level": "A2"}], "chance": "high",
        "semesters": [{"semester": "autumn"}, {"semester": "spring"}]
    }))
    .await;
    destination(app, &json!({
        "institution_id": ub, "exchange_type": "faculty", "faculty": "LUMC",
        "offerings": [{"level": "master", "activity": "scientific_internship", "programme": "MED"}],
        "languages": [{"code": "es", "min_level": "B2"}], "chance": "low",
        "semesters": [{"semester": "spring"}]
    }))
    .await;
    destination(app, &json!({
        "institution_id": huji, "exchange_type": "isep",
        "offerings": [{"level": "bachelor", "activity": "semester_exchange"}, {"level": "master", "activity": "semester_exchange"}],
        "languages": [{"code": "en", "min_level": "B2"}], "chance": "medium",
        "semesters": [{"semester": "full_year"}], "min_gpa": 6.5
    }))
    .await;
}

const KI: &str = "Karolinska Institutet";
const UU: &str = "Uppsala University";
const UB: &str = "Universitat de Barcelona";
const HUJI: &str = "Hebrew University of Jerusalem";

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let page = app
        .get(&format!("/api/v1/destinations?{query}"), Some(&student()))
        .await
        .ok();
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["institution"]["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Compares as sets: the order is by name, which these tests do not care about.
#[track_caller]
fn same(found: Vec<String>, expected: &[&str]) {
    let found: HashSet<_> = found.iter().map(String::as_str).collect();
    assert_eq!(found, expected.iter().copied().collect::<HashSet<_>>());
}

#[actix_web::test]
async fn each_filter_alone() {
    let app = TestApp::new();
    catalogue(&app).await;
    same(names(&app, "").await, &[KI, UU, UB, HUJI]);
    same(names(&app, "country=SE").await, &[KI, UU]);
    same(names(&app, "country=SE").await, &[KI, UU]);
    same(names(&app, "exchange_type=isep").await, &[HUJI]);
    same(names(&app, "faculty=LUMC").await, &[KI, UB]);
    same(names(&app, "level=bachelor").await, &[KI, UU, HUJI]);
    same(names(&app, "language=es").await, &[UB]);
    same(names(&app, "language=sv").await, &[UU]);
    same(names(&app, "activity=half_minor").await, &[KI]);
    same(names(&app, "chance=low").await, &[UB]);
    same(names(&app, "semester=full_year").await, &[HUJI]);
    same(names(&app, "semester=autumn").await, &[KI, UU]);
}

#[actix_web::test]
async fn a_programme_matches_its_own_offerings_and_those_open_to_every_programme() {
    let app = TestApp::new();
    catalogue(&app).await;
    same(names(&app, "programme=BMS").await, &[KI, UU, HUJI]);
    same(names(&app, "programme=MED").await, &[UU, UB, HUJI]);
    same(names(&app, "programme=LAW").await, &[UU, HUJI]);
}

#[actix_web::test]
async fn filters_combine_and_offering_filters_hold_for_one_offering() {
    let app = TestApp::new();
    catalogue(&app).await;
    same(
        names(&app, "country=SE&level=master&programme=BMS").await,
        &[KI, UU],
    );
    same(names(&app, "country=SE&chance=high").await, &[UU]);
    // Karolinska's half-minor is for bachelors: a master half-minor is nowhere.
    same(names(&app, "level=master&activity=half_minor").await, &[]);
    same(
        names(&app, "level=bachelor&activity=half_minor&programme=BMS").await,
        &[KI],
    );
    same(
        names(
            &app,
            "level=master&programme=MED&activity=scientific_internship&language=es&semester=spring",
        )
        .await,
        &[UB],
    );
    same(
        names(&app, "exchange_type=faculty&semester=spring").await,
        &[UB],
    );
}

#[actix_web::test]
async fn free_text_finds_names_cities_countries_and_considerations() {
    let app = TestApp::new();
    catalogue(&app).await;
    same(names(&app, "q=karol").await, &[KI]);
    same(names(&app, "q=Stockholm").await, &[KI]);
    same(names(&app, "q=sweden").await, &[KI, UU]);
    same(names(&app, "q=spain").await, &[UB]);
    same(names(&app, "q=committee").await, &[KI]);
    same(names(&app, "q=universit%20sweden").await, &[UU]);
    same(names(&app, "q=jerusalem&exchange_type=isep").await, &[HUJI]);
    same(names(&app, "q=nowhere").await, &[]);
    // Quotes and operators are only separators, never query syntax.
    same(names(&app, "q=karol%27%20%7C%20!uppsala").await, &[]);
    same(names(&app, "q=karol%27%20%7C").await, &[KI]);
}

#[actix_web::test]
async fn free_text_ignores_accents_and_follows_renames() {
    let app = TestApp::new();
    catalogue(&app).await;
    country(&app, "DE", "Germany", "green").await;
    let id = institution(&app, "Universitätsmedizin Göttingen", "DE", "Göttingen").await;
    destination(&app, &crate::support::catalogue::exchange(&id)).await;
    same(
        names(&app, "q=gottingen").await,
        &["Universitätsmedizin Göttingen"],
    );
    same(
        names(&app, "q=G%C3%B6ttingen").await,
        &["Universitätsmedizin Göttingen"],
    );
    // Renaming the country is seen by the search at once.
    country(&app, "DE", "Deutschland", "green").await;
    same(
        names(&app, "q=deutschland").await,
        &["Universitätsmedizin Göttingen"],
    );
    let response = app
        .patch_json(
            &format!("/api/v1/institutions/{id}"),
            Some(&crate::support::coordinator()),
            &json!({"name": "UMG"}),
        )
        .await;
    response.ok();
    same(names(&app, "q=umg").await, &["UMG"]);
}

#[actix_web::test]
async fn each_item_carries_its_countrys_advice() {
    let app = TestApp::new();
    catalogue(&app).await;
    let page = app
        .get("/api/v1/destinations?exchange_type=isep", Some(&student()))
        .await
        .ok();
    assert_eq!(page["items"][0]["advice"], "orange");
    assert_eq!(page["items"][0]["min_gpa"], 6.5);
    country(&app, "IL", "Israel", "green").await;
    let page = app
        .get("/api/v1/destinations?exchange_type=isep", Some(&student()))
        .await
        .ok();
    assert_eq!(page["items"][0]["advice"], "green");
}

#[actix_web::test]
async fn pages_cover_every_destination_once_in_name_order() {
    let app = TestApp::new();
    catalogue(&app).await;
    let mut seen = Vec::new();
    let mut url = "/api/v1/destinations?limit=1".to_owned();
    while seen.len() < 10 {
        let page: Value = app.get(&url, Some(&student())).await.ok();
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        seen.push(
            items[0]["institution"]["name"]
                .as_str()
                .expect("name")
                .to_owned(),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/v1/destinations?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, [HUJI, KI, UB, UU]);
    // A cursor also pages a filtered list.
    let first = app
        .get("/api/v1/destinations?country=SE&limit=1", Some(&student()))
        .await
        .ok();
    let cursor = first["next_cursor"].as_str().expect("more");
    let second = app
        .get(
            &format!("/api/v1/destinations?country=SE&limit=1&cursor={cursor}"),
            Some(&student()),
        )
        .await
        .ok();
    assert_eq!(second["items"][0]["institution"]["name"], UU);
    assert_eq!(second["next_cursor"], json!(null));
}

#[actix_web::test]
async fn unknown_filter_values_are_400_naming_the_parameter() {
    let app = TestApp::new();
    // Of the document's form but not assigned: a rule broken, 422 naming it.
    for (query, parameter) in [("country=XX", "country"), ("language=qq", "language")] {
        let response = app
            .get(&format!("/api/v1/destinations?{query}"), Some(&student()))
            .await;
        response.problem(422);
        assert_eq!(response.violations()[0].0, parameter, "{query}");
    }
    // Text with no word in it finds nothing; empty text does not fit the document.
    assert!(names(&app, "q=%21%21").await.is_empty());
    // Letters that unaccent turns into tsquery syntax (⑴ → "(1)", ː → ":", ʼ → "'")
    // stay words: an answer, never a 500.
    for q in [
        "%E2%91%B4",
        "%CB%90",
        "%CA%BC",
        "%C5%89",
        "%E2%92%87%20karol",
    ] {
        app.get(&format!("/api/v1/destinations?q={q}"), Some(&student()))
            .await
            .ok();
    }
    for (query, parameter) in [
        ("country=se", "country"),
        ("q=", "q"),
        ("exchange_type=erasmus", "exchange_type"),
        ("faculty=lumc", "faculty"),
        ("level=phd", "level"),
        ("language=english", "language"),
        ("programme=b%20ms", "programme"),
        ("activity=surfing", "activity"),
        ("chance=certain", "chance"),
        ("semester=winter", "semester"),
        ("limit=0", "limit"),
    ] {
        let response = app
            .get(&format!("/api/v1/destinations?{query}"), Some(&student()))
            .await;
        response.problem(400);
        assert_eq!(response.violations()[0].0, parameter, "{query}");
    }
    let body = app
        .get("/api/v1/destinations?colour=red", Some(&student()))
        .await
        .problem(400);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("colour"),
        "{body}"
    );
    app.get("/api/v1/destinations?archived=maybe", Some(&student()))
        .await
        .problem(400);
}
