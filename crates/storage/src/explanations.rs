//! Why an application got what it got: the published draw, run again for one
//! application ([`abroad_domain::draw::explain`]).

use crate::StorageError;
use crate::applications::{self, ApplicationScope};
use crate::schema::{applications as applications_table, calls, draws};
use abroad_domain::draw::{self, DrawInputs, Explanation};
use abroad_domain::{CallStatus, Selection};
use diesel::prelude::*;
use uuid::Uuid;

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a draw's {what}"))
}

/// The explanation of an application the caller may see (`NotFound` otherwise); a
/// `State` conflict before its call's draw, or when it was not in the draw (only
/// eligible applications are).
pub fn explanation(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<Explanation, StorageError> {
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
    // Read as text and parsed straight into the inputs: a large call's record is tens
    // of megabytes, and a `serde_json::Value` in between would double the work.
    let inputs: String = draws::table
        .find(call_id)
        .select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "draws.inputs::text",
        ))
        .first(conn)?;
    let inputs: DrawInputs = serde_json::from_str(&inputs).map_err(|_| corrupt("inputs"))?;
    if !inputs.applications.iter().any(|a| a.application_id == id) {
        return Err(StorageError::State(
            "this application was not in the draw: only applications reviewed eligible are"
                .to_owned(),
        ));
    }
    let seed: [u8; 32] = seed
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| corrupt("seed"))?;
    let selection: Selection = selection.parse().map_err(|_| corrupt("selection"))?;
    // The draw is a pure function of the published seed and inputs: running it again
    // gives the stored result, with each placement's phase.
    let result = draw::draw(selection, &seed, &inputs).map_err(|e| corrupt(&e.to_string()))?;
    draw::explain(&inputs, &result, id).ok_or_else(|| corrupt("result"))
}
