//! The migrations in `migrations/`, compiled into the binary.

use crate::StorageError;
use diesel::PgConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Applies every migration not yet applied; returns the versions it applied.
pub fn run_pending(conn: &mut PgConnection) -> Result<Vec<String>, StorageError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| StorageError::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// True when the database lacks a migration this binary carries.
pub fn has_pending(conn: &mut PgConnection) -> Result<bool, StorageError> {
    conn.has_pending_migration(MIGRATIONS)
        .map_err(|e| StorageError::Migration(e.to_string()))
}

/// Reverts every applied migration, newest first (used to prove each `down.sql` works).
pub fn revert_all(conn: &mut PgConnection) -> Result<Vec<String>, StorageError> {
    let reverted = conn
        .revert_all_migrations(MIGRATIONS)
        .map_err(|e| StorageError::Migration(e.to_string()))?;
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}
