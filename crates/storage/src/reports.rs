//! Student reports (SPEC.md, Student reports): written by a student with a real stay
//! abroad, published or rejected once by a coordinator, and searchable by everyone
//! once published.
//!
//! Who sees what is written into the queries ([`visible_to`]): everyone the published
//! reports, a student also their own in any status, coordinators (the office and every
//! faculty's: they share the moderation) all of them. A report's author, the reason
//! for a rejection and who decided are shown only to those who may see the report
//! whole ([`Report`]).
//!
//! Free text uses the `tsvector` the database keeps from the title (weight A) and the
//! text (weight B), with the catalogue's prefix query: each word the start of a word,
//! accents ignored. A search is ranked by `ts_rank`, which depends on the report and
//! the query alone (not on other rows), so a page's last (rank, id) is a keyset
//! cursor as exact as a date: the rank travels as its `f32` bits, never as a decimal.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page, PageKey};
use crate::schema::{
    activities, applications, countries, institutions, offers, programmes, reports,
};
use crate::{StorageError, Viewer};
use abroad_domain::{
    ActivityStatus, CountryCode, FacultyCode, OfferStatus, ReportActivity, ReportDraft,
    ReportStatus, Violation,
};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Float4, Text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `'karol':* & 'stock':*`, a `tsquery` from an array of words bound between these two
/// halves: every word must match the start of a word in the text.
/// Each word is quoted as a tsquery lexeme after `unaccent`, which can
/// turn a letter into tsquery syntax (`⑴` into `(1)`, `ː` into `:`): quoted, it stays
/// a word.
const PREFIX_QUERY_HEAD: &str = r#"(SELECT to_tsquery('simple', string_agg('''' || replace(replace(public.unaccent(w), '\', '\\'), '''', '''''') || ''':*', ' & ')) FROM unnest("#;
const PREFIX_QUERY_TAIL: &str = ") AS w)";

/// A report as stored (and as the audit log records it).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: Uuid,
    pub student: String,
    pub country: String,
    pub institution_id: Option<Uuid>,
    pub faculty: Option<String>,
    pub activity: String,
    pub period: String,
    pub title: String,
    pub body: String,
    pub status: String,
    pub reject_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A report as one reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub id: Uuid,
    /// The author's student number: for the author and coordinators, `None` for others.
    pub student: Option<String>,
    pub country: String,
    pub institution_id: Option<Uuid>,
    pub faculty: Option<String>,
    pub activity: ReportActivity,
    pub period: String,
    pub title: String,
    pub body: String,
    pub status: ReportStatus,
    /// Why it was rejected: for the author and coordinators.
    pub reject_reason: Option<String>,
    /// Which coordinator decided: for coordinators.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In a search: the text around the matches, HTML-escaped, matches in `<mark>`.
    pub snippet: Option<String>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a report's {what}"))
}

/// Coordinators, the office's and every faculty's, read and moderate every report.
fn moderates(viewer: &Viewer) -> bool {
    matches!(viewer, Viewer::Everyone | Viewer::Faculty(_))
}

fn view(row: ReportRow, viewer: &Viewer, snippet: Option<String>) -> Result<Report, StorageError> {
    let coordinator = moderates(viewer);
    let whole = coordinator || matches!(viewer, Viewer::Student(n) if *n == row.student);
    Ok(Report {
        id: row.id,
        activity: row.activity.parse().map_err(|_| corrupt("activity"))?,
        status: row.status.parse().map_err(|_| corrupt("status"))?,
        student: whole.then_some(row.student),
        country: row.country,
        institution_id: row.institution_id,
        faculty: row.faculty,
        period: row.period,
        title: row.title,
        body: row.body,
        reject_reason: row.reject_reason.filter(|_| whole),
        decided_by: row.decided_by.filter(|_| coordinator),
        decided_at: row.decided_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        snippet,
    })
}

type Condition = Box<dyn BoxableExpression<reports::table, Pg, SqlType = Bool>>;

/// The reports `viewer` may see: published ones for everyone, a student's own in any
/// status, all of them for coordinators.
fn visible_to(viewer: &Viewer) -> Condition {
    let published = reports::status.eq(ReportStatus::Published.as_str());
    match viewer {
        Viewer::Everyone | Viewer::Faculty(_) => Box::new(sql::<Bool>("true")),
        Viewer::Student(number) => Box::new(published.or(reports::student.eq(number.clone()))),
        Viewer::Programmes(_) => Box::new(published),
    }
}

/// One report `viewer` may see; any other is `NotFound`.
pub fn get(conn: &mut PgConnection, id: Uuid, viewer: &Viewer) -> Result<Report, StorageError> {
    let row: ReportRow = reports::table
        .filter(reports::id.eq(id))
        .filter(visible_to(viewer))
        .select(ReportRow::as_select())
        .first(conn)?;
    view(row, viewer, None)
}

/// Which reports a list asks for; the filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub country: Option<CountryCode>,
    pub faculty: Option<FacultyCode>,
    pub activity: Option<ReportActivity>,
    pub institution_id: Option<Uuid>,
    /// Within what the viewer sees: for a student, `submitted` or `rejected` means
    /// their own of that status.
    pub status: Option<ReportStatus>,
    /// Words, each matched as the start of a word in the title or text, accents
    /// ignored; the list is then ranked by relevance. No word at all finds nothing.
    pub q: Option<Vec<String>>,
}

/// Where the next page of a list starts. Each order has its own key, so a cursor of
/// one is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKey {
    /// Newest first: the last item's creation and id.
    Newest(DateTime<Utc>, Uuid),
    /// Best match first: the last item's rank (the bits of its `f32`) and id.
    Ranked(u32, Uuid),
}

impl PageKey for ReportKey {
    fn plausible(&self) -> bool {
        match self {
            ReportKey::Newest(at, _) => at.plausible(),
            ReportKey::Ranked(bits, _) => {
                let rank = f32::from_bits(*bits);
                rank.is_finite() && rank >= 0.0
            }
        }
    }
}

fn wrong_cursor(what: &str) -> StorageError {
    StorageError::Invalid(vec![Violation::new(
        "cursor",
        "unknown_cursor",
        format!(
            "`cursor` comes from a list {what}; a cursor continues the list it came from, \
             with the same `q`"
        ),
    )])
}

/// `ts_rank` of a report for the words' prefix query: real, higher is better.
fn rank(words: &[String]) -> Box<dyn BoxableExpression<reports::table, Pg, SqlType = Float4>> {
    Box::new(
        sql::<Float4>("ts_rank(reports.search, ")
            .sql(PREFIX_QUERY_HEAD)
            .bind::<Array<Text>, _>(words.to_vec())
            .sql(PREFIX_QUERY_TAIL)
            .sql(")"),
    )
}

/// Up to two fragments of the text around the matches. The text is HTML-escaped
/// first, so the only markup in a snippet is the `<mark>` around each match; the
/// `abroad_unaccent` configuration compares words without accents, as the search does,
/// while showing them as written.
fn snippet(words: &[String]) -> Box<dyn BoxableExpression<reports::table, Pg, SqlType = Text>> {
    Box::new(
        sql::<Text>(
            "ts_headline('public.abroad_unaccent', \
             replace(replace(replace(reports.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), ",
        )
        .sql(PREFIX_QUERY_HEAD)
        .bind::<Array<Text>, _>(words.to_vec())
        .sql(PREFIX_QUERY_TAIL)
        .sql(", 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MinWords=5, MaxWords=20')"),
    )
}

/// The reports `viewer` may see that `filter` asks for: newest first, or with `q`
/// best match first (ties newest id first), each with its snippet.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &ReportFilter,
    after: Option<Cursor<ReportKey>>,
    limit: i64,
) -> Result<Page<Report>, StorageError> {
    let mut query = reports::table.filter(visible_to(viewer)).into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(reports::country.eq(country.as_str().to_owned()));
    }
    if let Some(faculty) = &filter.faculty {
        query = query.filter(reports::faculty.eq(faculty.as_str().to_owned()));
    }
    if let Some(activity) = filter.activity {
        query = query.filter(reports::activity.eq(activity.as_str()));
    }
    if let Some(institution_id) = filter.institution_id {
        query = query.filter(reports::institution_id.eq(institution_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(reports::status.eq(status.as_str()));
    }
    let Some(words) = &filter.q else {
        match after.map(|Cursor(key)| key) {
            None => {}
            Some(ReportKey::Newest(created_at, id)) => {
                query = query.filter(
                    reports::created_at
                        .lt(created_at)
                        .or(reports::created_at.eq(created_at).and(reports::id.lt(id))),
                );
            }
            Some(ReportKey::Ranked(..)) => return Err(wrong_cursor("searched with `q`")),
        }
        let rows: Vec<ReportRow> = query
            .select(ReportRow::as_select())
            .order((reports::created_at.desc(), reports::id.desc()))
            .limit(limit + 1)
            .load(conn)?;
        let page = Page::from_rows(rows, limit, |r| ReportKey::Newest(r.created_at, r.id));
        return Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|row| view(row, viewer, None))
                .collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        });
    };
    if words.is_empty() {
        // Free text with no word in it finds nothing.
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    query = query.filter(
        sql::<Bool>("reports.search @@ ")
            .sql(PREFIX_QUERY_HEAD)
            .bind::<Array<Text>, _>(words.clone())
            .sql(PREFIX_QUERY_TAIL),
    );
    match after.map(|Cursor(key)| key) {
        None => {}
        Some(ReportKey::Ranked(bits, id)) => {
            let last = f32::from_bits(bits);
            query = query.filter(
                rank(words)
                    .lt(last)
                    .or(rank(words).eq(last).and(reports::id.lt(id))),
            );
        }
        Some(ReportKey::Newest(..)) => return Err(wrong_cursor("without `q`")),
    }
    let rows: Vec<(ReportRow, f32, String)> = query
        .select((ReportRow::as_select(), rank(words), snippet(words)))
        .order((rank(words).desc(), reports::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |(r, rank, _)| {
        ReportKey::Ranked(rank.to_bits(), r.id)
    });
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(row, _, snippet)| view(row, viewer, Some(snippet)))
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// A report tells of a real stay: its author must hold an accepted offer or an
/// approved activity abroad; otherwise `Forbidden`.
pub fn require_real_stay(conn: &mut PgConnection, student: &str) -> Result<(), StorageError> {
    let accepted_offer = exists(
        offers::table
            .inner_join(applications::table)
            .filter(applications::student.eq(student.to_owned()))
            .filter(offers::status.eq(OfferStatus::Accepted.as_str())),
    );
    let approved_activity = exists(
        activities::table
            .filter(activities::student.eq(student.to_owned()))
            .filter(activities::status.eq(ActivityStatus::Approved.as_str())),
    );
    let stayed: bool = diesel::select(accepted_offer.or(approved_activity)).get_result(conn)?;
    if stayed {
        Ok(())
    } else {
        Err(StorageError::Forbidden(
            "a report tells of a real stay abroad: only a student with an accepted offer or an \
             approved activity writes one"
                .to_owned(),
        ))
    }
}

/// The country must be in the catalogue, the institution exist and lie in that
/// country, and the faculty be one a programme belongs to; every violation at once.
fn require_references(conn: &mut PgConnection, draft: &ReportDraft) -> Result<(), StorageError> {
    let mut violations = Vec::new();
    let country = draft.country.as_str();
    let country_known: bool =
        diesel::select(exists(countries::table.find(country))).get_result(conn)?;
    if !country_known {
        violations.push(Violation::new(
            "country",
            "unknown_country",
            format!("`{country}` is not in the catalogue; write the country of the stay"),
        ));
    }
    if let Some(id) = draft.institution_id {
        let lies_in: Option<String> = institutions::table
            .find(id)
            .select(institutions::country)
            .first(conn)
            .optional()?;
        match lies_in {
            None => violations.push(Violation::new(
                "institution_id",
                "unknown_institution",
                format!(
                    "there is no institution {id}; leave `institution_id` out if it is not listed"
                ),
            )),
            Some(elsewhere) if elsewhere != country => violations.push(Violation::new(
                "institution_id",
                "institution_in_other_country",
                format!("institution {id} is in {elsewhere}, not in {country}"),
            )),
            Some(_) => {}
        }
    }
    if let Some(faculty) = &draft.faculty {
        let known: bool = diesel::select(exists(
            programmes::table.filter(programmes::faculty.eq(faculty.as_str().to_owned())),
        ))
        .get_result(conn)?;
        if !known {
            violations.push(Violation::new(
                "faculty",
                "unknown_faculty",
                format!("no programme belongs to a faculty `{faculty}`"),
            ));
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid(violations))
    }
}

/// Stores `author`'s new report, `submitted`, and audits it, in one transaction. Only
/// a student with a real stay writes one ([`require_real_stay`]); an unknown country,
/// institution or faculty is `Invalid`.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    author: &str,
    draft: &ReportDraft,
) -> Result<Report, StorageError> {
    conn.transaction(|conn| {
        require_real_stay(conn, author)?;
        require_references(conn, draft)?;
        let created: ReportRow = diesel::insert_into(reports::table)
            .values((
                reports::student.eq(author),
                reports::country.eq(draft.country.as_str()),
                reports::institution_id.eq(draft.institution_id),
                reports::faculty.eq(draft.faculty.as_ref().map(FacultyCode::as_str)),
                reports::activity.eq(draft.activity.as_str()),
                reports::period.eq(&draft.period),
                reports::title.eq(&draft.title),
                reports::body.eq(&draft.body),
            ))
            .returning(ReportRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "report.created",
            "report",
            &created.id.to_string(),
            None::<&()>,
            Some(&created),
        )?;
        view(created, &Viewer::Student(author.to_owned()), None)
    })
}

/// A coordinator's decision on a submitted report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Publish,
    /// With the reason the author reads.
    Reject(String),
}

/// Publishes or rejects a submitted report, once: a report `viewer` may not see is
/// `NotFound`, one it sees but does not moderate `Forbidden`, one decided already a
/// `State` conflict. The status condition under the row lock settles two decisions
/// at once: the second finds the first's.
pub fn decide(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    decision: &Decision,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Report, StorageError> {
    conn.transaction(|conn| {
        // Visibility first, then the role, then the row lock.
        get(conn, id, viewer)?;
        if !moderates(viewer) {
            return Err(StorageError::Forbidden(
                "only coordinators publish or reject reports".to_owned(),
            ));
        }
        let before: ReportRow = reports::table
            .find(id)
            .select(ReportRow::as_select())
            .for_update()
            .first(conn)?;
        let (to, reason) = match decision {
            Decision::Publish => (ReportStatus::Published, None),
            Decision::Reject(reason) => (ReportStatus::Rejected, Some(reason.as_str())),
        };
        let from: ReportStatus = before.status.parse().map_err(|_| corrupt("status"))?;
        from.decide(to).map_err(StorageError::State)?;
        let at = clock();
        let after: ReportRow = diesel::update(
            reports::table
                .filter(reports::id.eq(id))
                .filter(reports::status.eq(ReportStatus::Submitted.as_str())),
        )
        .set((
            reports::status.eq(to.as_str()),
            reports::reject_reason.eq(reason),
            reports::decided_by.eq(&actor.sub),
            reports::decided_at.eq(at),
            reports::updated_at.eq(now),
        ))
        .returning(ReportRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| {
            StorageError::State("the report changed meanwhile; read it again".to_owned())
        })?;
        audit::record(
            conn,
            actor,
            &format!("report.{to}"),
            "report",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        view(after, viewer, None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_keep_the_rank_exactly_and_refuse_impossible_ones() {
        let id = Uuid::nil();
        for rank in [0.0_f32, 0.060_792_71, 0.1, 1.0e-20, 0.999_999_9] {
            let raw = Cursor::encode(&ReportKey::Ranked(rank.to_bits(), id));
            let Cursor(key) = Cursor::<ReportKey>::decode(&raw).unwrap();
            assert_eq!(key, ReportKey::Ranked(rank.to_bits(), id));
        }
        for impossible in [f32::NAN, f32::INFINITY, -0.5] {
            let raw = Cursor::encode(&ReportKey::Ranked(impossible.to_bits(), id));
            assert!(Cursor::<ReportKey>::decode(&raw).is_err());
        }
        let newest = Cursor::encode(&ReportKey::Newest(Utc::now(), id));
        assert!(Cursor::<ReportKey>::decode(&newest).is_ok());
    }
}
