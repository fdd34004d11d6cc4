//! Why an application got what it got: what runs the published draw again, for
//! [`abroad_domain::draw::explain`].

use crate::StorageError;
use crate::applications::{self, ApplicationScope};
use crate::schema::{applications as applications_table, calls, draws};
use abroad_domain::draw::{self, Draw, DrawInputs};
use abroad_domain::{CallStatus, Selection};
use diesel::prelude::*;
use uuid::Uuid;

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a draw's {what}"))
}

/// A drawn call as its explanations need it: what runs its draw again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnCall {
    pub call_id: Uuid,
    pub selection: Selection,
    pub seed: [u8; 32],
}

/// The drawn call of an application the caller may see (`NotFound` otherwise); a
/// `State` conflict before the call's draw.
pub fn drawn_call(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<DrawnCall, StorageError> {
    let call_id: Uuid = applications::scoped(scope)
        .filter(applications_table::id.eq(id))
        .select(applications_table::call_id)
        .first(conn)?;
    let (status, selection, seed): (String, String, Option<Vec<u8>>) = calls::table
        .find(call_id)
        .select((calls::status, calls::selection, calls::seed))
        .first(conn)?;
    if status != CallStatus::Drawn.as_str() {
        return Err(StorageError::State(format!(
            "the call is {status}: an explanation exists once it has been drawn"
        )));
    }
    let seed: [u8; 32] = seed
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| corrupt("seed"))?;
    let selection: Selection = selection.parse().map_err(|_| corrupt("selection"))?;
    Ok(DrawnCall {
        call_id,
        selection,
        seed,
    })
}

/// The published draw of a drawn call, run again: its inputs, and the ranking,
/// placements and phases the draw gives on them. The draw is a pure function of the
/// published seed and inputs, so this is the stored result, with each placement's
/// phase; and, since a draw is stored once and never changed, it can be kept.
pub fn redraw(
    conn: &mut PgConnection,
    call: &DrawnCall,
) -> Result<(DrawInputs, Draw), StorageError> {
    // Read as text and parsed straight into the inputs: a large call's record is tens
    // of megabytes, and a `serde_json::Value` in between would double the work.
    let inputs: String = draws::table
        .find(call.call_id)
        .select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "draws.inputs::text",
        ))
        .first(conn)?;
    let inputs: DrawInputs = serde_json::from_str(&inputs).map_err(|_| corrupt("inputs"))?;
    let result =
        draw::draw(call.selection, &call.seed, &inputs).map_err(|e| corrupt(&e.to_string()))?;
    Ok((inputs, result))
}
