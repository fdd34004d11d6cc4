//! SPEC.md's status rule for acting on one object: a caller who may not see it gets
//! 404, one who may see it but whose role may not do this gets 403.

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiError;
use abroad_domain::Role;
use abroad_storage::{PgConnection, StorageError, Viewer};

/// Passes when the caller has one of `roles`. Otherwise asks `sees` (a scoped query
/// that is `NotFound` for what the viewer may not see) and answers 404 with
/// `not_found`, or the role's 403 when the caller does see the object.
pub async fn require_role_on<T, F>(
    caller: &Caller,
    roles: &[Role],
    db: &Db,
    not_found: &'static str,
    sees: F,
) -> Result<(), ApiError>
where
    F: FnOnce(&mut PgConnection, &Viewer) -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    let refused = match caller.require(roles) {
        Ok(()) => return Ok(()),
        Err(refused) => refused,
    };
    let viewer = caller.viewer();
    match crate::db::run(db, move |conn| sees(conn, &viewer)).await {
        Ok(_) => Err(refused),
        Err(ApiError::NotFound(_)) => Err(ApiError::NotFound(not_found.to_owned())),
        Err(other) => Err(other),
    }
}
