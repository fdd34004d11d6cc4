//! Abroad's PostgreSQL storage.
//!
//! Queries are synchronous diesel calls on a pooled connection; the API runs each
//! of them inside `web::block`, so no actix worker ever waits on the database.
//! Every write that changes a record also writes its audit entry in the same
//! transaction.

pub mod activities;
pub mod affected;
pub mod applications;
pub mod audit;
pub mod calls;
pub mod catalogue;
#[cfg(feature = "test-support")]
pub mod catalogue_oracle;
pub mod countries;
pub mod destinations;
pub mod documents;
pub mod draw_inputs;
pub mod draws;
mod error;
pub mod explanations;
pub mod institutions;
pub mod migrations;
pub mod nominations;
pub mod offers;
pub mod page;
pub mod programmes;
pub mod reports;
pub mod results;
mod schema;
pub mod students;
#[cfg(feature = "test-support")]
pub mod test_db;
mod viewer;

pub use diesel::PgConnection;
use diesel::r2d2::{
    Builder, ConnectionManager, CustomizeConnection, Pool as R2d2Pool, PooledConnection,
};
use std::time::Duration;

pub use audit::Actor;
pub use error::StorageError;
pub use page::{Cursor, CursorError, Page};
pub use viewer::Viewer;

/// The connection pool the service shares between its workers.
pub type Pool = R2d2Pool<ConnectionManager<PgConnection>>;
/// One connection taken from the [`Pool`].
pub type Conn = PooledConnection<ConnectionManager<PgConnection>>;

/// Builds a pool without connecting yet, so `/ready` can report a database that is
/// down instead of the process refusing to start.
///
/// A connection is not tested with a query (`SELECT 1`) each time it is taken: that
/// was one more round trip per request. One the database has dropped fails the request
/// that uses it (503, try again); diesel then reports it broken and r2d2 discards it
/// instead of taking it back.
pub fn pool(database_url: &str, max_size: u32) -> Pool {
    pool_builder(max_size).build_unchecked(ConnectionManager::new(database_url))
}

/// [`pool`] for the service: it opens all its connections at start, in the background,
/// and keeps them, so that the first requests of a rush neither wait for a new backend
/// nor pay for its start (a new PostgreSQL backend also plans each statement afresh).
pub fn serving_pool(database_url: &str, max_size: u32) -> Pool {
    pool_builder(max_size)
        .min_idle(Some(max_size))
        .build_unchecked(ConnectionManager::new(database_url))
}

/// The settings of [`pool`], for a test to add to (e.g. a connection customizer, which
/// then replaces [`SessionSettings`]).
pub fn pool_builder(max_size: u32) -> Builder<ConnectionManager<PgConnection>> {
    R2d2Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .connection_customizer(Box::new(SessionSettings))
}

/// What every connection of the pool sets once, when it is opened.
///
/// `jit = off`: PostgreSQL compiles a statement whose estimated cost passes
/// `jit_above_cost` with LLVM, each time it runs. The statements here are short, and
/// the ones estimated dear (a page of 500 applications with their facts) are dear in
/// rows the estimate counts, not in time: compiling one took longer than running it
/// (median 45 ms, mean 100 ms for the page, against about 10 ms without).
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SET jit = off")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Whether a PUT made a new record, changed an existing one, or found it as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
