use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong below the API. The API turns these into statuses at its edge.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No row matched: unknown, or not visible to this caller.
    #[error("record not found")]
    NotFound,
    /// The caller may see the record but may not do this to it (another faculty's
    /// published call, an institution shared with other faculties …).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A unique constraint refused the write (e.g. a duplicate).
    #[error("conflicts with an existing record: {0}")]
    Conflict(String),
    /// The record is not in a state that allows this (a deadline passed, already
    /// submitted, not a draft …); the message says which.
    #[error("{0}")]
    State(String),
    /// A foreign key or check constraint refused the write.
    #[error("refused by a database rule: {0}")]
    Rule(String),
    /// The change breaks a rule only the stored data can tell (an unknown country,
    /// programme or institution), with every violation found.
    #[error("the change breaks {} rule(s)", .0.len())]
    Invalid(Vec<abroad_domain::Violation>),
    /// The database gave up on this transaction to let others through (a deadlock it
    /// broke, a serialization failure, a lock not had in time), or dropped the pooled
    /// connection it ran on (which the pool then discards): trying again works.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// No connection could be had in time: the database is down or overloaded.
    #[error("database unavailable")]
    Unavailable(#[source] diesel::r2d2::PoolError),
    #[error("database error")]
    Database(#[source] DieselError),
    /// A stored value the code cannot read: a bug or a hand-edited row.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<DieselError> for StorageError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => StorageError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StorageError::Conflict(info.constraint_name().unwrap_or("unique").to_owned())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::CheckViolation,
                info,
            ) => StorageError::Rule(info.constraint_name().unwrap_or("constraint").to_owned()),
            DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure
                | DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StorageError::Busy(info.message().to_owned()),
            DieselError::DatabaseError(_, info)
                if ["deadlock detected", "lock timeout", "could not obtain lock"]
                    .iter()
                    .any(|m| info.message().contains(m)) =>
            {
                StorageError::Busy(info.message().to_owned())
            }
            other => StorageError::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StorageError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        StorageError::Unavailable(err)
    }
}
