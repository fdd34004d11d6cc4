//! The catalogue read whole, for the service's in-memory snapshot, and how a process
//! learns that it changed.
//!
//! Every statement that writes destinations, institutions or countries raises
//! `catalogue_version` in its own transaction and notifies `abroad_catalogue` on
//! commit (migration 10). A snapshot is read in one repeatable-read transaction
//! together with the version it shows, so the version names exactly what it holds.

use crate::StorageError;
use crate::destinations::{Destination, DestinationRecord};
use crate::institutions::Institution;
use crate::schema::{catalogue_version, countries, destinations, institutions};
use diesel::prelude::*;
use uuid::Uuid;

/// The channel the catalogue triggers notify.
pub const CHANNEL: &str = "abroad_catalogue";

/// A destination with its list order (the stored sort key).
pub type Row = (DestinationRecord, String);

/// The catalogue's version now.
pub fn version(conn: &mut PgConnection) -> Result<i64, StorageError> {
    Ok(catalogue_version::table
        .select(catalogue_version::version)
        .first(conn)?)
}

/// How many destinations are read per query: a snapshot is built batch by batch, so
/// the rows read (with their parsed JSON) never all sit in memory at once.
const BATCH: i64 = 500;

/// Hands every destination, archived ones included, to `each` in batches, and
/// answers the version they were read at.
pub fn load(conn: &mut PgConnection, mut each: impl FnMut(Vec<Row>)) -> Result<i64, StorageError> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            let version = version(conn)?;
            let mut after: Option<Uuid> = None;
            loop {
                let mut query = destinations::table
                    .inner_join(institutions::table.inner_join(countries::table))
                    .select((
                        Destination::as_select(),
                        Institution::as_select(),
                        countries::name,
                        countries::advice,
                        destinations::sort_key,
                    ))
                    .order(destinations::id)
                    .limit(BATCH)
                    .into_boxed();
                if let Some(last) = after {
                    query = query.filter(destinations::id.gt(last));
                }
                let rows: Vec<(Destination, Institution, String, String, String)> =
                    query.load(conn)?;
                let complete = (rows.len() as i64) < BATCH;
                after = rows.last().map(|(d, ..)| d.id);
                each(
                    rows.into_iter()
                        .map(
                            |(destination, institution, country_name, advice, sort_key)| {
                                let record = DestinationRecord {
                                    destination,
                                    institution,
                                    country_name,
                                    advice,
                                };
                                (record, sort_key)
                            },
                        )
                        .collect(),
                );
                if complete {
                    return Ok(version);
                }
            }
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
