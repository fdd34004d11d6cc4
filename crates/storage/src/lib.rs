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
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::r2d2::{Builder, ConnectionManager, Pool as R2d2Pool, PooledConnection};
use diesel::{QueryResult, RunQueryDsl};
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

/// The settings of [`pool`], for a test to add to (e.g. a connection customizer).
pub fn pool_builder(max_size: u32) -> Builder<ConnectionManager<PgConnection>> {
    R2d2Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
}

/// A query that PostgreSQL plans for its own parameters every time it runs.
///
/// Diesel prepares most statements once per connection, and after five runs
/// PostgreSQL may switch a prepared statement to one generic plan for all parameters.
/// For the catalogue search, whose filters range from one country to "everything",
/// the generic plan was 3–4 times slower under load (measured with
/// `bench/catalogue/run`). Sent unprepared (diesel's unnamed statement, in the same
/// single round trip), it is planned with its parameters on every run, while every
/// other statement keeps its prepared plan: planning them anew each time cost more
/// than running them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CustomPlan<Q>(pub(crate) Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for CustomPlan<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out)
    }
}

impl<Q> QueryId for CustomPlan<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for CustomPlan<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for CustomPlan<Q> {}

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
