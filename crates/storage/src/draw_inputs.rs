//! The draw's inputs as a call freezes them at close (SPEC.md, Selection 1): its
//! eligible applications with their ordered choices (and scores, in a `ranking` call),
//! and its slots. The digest published at close is taken over exactly these.

use crate::StorageError;
use crate::calls::Call;
use crate::schema::{application_choices, applications, call_places};
use abroad_domain::draw::{DrawInputs, Entry, Slot};
use abroad_domain::{ApplicationStatus, Selection, Semester};
use diesel::prelude::*;
use uuid::Uuid;

fn semester(raw: &str) -> Result<Semester, StorageError> {
    raw.parse()
        .map_err(|_| StorageError::Corrupt(format!("a semester `{raw}`")))
}

/// The inputs as they stand; call it under the call's exclusive lock (close), so
/// that nothing changes them meanwhile. `blocked` is left false: the draw decides it.
pub fn frozen(conn: &mut PgConnection, call: &Call) -> Result<DrawInputs, StorageError> {
    let slots = call_places::table
        .filter(call_places::call_id.eq(call.id))
        // In the order SPEC.md publishes them (destination, then semester): the record
        // shows the inputs exactly as the digest took them, so anyone can hash them as
        // they read them.
        .order((call_places::destination_id, call_places::semester))
        .select((
            call_places::destination_id,
            call_places::semester,
            call_places::places,
        ))
        .load::<(Uuid, String, i32)>(conn)?
        .into_iter()
        .map(|(destination_id, raw, places)| {
            Ok(Slot {
                destination_id,
                semester: semester(&raw)?,
                places: u32::try_from(places)
                    .map_err(|_| StorageError::Corrupt("a slot's places".to_owned()))?,
                blocked: false,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let ranking = call.selection == Selection::Ranking.as_str();
    let mut eligible: Vec<(Uuid, String, bool, Option<f64>)> = applications::table
        .filter(applications::call_id.eq(call.id))
        .filter(applications::status.eq(ApplicationStatus::Eligible.as_str()))
        .select((
            applications::id,
            applications::semester,
            applications::plan_b,
            applications::score,
        ))
        .load(conn)?;
    // In the digest's order (by id), so that the choices, which come ordered by
    // application, are dealt out in one pass.
    eligible.sort_unstable_by_key(|(id, ..)| *id);
    let ids: Vec<Uuid> = eligible.iter().map(|(id, ..)| *id).collect();
    let mut choices = application_choices::table
        .filter(application_choices::application_id.eq_any(&ids))
        .order((
            application_choices::application_id,
            application_choices::rank,
        ))
        .select((
            application_choices::application_id,
            application_choices::destination_id,
        ))
        .load::<(Uuid, Uuid)>(conn)?
        .into_iter()
        .peekable();
    let applications = eligible
        .into_iter()
        .map(|(application_id, raw, plan_b, score)| {
            let mut mine = Vec::new();
            while let Some((_, destination)) =
                choices.next_if(|(application, _)| *application == application_id)
            {
                mine.push(destination);
            }
            Ok(Entry {
                application_id,
                semester: semester(&raw)?,
                plan_b,
                choices: mine,
                score: if ranking { score } else { None },
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(DrawInputs {
        slots,
        applications,
    })
}
