//! What a draw came to: each application's rank, placement and offer (the office's
//! results list), and the places each slot still has (for the second round).

use crate::page::{Cursor, Page};
use crate::{StorageError, Viewer};
use abroad_domain::{OfferStatus, Semester};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One application of the draw, with its student and its offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub application_id: Uuid,
    pub student: String,
    pub student_name: String,
    pub rank: u32,
    pub destination_id: Option<Uuid>,
    pub semester: Option<Semester>,
    /// As of the moment of reading; `None` when unplaced.
    pub offer_status: Option<OfferStatus>,
}

#[derive(QueryableByName)]
struct ResultSql {
    #[diesel(sql_type = SqlUuid)]
    application_id: Uuid,
    #[diesel(sql_type = Text)]
    student: String,
    #[diesel(sql_type = Text)]
    student_name: String,
    #[diesel(sql_type = Integer)]
    rank: i32,
    /// 1-based, within the slice.
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    placed_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    destination_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    semester: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    offer_status: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expires_at: Option<DateTime<Utc>>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a draw's {what}"))
}

/// A slice of the ranking and placements as published, by position, joined to
/// students and offers. The published lists are in ranking order and line up
/// (`ranking[i].rank = i + 1`, `placements[i]` the same application: `abroad_domain::
/// draw::Draw`), so a page is a slice taken with one read of each list (`$2` to `$3`,
/// 0-based), zipped, not a join of two 100,000-element lists (which took minutes).
const RESULTS: &str = "
WITH d AS (
    SELECT jsonb_path_query_array(ranking, '$[$from to $to]', jsonb_build_object('from', $2, 'to', $3)) AS ranking,
           jsonb_path_query_array(placements, '$[$from to $to]', jsonb_build_object('from', $2, 'to', $3)) AS placements
      FROM draws
     WHERE call_id = $1
)
SELECT (x.r->>'application_id')::uuid AS application_id, a.student, s.name AS student_name,
       (x.r->>'rank')::int AS rank, x.ord::int AS position,
       (x.p->>'application_id')::uuid AS placed_id,
       (x.p->>'destination_id')::uuid AS destination_id, x.p->>'semester' AS semester,
       o.status AS offer_status, o.expires_at
  FROM d, ROWS FROM (jsonb_array_elements(d.ranking), jsonb_array_elements(d.placements))
          WITH ORDINALITY AS x(r, p, ord)
  JOIN applications a ON a.id = (x.r->>'application_id')::uuid
  JOIN students s ON s.number = a.student
  LEFT JOIN offers o ON o.application_id = a.id
 ORDER BY x.ord";

/// The results of a drawn call its coordinators manage, by rank; `limit: None` gives
/// them all (the CSV export). `NotFound` before the draw, and for a call the viewer
/// does not manage.
pub fn results(
    conn: &mut PgConnection,
    call_id: Uuid,
    viewer: &Viewer,
    at: DateTime<Utc>,
    after: Option<Cursor<i32>>,
    limit: Option<i64>,
) -> Result<Page<ResultRow>, StorageError> {
    // Another faculty's coordinator sees the call but not its applications and offers:
    // to it these results are not there (SPEC.md, "Faculty scope, exactly").
    match crate::calls::managed(conn, call_id, viewer) {
        Err(StorageError::Forbidden(_)) => return Err(StorageError::NotFound),
        other => other?,
    };
    crate::schema::draws::table
        .find(call_id)
        .select(crate::schema::draws::call_id)
        .first::<Uuid>(conn)?;
    // Ranks are positions + 1: the page after rank k starts at position k.
    let from = i64::from(after.map_or(0, |Cursor(rank)| rank.max(0)));
    let to = limit.map_or(i64::from(i32::MAX), |l| from + l);
    let rows: Vec<ResultSql> = diesel::sql_query(RESULTS)
        .bind::<SqlUuid, _>(call_id)
        .bind::<BigInt, _>(from)
        .bind::<BigInt, _>(to)
        .load(conn)?;
    // What the slice relies on, checked: a record that does not line up is not
    // answered from.
    for r in &rows {
        if i64::from(r.rank) != from + i64::from(r.position)
            || r.placed_id != Some(r.application_id)
        {
            return Err(corrupt("ranking and placements"));
        }
    }
    let page = match limit {
        Some(limit) => Page::from_rows(rows, limit, |r| r.rank),
        None => Page {
            items: rows,
            next_cursor: None,
        },
    };
    let items = page
        .items
        .into_iter()
        .map(|r| {
            let offer_status = match (r.offer_status, r.expires_at) {
                (Some(status), Some(expires_at)) => Some(
                    status
                        .parse::<OfferStatus>()
                        .map_err(|_| corrupt("offer status"))?
                        .as_of(expires_at, at),
                ),
                _ => None,
            };
            Ok(ResultRow {
                application_id: r.application_id,
                student: r.student,
                student_name: r.student_name,
                rank: u32::try_from(r.rank).map_err(|_| corrupt("rank"))?,
                destination_id: r.destination_id,
                semester: r
                    .semester
                    .map(|s| s.parse().map_err(|_| corrupt("semester")))
                    .transpose()?,
                offer_status,
            })
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// A slot's places and what is taken of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remaining {
    pub destination_id: Uuid,
    pub semester: Semester,
    pub places: u32,
    pub accepted: u32,
    pub pending: u32,
    /// Under negative travel advice: at the draw, or now.
    pub blocked: bool,
    /// `places − accepted − pending`, and 0 for a blocked slot.
    pub free: u32,
}

#[derive(QueryableByName)]
struct RemainingSql {
    #[diesel(sql_type = SqlUuid)]
    destination_id: Uuid,
    #[diesel(sql_type = Text)]
    semester: String,
    #[diesel(sql_type = Integer)]
    places: i32,
    #[diesel(sql_type = BigInt)]
    accepted: i64,
    #[diesel(sql_type = BigInt)]
    pending: i64,
    #[diesel(sql_type = Bool)]
    blocked: bool,
}

/// Each slot's places, accepted and pending offers (pending as of `$2`), and whether it
/// is blocked: at the draw (the published record says so) or by the advice now.
const REMAINING: &str = "
WITH blocked AS (
    SELECT (s->>'destination_id')::uuid AS destination_id, s->>'semester' AS semester
      FROM draws d, jsonb_array_elements(d.inputs->'slots') s
     WHERE d.call_id = $1 AND (s->>'blocked')::boolean
), taken AS (
    SELECT destination_id, semester,
           count(*) FILTER (WHERE status = 'accepted') AS accepted,
           count(*) FILTER (WHERE status = 'pending' AND expires_at > $2) AS pending
      FROM offers
     WHERE call_id = $1
     GROUP BY destination_id, semester
)
SELECT p.destination_id, p.semester, p.places,
       coalesce(t.accepted, 0) AS accepted, coalesce(t.pending, 0) AS pending,
       (b.destination_id IS NOT NULL OR c.advice IN ('orange', 'red')) AS blocked
  FROM call_places p
  JOIN destinations d ON d.id = p.destination_id
  JOIN institutions i ON i.id = d.institution_id
  JOIN countries c ON c.code = i.country
  LEFT JOIN taken t ON t.destination_id = p.destination_id AND t.semester = p.semester
  LEFT JOIN blocked b ON b.destination_id = p.destination_id AND b.semester = p.semester
 WHERE p.call_id = $1
   AND ($3::uuid IS NULL OR (p.destination_id, p.semester) > ($3::uuid, $4::text))
 ORDER BY p.destination_id, p.semester
 LIMIT $5";

fn remaining_rows(
    conn: &mut PgConnection,
    call_id: Uuid,
    at: DateTime<Utc>,
    after: Option<(Uuid, String)>,
    limit: Option<i64>,
) -> Result<Vec<Remaining>, StorageError> {
    let (after_id, after_semester) = after.unzip();
    let rows: Vec<RemainingSql> = diesel::sql_query(REMAINING)
        .bind::<SqlUuid, _>(call_id)
        .bind::<Timestamptz, _>(at)
        .bind::<Nullable<SqlUuid>, _>(after_id)
        .bind::<Nullable<Text>, _>(after_semester)
        .bind::<Nullable<BigInt>, _>(limit)
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let count = |n: i64| u32::try_from(n).map_err(|_| corrupt("offer count"));
            let (places, accepted, pending) = (
                u32::try_from(r.places).map_err(|_| corrupt("places"))?,
                count(r.accepted)?,
                count(r.pending)?,
            );
            Ok(Remaining {
                destination_id: r.destination_id,
                semester: r.semester.parse().map_err(|_| corrupt("semester"))?,
                places,
                accepted,
                pending,
                blocked: r.blocked,
                free: if r.blocked {
                    0
                } else {
                    places.saturating_sub(accepted + pending)
                },
            })
        })
        .collect()
}

/// The places left at each slot of a call `viewer` may see, as of `at`.
pub fn remaining(
    conn: &mut PgConnection,
    call_id: Uuid,
    viewer: &Viewer,
    at: DateTime<Utc>,
    after: Option<Cursor<(Uuid, String)>>,
    limit: i64,
) -> Result<Page<Remaining>, StorageError> {
    crate::calls::get_visible(conn, call_id, viewer)?;
    let rows = remaining_rows(conn, call_id, at, after.map(|c| c.0), Some(limit + 1))?;
    Ok(Page::from_rows(rows, limit, |r| {
        (r.destination_id, r.semester.as_str().to_owned())
    }))
}

/// What a second round may offer at each slot: its first round's free places as of
/// `at` (SPEC.md, Calls). A slot the first round did not offer has none.
pub(crate) fn leftovers(
    conn: &mut PgConnection,
    parent_id: Uuid,
    at: DateTime<Utc>,
) -> Result<HashMap<(Uuid, Semester), u32>, StorageError> {
    Ok(remaining_rows(conn, parent_id, at, None, None)?
        .into_iter()
        .map(|r| ((r.destination_id, r.semester), r.free))
        .collect())
}
