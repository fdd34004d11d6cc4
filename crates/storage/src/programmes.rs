//! Study programmes.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::programmes;
use crate::{StorageError, Upserted, Viewer};
use abroad_domain::{FacultyCode, Level, ProgrammeCode, ProgrammeUpdate};
use diesel::prelude::*;
use serde::Serialize;

/// A stored programme. `level` is `bachelor` or `master` (a `CHECK` holds it).
#[derive(
    Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, Serialize,
)]
#[diesel(table_name = programmes)]
pub struct Programme {
    pub code: String,
    pub name: String,
    pub faculty: String,
    pub level: String,
}

/// Which programmes a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    pub faculty: Option<FacultyCode>,
    pub level: Option<Level>,
}

pub fn get(conn: &mut PgConnection, code: &ProgrammeCode) -> Result<Programme, StorageError> {
    Ok(programmes::table
        .find(code.as_str())
        .select(Programme::as_select())
        .first(conn)?)
}

/// Programmes in code order.
pub fn list(
    conn: &mut PgConnection,
    filter: &ProgrammeFilter,
    after: Option<Cursor<String>>,
    limit: i64,
) -> Result<Page<Programme>, StorageError> {
    let mut query = programmes::table
        .select(Programme::as_select())
        .into_boxed();
    if let Some(faculty) = &filter.faculty {
        query = query.filter(programmes::faculty.eq(faculty.as_str()));
    }
    if let Some(level) = filter.level {
        query = query.filter(programmes::level.eq(level.as_str()));
    }
    if let Some(Cursor(last_code)) = after {
        query = query.filter(programmes::code.gt(last_code));
    }
    let rows = query
        .order(programmes::code.asc())
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |p| p.code.clone()))
}

/// Creates or changes a programme and audits it, in one transaction.
///
/// Programmes are public, so a faculty coordinator's change of another faculty's
/// programme is [`StorageError::Forbidden`] (checked under the row lock), never a
/// takeover.
pub fn upsert(
    conn: &mut PgConnection,
    actor: &Actor,
    viewer: &Viewer,
    code: &ProgrammeCode,
    update: &ProgrammeUpdate,
) -> Result<(Programme, Upserted), StorageError> {
    let wanted = Programme {
        code: code.as_str().to_owned(),
        name: update.name.clone(),
        faculty: update.faculty.as_str().to_owned(),
        level: update.level.as_str().to_owned(),
    };
    conn.transaction(|conn| {
        let inserted = diesel::insert_into(programmes::table)
            .values(&wanted)
            .on_conflict_do_nothing()
            .returning(Programme::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(created) = inserted {
            audit::record(
                conn,
                actor,
                "programme.created",
                "programme",
                &created.code,
                None::<&Programme>,
                Some(&created),
            )?;
            return Ok((created, Upserted::Created));
        }

        let before: Programme = programmes::table
            .find(code.as_str())
            .select(Programme::as_select())
            .for_update()
            .first(conn)?;
        if let Some(faculty) = viewer.faculty()
            && before.faculty != faculty
        {
            return Err(StorageError::Forbidden(format!(
                "you coordinate faculty {faculty}: programme `{code}` belongs to faculty {}",
                before.faculty
            )));
        }
        if before == wanted {
            return Ok((before, Upserted::Unchanged));
        }
        let after: Programme = diesel::update(programmes::table.find(code.as_str()))
            .set(&wanted)
            .returning(Programme::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "programme.updated",
            "programme",
            &after.code,
            Some(&before),
            Some(&after),
        )?;
        Ok((after, Upserted::Updated))
    })
}
