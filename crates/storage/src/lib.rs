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
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool as R2d2Pool, PooledConnection};
use diesel::{RunQueryDsl, sql_query};
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
pub fn pool(database_url: &str, max_size: u32) -> Pool {
    R2d2Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .connection_customizer(Box::new(CustomPlans))
        .build_unchecked(ConnectionManager::new(database_url))
}

/// Plans every statement for its own parameters.
///
/// Diesel prepares and reuses statements; after five runs PostgreSQL may switch a
/// prepared statement to one generic plan for all parameters. For the catalogue
/// search, whose filters range from one country to "everything", the generic plan
/// was 3–4 times slower under load (measured with `bench/catalogue/run`).
#[derive(Debug, Clone, Copy)]
struct CustomPlans;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for CustomPlans {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        sql_query("SET plan_cache_mode = force_custom_plan")
            .execute(conn)
            .map(drop)
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
