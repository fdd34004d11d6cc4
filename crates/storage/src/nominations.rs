//! Nominations: an accepted offer, put to the host institution by the office
//! (`pending → sent → confirmed`), listed per institution for the mail to the host.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::{applications, calls, nominations, offers, students};
use crate::{StorageError, Viewer};
use abroad_domain::{NominationStatus, Semester};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

/// A nomination as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = nominations)]
pub struct NominationRow {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub call_id: Uuid,
    pub institution_id: Uuid,
    pub status: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A nomination with what the host needs to know of the student.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nomination {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub application_id: Uuid,
    pub student: String,
    pub student_name: String,
    pub student_email: String,
    pub institution_id: Uuid,
    pub destination_id: Uuid,
    pub semester: Semester,
    pub call_id: Uuid,
    pub status: NominationStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

type Joined = (NominationRow, Uuid, String, String, String, Uuid, String);

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a nomination's {what}"))
}

fn view(
    (row, application_id, student, student_name, student_email, destination_id, semester): Joined,
) -> Result<Nomination, StorageError> {
    Ok(Nomination {
        id: row.id,
        offer_id: row.offer_id,
        application_id,
        student,
        student_name,
        student_email,
        institution_id: row.institution_id,
        destination_id,
        semester: semester.parse().map_err(|_| corrupt("semester"))?,
        call_id: row.call_id,
        status: row.status.parse().map_err(|_| corrupt("status"))?,
        sent_at: row.sent_at,
        confirmed_at: row.confirmed_at,
        created_at: row.created_at,
    })
}

/// A nomination joined to its offer, application and student, ready for filters.
type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<
            nominations::table,
            diesel::dsl::InnerJoin<
                offers::table,
                diesel::dsl::InnerJoin<applications::table, students::table>,
            >,
        >,
        (
            diesel::dsl::AsSelect<NominationRow, diesel::pg::Pg>,
            applications::id,
            applications::student,
            students::name,
            students::email,
            offers::destination_id,
            offers::semester,
        ),
    >,
    diesel::pg::Pg,
>;

/// The nominations `viewer` may see: the office all, a faculty's coordinator those of
/// its faculty's calls, anyone else none (the API refuses them first).
fn scoped<'a>(viewer: &Viewer) -> Boxed<'a> {
    let query = nominations::table
        .inner_join(offers::table.inner_join(applications::table.inner_join(students::table)))
        .select((
            NominationRow::as_select(),
            applications::id,
            applications::student,
            students::name,
            students::email,
            offers::destination_id,
            offers::semester,
        ))
        .into_boxed();
    match viewer {
        Viewer::Everyone => query,
        Viewer::Faculty(faculty) => query.filter(
            nominations::call_id.eq_any(
                calls::table
                    .filter(calls::faculty.eq(faculty.clone()))
                    .select(calls::id),
            ),
        ),
        Viewer::Student(_) | Viewer::Programmes(_) => {
            query.filter(nominations::id.ne(nominations::id))
        }
    }
}

/// Which nominations a list asks for.
#[derive(Debug, Clone, Default)]
pub struct NominationFilter {
    pub institution_id: Option<Uuid>,
    pub call_id: Option<Uuid>,
    pub status: Option<NominationStatus>,
}

/// The nominations `viewer` may see, oldest first (the order they were made in).
/// `limit: None` gives every one (the CSV export).
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &NominationFilter,
    after: Option<Cursor<(DateTime<Utc>, Uuid)>>,
    limit: Option<i64>,
) -> Result<Page<Nomination>, StorageError> {
    let mut query = scoped(viewer);
    if let Some(institution_id) = filter.institution_id {
        query = query.filter(nominations::institution_id.eq(institution_id));
    }
    if let Some(call_id) = filter.call_id {
        query = query.filter(nominations::call_id.eq(call_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(nominations::status.eq(status.as_str()));
    }
    if let Some(Cursor((created_at, id))) = after {
        query = query.filter(
            nominations::created_at
                .gt(created_at)
                .or(nominations::created_at
                    .eq(created_at)
                    .and(nominations::id.gt(id))),
        );
    }
    query = query.order((nominations::created_at, nominations::id));
    let page = match limit {
        Some(limit) => {
            let rows: Vec<Joined> = query.limit(limit + 1).load(conn)?;
            Page::from_rows(rows, limit, |(n, ..)| (n.created_at, n.id))
        }
        None => Page {
            items: query.load(conn)?,
            next_cursor: None,
        },
    };
    Ok(Page {
        items: page.items.into_iter().map(view).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// One nomination `viewer` may see.
pub fn get(conn: &mut PgConnection, id: Uuid, viewer: &Viewer) -> Result<Nomination, StorageError> {
    view(scoped(viewer).filter(nominations::id.eq(id)).first(conn)?)
}

/// `pending → sent` or `sent → confirmed`, by a coordinator who manages the call.
pub fn step(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    to: NominationStatus,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Nomination, StorageError> {
    conn.transaction(|conn| {
        // Visibility first, then the row lock.
        get(conn, id, viewer)?;
        let before: NominationRow = nominations::table
            .find(id)
            .select(NominationRow::as_select())
            .for_update()
            .first(conn)?;
        let from: NominationStatus = before.status.parse().map_err(|_| corrupt("status"))?;
        from.step(to).map_err(StorageError::State)?;
        let at = clock();
        let after: NominationRow = match to {
            NominationStatus::Sent => diesel::update(nominations::table.find(id))
                .set((
                    nominations::status.eq(to.as_str()),
                    nominations::sent_at.eq(at),
                    nominations::updated_at.eq(now),
                ))
                .returning(NominationRow::as_returning())
                .get_result(conn)?,
            _ => diesel::update(nominations::table.find(id))
                .set((
                    nominations::status.eq(to.as_str()),
                    nominations::confirmed_at.eq(at),
                    nominations::updated_at.eq(now),
                ))
                .returning(NominationRow::as_returning())
                .get_result(conn)?,
        };
        audit::record(
            conn,
            actor,
            &format!("nomination.{to}"),
            "nomination",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        get(conn, id, viewer)
    })
}
