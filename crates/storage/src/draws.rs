//! The draw: run once per call, atomically, under the call's exclusive lock, and
//! published as a record anyone can check (SPEC.md, Selection 3–6).

use crate::audit::{self, Actor};
use crate::calls::{self, Call};
use crate::schema::{
    applications, calls as calls_table, countries, destinations, draws, institutions,
};
use crate::{StorageError, Viewer};
use abroad_domain::draw::{self as selection, DrawInputs, Placement, Ranked};
use abroad_domain::{ApplicationStatus, CallStatus, Selection, TravelAdvice};
use chrono::{DateTime, Duration, Utc};
use diesel::dsl::{now, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{Array, Integer, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
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
        // The statements below take up to 100,000 ids as one array parameter; planning
        // them for their values (the connection's custom plans) estimates every id, up
        // to a tenth of a second each, for the same plan.
        diesel::sql_query("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
            .execute(conn)?;
        let mut inputs = crate::draw_inputs::frozen(conn, &call)?;
        // The digest leaves `blocked` out: it is checked below, beside the writes.
        block_negative_advice(conn, &mut inputs)?;
        let chosen: Selection = call.selection.parse().map_err(|_| corrupt("selection"))?;
        let result =
            selection::draw(chosen, &seed, &inputs).map_err(|e| corrupt(&e.to_string()))?;
        let at = clock();
        let expires_at = at + Duration::days(i64::from(call.offer_days));
        // The digest check and the record's JSON (~0.1 s each for 100,000 applications)
        // run beside the database's marking of every application (~1 s). Whatever
        // fails, the transaction writes nothing.
        std::thread::scope(|scope| {
            let checked = scope.spawn(|| selection::inputs_digest(&inputs));
            let parts = scope.spawn(|| RecordParts::new(&inputs, &result));
            mark_applications(conn, &result.placements)?;
            let frozen = joined(checked).map_err(|e| corrupt(&e.to_string()))?;
            if frozen != digest {
                return Err(corrupt(
                    "inputs, which no longer match the digest published at close",
                ));
            }
            store_record(conn, id, at, joined(parts)?)?;
            insert_offers(conn, id, &result.placements, expires_at)
        })?;
        let placed = result
            .placements
            .iter()
            .filter(|p| p.destination_id.is_some())
            .count();
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
            placed: count(placed).unsigned_abs(),
            unplaced: count(result.placements.len() - placed).unsigned_abs(),
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

/// A scoped thread's answer; its panic, if it panicked, goes on.
fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Every application in the draw is `placed` or `unplaced` now: two statements, each
/// with its ids as one array parameter.
fn mark_applications(
    conn: &mut PgConnection,
    placements: &[Placement],
) -> Result<(), StorageError> {
    let (placed, unplaced): (Vec<&Placement>, Vec<&Placement>) =
        placements.iter().partition(|p| p.destination_id.is_some());
    for (ids, status) in [
        (placed, ApplicationStatus::Placed),
        (unplaced, ApplicationStatus::Unplaced),
    ] {
        let ids: Vec<Uuid> = ids.iter().map(|p| p.application_id).collect();
        diesel::update(applications::table.filter(applications::id.eq_any(&ids)))
            .set((
                applications::status.eq(status.as_str()),
                applications::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// JSON text, sent as a `jsonb` parameter in its binary form (a version byte, then the
/// text): the database parses it once, with no `serde_json::Value` on either side.
#[derive(Debug)]
struct JsonText(String);

impl JsonText {
    fn of<T: Serialize>(part: &T) -> Result<Self, StorageError> {
        serde_json::to_string(part)
            .map(JsonText)
            .map_err(|e| corrupt(&format!("record, which has no JSON form: {e}")))
    }
}

impl ToSql<Jsonb, Pg> for JsonText {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        out.write_all(&[1])?;
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}

/// The record's parts as JSON, and its counts.
#[derive(Debug)]
struct RecordParts {
    inputs: JsonText,
    ranking: JsonText,
    placements: JsonText,
    placed: i32,
    unplaced: i32,
}

impl RecordParts {
    fn new(inputs: &DrawInputs, result: &selection::Draw) -> Result<Self, StorageError> {
        let placed = result
            .placements
            .iter()
            .filter(|p| p.destination_id.is_some())
            .count();
        Ok(RecordParts {
            inputs: JsonText::of(inputs)?,
            ranking: JsonText::of(&result.ranking)?,
            placements: JsonText::of(&result.placements)?,
            placed: count(placed),
            unplaced: count(result.placements.len() - placed),
        })
    }
}

/// Stores the record. 100,000 applications make ~70 MB of JSON: the large values are
/// TOAST-compressed with lz4 where the server has it (pglz took over a second).
fn store_record(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    parts: RecordParts,
) -> Result<(), StorageError> {
    diesel::sql_query(
        "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings \
          WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)",
    )
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO draws (call_id, algorithm, drawn_at, inputs, ranking, placements, placed, unplaced) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(selection::ALGORITHM)
    .bind::<Timestamptz, _>(at)
    .bind::<Jsonb, _>(&parts.inputs)
    .bind::<Jsonb, _>(&parts.ranking)
    .bind::<Jsonb, _>(&parts.placements)
    .bind::<Integer, _>(parts.placed)
    .bind::<Integer, _>(parts.unplaced)
    .execute(conn)?;
    Ok(())
}

/// One offer per placement, in one statement whatever their number: the placements go
/// over as three arrays (a row of bind parameters each would pass PostgreSQL's limit of
/// 65,535 parameters at 13,108 offers).
fn insert_offers(
    conn: &mut PgConnection,
    call_id: Uuid,
    placements: &[Placement],
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut applications = Vec::new();
    let mut destinations = Vec::new();
    let mut semesters = Vec::new();
    for p in placements {
        if let (Some(destination), Some(semester)) = (p.destination_id, p.semester) {
            applications.push(p.application_id);
            destinations.push(destination);
            semesters.push(semester.as_str());
        }
    }
    diesel::sql_query(
        "INSERT INTO offers (call_id, application_id, destination_id, semester, expires_at) \
         SELECT $1, p.application_id, p.destination_id, p.semester, $5 \
           FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS p (application_id, destination_id, semester)",
    )
    .bind::<SqlUuid, _>(call_id)
    .bind::<Array<SqlUuid>, _>(&applications)
    .bind::<Array<SqlUuid>, _>(&destinations)
    .bind::<Array<Text>, _>(&semesters)
    .bind::<Timestamptz, _>(expires_at)
    .execute(conn)?;
    Ok(())
}

/// Counts in a call fit easily; the largest `i32` stands in for anything larger.
fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The published record of a call's draw, for anyone who may see the call; `NotFound`
/// before the draw. The parts are read as JSON text and parsed straight into their
/// types, without a `serde_json::Value` in between.
pub fn record(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<DrawRecord, StorageError> {
    let call: Call = calls::get_visible(conn, id, viewer)?;
    let (algorithm, drawn_at, inputs, ranking, placements): (
        String,
        DateTime<Utc>,
        String,
        String,
        String,
    ) = draws::table
        .find(id)
        .select((
            draws::algorithm,
            draws::drawn_at,
            sql::<Text>("draws.inputs::text"),
            sql::<Text>("draws.ranking::text"),
            sql::<Text>("draws.placements::text"),
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
        inputs: serde_json::from_str(&inputs).map_err(|_| corrupt("inputs"))?,
        ranking: serde_json::from_str(&ranking).map_err(|_| corrupt("ranking"))?,
        placements: serde_json::from_str(&placements).map_err(|_| corrupt("placements"))?,
    })
}
