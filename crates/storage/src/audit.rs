//! The audit log: who changed what, when, from what to what.

use crate::page::{Cursor, Page};
use crate::schema::audit_log;
use crate::{StorageError, Viewer};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::Serialize;

/// Who is making a change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's `sub` (a student number, a staff id), or `system:…` for the command line.
    pub sub: String,
    /// `student`, `programme`, `coordinator`, or `system`.
    pub role: String,
    /// The request the change came in with, to find its log lines.
    pub request_id: Option<String>,
}

impl Actor {
    /// The command line itself, e.g. `abroad seed-demo`.
    pub fn system(name: &str) -> Self {
        Self {
            sub: format!("system:{name}"),
            role: "system".to_owned(),
            request_id: None,
        }
    }
}

/// One stored audit entry.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    actor: &'a str,
    role: &'a str,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: Option<&'a str>,
}

/// Records a change; call it inside the transaction that makes the change.
pub fn record<B: Serialize, A: Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<(), StorageError> {
    // The records are plain structs of strings, numbers and dates: they always serialise.
    let before = before.map(|b| serde_json::to_value(b).unwrap_or_default());
    let after = after.map(|a| serde_json::to_value(a).unwrap_or_default());
    diesel::insert_into(audit_log::table)
        .values(NewEntry {
            actor: &actor.sub,
            role: &actor.role,
            action,
            entity_type,
            entity_id,
            before,
            after,
            request_id: actor.request_id.as_deref(),
        })
        .execute(conn)?;
    Ok(())
}

/// One object's change among many recorded at once.
#[derive(Debug)]
pub struct Change<'a, T> {
    pub entity_id: String,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

/// Records the same action on many objects in one statement (the expiry task's batch),
/// inside the transaction that makes the changes.
pub fn record_many<T: Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    changes: &[Change<'_, T>],
) -> Result<(), StorageError> {
    let rows: Vec<NewEntry<'_>> = changes
        .iter()
        .map(|c| NewEntry {
            actor: &actor.sub,
            role: &actor.role,
            action,
            entity_type,
            entity_id: &c.entity_id,
            before: c
                .before
                .map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: c.after.map(|a| serde_json::to_value(a).unwrap_or_default()),
            request_id: actor.request_id.as_deref(),
        })
        .collect();
    // Eight values a row: well inside PostgreSQL's 65,535 parameters per statement.
    for chunk in rows.chunks(4_000) {
        diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

/// Which entries a coordinator asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

/// A UUID as the audit log stores entity ids, so that a lookup by id can use the
/// primary key (the cast runs only on text of that shape).
const AS_UUID: &str = "CASE WHEN audit_log.entity_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN audit_log.entity_id::uuid END";

/// The entries a faculty's coordinator may read: those of objects it may see
/// (SPEC.md, "Faculty scope, exactly"). Countries, programmes and institutions are
/// public; destinations while active or owned by the faculty; calls while published
/// or the faculty's; applications, offers and nominations in the faculty's calls;
/// students, and their activities, of its programmes; reports (every coordinator
/// moderates them).
fn faculty_sees(faculty: &str) -> Box<dyn BoxableExpression<audit_log::table, Pg, SqlType = Bool>> {
    Box::new(
        sql::<Bool>("(audit_log.entity_type IN ('country', 'programme', 'institution', 'report')")
            .sql(" OR (audit_log.entity_type = 'destination' AND EXISTS (SELECT 1 FROM destinations d WHERE d.id = ")
            .sql(AS_UUID)
            .sql(" AND (NOT d.archived OR d.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql(")))")
            .sql(" OR (audit_log.entity_type = 'call' AND EXISTS (SELECT 1 FROM calls c WHERE c.id = ")
            .sql(AS_UUID)
            .sql(" AND (c.status <> 'draft' OR c.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql(")))")
            .sql(" OR (audit_log.entity_type = 'application' AND EXISTS (SELECT 1 FROM applications a JOIN calls c ON c.id = a.call_id WHERE a.id = ")
            .sql(AS_UUID)
            .sql(" AND c.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql("))")
            .sql(" OR (audit_log.entity_type = 'offer' AND EXISTS (SELECT 1 FROM offers o JOIN calls c ON c.id = o.call_id WHERE o.id = ")
            .sql(AS_UUID)
            .sql(" AND c.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql("))")
            .sql(" OR (audit_log.entity_type = 'nomination' AND EXISTS (SELECT 1 FROM nominations n JOIN calls c ON c.id = n.call_id WHERE n.id = ")
            .sql(AS_UUID)
            .sql(" AND c.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql("))")
            .sql(" OR (audit_log.entity_type = 'activity' AND EXISTS (SELECT 1 FROM activities a JOIN programmes p ON p.code = a.programme WHERE a.id = ")
            .sql(AS_UUID)
            .sql(" AND p.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql("))")
            .sql(" OR (audit_log.entity_type = 'student' AND EXISTS (SELECT 1 FROM students s JOIN programmes p ON p.code = s.programme WHERE s.number = audit_log.entity_id AND p.faculty = ")
            .bind::<Text, _>(faculty.to_owned())
            .sql(")))"),
    )
}

/// The entries `viewer` may read, newest first; the cursor is the last entry's id.
/// Only coordinators read the log: anyone else finds nothing.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &AuditFilter,
    after: Option<Cursor<i64>>,
    limit: i64,
) -> Result<Page<AuditEntry>, StorageError> {
    let mut query = audit_log::table
        .select(AuditEntry::as_select())
        .into_boxed();
    match viewer {
        Viewer::Everyone => {}
        Viewer::Faculty(faculty) => query = query.filter(faculty_sees(faculty)),
        Viewer::Student(_) | Viewer::Programmes(_) => query = query.filter(sql::<Bool>("false")),
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_log::entity_type.eq(entity_type));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(entity_id));
    }
    if let Some(Cursor(last_id)) = after {
        query = query.filter(audit_log::id.lt(last_id));
    }
    let rows = query
        .order(audit_log::id.desc())
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |entry| entry.id))
}
