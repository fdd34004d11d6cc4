//! `abroad seed-demo`: demo data for local use, loaded idempotently.
//!
//! Records that exist already are left exactly as they are, so a second run, or a
//! run after someone changed a demo record, changes nothing. Each record it does
//! create goes through the same checks and storage calls as the API, audit entry
//! included.

mod activities;
pub mod call;
mod catalogue;
mod first_round;
mod reference;
mod reports;

use super::CommandError;
use abroad_domain::Violation;
use abroad_storage::{Actor, PgConnection};

pub fn run(conn: &mut PgConnection) -> Result<(), CommandError> {
    let actor = Actor::system("seed-demo");
    let reference = reference::load(conn, &actor)?;
    let catalogue = catalogue::load(conn, &actor)?;
    let call = call::load(conn, &actor)?;
    let drawn = first_round::load(conn, &actor)?;
    let abroad = activities::load(conn, &actor)?;
    let written = reports::load(conn, &actor)?;
    tracing::info!(
        created = reference + catalogue + call + drawn + abroad + written,
        "demo data loaded"
    );
    Ok(())
}

fn invalid(violations: Vec<Violation>) -> CommandError {
    let messages: Vec<_> = violations
        .into_iter()
        .map(|v| format!("{}: {}", v.field, v.message))
        .collect();
    CommandError::Other(format!("demo data breaks a rule: {}", messages.join("; ")))
}
