//! After the draw: offers answered once and expiring on time, nominations to the hosts,
//! the office's results, the places left, explanations, the second round, and the
//! published draw checked by `abroad verify-draw`.

use crate::applications::{closed_with_eligible, submitted};
use crate::scheme::{World, deadline, student_token, university_wide_call};
use crate::support::{TestApp, coordinator, json_request, programme_token};
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

/// When the fixtures' calls are drawn: a minute after their deadline.
fn drawn_at() -> DateTime<Utc> {
    deadline() + Duration::minutes(1)
}

/// A university-wide call with these students' applications eligible, closed and drawn.
/// Answers the world, the call, and each student's offer id (every one is placed: two
/// places at each of the five destinations they all chose).
pub(crate) async fn drawn(students: &[&str]) -> (World, String, HashMap<String, String>) {
    let (w, call, _) = closed_with_eligible(students).await;
    w.app
        .post_json(
            &format!("/api/v1/calls/{call}/draw"),
            Some(&coordinator()),
            &json!({}),
        )
        .await
        .ok();
    let mut offers = HashMap::new();
    for student in students {
        let own = w
            .app
            .get("/api/v1/offers", Some(&student_token(student)))
            .await
            .ok();
        let items = own["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{student}: {own}");
        offers.insert(
            (*student).to_owned(),
            items[0]["id"].as_str().expect("id").to_owned(),
        );
    }
    (w, call, offers)
}

async fn answer(
    app: &TestApp,
    offer: &str,
    action: &str,
    student: &str,
) -> crate::support::Response {
    app.post_json(
        &format!("/api/v1/offers/{offer}/{action}"),
        Some(&student_token(student)),
        &json!({"regulations_accepted": true}),
    )
    .await
}

fn stay() -> Value {
    json!({
        "start_date": "2027-08-25", "end_date": "2028-01-31",
        "address": "Studentstaden 12, 752 33 Uppsala", "phone": "+46 70 123 45 67",
        "emergency_contact": {"name": "Marieke de Vries", "phone": "+31 6 1234 5678", "relation": "mother"}
    })
}

#[actix_web::test]
async fn an_offer_is_answered_once_and_accepting_it_nominates_the_student() {
    let (w, call, offers) = drawn(&["s61", "s62"]).await;
    let office = coordinator();
    let (a, b) = (&offers["s61"], &offers["s62"]);
    let offer = w
        .app
        .get(&format!("/api/v1/offers/{a}"), Some(&student_token("s61")))
        .await
        .ok();
    assert_eq!(offer["status"], "pending");
    assert_eq!(
        offer["expires_at"]
            .as_str()
            .expect("expires_at")
            .parse::<DateTime<Utc>>()
            .expect("time"),
        drawn_at() + Duration::days(7)
    );
    assert_eq!(offer["stay"], Value::Null);
    // The other student's offer is not there for s61.
    w.app
        .get(&format!("/api/v1/offers/{b}"), Some(&student_token("s61")))
        .await
        .problem(404);

    // Without agreeing to the regulations: 422, and the offer is still pending.
    for body in [json!({}), json!({"regulations_accepted": false})] {
        let refused = w
            .app
            .post_json(
                &format!("/api/v1/offers/{a}/accept"),
                Some(&student_token("s61")),
                &body,
            )
            .await;
        refused.problem(422);
        assert_eq!(
            refused.violations(),
            [(
                "regulations_accepted".to_owned(),
                "regulations_not_accepted".to_owned()
            )]
        );
    }
    // A stay is kept only for an accepted offer.
    w.app
        .put_json(
            &format!("/api/v1/offers/{a}/stay"),
            Some(&student_token("s61")),
            &stay(),
        )
        .await
        .problem(409);

    let accepted = answer(&w.app, a, "accept", "s61").await.ok();
    assert_eq!(accepted["status"], "accepted");
    let nomination = accepted["nomination_id"]
        .as_str()
        .expect("nomination")
        .to_owned();
    // Once: a second accept, or a decline after it, conflicts.
    answer(&w.app, a, "accept", "s61").await.problem(409);
    answer(&w.app, a, "decline", "s61").await.problem(409);
    let declined = answer(&w.app, b, "decline", "s62").await.ok();
    assert_eq!(declined["status"], "declined");
    answer(&w.app, b, "accept", "s62").await.problem(409);

    // The stay and contacts abroad, checked whole.
    let mut bad = stay();
    bad["end_date"] = json!("2027-01-01");
    bad["phone"] = json!("call me");
    let refused = w
        .app
        .put_json(
            &format!("/api/v1/offers/{a}/stay"),
            Some(&student_token("s61")),
            &bad,
        )
        .await;
    refused.problem(422);
    assert_eq!(refused.violations().len(), 2, "{:?}", refused.violations());
    let kept = w
        .app
        .put_json(
            &format!("/api/v1/offers/{a}/stay"),
            Some(&student_token("s61")),
            &stay(),
        )
        .await
        .ok();
    assert_eq!(kept["stay"]["start_date"], "2027-08-25");
    assert_eq!(kept["stay"]["emergency_contact"]["relation"], "mother");

    // The nomination, as JSON and as the CSV the office mails the host.
    let listed = w
        .app
        .get(
            &format!("/api/v1/nominations?call_id={call}"),
            Some(&office),
        )
        .await
        .ok();
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "only the accepted offer is nominated");
    let n = &items[0];
    assert_eq!(n["id"], nomination.as_str());
    assert_eq!(n["offer_id"], a.as_str());
    assert_eq!(n["student"], "s61");
    assert_eq!(n["status"], "pending");
    assert_eq!(n["sent_at"], Value::Null);
    let institution = n["institution_id"]
        .as_str()
        .expect("institution")
        .to_owned();
    let csv = w
        .app
        .send(
            TestRequest::get()
                .uri(&format!("/api/v1/nominations?institution_id={institution}"))
                .insert_header(("authorization", format!("Bearer {office}")))
                .insert_header(("accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{:?}",
        csv.header("content-type")
    );
    let text = String::from_utf8(csv.body.to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,offer_id,application_id,student,student_name,student_email,institution_id,\
         destination_id,semester,call_id,status,sent_at,confirmed_at"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[1].starts_with(&format!("{nomination},{a},")),
        "{text}"
    );
    assert!(lines[1].contains(",s61,"), "{text}");

    // pending → sent → confirmed, each once, in that order.
    let path = |step: &str| format!("/api/v1/nominations/{nomination}/{step}");
    w.app
        .post_json(&path("confirmed"), Some(&office), &json!({}))
        .await
        .problem(409);
    let sent = w
        .app
        .post_json(&path("sent"), Some(&office), &json!({}))
        .await
        .ok();
    assert_eq!(sent["status"], "sent");
    assert!(sent["sent_at"].is_string());
    w.app
        .post_json(&path("sent"), Some(&office), &json!({}))
        .await
        .problem(409);
    let confirmed = w
        .app
        .post_json(&path("confirmed"), Some(&office), &json!({}))
        .await
        .ok();
    assert_eq!(confirmed["status"], "confirmed");
    let filtered = w
        .app
        .get("/api/v1/nominations?status=pending", Some(&office))
        .await
        .ok();
    assert_eq!(filtered["items"], json!([]));

    // Every step is in the audit log.
    let mut actions = Vec::new();
    for (kind, id) in [
        ("offer", a.as_str()),
        ("offer", b.as_str()),
        ("nomination", nomination.as_str()),
    ] {
        let log = w
            .app
            .get(
                &format!("/api/v1/audit?entity_type={kind}&entity_id={id}"),
                Some(&office),
            )
            .await
            .ok();
        for entry in log["items"].as_array().expect("items") {
            actions.push(entry["action"].as_str().expect("action").to_owned());
        }
    }
    actions.sort();
    assert_eq!(
        actions,
        [
            "nomination.confirmed",
            "nomination.created",
            "nomination.sent",
            "offer.accepted",
            "offer.declined",
            "offer.stay_updated"
        ]
    );
}

#[actix_web::test]
async fn an_offer_past_its_time_is_expired_for_everyone_before_the_task_has_run() {
    let (w, call, offers) = drawn(&["s71", "s72"]).await;
    let office = coordinator();
    let a = &offers["s71"];
    // A second before the end it can still be answered; at the end it cannot.
    w.app
        .set_now(drawn_at() + Duration::days(7) - Duration::seconds(1));
    let pending = w
        .app
        .get(&format!("/api/v1/offers/{a}"), Some(&student_token("s71")))
        .await
        .ok();
    assert_eq!(pending["status"], "pending");
    w.app.set_now(drawn_at() + Duration::days(7));
    let read = w
        .app
        .get(&format!("/api/v1/offers/{a}"), Some(&student_token("s71")))
        .await
        .ok();
    assert_eq!(
        read["status"], "expired",
        "read as expired before the task ran"
    );
    let refused = answer(&w.app, a, "accept", "s71").await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "the conflict says why"
    );
    answer(&w.app, a, "decline", "s71").await.problem(409);
    let expired = w
        .app
        .get(
            &format!("/api/v1/offers?call_id={call}&status=expired"),
            Some(&office),
        )
        .await
        .ok();
    assert_eq!(expired["items"].as_array().expect("items").len(), 2);
    let pending = w
        .app
        .get(
            &format!("/api/v1/offers?call_id={call}&status=pending"),
            Some(&office),
        )
        .await
        .ok();
    assert_eq!(pending["items"], json!([]));

    // The task writes it down once, with an audit entry; a second pass finds nothing.
    let at = drawn_at() + Duration::days(7);
    let mut conn = w.app.db.connect();
    let actor = abroad_storage::Actor::system("offer-expiry");
    assert_eq!(
        abroad_storage::offers::expire_due(&mut conn, &actor, || at).expect("expiry"),
        2
    );
    assert_eq!(
        abroad_storage::offers::expire_due(&mut conn, &actor, || at).expect("expiry"),
        0
    );
    let log = w
        .app
        .get(
            &format!("/api/v1/audit?entity_type=offer&entity_id={a}"),
            Some(&office),
        )
        .await
        .ok();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["offer.expired"]);
    // The freed places are left over for a second round.
    let remaining = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/remaining-places?limit=500"),
            Some(&student_token("s71")),
        )
        .await
        .ok();
    for slot in remaining["items"].as_array().expect("items") {
        assert_eq!(slot["pending"], 0, "{slot}");
        if slot["blocked"] == false {
            assert_eq!(slot["free"], slot["places"], "{slot}");
        }
    }
}

#[actix_web::test]
async fn no_offer_is_accepted_while_its_country_is_under_negative_advice() {
    let (w, _, offers) = drawn(&["s81"]).await;
    let office = coordinator();
    let a = &offers["s81"];
    let offer = w
        .app
        .get(&format!("/api/v1/offers/{a}"), Some(&office))
        .await
        .ok();
    let destination = w
        .app
        .get(
            &format!(
                "/api/v1/destinations/{}",
                offer["destination_id"].as_str().expect("id")
            ),
            Some(&office),
        )
        .await
        .ok();
    let country = destination["institution"]["country"]
        .as_str()
        .expect("country")
        .to_owned();
    w.app
        .put_json(
            &format!("/api/v1/countries/{country}"),
            Some(&office),
            &json!({"name": "Somewhere", "advice": "orange"}),
        )
        .await
        .ok();
    answer(&w.app, a, "accept", "s81").await.problem(409);
    // Declining stays possible, and the slot counts as blocked: nothing left there.
    answer(&w.app, a, "decline", "s81").await.ok();
    let call = offer["call_id"].as_str().expect("call");
    let remaining = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/remaining-places?limit=500"),
            Some(&office),
        )
        .await
        .ok();
    let slot = remaining["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| {
            s["destination_id"] == offer["destination_id"] && s["semester"] == offer["semester"]
        })
        .expect("the offer's slot")
        .clone();
    assert_eq!(slot["blocked"], true, "{slot}");
    assert_eq!(slot["free"], 0, "{slot}");
}

#[actix_web::test]
async fn an_accept_and_a_decline_at_once_leave_one_answer() {
    let (w, _, offers) = drawn(&["s91"]).await;
    let a = &offers["s91"];
    let requests = (0..10)
        .map(|i| {
            let action = if i % 2 == 0 { "accept" } else { "decline" };
            json_request(
                TestRequest::post(),
                &format!("/api/v1/offers/{a}/{action}"),
                Some(&student_token("s91")),
                &json!({"regulations_accepted": true}),
            )
        })
        .collect();
    let responses = w.app.send_concurrently(requests).await;
    let ok: Vec<&crate::support::Response> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(ok.len(), 1, "exactly one answer is taken");
    assert!(
        responses.iter().all(|r| r.status == 200 || r.status == 409),
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let nominations = w
        .app
        .get("/api/v1/nominations", Some(&coordinator()))
        .await
        .ok();
    let expected = usize::from(ok[0].json()["status"] == "accepted");
    assert_eq!(
        nominations["items"].as_array().expect("items").len(),
        expected
    );
}

#[actix_web::test]
async fn the_office_s_results_list_every_application_of_the_draw_by_rank() {
    let (w, call, offers) = drawn(&["s101", "s102", "s103"]).await;
    let office = coordinator();
    answer(&w.app, &offers["s101"], "accept", "s101").await.ok();
    let results = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/results?limit=2"),
            Some(&office),
        )
        .await
        .ok();
    let first = results["items"].as_array().expect("items").clone();
    assert_eq!(first.len(), 2);
    let rest = w
        .app
        .get(
            &format!(
                "/api/v1/calls/{call}/results?limit=2&cursor={}",
                results["next_cursor"].as_str().expect("a next page")
            ),
            Some(&office),
        )
        .await
        .ok();
    let all: Vec<Value> = first
        .into_iter()
        .chain(rest["items"].as_array().expect("items").clone())
        .collect();
    let ranks: Vec<u64> = all
        .iter()
        .map(|r| r["rank"].as_u64().expect("rank"))
        .collect();
    assert_eq!(ranks, [1, 2, 3]);
    for row in &all {
        let status = if row["student"] == "s101" {
            "accepted"
        } else {
            "pending"
        };
        assert_eq!(row["offer_status"], status, "{row}");
        assert!(row["student_name"].is_string() && row["destination_id"].is_string());
    }
    let csv = w
        .app
        .send(
            TestRequest::get()
                .uri(&format!("/api/v1/calls/{call}/results"))
                .insert_header(("authorization", format!("Bearer {office}")))
                .insert_header(("accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8(csv.body.to_vec()).expect("utf-8");
    assert_eq!(
        text.lines().next(),
        Some("application_id,student,student_name,rank,destination_id,semester,offer_status")
    );
    assert_eq!(text.lines().count(), 4, "{text}");
    // The places left: one accepted and two pending offers, all counted.
    let remaining = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/remaining-places?limit=500"),
            Some(&student_token("s102")),
        )
        .await
        .ok();
    let (mut accepted, mut pending) = (0, 0);
    for slot in remaining["items"].as_array().expect("items") {
        accepted += slot["accepted"].as_u64().expect("accepted");
        pending += slot["pending"].as_u64().expect("pending");
        let expected = if slot["blocked"] == true {
            0
        } else {
            slot["places"].as_u64().expect("places")
                - slot["accepted"].as_u64().expect("accepted")
                - slot["pending"].as_u64().expect("pending")
        };
        assert_eq!(slot["free"], expected, "{slot}");
    }
    assert_eq!((accepted, pending), (1, 2));
}

#[actix_web::test]
async fn an_explanation_names_every_wish_in_order_after_the_draw_only() {
    let (w, call, ids) = closed_with_eligible(&["s111", "s112", "s113"]).await;
    let office = coordinator();
    let path = format!("/api/v1/applications/{}/explanation", ids[2]);
    // Before the draw: nothing to explain yet.
    w.app
        .get(&path, Some(&student_token("s113")))
        .await
        .problem(409);
    w.app
        .post_json(
            &format!("/api/v1/calls/{call}/draw"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    let record = w
        .app
        .get(&format!("/api/v1/calls/{call}/draw"), Some(&office))
        .await
        .ok();
    for (i, id) in ids.iter().enumerate() {
        let student = ["s111", "s112", "s113"][i];
        let explained = w
            .app
            .get(
                &format!("/api/v1/applications/{id}/explanation"),
                Some(&student_token(student)),
            )
            .await
            .ok();
        assert_eq!(explained["application_id"], id.as_str());
        let rank = record["ranking"]
            .as_array()
            .expect("ranking")
            .iter()
            .find(|r| r["application_id"] == id.as_str())
            .expect("ranked")["rank"]
            .clone();
        assert_eq!(explained["rank"], rank);
        let placement = record["placements"]
            .as_array()
            .expect("placements")
            .iter()
            .find(|p| p["application_id"] == id.as_str())
            .expect("placed");
        assert_eq!(
            explained["placement"]["destination_id"],
            placement["destination_id"]
        );
        let wishes = explained["choices"].as_array().expect("choices");
        assert_eq!(wishes.len(), 5, "five choices, no plan B");
        let positions: Vec<u64> = wishes
            .iter()
            .map(|c| c["position"].as_u64().expect("position"))
            .collect();
        assert_eq!(positions, [1, 2, 3, 4, 5]);
        let placed_at = wishes
            .iter()
            .position(|c| c["outcome"] == "placed")
            .expect("placed somewhere");
        assert!(wishes[..placed_at].iter().all(|c| c["outcome"] == "full"));
        assert!(
            wishes[placed_at + 1..]
                .iter()
                .all(|c| c["outcome"] == "not_needed")
        );
        assert!(
            wishes
                .iter()
                .all(|c| c["message"].as_str().is_some_and(|m| !m.is_empty()))
        );
        assert!(explained["phase"] == 1 || explained["phase"] == 2);
    }
    // Their programme may read it too; another student may not.
    w.app
        .get(&path, Some(&programme_token(&["BMS"])))
        .await
        .ok();
    w.app
        .get(&path, Some(&student_token("s111")))
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_application_not_in_the_draw_has_no_explanation() {
    let (w, call) = crate::applications::wide_world().await;
    let office = coordinator();
    let kept = submitted(&w, &call, "s122", true).await;
    w.app
        .post_json(
            &format!("/api/v1/applications/{kept}/review"),
            Some(&office),
            &json!({"outcome": "eligible", "note": "ok"}),
        )
        .await
        .ok();
    let rejected = submitted(&w, &call, "s123", true).await;
    w.app
        .post_json(
            &format!("/api/v1/applications/{rejected}/review"),
            Some(&office),
            &json!({"outcome": "rejected", "note": "no"}),
        )
        .await
        .ok();
    w.app.set_now(drawn_at());
    for step in ["close", "draw"] {
        w.app
            .post_json(
                &format!("/api/v1/calls/{call}/{step}"),
                Some(&office),
                &json!({}),
            )
            .await
            .ok();
    }
    w.app
        .get(
            &format!("/api/v1/applications/{rejected}/explanation"),
            Some(&student_token("s123")),
        )
        .await
        .problem(409);
    w.app
        .get(
            &format!("/api/v1/applications/{kept}/explanation"),
            Some(&student_token("s122")),
        )
        .await
        .ok();
}

/// A university-wide second round of `parent`, open from now for thirty days.
fn second_round(parent: &str, now: DateTime<Utc>) -> Value {
    let mut body = university_wide_call();
    body["name"] = json!(format!(
        "University-wide exchange 2027-28, round 2 of {parent}"
    ));
    body["parent_call_id"] = json!(parent);
    body["semesters"] = json!(["autumn"]);
    body["opens_at"] = json!(now.to_rfc3339());
    body["deadline"] = json!((now + Duration::days(30)).to_rfc3339());
    body
}

#[actix_web::test]
async fn a_second_round_offers_only_what_the_first_left_to_whom_it_left_out() {
    let (w, parent, offers) = drawn(&["s131", "s132", "s133"]).await;
    let office = coordinator();
    answer(&w.app, &offers["s131"], "accept", "s131").await.ok();
    answer(&w.app, &offers["s132"], "decline", "s132")
        .await
        .ok();
    // s133 lets the offer expire.
    let later = drawn_at() + Duration::days(8);
    w.app.set_now(later);

    let created = w
        .app
        .post_json(
            "/api/v1/calls",
            Some(&office),
            &second_round(&parent, later),
        )
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let round = created.json()["id"].as_str().expect("id").to_owned();

    // At most what is left over in the first round, slot by slot.
    let left = w
        .app
        .get(
            &format!("/api/v1/calls/{parent}/remaining-places?limit=500"),
            Some(&office),
        )
        .await
        .ok();
    let slot = left["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["semester"] == "autumn" && s["accepted"] == 1)
        .expect("the accepted offer's slot")
        .clone();
    assert_eq!(slot["free"], 1, "{slot}");
    let too_many = w
        .app
        .put_json(
            &format!("/api/v1/calls/{round}/places"),
            Some(&office),
            &json!([{"destination_id": slot["destination_id"], "semester": "autumn", "places": 2}]),
        )
        .await;
    too_many.problem(422);
    assert_eq!(
        too_many.violations(),
        [(
            "[0].places".to_owned(),
            "exceeds_leftover_places".to_owned()
        )]
    );
    let others: Vec<Value> = left["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|s| s["semester"] == "autumn")
        .map(|s| json!({"destination_id": s["destination_id"], "semester": "autumn", "places": s["free"]}))
        .collect();
    w.app
        .put_json(
            &format!("/api/v1/calls/{round}/places"),
            Some(&office),
            &json!(others),
        )
        .await
        .ok();
    w.app
        .post_json(
            &format!("/api/v1/calls/{round}/open"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();

    // Only those the first round left out: not who accepted, declined, or never applied.
    let destinations: Vec<String> = others
        .iter()
        .map(|s| s["destination_id"].as_str().expect("id").to_owned())
        .collect();
    let body = json!({"semester": "autumn", "plan_b": false, "choices": destinations.iter().map(|d| json!({"destination_id": d})).collect::<Vec<_>>()});
    for student in ["s131", "s132", "s1"] {
        let refused = w
            .app
            .post_json(
                &format!("/api/v1/calls/{round}/applications"),
                Some(&student_token(student)),
                &body,
            )
            .await;
        refused.problem(422);
        assert_eq!(
            refused.violations(),
            [(
                "call_id".to_owned(),
                "not_admitted_to_second_round".to_owned()
            )],
            "{student}"
        );
    }
    let admitted = w
        .app
        .post_json(
            &format!("/api/v1/calls/{round}/applications"),
            Some(&student_token("s133")),
            &body,
        )
        .await;
    assert_eq!(
        admitted.status,
        201,
        "{}",
        String::from_utf8_lossy(&admitted.body)
    );
}

#[actix_web::test]
async fn a_second_round_opens_only_once_its_first_round_is_drawn() {
    let (w, parent, _) = closed_with_eligible(&["s141"]).await;
    let office = coordinator();
    let now = drawn_at();
    let round = w
        .app
        .post_json("/api/v1/calls", Some(&office), &second_round(&parent, now))
        .await
        .ok()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    w.app
        .post_json(
            &format!("/api/v1/calls/{round}/open"),
            Some(&office),
            &json!({}),
        )
        .await
        .problem(409);
    w.app
        .post_json(
            &format!("/api/v1/calls/{parent}/draw"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    w.app
        .post_json(
            &format!("/api/v1/calls/{round}/open"),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
}

/// Runs `abroad verify-draw` on `record` through its standard input.
fn verify_draw(record: &Value) -> (bool, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_abroad"))
        .args(["verify-draw", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("abroad runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(record.to_string().as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("finished");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[actix_web::test]
async fn abroad_verify_draw_confirms_a_published_draw_and_finds_one_change() {
    let (w, call, _) = drawn(&["s151", "s152", "s153"]).await;
    let record = w
        .app
        .get(
            &format!("/api/v1/calls/{call}/draw"),
            Some(&student_token("s151")),
        )
        .await
        .ok();
    let (ok, said) = verify_draw(&record);
    assert!(ok, "{said}");

    // One placement moved to another placed application's destination.
    let mut moved = record.clone();
    let placements = moved["placements"].as_array_mut().expect("placements");
    let other = placements
        .iter()
        .map(|p| p["destination_id"].clone())
        .find(|d| *d != placements[0]["destination_id"])
        .unwrap_or(Value::Null);
    placements[0]["destination_id"] = other;
    let (ok, said) = verify_draw(&moved);
    assert!(!ok, "a changed placement is found: {said}");

    // One input changed: the digest published at close no longer matches.
    let mut changed = record.clone();
    changed["inputs"]["slots"][0]["places"] = json!(99);
    let (ok, said) = verify_draw(&changed);
    assert!(!ok, "a changed input is found: {said}");
    assert!(said.contains("digest"), "{said}");
}

#[actix_web::test]
async fn two_expiry_tasks_at_once_expire_each_offer_once() {
    let (w, call, _) = drawn(&["s161", "s162", "s163"]).await;
    let at = drawn_at() + Duration::days(8);
    let passes: Vec<std::thread::JoinHandle<usize>> = (0..2)
        .map(|_| {
            let mut conn = w.app.db.connect();
            std::thread::spawn(move || {
                let actor = abroad_storage::Actor::system("offer-expiry");
                abroad_storage::offers::expire_due(&mut conn, &actor, || at).expect("expiry")
            })
        })
        .collect();
    let expired: usize = passes.into_iter().map(|p| p.join().expect("a pass")).sum();
    assert_eq!(expired, 3, "each offer expired by exactly one pass");
    let log = w
        .app
        .get(
            "/api/v1/audit?entity_type=offer&limit=500",
            Some(&coordinator()),
        )
        .await
        .ok();
    let entries = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "offer.expired")
        .count();
    assert_eq!(entries, 3, "one audit entry per offer");
    let offers = w
        .app
        .get(
            &format!("/api/v1/offers?call_id={call}&status=expired"),
            Some(&coordinator()),
        )
        .await
        .ok();
    assert_eq!(offers["items"].as_array().expect("items").len(), 3);
}

#[actix_web::test]
async fn second_rounds_of_one_first_round_share_its_leftovers_and_are_checked_again_at_close() {
    let (w, parent, offers) = drawn(&["s171", "s172"]).await;
    let office = coordinator();
    let declined = answer(&w.app, &offers["s171"], "decline", "s171")
        .await
        .ok();
    let slot = json!([{"destination_id": declined["destination_id"], "semester": declined["semester"], "places": 1}]);
    let now = drawn_at() + Duration::hours(1);
    w.app.set_now(now);
    let mut rounds = Vec::new();
    for _ in 0..2 {
        let mut body = second_round(&parent, now);
        body["name"] = json!(format!("Round 2 of {parent}, part {}", rounds.len() + 1));
        body["semesters"] = json!(["autumn", "spring"]);
        let created = w
            .app
            .post_json("/api/v1/calls", Some(&office), &body)
            .await
            .ok();
        rounds.push(created["id"].as_str().expect("id").to_owned());
    }
    // The declined place goes to one of them, not to both.
    w.app
        .put_json(
            &format!("/api/v1/calls/{}/places", rounds[0]),
            Some(&office),
            &slot,
        )
        .await
        .ok();
    let taken = w
        .app
        .put_json(
            &format!("/api/v1/calls/{}/places", rounds[1]),
            Some(&office),
            &slot,
        )
        .await;
    taken.problem(422);
    assert_eq!(
        taken.violations(),
        [(
            "[0].places".to_owned(),
            "exceeds_leftover_places".to_owned()
        )]
    );
    // At close the leftovers are checked again: the country has turned red meanwhile.
    w.app
        .post_json(
            &format!("/api/v1/calls/{}/open", rounds[0]),
            Some(&office),
            &json!({}),
        )
        .await
        .ok();
    let destination = w
        .app
        .get(
            &format!(
                "/api/v1/destinations/{}",
                declined["destination_id"].as_str().expect("id")
            ),
            Some(&office),
        )
        .await
        .ok();
    let country = destination["institution"]["country"]
        .as_str()
        .expect("country");
    w.app
        .put_json(
            &format!("/api/v1/countries/{country}"),
            Some(&office),
            &json!({"name": "Somewhere", "advice": "red"}),
        )
        .await
        .ok();
    w.app.set_now(now + Duration::days(31));
    let refused = w
        .app
        .post_json(
            &format!("/api/v1/calls/{}/close", rounds[0]),
            Some(&office),
            &json!({}),
        )
        .await;
    refused.problem(422);
    assert_eq!(
        refused.violations(),
        [("places".to_owned(), "exceeds_leftover_places".to_owned())]
    );
}
