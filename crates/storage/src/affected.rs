//! Who is affected when a country's advice turns orange or red: every student with an
//! accepted offer, or an approved or held registration, there that is upcoming or under
//! way, with their contacts abroad (SPEC.md, Other activities abroad).

use crate::page::{Cursor, Page};
use crate::{StorageError, Viewer};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use serde::Serialize;
use uuid::Uuid;

/// One stay of an affected student.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize)]
pub struct AffectedStay {
    #[diesel(sql_type = Text)]
    pub student: String,
    #[diesel(sql_type = Text)]
    pub student_name: String,
    #[diesel(sql_type = Text)]
    pub student_email: String,
    #[diesel(sql_type = Text)]
    pub programme: String,
    /// `offer` (an exchange) or `activity` (a registration).
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// The offer's or the activity's id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// The host institution or organisation.
    #[diesel(sql_type = Text)]
    pub host: String,
    #[diesel(sql_type = Text)]
    pub city: String,
    /// `None` for an accepted offer whose dates the student has not entered yet.
    #[diesel(sql_type = Nullable<Date>)]
    pub start_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub end_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub emergency_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub emergency_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub emergency_relation: Option<String>,
}

/// Stays in country `$1` that have not ended by `$2` (today in Amsterdam): accepted
/// offers (one without dates counts: better one call too many) and approved or held
/// registrations; only students of faculty `$3`'s programmes when it is set.
const STAYS: &str = "
SELECT * FROM (
    SELECT a.student, s.name AS student_name, s.email AS student_email, s.programme,
           'offer' AS kind, o.id, i.name AS host, i.city,
           o.stay_start AS start_date, o.stay_end AS end_date,
           o.stay_address AS address, o.stay_phone AS phone,
           o.emergency_name, o.emergency_phone, o.emergency_relation
      FROM offers o
      JOIN applications a ON a.id = o.application_id
      JOIN students s ON s.number = a.student
      JOIN destinations d ON d.id = o.destination_id
      JOIN institutions i ON i.id = d.institution_id
     WHERE o.status = 'accepted' AND i.country = $1
       AND (o.stay_end IS NULL OR o.stay_end >= $2)
    UNION ALL
    SELECT t.student, s.name, s.email, s.programme,
           'activity', t.id, t.host_organisation, t.city,
           t.start_date, t.end_date,
           t.stay_address, t.stay_phone,
           t.emergency_name, t.emergency_phone, t.emergency_relation
      FROM activities t
      JOIN students s ON s.number = t.student
     WHERE t.status IN ('approved', 'held') AND t.country = $1 AND t.end_date >= $2
) stays
WHERE ($3::text IS NULL OR programme IN (SELECT code FROM programmes WHERE faculty = $3))
  AND ($4::text IS NULL OR (student, id) > ($4::text, $5::uuid))
ORDER BY student, id
LIMIT $6";

fn faculty(viewer: &Viewer) -> Option<String> {
    viewer.faculty().map(str::to_owned)
}

/// The affected stays in `country` as of `today`, by student; `limit: None` gives all
/// (the office's phone list as CSV).
pub fn list(
    conn: &mut PgConnection,
    country: &str,
    viewer: &Viewer,
    today: NaiveDate,
    after: Option<Cursor<(String, Uuid)>>,
    limit: Option<i64>,
) -> Result<Page<AffectedStay>, StorageError> {
    // The country itself must exist: an unknown code is 404, like its read.
    crate::countries::get(
        conn,
        &abroad_domain::CountryCode::parse("code", country).map_err(|_| StorageError::NotFound)?,
    )?;
    let (after_student, after_id) = after.map(|c| c.0).unzip();
    let rows: Vec<AffectedStay> = diesel::sql_query(STAYS)
        .bind::<Text, _>(country)
        .bind::<Date, _>(today)
        .bind::<Nullable<Text>, _>(faculty(viewer))
        .bind::<Nullable<Text>, _>(after_student)
        .bind::<Nullable<SqlUuid>, _>(after_id)
        .bind::<Nullable<BigInt>, _>(limit.map(|l| l + 1))
        .load(conn)?;
    Ok(match limit {
        Some(limit) => Page::from_rows(rows, limit, |r| (r.student.clone(), r.id)),
        None => Page {
            items: rows,
            next_cursor: None,
        },
    })
}

/// How many students have a stay in `country` that has not ended by `today`.
pub fn count(
    conn: &mut PgConnection,
    country: &str,
    today: NaiveDate,
) -> Result<u32, StorageError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let counted: Count = diesel::sql_query(format!(
        "SELECT count(DISTINCT student) AS n FROM ({}) affected",
        STAYS.replace("LIMIT $6", "")
    ))
    .bind::<Text, _>(country)
    .bind::<Date, _>(today)
    .bind::<Nullable<Text>, _>(None::<String>)
    .bind::<Nullable<Text>, _>(None::<String>)
    .bind::<Nullable<SqlUuid>, _>(None::<Uuid>)
    .get_result(conn)?;
    u32::try_from(counted.n).map_err(|_| StorageError::Corrupt("a count of students".to_owned()))
}
