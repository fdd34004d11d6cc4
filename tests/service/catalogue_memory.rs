//! The catalogue in memory finds exactly what the SQL search finds.
//!
//! Random catalogues (names and considerations from a realistic alphabet: accented
//! letters, digits, spaces, hyphens, apostrophes) are written to a database; random
//! filter sets then page through the snapshot the service builds and through
//! `abroad_storage::catalogue_oracle`, and both must give the same ids in the same
//! pages. The oracle is the search the service ran before, with the free-text rule
//! now written down once (`abroad_domain::catalogue::words`) in place of PostgreSQL's
//! text-search parser, and bytewise order in place of the database's collation. A second test runs two service instances on one database: a change made
//! through one must be seen through the other, waiting for the notification.

use crate::support::{self, TestApp, coordinator, student};
use abroad_api::catalogue::{self, CatalogueCache, Following};
use abroad_domain::catalogue::words::query_words;
use abroad_domain::catalogue::{Filter, Reader};
use abroad_domain::{Activity, Chance, ExchangeType, Level, Semester};
use abroad_storage::catalogue_oracle;
use abroad_storage::test_db::TestDb;
use actix_web::test::TestRequest;
use diesel::sql_types::{Bool, Jsonb, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_query};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ALPHABET: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'g', 'k', 'l', 'n', 'o', 'r', 's', 't', 'u', 'z', 'A', 'B', 'K', 'S',
    'Z', 'é', 'è', 'ë', 'á', 'ä', 'å', 'ó', 'ö', 'ø', 'ú', 'ü', 'í', 'ç', 'ñ', 'ß', 'æ', 'ł', 'š',
    'ž', 'É', 'Ö', 'Å', 'Ø', 'Ł', '0', '1', '7', ' ', ' ', ' ', '-', '\'', '’',
];
const COUNTRIES: &[&str] = &["SE", "DE", "PL", "FR"];
const FACULTIES: &[&str] = &["LUMC", "LAW"];
const PROGRAMMES: &[&str] = &["BMS", "LAW", "MED"];
const LANGUAGES: &[&str] = &["en", "de", "sv"];
const LEVELS: &[Level] = &[Level::Bachelor, Level::Master];
const ACTIVITIES: &[Activity] = &[
    Activity::SemesterExchange,
    Activity::ResearchInternship,
    Activity::SummerSchool,
];

fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), min..=max)
        .prop_map(|chars| chars.into_iter().collect())
}

/// A name starts with a letter, so it is never blank.
fn name() -> impl Strategy<Value = String> {
    (prop::sample::select(&ALPHABET[..44]), text(0, 18))
        .prop_map(|(first, rest)| format!("{first}{rest}"))
}

#[derive(Debug, Clone)]
struct Place {
    institution: String,
    city: String,
    country: usize,
    exchange_type: ExchangeType,
    faculty: usize,
    offerings: Vec<(Level, Activity, Option<usize>)>,
    languages: Vec<usize>,
    chance: Chance,
    semesters: Vec<Semester>,
    considerations: Option<String>,
    archived: bool,
}

fn place() -> impl Strategy<Value = Place> {
    let offering = (
        prop::sample::select(LEVELS),
        prop::sample::select(ACTIVITIES),
        prop::option::of(0..PROGRAMMES.len()),
    );
    (
        (name(), name(), 0..COUNTRIES.len()),
        prop::sample::select(ExchangeType::ALL),
        0..FACULTIES.len(),
        prop::collection::vec(offering, 1..=3),
        prop::collection::vec(0..LANGUAGES.len(), 0..=2),
        prop::sample::select(Chance::ALL),
        prop::sample::subsequence(Semester::ALL.to_vec(), 1..=3),
        prop::option::of(text(0, 60)),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(
                (institution, city, country),
                exchange_type,
                faculty,
                offerings,
                languages,
                chance,
                semesters,
                considerations,
                archived,
            )| Place {
                institution,
                city,
                country,
                exchange_type,
                faculty,
                offerings,
                languages,
                chance,
                semesters,
                considerations,
                archived,
            },
        )
}

/// A filter set; `q` is either random text or the start of a word of the catalogue
/// (`from_catalogue`, resolved against it), so searches find things too.
#[derive(Debug, Clone)]
struct Search {
    country: Option<usize>,
    exchange_type: Option<ExchangeType>,
    faculty: Option<usize>,
    level: Option<Level>,
    programme: Option<usize>,
    activity: Option<Activity>,
    language: Option<usize>,
    chance: Option<Chance>,
    semester: Option<Semester>,
    q: Option<Result<String, (usize, usize)>>,
    archived: bool,
    reader: usize,
    limit: usize,
}

fn search() -> impl Strategy<Value = Search> {
    let q = prop_oneof![
        text(1, 12).prop_map(Ok),
        (any::<usize>(), 1usize..6).prop_map(Err),
    ];
    (
        (
            prop::option::weighted(0.3, 0..COUNTRIES.len() + 1),
            prop::option::weighted(0.2, prop::sample::select(ExchangeType::ALL)),
            prop::option::weighted(0.15, 0..FACULTIES.len() + 1),
            prop::option::weighted(0.3, prop::sample::select(LEVELS)),
            prop::option::weighted(0.3, 0..PROGRAMMES.len() + 1),
            prop::option::weighted(0.3, prop::sample::select(ACTIVITIES)),
        ),
        (
            prop::option::weighted(0.2, 0..LANGUAGES.len()),
            prop::option::weighted(0.2, prop::sample::select(Chance::ALL)),
            prop::option::weighted(0.2, prop::sample::select(Semester::ALL)),
            prop::option::weighted(0.5, q),
            prop::bool::weighted(0.2),
            0usize..3,
            1usize..8,
        ),
    )
        .prop_map(
            |(
                (country, exchange_type, faculty, level, programme, activity),
                (language, chance, semester, q, archived, reader, limit),
            )| Search {
                country,
                exchange_type,
                faculty,
                level,
                programme,
                activity,
                language,
                chance,
                semester,
                q,
                archived,
                reader,
                limit,
            },
        )
}

/// Index `i` of a list, or (one past the end) a value no destination has.
fn pick(list: &[&str], i: usize) -> String {
    list.get(i).map_or("XX".to_owned(), |s| (*s).to_owned())
}

fn filter(s: &Search, places: &[Place]) -> Filter {
    let q = s.q.as_ref().map(|q| match q {
        Ok(raw) => raw.clone(),
        Err((which, length)) => {
            let p = &places[which % places.len()];
            let words = query_words(&format!("{} {}", p.institution, p.city));
            let word = words
                .get(which % words.len().max(1))
                .cloned()
                .unwrap_or_default();
            word.chars().take(*length).collect()
        }
    });
    Filter {
        country: s.country.map(|i| pick(COUNTRIES, i)),
        exchange_type: s.exchange_type,
        faculty: s.faculty.map(|i| pick(FACULTIES, i)),
        level: s.level,
        programme: s.programme.map(|i| pick(PROGRAMMES, i)),
        activity: s.activity,
        language: s.language.map(|i| pick(LANGUAGES, i)),
        chance: s.chance,
        semester: s.semester,
        words: q.map(|q| query_words(&q)),
        archived: s.archived,
    }
}

fn reader(i: usize) -> Reader {
    match i {
        0 => Reader::Office,
        1 => Reader::Faculty("LUMC".to_owned()),
        _ => Reader::Anyone,
    }
}

/// Replaces the database's catalogue with `places`.
fn store(conn: &mut PgConnection, places: &[Place]) {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        sql_query("DELETE FROM destinations").execute(conn)?;
        sql_query("DELETE FROM institutions").execute(conn)?;
        for (code, n) in COUNTRIES.iter().zip(1..) {
            sql_query(
                "INSERT INTO countries (code, name, advice) VALUES ($1, $2, 'green') \
                 ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name",
            )
            .bind::<Text, _>(*code)
            .bind::<Text, _>(["Sverige", "Deutschland-Süd", "Polska", "Côte d’Azur"][n - 1])
            .execute(conn)?;
        }
        for p in places {
            let institution: Id = sql_query(
                "INSERT INTO institutions (name, country, city) VALUES ($1, $2, $3) \
                 ON CONFLICT (lower(name), country) DO UPDATE SET city = institutions.city \
                 RETURNING id",
            )
            .bind::<Text, _>(&p.institution)
            .bind::<Text, _>(COUNTRIES[p.country])
            .bind::<Text, _>(&p.city)
            .get_result(conn)?;
            let offerings: Vec<Value> = p
                .offerings
                .iter()
                .map(|(level, activity, programme)| {
                    json!({"level": level, "activity": activity,
                           "programme": programme.map(|i| PROGRAMMES[i]), "note": null})
                })
                .collect();
            let languages: Vec<Value> = p
                .languages
                .iter()
                .map(|&i| json!({"code": LANGUAGES[i], "min_level": "B2"}))
                .collect();
            let semesters: Vec<Value> = p
                .semesters
                .iter()
                .map(|s| json!({"semester": s, "dates": null}))
                .collect();
            let faculty = p.exchange_type.has_faculty().then(|| FACULTIES[p.faculty]);
            sql_query(
                "INSERT INTO destinations (institution_id, exchange_type, faculty, offerings, \
                 languages, chance, semesters, considerations, archived) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind::<diesel::sql_types::Uuid, _>(institution.id)
            .bind::<Text, _>(p.exchange_type.as_str())
            .bind::<Nullable<Text>, _>(faculty)
            .bind::<Jsonb, _>(Value::Array(offerings))
            .bind::<Jsonb, _>(Value::Array(languages))
            .bind::<Text, _>(p.chance.as_str())
            .bind::<Jsonb, _>(Value::Array(semesters))
            .bind::<Nullable<Text>, _>(p.considerations.as_deref())
            .bind::<Bool, _>(p.archived)
            .execute(conn)?;
        }
        Ok(())
    })
    .expect("store the catalogue");
}

/// Every page of one search, both ways: ids per page, and the key each page ends on.
fn pages_compared(
    conn: &mut PgConnection,
    snapshot: &catalogue::Snapshot,
    f: &Filter,
    r: &Reader,
    limit: usize,
) -> Result<(), TestCaseError> {
    let mut memory_after: Option<(String, Uuid)> = None;
    let mut oracle_after: Option<(String, Uuid)> = None;
    for _ in 0..200 {
        let found = snapshot.search(
            f,
            r,
            memory_after.as_ref().map(|(k, id)| (k.as_str(), *id)),
            limit,
        );
        let memory_ids: Vec<Uuid> = found.items.iter().map(|l| l.id).collect();
        let (oracle_ids, oracle_next) =
            catalogue_oracle::search(conn, r, f, oracle_after.clone(), limit as i64)
                .expect("oracle");
        prop_assert_eq!(&memory_ids, &oracle_ids, "filter {:?}, reader {:?}", f, r);
        let memory_next = found.next_key();
        prop_assert_eq!(&memory_next, &oracle_next);
        if memory_next.is_none() {
            return Ok(());
        }
        memory_after = memory_next;
        oracle_after = oracle_next;
    }
    Err(TestCaseError::fail("more than 200 pages"))
}

/// Changes a country (its name and advice), one institution and every other
/// destination, as coordinators would.
fn change_some(conn: &mut PgConnection) {
    for statement in [
        "UPDATE countries SET name = name || ' Øst', advice = 'orange' WHERE code = 'SE'",
        "UPDATE institutions SET city = city || ' Nord' WHERE id = (SELECT min(id::text)::uuid FROM institutions)",
        "UPDATE destinations SET considerations = coalesce(considerations, '') || ' Zürich', \
         updated_at = now() WHERE id IN (SELECT id FROM destinations ORDER BY id LIMIT \
         (SELECT count(*) / 2 FROM destinations))",
    ] {
        sql_query(statement).execute(conn).expect("change");
    }
}

fn scratch_ids(conn: &mut PgConnection) -> Vec<Uuid> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let ids: Vec<Id> = sql_query("SELECT id FROM destinations")
        .load(conn)
        .expect("ids");
    ids.into_iter().map(|i| i.id).collect()
}

#[test]
fn the_search_in_memory_finds_what_the_sql_search_finds() {
    let db = TestDb::new();
    // The runner takes a `Fn`; the cases run one after another.
    let conn = std::cell::RefCell::new(db.connect());
    let mut runner = TestRunner::new(Config {
        cases: 40,
        ..Config::default()
    });
    let case = (
        prop::collection::vec(place(), 1..30),
        prop::collection::vec(search(), 12),
    );
    runner
        .run(&case, |(places, searches)| {
            let conn = &mut *conn.borrow_mut();
            store(conn, &places);
            let cache = CatalogueCache::default();
            let snapshot = cache.snapshot(conn).expect("snapshot");
            prop_assert_eq!(snapshot.len(), places.len());
            for s in &searches {
                let f = filter(s, &places);
                pages_compared(conn, &snapshot, &f, &reader(s.reader), s.limit)?;
            }
            // With no filter at all, every visible destination is found, archived or not.
            for archived in [false, true] {
                let all = Filter {
                    archived,
                    ..Filter::default()
                };
                pages_compared(conn, &snapshot, &all, &Reader::Office, 5)?;
            }

            // A change rebuilds only what it touched: the snapshot after it is the one
            // read from scratch, and still agrees with the oracle.
            change_some(conn);
            cache.refresh(conn).expect("refresh");
            let changed = cache.snapshot(conn).expect("snapshot");
            let scratch = CatalogueCache::default().snapshot(conn).expect("snapshot");
            prop_assert_eq!(changed.version(), scratch.version());
            prop_assert_eq!(changed.len(), scratch.len());
            for p in &scratch_ids(conn) {
                let a = changed
                    .get(*p, &Reader::Office)
                    .map(|l| l.shown.json.clone());
                let b = scratch
                    .get(*p, &Reader::Office)
                    .map(|l| l.shown.json.clone());
                prop_assert_eq!(a, b);
            }
            for s in searches.iter().take(4) {
                let f = filter(s, &places);
                pages_compared(conn, &changed, &f, &reader(s.reader), s.limit)?;
            }
            Ok(())
        })
        .expect("the in-memory search agrees with the SQL oracle");
}

/// Two service instances on one database, each holding its own snapshot and following
/// the other's writes; waits for the change with a deadline, never a fixed sleep.
#[actix_web::test]
async fn a_change_through_one_instance_is_seen_through_another() {
    let one = TestApp::new();
    let other = TestApp::on_database_of(&one);
    catalogue::follow(
        &other.catalogue(),
        one.db.url().to_owned(),
        Following::default(),
    );
    let office = coordinator();
    support::catalogue::country(&one, "SE", "Sweden", "green").await;
    let institution =
        support::catalogue::institution(&one, "Uppsala universitet", "SE", "Uppsala").await;
    // Seen by the other instance before any change: it has loaded the catalogue.
    let before = other
        .get("/api/v1/destinations?q=uppsala", Some(&student()))
        .await
        .json();
    assert_eq!(before["items"].as_array().expect("items").len(), 0);

    let created = one
        .post_json(
            "/api/v1/destinations",
            Some(&office),
            &json!({
                "institution_id": institution,
                "exchange_type": "university_wide",
                "offerings": [{"level": "master", "activity": "semester_exchange"}],
                "languages": [{"code": "sv", "min_level": "B2"}],
                "chance": "high",
                "semesters": [{"semester": "autumn"}],
            }),
        )
        .await;
    let id = created.ok()["id"].as_str().expect("id").to_owned();

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = other
            .get("/api/v1/destinations?q=uppsala", Some(&student()))
            .await
            .json();
        if found["items"][0]["id"].as_str() == Some(id.as_str()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the other instance never saw the new destination"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }

    // Advice changes reach it the same way.
    let advice = one
        .put_json(
            "/api/v1/countries/SE",
            Some(&office),
            &json!({"name": "Sweden", "advice": "orange"}),
        )
        .await;
    advice.ok();
    loop {
        let seen = other
            .get(&format!("/api/v1/destinations/{id}"), Some(&student()))
            .await
            .json();
        if seen["advice"] == "orange" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the other instance never saw the new advice"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Catalogue writers that touch the same country, institution and destination at once
/// all get through: each takes the catalogue's change lock before any row, so none
/// waits on another in the opposite order (a deadlock would answer 503).
#[actix_web::test]
async fn concurrent_catalogue_writes_never_deadlock() {
    let app = TestApp::new();
    let office = coordinator();
    support::catalogue::country(&app, "SE", "Sweden", "green").await;
    let institution = support::catalogue::institution(&app, "Lund University", "SE", "Lund").await;
    let destination = support::catalogue::destination(
        &app,
        &json!({
            "institution_id": institution,
            "exchange_type": "university_wide",
            "offerings": [{"level": "master", "activity": "semester_exchange"}],
            "chance": "high",
            "semesters": [{"semester": "autumn"}],
        }),
    )
    .await;
    let destination = destination["id"].as_str().expect("id").to_owned();
    let mut requests = Vec::new();
    for n in 0..8 {
        // A rename reaches every destination in the country (its search words).
        requests.push(support::json_request(
            TestRequest::put(),
            "/api/v1/countries/SE",
            Some(&office),
            &json!({"name": format!("Sweden {n}"), "advice": "green"}),
        ));
        requests.push(support::json_request(
            TestRequest::post(),
            "/api/v1/institutions",
            Some(&office),
            &json!({"name": format!("Institute {n}"), "country": "SE", "city": "Malmö"}),
        ));
        requests.push(support::json_request(
            TestRequest::patch(),
            &format!("/api/v1/destinations/{destination}"),
            Some(&office),
            &json!({"considerations": format!("apply early ({n})")}),
        ));
        requests.push(support::json_request(
            TestRequest::patch(),
            &format!("/api/v1/institutions/{institution}"),
            Some(&office),
            &json!({"city": format!("Lund {n}")}),
        ));
    }
    for response in app.send_concurrently(requests).await {
        response.ok();
    }
    let seen = app
        .get(
            &format!("/api/v1/destinations/{destination}"),
            Some(&student()),
        )
        .await
        .ok();
    assert!(
        seen["country_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Sweden "))
    );
}

/// A notification can be lost (a dropped connection, a restart between commit and
/// listen): the follower also compares the version every second. Here a change is made
/// with the triggers off, so nothing is notified, and the version raised by hand.
#[actix_web::test]
async fn a_lost_notification_is_caught_by_the_version_check() {
    let app = TestApp::new();
    support::catalogue::country(&app, "SE", "Sweden", "green").await;
    let institution = support::catalogue::institution(&app, "Umeå University", "SE", "Umeå").await;
    let created = support::catalogue::destination(
        &app,
        &json!({
            "institution_id": institution,
            "exchange_type": "university_wide",
            "offerings": [{"level": "master", "activity": "semester_exchange"}],
            "chance": "high",
            "semesters": [{"semester": "spring"}],
        }),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    catalogue::follow(
        &app.catalogue(),
        app.db.url().to_owned(),
        Following::default(),
    );

    let mut conn = app.db.connect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        // Replica mode: no trigger fires, so no version is raised and nothing notified.
        sql_query("SET LOCAL session_replication_role = replica").execute(conn)?;
        sql_query("UPDATE destinations SET considerations = 'Midnight sun' WHERE id = $1")
            .bind::<diesel::sql_types::Uuid, _>(Uuid::parse_str(&id).expect("uuid"))
            .execute(conn)?;
        sql_query("UPDATE catalogue_version SET version = version + 1").execute(conn)?;
        Ok(())
    })
    .expect("a change nobody is told of");

    let started = Instant::now();
    loop {
        let seen = app
            .get(&format!("/api/v1/destinations/{id}"), Some(&student()))
            .await
            .ok();
        if seen["considerations"] == "Midnight sun" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the version check never caught the change"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
