//! The catalogue read whole, for the service's in-memory snapshot, and how a process
//! learns that it changed.
//!
//! Every statement that writes destinations, institutions or countries raises
//! `catalogue_version` in its own transaction and notifies `abroad_catalogue` on
//! commit (migration 10). A snapshot is read in one repeatable-read transaction
//! together with the version it shows, so the version names exactly what it holds;
//! only the destinations whose rows changed are read whole again.

use crate::StorageError;
use crate::destinations::{Destination, DestinationRecord};
use crate::institutions::Institution;
use crate::schema::{catalogue_version, countries, destinations, institutions};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use uuid::Uuid;

/// The channel the catalogue triggers notify.
pub const CHANNEL: &str = "abroad_catalogue";

/// A destination as a snapshot takes it.
#[derive(Debug)]
pub struct Row {
    pub record: DestinationRecord,
    /// Its list order: the stored sort key.
    pub sort_key: String,
    /// See [`read`]: equal marks, equal rows.
    pub mark: String,
}

/// The catalogue's version now.
pub fn version(conn: &mut PgConnection) -> Result<i64, StorageError> {
    Ok(catalogue_version::table
        .select(catalogue_version::version)
        .first(conn)?)
}

/// Takes the catalogue's change lock (the counter's row) for this transaction. Every
/// writer of countries, institutions or destinations takes it first, before any of
/// their rows: the statement triggers lock it at the first change anyway, and a writer
/// that locked a country or a destination before it could wait on one that holds it
/// and waits for that row in turn (migration 10).
pub fn lock_for_change(conn: &mut PgConnection) -> Result<(), StorageError> {
    catalogue_version::table
        .select(catalogue_version::version)
        .for_update()
        .first::<i64>(conn)?;
    Ok(())
}

/// How many destinations are read per query: a snapshot is built batch by batch, so
/// the rows read (with their parsed JSON) never all sit in memory at once.
const BATCH: usize = 500;

/// What a destination's row looks like as of its last change, with its institution's
/// and its country's: the ids of the transactions that last wrote each (`xmin`). Any
/// change to one of the three rows gives another mark, so a snapshot reuses what it
/// holds under the same mark and reads the rest.
const MARK: &str = "concat(destinations.xmin, ':', institutions.xmin, ':', countries.xmin)";

/// Reads the catalogue at one version: every destination's id and mark, in no order,
/// and, in batches to `each`, the whole rows of those `held` says the caller does not
/// hold under that mark. Answers the version and the marks.
pub fn read(
    conn: &mut PgConnection,
    mut held: impl FnMut(Uuid, &str) -> bool,
    mut each: impl FnMut(Vec<Row>),
) -> Result<(i64, Vec<(Uuid, String)>), StorageError> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            let version = version(conn)?;
            let marks: Vec<(Uuid, String)> = destinations::table
                .inner_join(institutions::table.inner_join(countries::table))
                .select((destinations::id, sql::<Text>(MARK)))
                .load(conn)?;
            let wanted: Vec<Uuid> = marks
                .iter()
                .filter(|(id, mark)| !held(*id, mark))
                .map(|(id, _)| *id)
                .collect();
            for batch in wanted.chunks(BATCH) {
                let rows: Vec<(Destination, Institution, String, String, String, String)> =
                    destinations::table
                        .inner_join(institutions::table.inner_join(countries::table))
                        .filter(destinations::id.eq_any(batch))
                        .select((
                            Destination::as_select(),
                            Institution::as_select(),
                            countries::name,
                            countries::advice,
                            destinations::sort_key,
                            sql::<Text>(MARK),
                        ))
                        .load(conn)?;
                each(
                    rows.into_iter()
                        .map(
                            |(destination, institution, country_name, advice, sort_key, mark)| {
                                let record = DestinationRecord {
                                    destination,
                                    institution,
                                    country_name,
                                    advice,
                                };
                                Row {
                                    record,
                                    sort_key,
                                    mark,
                                }
                            },
                        )
                        .collect(),
                );
            }
            Ok((version, marks))
        })
}

/// Subscribes this connection to the catalogue's notifications (for its lifetime).
pub fn listen(conn: &mut PgConnection) -> Result<(), StorageError> {
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(conn)?;
    Ok(())
}

/// Whether a notification arrived since the last call; reads what the socket holds
/// without waiting. An error means the connection is gone.
pub fn notified(conn: &mut PgConnection) -> Result<bool, StorageError> {
    let mut any = false;
    for notification in conn.notifications_iter() {
        notification?;
        any = true;
    }
    Ok(any)
}
