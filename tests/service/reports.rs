//! Student reports: only a real stay is written about, coordinators publish or reject
//! each once, everyone else reads and searches the published ones.

use crate::matrix_world::{ActivityState, F, G, ReportState, S1, S2, World};
use crate::support::{Response, coordinator, faculty_coordinator, programme_token, token};
use serde_json::{Value, json};

fn s1() -> String {
    token("student", S1)
}

fn s2() -> String {
    token("student", S2)
}

async fn write(w: &World, body: &Value) -> Response {
    w.app.post_json("/api/v1/reports", Some(&s1()), body).await
}

/// Writes a report as S1 and answers its id.
async fn written(w: &World, body: &Value) -> String {
    write(w, body).await.ok()["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn publish(w: &World, id: &str) {
    w.app
        .post_json(
            &format!("/api/v1/reports/{id}/publish"),
            Some(&coordinator()),
            &json!({}),
        )
        .await
        .ok();
}

/// A report of S1's: `title` and `body` as given, the rest as the world's report.
fn report(w: &World, title: &str, body: &str) -> Value {
    let mut report = w.report_body(title);
    report["body"] = json!(body);
    report
}

/// The ids a list answers, in order.
async fn ids(w: &World, query: &str, token: &str) -> Vec<String> {
    let list = w
        .app
        .get(&format!("/api/v1/reports{query}"), Some(token))
        .await
        .ok();
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

#[actix_web::test]
async fn only_a_student_with_a_real_stay_writes_a_report() {
    let w = World::build().await;
    let body = w.report_body("Three months in Stockholm");
    // No stay abroad yet: 403, even for a body that breaks every rule.
    for sent in [&body, &json!({})] {
        let refused = write(&w, sent).await.problem(403);
        assert!(
            refused["detail"]
                .as_str()
                .is_some_and(|d| d.contains("accepted offer or an approved activity")),
            "{refused}"
        );
    }
    w.app
        .post_json("/api/v1/reports", Some(&s2()), &body)
        .await
        .problem(403);
    // Other roles never write one.
    for other in [
        coordinator(),
        faculty_coordinator(F),
        programme_token(&["LLB"]),
    ] {
        w.app
            .post_json("/api/v1/reports", Some(&other), &body)
            .await
            .problem(403);
    }
    // An activity held for a coordinator is no stay yet; an approved one is.
    w.fresh_activity(ActivityState::Held).await;
    write(&w, &body).await.problem(403);
    w.fresh_activity(ActivityState::Approved).await;
    let created = write(&w, &body).await;
    assert_eq!(created.status, 201);
    let report = created.json();
    let id = report["id"].as_str().expect("id");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/reports/{id}").as_str())
    );
    assert_eq!(report["status"], "submitted");
    assert_eq!(report["student"], S1);
    assert_eq!(report["title"], "Three months in Stockholm");
    assert_eq!(report["snippet"], Value::Null);
    assert_eq!(created.header("cache-control"), Some("no-store"));

    let log = w
        .app
        .get(
            &format!("/api/v1/audit?entity_type=report&entity_id={id}"),
            Some(&faculty_coordinator(G)),
        )
        .await
        .ok();
    assert_eq!(log["items"][0]["action"], "report.created");
    assert_eq!(log["items"][0]["actor"], S1);
    assert_eq!(log["items"][0]["after"]["body"], report["body"]);
}

#[actix_web::test]
async fn an_accepted_offer_is_a_real_stay_and_every_violation_is_reported_at_once() {
    let w = World::build().await;
    w.fresh_nomination(false).await;
    // Fields left out are `required`, all of them at once.
    let empty = write(&w, &json!({})).await;
    empty.problem(422);
    assert_eq!(
        empty.violations(),
        ["country", "activity", "period", "title", "body"]
            .map(|f| (f.to_owned(), "required".to_owned()))
    );
    let broken = write(
        &w,
        &json!({"country": "ZZ", "faculty": "law", "activity": "sailing", "period": " ",
                "title": "Two\nlines", "body": "x".repeat(20_001)}),
    )
    .await;
    broken.problem(422);
    assert_eq!(
        broken.violations(),
        [
            ("country", "unknown_country_code"),
            ("faculty", "invalid_faculty_code"),
            ("activity", "invalid_activity"),
            ("period", "required"),
            ("title", "control_character"),
            ("body", "too_long"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    // What only the stored data can tell, also at once: a country not in the
    // catalogue, an unknown institution, a faculty no programme belongs to.
    let mut unknown = w.report_body("Berlin");
    unknown["country"] = json!("DE");
    unknown["institution_id"] = json!("00000000-0000-4000-8000-000000000000");
    unknown["faculty"] = json!("MED");
    let refused = write(&w, &unknown).await;
    refused.problem(422);
    assert_eq!(
        refused.violations(),
        [
            ("country", "unknown_country"),
            ("institution_id", "unknown_institution"),
            ("faculty", "unknown_faculty"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    // The institution (in Sweden) is not in Norway.
    let mut elsewhere = w.report_body("Oslo");
    elsewhere["country"] = json!("NO");
    let refused = write(&w, &elsewhere).await;
    refused.problem(422);
    assert_eq!(
        refused.violations(),
        [(
            "institution_id".to_owned(),
            "institution_in_other_country".to_owned()
        )]
    );
    // A field the report does not have is malformed.
    let mut extra = w.report_body("Extra");
    extra["rating"] = json!(5);
    write(&w, &extra).await.problem(400);
    // Without institution and faculty, with line breaks kept: fine.
    let mut plain = w.report_body("  Fieldwork up north  ");
    plain["country"] = json!("NO");
    plain["institution_id"] = json!(null);
    plain["faculty"] = json!(null);
    plain["activity"] = json!("fieldwork");
    plain["body"] = json!("Day one.\n\nDay two:\tsnow.");
    let created = write(&w, &plain).await.ok();
    assert_eq!(created["title"], "Fieldwork up north");
    assert_eq!(created["body"], "Day one.\n\nDay two:\tsnow.");
    assert_eq!(created["faculty"], Value::Null);
}

#[actix_web::test]
async fn coordinators_publish_or_reject_each_report_once() {
    let w = World::build().await;
    let a = w.fresh_report(ReportState::Submitted).await;
    let b = w.fresh_report(ReportState::Submitted).await;
    // The moderation queue: every coordinator's, the office's and each faculty's.
    for moderator in [
        coordinator(),
        faculty_coordinator(F),
        faculty_coordinator(G),
    ] {
        let queue = ids(&w, "?status=submitted", &moderator).await;
        assert_eq!(queue, [b.as_str(), a.as_str()]);
    }
    // Before publication: the author's, the coordinators', nobody else's.
    assert_eq!(ids(&w, "", &s1()).await, [b.as_str(), a.as_str()]);
    for outsider in [s2(), programme_token(&["LLB"])] {
        assert!(ids(&w, "", &outsider).await.is_empty());
        w.app
            .get(&format!("/api/v1/reports/{a}"), Some(&outsider))
            .await
            .problem(404);
        w.app
            .post_json(
                &format!("/api/v1/reports/{a}/publish"),
                Some(&outsider),
                &json!({}),
            )
            .await
            .problem(404);
    }
    // The author sees it but does not moderate it.
    w.app
        .post_json(
            &format!("/api/v1/reports/{a}/publish"),
            Some(&s1()),
            &json!({}),
        )
        .await
        .problem(403);

    let published = w
        .app
        .post_json(
            &format!("/api/v1/reports/{a}/publish"),
            Some(&coordinator()),
            &json!({}),
        )
        .await
        .ok();
    assert_eq!(published["status"], "published");
    assert_eq!(published["decided_by"], "office-1");
    assert!(published["decided_at"].is_string());
    for (action, body) in [("publish", json!({})), ("reject", json!({"reason": "No"}))] {
        w.app
            .post_json(
                &format!("/api/v1/reports/{a}/{action}"),
                Some(&faculty_coordinator(G)),
                &body,
            )
            .await
            .problem(409);
    }

    // A rejection needs a reason, 1–2000 characters.
    let sci = faculty_coordinator(G);
    for (body, code) in [
        (json!({}), "required"),
        (json!({"reason": " "}), "required"),
        (json!({"reason": "x".repeat(2001)}), "too_long"),
    ] {
        let refused = w
            .app
            .post_json(&format!("/api/v1/reports/{b}/reject"), Some(&sci), &body)
            .await;
        refused.problem(422);
        assert_eq!(
            refused.violations(),
            [("reason".to_owned(), code.to_owned())]
        );
    }
    let reason = "It names fellow students; please write it again without names.";
    let rejected = w
        .app
        .post_json(
            &format!("/api/v1/reports/{b}/reject"),
            Some(&sci),
            &json!({"reason": reason}),
        )
        .await
        .ok();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reject_reason"], reason);
    w.app
        .post_json(
            &format!("/api/v1/reports/{b}/publish"),
            Some(&coordinator()),
            &json!({}),
        )
        .await
        .problem(409);
    assert!(
        ids(&w, "?status=submitted", &coordinator())
            .await
            .is_empty()
    );

    // Others see the published one only, without its author.
    assert_eq!(ids(&w, "", &s2()).await, [a.as_str()]);
    let seen = w
        .app
        .get(&format!("/api/v1/reports/{a}"), Some(&s2()))
        .await
        .ok();
    assert_eq!(seen["student"], Value::Null);
    assert_eq!(seen["decided_by"], Value::Null);
    w.app
        .get(&format!("/api/v1/reports/{b}"), Some(&s2()))
        .await
        .problem(404);
    assert!(ids(&w, "?status=rejected", &s2()).await.is_empty());
    assert_eq!(ids(&w, "?status=published", &s2()).await, [a.as_str()]);
    // The author reads why theirs was rejected.
    assert_eq!(ids(&w, "?status=rejected", &s1()).await, [b.as_str()]);
    let own = w
        .app
        .get(&format!("/api/v1/reports/{b}"), Some(&s1()))
        .await
        .ok();
    assert_eq!(own["reject_reason"], reason);
    assert_eq!(own["student"], S1);

    let log = w
        .app
        .get("/api/v1/audit?entity_type=report", Some(&coordinator()))
        .await
        .ok();
    let actions: Vec<_> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "report.rejected",
            "report.published",
            "report.created",
            "report.created"
        ]
    );
}

#[actix_web::test]
async fn a_search_ranks_by_relevance_and_marks_the_words_in_an_escaped_snippet() {
    let w = World::build().await;
    w.ensure_stay_abroad().await;
    let in_text = written(
        &w,
        &report(
            &w,
            "Stockholm on two wheels",
            "The city has wide lanes and I took my bicycle to the library every single day.",
        ),
    )
    .await;
    let in_title = written(
        &w,
        &report(
            &w,
            "Bicycle trip to the archipelago",
            "We rented a bicycle each and rode along the coast for a week.",
        ),
    )
    .await;
    let unrelated = written(&w, &report(&w, "Fika", "Coffee and cinnamon buns.")).await;
    let accented = written(
        &w,
        &report(
            &w,
            "A summer school",
            "The summer school was in Göttingen, a lovely town for students.",
        ),
    )
    .await;
    let markup = written(
        &w,
        &report(
            &w,
            "Tapas & tags",
            "I loved <b>bold</b> tapas & <script>alert(1)</script> more tapas.",
        ),
    )
    .await;
    let draft = written(&w, &report(&w, "Unpublished bicycle", "Not yet read.")).await;
    for id in [&in_text, &in_title, &unrelated, &accented, &markup] {
        publish(&w, id).await;
    }

    // The title weighs more than the text: the word in both comes first.
    let found = w
        .app
        .get("/api/v1/reports?q=bicycle", Some(&s2()))
        .await
        .ok();
    let items = found["items"].as_array().expect("items");
    let order: Vec<_> = items
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(order, [in_title.as_str(), in_text.as_str()]);
    for item in items {
        let snippet = item["snippet"].as_str().expect("a snippet");
        assert!(snippet.contains("<mark>bicycle</mark>"), "{snippet}");
    }
    // Each word a prefix, accents ignored, yet shown as written.
    let found = w
        .app
        .get("/api/v1/reports?q=gotting", Some(&s2()))
        .await
        .ok();
    assert_eq!(found["items"][0]["id"], json!(accented));
    let snippet = found["items"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>Göttingen</mark>"), "{snippet}");
    // The text's own markup comes back escaped: the only tags are the marks.
    let found = w.app.get("/api/v1/reports?q=tapas", Some(&s2())).await.ok();
    assert_eq!(found["items"][0]["id"], json!(markup));
    let snippet = found["items"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(snippet.contains("&amp;"), "{snippet}");
    let bare = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!bare.contains('<') && !bare.contains('>'), "{snippet}");
    assert_eq!(
        found["items"][0]["body"],
        "I loved <b>bold</b> tapas & <script>alert(1)</script> more tapas."
    );

    // The author finds their own unpublished one; others do not.
    assert_eq!(ids(&w, "?q=unpublished", &s1()).await, [draft.as_str()]);
    assert!(ids(&w, "?q=unpublished", &s2()).await.is_empty());
    // Free text with no word in it finds nothing; empty text is malformed.
    assert!(ids(&w, "?q=%21%21", &s2()).await.is_empty());
    w.app
        .get("/api/v1/reports?q=", Some(&s2()))
        .await
        .problem(400);
    // Any text is safe: quotes, tsquery syntax, a backslash.
    for q in ["%27%3A%2A%20%26%20%21", "a%5C%27b", "%E2%91%B4"] {
        w.app
            .get(&format!("/api/v1/reports?q={q}"), Some(&s2()))
            .await
            .ok();
    }
}

#[actix_web::test]
async fn ranked_pages_cover_every_match_once_in_order() {
    let w = World::build().await;
    w.ensure_stay_abroad().await;
    let mut made = Vec::new();
    for n in 0..7 {
        // Some texts say it more often: ranks differ, and some tie.
        let body = format!("{} and nothing else.", "canal ".repeat(1 + n % 3));
        let id = written(&w, &report(&w, &format!("Amsterdam {n}"), &body)).await;
        publish(&w, &id).await;
        made.push(id);
    }
    let whole = ids(&w, "?q=canal&limit=500", &s2()).await;
    let (mut all, mut expected) = (whole.clone(), made.clone());
    all.sort();
    expected.sort();
    assert_eq!(all, expected);
    // The two texts that say it three times come first, the tie broken by id.
    let mut best = [made[2].clone(), made[5].clone()];
    best.sort();
    best.reverse();
    assert_eq!(whole[..2], best);
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/reports?q=canal&limit=3".to_owned(),
            Some(c) => format!("/api/v1/reports?q=canal&limit=3&cursor={c}"),
        };
        let page = w.app.get(&path, Some(&s2())).await.ok();
        for item in page["items"].as_array().expect("items") {
            paged.push(item["id"].as_str().expect("id").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    // A ranked list's cursor does not continue the newest-first list.
    let first = w
        .app
        .get("/api/v1/reports?q=canal&limit=3", Some(&s2()))
        .await
        .ok();
    let ranked_cursor = first["next_cursor"].as_str().expect("a cursor");
    let refused = w
        .app
        .get(
            &format!("/api/v1/reports?limit=3&cursor={ranked_cursor}"),
            Some(&s2()),
        )
        .await;
    refused.problem(422);
    assert_eq!(
        refused.violations(),
        [("cursor".to_owned(), "unknown_cursor".to_owned())]
    );
}

#[actix_web::test]
async fn filters_by_country_faculty_activity_and_institution() {
    let w = World::build().await;
    w.ensure_stay_abroad().await;
    let law_se = written(&w, &w.report_body("Law in Sweden")).await;
    let mut body = w.report_body("Internship in Norway");
    body["country"] = json!("NO");
    body["institution_id"] = json!(null);
    body["faculty"] = json!(G);
    body["activity"] = json!("internship");
    let sci_no = written(&w, &body).await;
    let mut body = w.report_body("Summer school in Sweden");
    body["institution_id"] = json!(w.shared_institution);
    body["faculty"] = json!(null);
    body["activity"] = json!("summer_school");
    let summer_se = written(&w, &body).await;
    for id in [&law_se, &sci_no, &summer_se] {
        publish(&w, id).await;
    }
    let reader = programme_token(&["PHY"]);
    for (query, expected) in [
        ("?country=SE", vec![&summer_se, &law_se]),
        ("?country=NO", vec![&sci_no]),
        ("?faculty=LAW", vec![&law_se]),
        ("?faculty=SCI", vec![&sci_no]),
        ("?activity=internship", vec![&sci_no]),
        ("?activity=semester_exchange", vec![&law_se]),
        (
            &*format!("?institution_id={}", w.institution),
            vec![&law_se],
        ),
        (
            &*format!("?institution_id={}", w.shared_institution),
            vec![&summer_se],
        ),
        ("?country=SE&activity=summer_school", vec![&summer_se]),
        ("?country=NO&faculty=LAW", vec![]),
        ("?country=DE", vec![]),
    ] {
        let found = ids(&w, query, &reader).await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(found, expected, "{query}");
    }
    for (query, status) in [
        ("?country=ZZ", 422),
        ("?country=se", 400),
        ("?faculty=law", 400),
        ("?activity=sailing", 400),
        ("?status=draft", 400),
        ("?institution_id=42", 400),
        ("?rating=5", 400),
    ] {
        w.app
            .get(&format!("/api/v1/reports{query}"), Some(&reader))
            .await
            .problem(status);
    }
}

#[actix_web::test]
async fn pages_follow_one_another_newest_first() {
    let w = World::build().await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(w.fresh_report(ReportState::Published).await);
    }
    made.reverse();
    let mut paged = Vec::new();
    let mut path = "/api/v1/reports?limit=2".to_owned();
    loop {
        let page = w.app.get(&path, Some(&s2())).await.ok();
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        paged.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/api/v1/reports?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, made);
    // A cursor of the right form that no list issued.
    w.app
        .get("/api/v1/reports?cursor=bm90LWEtY3Vyc29y", Some(&s2()))
        .await
        .problem(422);
}
