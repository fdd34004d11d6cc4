//! `verify`: a published draw checks out from its record alone, and a record with one
//! placement or one input changed does not.

use abroad_domain::Selection;
use abroad_domain::draw::{
    ALGORITHM, DrawInputs, DrawRecord, commitment, draw, hex, inputs_digest, verify,
};
use serde_json::{Value, json};

/// A record as `GET /calls/{id}/draw` publishes it, made from the committed lottery vector.
fn record() -> Value {
    let vector: Value = serde_json::from_str(include_str!("vectors/lottery-6-applications.json"))
        .expect("the vector is JSON");
    let inputs: DrawInputs = serde_json::from_value(vector["inputs"].clone()).expect("inputs");
    let seed: [u8; 32] = std::array::from_fn(|i| u8::try_from(i).expect("small"));
    assert_eq!(hex(&seed), vector["seed"].as_str().expect("seed"));
    let drawn = draw(Selection::Lottery, &seed, &inputs).expect("draw");
    json!({
        "call_id": "c0000000-0000-4000-8000-000000000001",
        "algorithm": ALGORITHM,
        "commitment": commitment(&seed),
        "inputs_digest": inputs_digest(&inputs).expect("digest"),
        "seed": hex(&seed),
        "drawn_at": "2026-12-02T09:00:00Z",
        "inputs": inputs,
        "ranking": drawn.ranking,
        "placements": drawn.placements,
    })
}

fn check(record: &Value) -> Result<(usize, usize), String> {
    let record: DrawRecord = serde_json::from_value(record.clone()).map_err(|e| e.to_string())?;
    verify(&record)
        .map(|v| (v.applications, v.placed))
        .map_err(|d| d.to_string())
}

#[test]
fn a_published_draw_checks_out() {
    // The vector places 3 and 5 in phase 1, then 2 and 1; 4 and 6 stay unplaced.
    assert_eq!(check(&record()), Ok((6, 4)));
}

#[test]
fn one_placement_changed_is_found_and_named() {
    let mut changed = record();
    let placements = changed["placements"].as_array_mut().expect("placements");
    let placed = placements
        .iter_mut()
        .find(|p| !p["destination_id"].is_null())
        .expect("someone is placed");
    let id = placed["application_id"].as_str().expect("id").to_owned();
    placed["destination_id"] = Value::Null;
    placed["semester"] = Value::Null;
    let difference = check(&changed).expect_err("a changed placement");
    assert!(difference.contains(&id), "{difference}");
}

#[test]
fn one_input_changed_no_longer_matches_the_digest() {
    let mut changed = record();
    changed["inputs"]["applications"][0]["plan_b"] = json!(
        !changed["inputs"]["applications"][0]["plan_b"]
            .as_bool()
            .expect("plan_b")
    );
    let difference = check(&changed).expect_err("a changed input");
    assert!(difference.contains("digest"), "{difference}");
}

#[test]
fn another_seed_does_not_match_the_commitment() {
    let mut changed = record();
    changed["seed"] = json!("ff".repeat(32));
    let difference = check(&changed).expect_err("another seed");
    assert!(difference.contains("commitment"), "{difference}");
    changed["seed"] = json!("not hex");
    assert!(check(&changed).is_err());
}

#[test]
fn a_ranking_out_of_order_is_found() {
    let mut changed = record();
    let ranking = changed["ranking"].as_array_mut().expect("ranking");
    let (first, second) = (
        ranking[0]["application_id"].clone(),
        ranking[1]["application_id"].clone(),
    );
    ranking[0]["application_id"] = second;
    ranking[1]["application_id"] = first;
    let difference = check(&changed).expect_err("a swapped ranking");
    assert!(difference.starts_with("rank 1"), "{difference}");
}
