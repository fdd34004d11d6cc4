//! Running diesel's blocking queries off the actix workers.

use crate::error::ApiError;
use abroad_storage::PgConnection;
use abroad_storage::{Pool, StorageError};
use actix_web::web;

/// Takes a connection and runs `query` on the blocking thread pool: neither waiting
/// for a connection nor the query itself ever holds up an actix worker.
pub async fn run<T, F>(pool: &Pool, query: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let result = web::block(move || {
        let mut conn = pool.get()?;
        query(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    result.map_err(ApiError::from)
}
