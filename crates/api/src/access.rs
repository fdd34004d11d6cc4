//! SPEC.md's status rule for acting on one object: a caller who may not see it gets
//! 404, one who may see it but whose role may not do this gets 403. Creating
//! something one may not is 403 too. Who may comes before what the body says.

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiError;
use abroad_domain::{FacultyCode, Role};
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
    seen(caller, db, not_found, sees).await?;
    Err(refused)
}

/// `checked` (what the body says, checked before the object is read) as the answer
/// only for a caller who may act on the object: when it fails, `may` (a scoped query,
/// `NotFound` for what the viewer may not see, `Forbidden` for what it sees but may
/// not change) answers 404 with `not_found`, or 403, before the body's 400 or 422.
///
/// The query runs only when the check fails, so a request that passes costs no
/// round trip more: the deadline rush's writes read nothing twice.
pub async fn body_after_access<V, T, F>(
    checked: Result<V, ApiError>,
    caller: &Caller,
    db: &Db,
    not_found: &'static str,
    may: F,
) -> Result<V, ApiError>
where
    F: FnOnce(&mut PgConnection, &Viewer) -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    let refusal = match checked {
        Ok(value) => return Ok(value),
        Err(refusal) => refusal,
    };
    seen(caller, db, not_found, may).await?;
    Err(refusal)
}

/// Runs `sees` as the caller: `Ok` when it sees the object, 404 with `not_found`
/// when it does not, any other error (a 403 among them) as it is.
async fn seen<T, F>(
    caller: &Caller,
    db: &Db,
    not_found: &'static str,
    sees: F,
) -> Result<(), ApiError>
where
    F: FnOnce(&mut PgConnection, &Viewer) -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    let viewer = caller.viewer();
    match crate::db::run(db, move |conn| sees(conn, &viewer)).await {
        Ok(_) => Ok(()),
        Err(ApiError::NotFound(_)) => Err(ApiError::NotFound(not_found.to_owned())),
        Err(other) => Err(other),
    }
}

/// 403 saying `refusal(own faculty)` when a faculty coordinator creates something
/// another faculty (or the whole university) would own, as far as the few fields that
/// decide it say: `has_owner`, whether its scheme or exchange type has an owning
/// faculty at all, and `faculty`, the one it names. SPEC.md makes that 403 whatever
/// else the body says, so these are read leniently, before the full check: a field
/// that does not read decides nothing and is left to that check (and to the scope
/// check after it).
pub fn creating_within_faculty(
    caller: &Caller,
    has_owner: Option<bool>,
    faculty: Option<&str>,
    refusal: fn(&str) -> String,
) -> Result<(), ApiError> {
    let Some(own) = caller.faculty.as_deref() else {
        return Ok(());
    };
    let named = faculty
        .map(str::trim)
        .and_then(|raw| FacultyCode::parse("faculty", raw).ok());
    if has_owner == Some(false) || named.is_some_and(|f| f.as_str() != own) {
        Err(ApiError::Forbidden(refusal(own)))
    } else {
        Ok(())
    }
}
