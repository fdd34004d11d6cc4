//! What a process may hold between requests so that the quick create reads nothing
//! before its write: the chosen destinations' facts (from the catalogue in memory) and
//! the call with its places. Neither is trusted: the write stores the draft only while
//! the catalogue and the call's row are still the versions they were read at, and
//! otherwise the create goes the careful way, which reads everything under its locks.

use super::facts::DestinationFacts;
use crate::StorageError;
use crate::calls::Call;
use crate::schema::calls;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

/// The chosen destinations' facts as the catalogue held in memory has them at
/// `version` (the database's `catalogue_version`), one per choice in the order chosen.
#[derive(Debug, Clone)]
pub struct KnownChoices {
    pub version: i64,
    pub destinations: Vec<Arc<DestinationFacts>>,
}

/// A call as read at one moment: the call, its row version, and its places (which
/// destinations it offers in which semesters). It stands while the call's row is that
/// version: every change to a call, its rules or its places writes the call's row.
#[derive(Debug, Clone)]
pub struct KnownCall {
    pub(super) call: Call,
    pub(super) version: String,
    places: HashSet<(Uuid, String)>,
}

impl KnownCall {
    /// The call's id.
    pub fn id(&self) -> Uuid {
        self.call.id
    }

    /// Whether the call has places at `destination` in `semester`.
    pub(super) fn offers(&self, destination: Uuid, semester: &str) -> bool {
        self.places.contains(&(destination, semester.to_owned()))
    }
}

/// Reads a call with its row version and all its places, in one statement; `None`
/// when there is no such call.
pub fn known_call(conn: &mut PgConnection, id: Uuid) -> Result<Option<KnownCall>, StorageError> {
    const PLACES: &str = "FROM call_places p WHERE p.call_id = calls.id \
                          ORDER BY p.destination_id, p.semester)";
    let read: Option<(Call, String, Vec<Uuid>, Vec<String>)> = calls::table
        .filter(calls::id.eq(id))
        .select((
            Call::as_select(),
            sql::<Text>("calls.xmin::text"),
            sql::<Array<diesel::sql_types::Uuid>>(&format!(
                "ARRAY(SELECT p.destination_id {PLACES}"
            )),
            sql::<Array<Text>>(&format!("ARRAY(SELECT p.semester {PLACES}")),
        ))
        .first(conn)
        .optional()?;
    Ok(
        read.map(|(call, version, destinations, semesters)| KnownCall {
            call,
            version,
            places: destinations.into_iter().zip(semesters).collect(),
        }),
    )
}
