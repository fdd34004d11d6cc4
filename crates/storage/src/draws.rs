//! The draw: run once per call, atomically, under the call's exclusive lock, and
//! published as a record anyone can check (SPEC.md, Selection 3–6).

use crate::audit::{self, Actor};
use crate::calls::{self, Call};
use crate::schema::{
    applications, calls as calls_table, countries, destinations, draws, institutions, offers,
};
use crate::{StorageError, Viewer};
use abroad_domain::draw::{self as selection, DrawInputs, Placement, Ranked};
use abroad_domain::{ApplicationStatus, CallStatus, Selection, TravelAdvice};
use chrono::{DateTime, Duration, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// What `POST /calls/{id}/draw` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawSummary {
    pub call_id: Uuid,
    pub drawn_at: DateTime<Utc>,
    pub commitment: String,
    pub inputs_digest: String,
    pub applications: u32,
    pub placed: u32,
    pub unplaced: u32,
}

/// What `GET /calls/{id}/draw` publishes: everything needed to run it again, no names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawRecord {
    pub call_id: Uuid,
    pub algorithm: String,
    pub selection: Selection,
    pub commitment: String,
    pub inputs_digest: String,
    /// The seed, revealed: 64 hex characters.
    pub seed: String,
    pub drawn_at: DateTime<Utc>,
    pub inputs: DrawInputs,
    pub ranking: Vec<Ranked>,
    pub placements: Vec<Placement>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a draw's {what}"))
}

/// Marks the slots whose country is under negative travel advice now: they get no
/// places in this draw (SPEC.md, Selection 3), and the record says so.
fn block_negative_advice(
    conn: &mut PgConnection,
    inputs: &mut DrawInputs,
) -> Result<(), StorageError> {
    let ids: Vec<Uuid> = inputs.slots.iter().map(|s| s.destination_id).collect();
    let negative: Vec<&str> = TravelAdvice::ALL
        .iter()
        .filter(|a| a.is_negative())
        .map(|a| a.as_str())
        .collect();
    let blocked: HashSet<Uuid> = destinations::table
        .inner_join(institutions::table.inner_join(countries::table))
        .filter(destinations::id.eq_any(&ids))
        .filter(countries::advice.eq_any(negative))
        .select(destinations::id)
        .load::<Uuid>(conn)?
        .into_iter()
        .collect();
    for slot in &mut inputs.slots {
        slot.blocked = blocked.contains(&slot.destination_id);
    }
    Ok(())
}

/// `closed → drawn`: ranks and places the frozen inputs with the committed seed, stores
/// the record, makes an offer per placement (expiring `offer_days` after the draw) and
/// marks each application `placed` or `unplaced`, all in one transaction. The call is
/// locked exclusively first, so of two draws at once one runs and the other finds the
/// call drawn (409).
pub fn draw(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<DrawSummary, StorageError> {
    conn.transaction(|conn| {
        let call = calls::lock(conn, id, viewer)?;
        match call.status()? {
            CallStatus::Closed => {}
            CallStatus::Drawn => {
                return Err(StorageError::State(
                    "the call has been drawn already; a draw is run once".to_owned(),
                ));
            }
            other => {
                return Err(StorageError::State(format!(
                    "the call is {other}; it is drawn once it has closed"
                )));
            }
        }
        let seed: Vec<u8> = calls_table::table
            .find(id)
            .select(calls_table::seed.assume_not_null())
            .first(conn)?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| corrupt("seed"))?;
        let (Some(commitment), Some(digest)) =
            (call.commitment.clone(), call.inputs_digest.clone())
        else {
            return Err(StorageError::State(
                "the call closed before inputs were digested; it cannot be drawn verifiably"
                    .to_owned(),
            ));
        };
        let mut inputs = crate::draw_inputs::frozen(conn, &call)?;
        let frozen = selection::inputs_digest(&inputs).map_err(|e| corrupt(&e.to_string()))?;
        if frozen != digest {
            return Err(corrupt(
                "inputs, which no longer match the digest published at close",
            ));
        }
        block_negative_advice(conn, &mut inputs)?;
        let chosen: Selection = call.selection.parse().map_err(|_| corrupt("selection"))?;
        let result =
            selection::draw(chosen, &seed, &inputs).map_err(|e| corrupt(&e.to_string()))?;
        let at = clock();
        let placed: Vec<&Placement> = result
            .placements
            .iter()
            .filter(|p| p.destination_id.is_some())
            .collect();
        diesel::insert_into(draws::table)
            .values((
                draws::call_id.eq(id),
                draws::algorithm.eq(selection::ALGORITHM),
                draws::drawn_at.eq(at),
                draws::inputs.eq(json(&inputs)),
                draws::ranking.eq(json(&result.ranking)),
                draws::placements.eq(json(&result.placements)),
                draws::placed.eq(count(placed.len())),
                draws::unplaced.eq(count(result.placements.len() - placed.len())),
            ))
            .execute(conn)?;
        let expires_at = at + Duration::days(i64::from(call.offer_days));
        let rows: Vec<_> = placed
            .iter()
            .filter_map(|p| {
                Some((
                    offers::call_id.eq(id),
                    offers::application_id.eq(p.application_id),
                    offers::destination_id.eq(p.destination_id?),
                    offers::semester.eq(p.semester?.as_str()),
                    offers::expires_at.eq(expires_at),
                ))
            })
            .collect();
        diesel::insert_into(offers::table)
            .values(&rows)
            .execute(conn)?;
        let (placed_ids, unplaced_ids): (Vec<&Placement>, Vec<&Placement>) = result
            .placements
            .iter()
            .partition(|p| p.destination_id.is_some());
        for (ids, status) in [
            (placed_ids, ApplicationStatus::Placed),
            (unplaced_ids, ApplicationStatus::Unplaced),
        ] {
            let ids: Vec<Uuid> = ids.iter().map(|p| p.application_id).collect();
            diesel::update(applications::table.filter(applications::id.eq_any(&ids)))
                .set((
                    applications::status.eq(status.as_str()),
                    applications::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        diesel::update(calls_table::table.find(id))
            .set((
                calls_table::status.eq(CallStatus::Drawn.as_str()),
                calls_table::updated_at.eq(now),
            ))
            .execute(conn)?;
        let summary = DrawSummary {
            call_id: id,
            drawn_at: at,
            commitment,
            inputs_digest: digest,
            applications: count(result.placements.len()).unsigned_abs(),
            placed: count(placed.len()).unsigned_abs(),
            unplaced: count(result.placements.len() - placed.len()).unsigned_abs(),
        };
        audit::record(
            conn,
            actor,
            "call.drawn",
            "call",
            &id.to_string(),
            Some(&call),
            Some(&summary),
        )?;
        Ok(summary)
    })
}

/// Counts in a call fit easily; the largest `i32` stands in for anything larger.
fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A part of the record as JSONB; the record's parts are plain data and always serialise.
fn json<T: Serialize>(part: &T) -> serde_json::Value {
    serde_json::to_value(part).unwrap_or_default()
}

/// The published record of a call's draw, for anyone who may see the call; `NotFound`
/// before the draw.
pub fn record(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<DrawRecord, StorageError> {
    let call: Call = calls::get_visible(conn, id, viewer)?;
    let (algorithm, drawn_at, inputs, ranking, placements): (
        String,
        DateTime<Utc>,
        serde_json::Value,
        serde_json::Value,
        serde_json::Value,
    ) = draws::table
        .find(id)
        .select((
            draws::algorithm,
            draws::drawn_at,
            draws::inputs,
            draws::ranking,
            draws::placements,
        ))
        .first(conn)?;
    let seed: Vec<u8> = calls_table::table
        .find(id)
        .select(calls_table::seed.assume_not_null())
        .first(conn)?;
    Ok(DrawRecord {
        call_id: id,
        algorithm,
        selection: call.selection.parse().map_err(|_| corrupt("selection"))?,
        commitment: call.commitment.ok_or_else(|| corrupt("commitment"))?,
        inputs_digest: call.inputs_digest.ok_or_else(|| corrupt("inputs digest"))?,
        seed: selection::hex(&seed),
        drawn_at,
        inputs: serde_json::from_value(inputs).map_err(|_| corrupt("inputs"))?,
        ranking: serde_json::from_value(ranking).map_err(|_| corrupt("ranking"))?,
        placements: serde_json::from_value(placements).map_err(|_| corrupt("placements"))?,
    })
}
