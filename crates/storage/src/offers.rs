//! Offers: one per placement of a draw, answered by the student before it expires.
//!
//! Every transition is a conditional update on a locked row, in one transaction with
//! its audit entry (and, on acceptance, the nomination): of two answers at once the
//! second finds the first's result, and the expiry task never touches an offer an
//! answer holds.
//!
//! An offer whose `expires_at` has passed is expired for every reader and every
//! answer even before the expiry task has written it: [`OfferStatus::as_of`].

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::{
    applications, calls, countries, destinations, institutions, nominations, offers,
};
use crate::{StorageError, Viewer};
use abroad_domain::offer::Stay;
use abroad_domain::{OfferStatus, Semester, TravelAdvice};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

/// An offer as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    pub id: Uuid,
    pub call_id: Uuid,
    pub application_id: Uuid,
    pub destination_id: Uuid,
    pub semester: String,
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub stay_start: Option<NaiveDate>,
    pub stay_end: Option<NaiveDate>,
    pub stay_address: Option<String>,
    pub stay_phone: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub emergency_relation: Option<String>,
    pub stay_updated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An offer as its readers see it: its status as of the moment of reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub id: Uuid,
    pub call_id: Uuid,
    pub application_id: Uuid,
    pub student: String,
    pub destination_id: Uuid,
    pub semester: Semester,
    pub status: OfferStatus,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Once accepted and entered by the student.
    pub stay: Option<Stay>,
    pub created_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("an offer's {what}"))
}

impl OfferRow {
    fn stored_status(&self) -> Result<OfferStatus, StorageError> {
        self.status.parse().map_err(|_| corrupt("status"))
    }

    /// The status as of `at` ([`OfferStatus::as_of`]).
    pub fn status_at(&self, at: DateTime<Utc>) -> Result<OfferStatus, StorageError> {
        Ok(self.stored_status()?.as_of(self.expires_at, at))
    }

    fn stay(&self) -> Option<Stay> {
        Some(Stay {
            start_date: self.stay_start?,
            end_date: self.stay_end?,
            address: self.stay_address.clone()?,
            phone: self.stay_phone.clone()?,
            emergency_contact: abroad_domain::offer::EmergencyContact {
                name: self.emergency_name.clone()?,
                phone: self.emergency_phone.clone()?,
                relation: self.emergency_relation.clone()?,
            },
        })
    }

    fn view(self, student: String, at: DateTime<Utc>) -> Result<Offer, StorageError> {
        Ok(Offer {
            status: self.status_at(at)?,
            semester: self.semester.parse().map_err(|_| corrupt("semester"))?,
            stay: self.stay(),
            id: self.id,
            call_id: self.call_id,
            application_id: self.application_id,
            student,
            destination_id: self.destination_id,
            expires_at: self.expires_at,
            answered_at: self.answered_at,
            created_at: self.created_at,
        })
    }
}

type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<offers::table, applications::table>,
        (
            diesel::dsl::AsSelect<OfferRow, diesel::pg::Pg>,
            applications::student,
        ),
    >,
    diesel::pg::Pg,
>;

/// The offers `viewer` may see (SPEC.md, "Faculty scope, exactly"): a student their
/// own, a faculty's coordinator those of its faculty's calls, the office all. A
/// programme's contact sees none here: offers are the student's and the office's.
fn scoped<'a>(viewer: &Viewer) -> Boxed<'a> {
    let query = offers::table
        .inner_join(applications::table)
        .select((OfferRow::as_select(), applications::student))
        .into_boxed();
    match viewer {
        Viewer::Everyone => query,
        Viewer::Student(number) => query.filter(applications::student.eq(number.clone())),
        Viewer::Faculty(faculty) => query.filter(
            offers::call_id.eq_any(
                calls::table
                    .filter(calls::faculty.eq(faculty.clone()))
                    .select(calls::id),
            ),
        ),
        Viewer::Programmes(_) => query.filter(offers::id.ne(offers::id)),
    }
}

/// One offer `viewer` may see, as of `at`.
pub fn get(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
    at: DateTime<Utc>,
) -> Result<Offer, StorageError> {
    let (row, student): (OfferRow, String) =
        scoped(viewer).filter(offers::id.eq(id)).first(conn)?;
    row.view(student, at)
}

/// Which offers a list asks for.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub call_id: Option<Uuid>,
    pub status: Option<OfferStatus>,
}

/// The offers `viewer` may see, newest first, each as of `at`; a status filter asks for
/// the status as of `at` too.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &OfferFilter,
    at: DateTime<Utc>,
    after: Option<Cursor<(DateTime<Utc>, Uuid)>>,
    limit: i64,
) -> Result<Page<Offer>, StorageError> {
    let mut query = scoped(viewer);
    if let Some(call_id) = filter.call_id {
        query = query.filter(offers::call_id.eq(call_id));
    }
    let pending = OfferStatus::Pending.as_str();
    match filter.status {
        None => {}
        Some(OfferStatus::Pending) => {
            query = query.filter(offers::status.eq(pending).and(offers::expires_at.gt(at)));
        }
        Some(OfferStatus::Expired) => {
            query = query.filter(
                offers::status
                    .eq(OfferStatus::Expired.as_str())
                    .or(offers::status.eq(pending).and(offers::expires_at.le(at))),
            );
        }
        Some(status) => query = query.filter(offers::status.eq(status.as_str())),
    }
    if let Some(Cursor((created_at, id))) = after {
        query = query.filter(
            offers::created_at
                .lt(created_at)
                .or(offers::created_at.eq(created_at).and(offers::id.lt(id))),
        );
    }
    let rows: Vec<(OfferRow, String)> = query
        .order((offers::created_at.desc(), offers::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |(o, _)| (o.created_at, o.id));
    let items = page
        .items
        .into_iter()
        .map(|(row, student)| row.view(student, at))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// Locks an offer of `owner`'s; another student's is `NotFound`. Whose offer it is
/// never changes, so asking before taking the lock is as good as after.
fn lock_own(conn: &mut PgConnection, id: Uuid, owner: &str) -> Result<OfferRow, StorageError> {
    scoped(&Viewer::Student(owner.to_owned()))
        .filter(offers::id.eq(id))
        .first::<(OfferRow, String)>(conn)?;
    Ok(offers::table
        .find(id)
        .select(OfferRow::as_select())
        .for_update()
        .first(conn)?)
}

/// An answer is taken only while the offer is pending and its time is not up.
fn require_open(row: &OfferRow, at: DateTime<Utc>) -> Result<(), StorageError> {
    match row.status_at(at)? {
        OfferStatus::Pending => Ok(()),
        OfferStatus::Expired => Err(StorageError::State(format!(
            "the offer expired at {}; it can no longer be answered",
            row.expires_at.to_rfc3339()
        ))),
        other => Err(StorageError::State(format!(
            "the offer has been {other} already"
        ))),
    }
}

/// The destination's institution, and whether its country is under negative advice now.
/// The country's row is shared-locked: a change of advice under way finishes first, and
/// none starts until the answer is in, so the office's list of students affected by a
/// change never misses an acceptance made at the same moment.
fn host(
    conn: &mut PgConnection,
    destination_id: Uuid,
) -> Result<(Uuid, String, bool), StorageError> {
    let (institution, country_code): (Uuid, String) = destinations::table
        .inner_join(institutions::table)
        .filter(destinations::id.eq(destination_id))
        .select((institutions::id, institutions::country))
        .first(conn)?;
    let (country, advice): (String, String) = countries::table
        .find(&country_code)
        .select((countries::name, countries::advice))
        .for_share()
        .first(conn)?;
    let negative = advice
        .parse::<TravelAdvice>()
        .map_err(|_| corrupt("country's advice"))?
        .is_negative();
    Ok((institution, country, negative))
}

/// Sets a locked, open offer's answer; the status condition makes the update a no-op
/// should anything have changed it meanwhile, which the caller reports as a conflict.
fn answer(
    conn: &mut PgConnection,
    row: &OfferRow,
    to: OfferStatus,
    at: DateTime<Utc>,
) -> Result<OfferRow, StorageError> {
    diesel::update(
        offers::table
            .filter(offers::id.eq(row.id))
            .filter(offers::status.eq(OfferStatus::Pending.as_str()))
            .filter(offers::expires_at.gt(at)),
    )
    .set((
        offers::status.eq(to.as_str()),
        offers::answered_at.eq(at),
        offers::updated_at.eq(now),
    ))
    .returning(OfferRow::as_returning())
    .get_result(conn)
    .optional()?
    .ok_or_else(|| StorageError::State("the offer changed meanwhile; read it again".to_owned()))
}

/// What accepting an offer made: the offer and its nomination's id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    pub offer: Offer,
    pub nomination_id: Uuid,
}

/// The owner accepts (having agreed to the Regulations on Studying Abroad, which the
/// API checks): only a pending offer before `expires_at`, and not while the country is
/// under negative travel advice. Creates the nomination to the host.
pub fn accept(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Accepted, StorageError> {
    conn.transaction(|conn| {
        let before = lock_own(conn, id, owner)?;
        let at = clock();
        require_open(&before, at)?;
        let (institution_id, country, negative) = host(conn, before.destination_id)?;
        if negative {
            return Err(StorageError::State(format!(
                "{country} is under negative travel advice: no offer there can be accepted now"
            )));
        }
        let after = answer(conn, &before, OfferStatus::Accepted, at)?;
        let nomination: crate::nominations::NominationRow = diesel::insert_into(nominations::table)
            .values((
                nominations::offer_id.eq(id),
                nominations::call_id.eq(before.call_id),
                nominations::institution_id.eq(institution_id),
            ))
            .returning(crate::nominations::NominationRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "offer.accepted",
            "offer",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        audit::record(
            conn,
            actor,
            "nomination.created",
            "nomination",
            &nomination.id.to_string(),
            None::<&()>,
            Some(&nomination),
        )?;
        Ok(Accepted {
            offer: after.view(owner.to_owned(), at)?,
            nomination_id: nomination.id,
        })
    })
}

/// The owner declines a pending offer before it expires; the place is freed for the
/// second round.
pub fn decline(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Offer, StorageError> {
    conn.transaction(|conn| {
        let before = lock_own(conn, id, owner)?;
        let at = clock();
        require_open(&before, at)?;
        let after = answer(conn, &before, OfferStatus::Declined, at)?;
        audit::record(
            conn,
            actor,
            "offer.declined",
            "offer",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        after.view(owner.to_owned(), at)
    })
}

/// The owner of an accepted offer keeps the stay's dates and contacts abroad current.
pub fn set_stay(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    stay: &Stay,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Offer, StorageError> {
    conn.transaction(|conn| {
        let before = lock_own(conn, id, owner)?;
        let at = clock();
        let status = before.status_at(at)?;
        if status != OfferStatus::Accepted {
            return Err(StorageError::State(format!(
                "the offer is {status}: a stay is kept for an accepted offer"
            )));
        }
        let after: OfferRow = diesel::update(offers::table.find(id))
            .set((
                offers::stay_start.eq(stay.start_date),
                offers::stay_end.eq(stay.end_date),
                offers::stay_address.eq(&stay.address),
                offers::stay_phone.eq(&stay.phone),
                offers::emergency_name.eq(&stay.emergency_contact.name),
                offers::emergency_phone.eq(&stay.emergency_contact.phone),
                offers::emergency_relation.eq(&stay.emergency_contact.relation),
                offers::stay_updated_at.eq(at),
                offers::updated_at.eq(now),
            ))
            .returning(OfferRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "offer.stay_updated",
            "offer",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        after.view(owner.to_owned(), at)
    })
}

/// How many due offers one pass of the expiry task takes at most, so that no
/// transaction grows without bound.
const EXPIRY_BATCH: i64 = 1_000;

/// Writes `expired` on pending offers whose time is up, with an audit entry each, and
/// says how many. Rows another transaction holds (an answer under way) are skipped,
/// not waited for: the answer decides them, and if it does not, the next pass does.
/// Two service processes running this at once take disjoint rows, and the status
/// condition under the row lock means no offer is expired twice.
pub fn expire_due(
    conn: &mut PgConnection,
    actor: &Actor,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<usize, StorageError> {
    let mut total = 0;
    loop {
        let done = conn.transaction(|conn| {
            let at = clock();
            let due: Vec<OfferRow> = offers::table
                .filter(offers::status.eq(OfferStatus::Pending.as_str()))
                .filter(offers::expires_at.le(at))
                .order(offers::expires_at)
                .limit(EXPIRY_BATCH)
                .for_update()
                .skip_locked()
                .select(OfferRow::as_select())
                .load(conn)?;
            let ids: Vec<Uuid> = due.iter().map(|o| o.id).collect();
            let expired: Vec<OfferRow> = diesel::update(
                offers::table
                    .filter(offers::id.eq_any(&ids))
                    .filter(offers::status.eq(OfferStatus::Pending.as_str())),
            )
            .set((
                offers::status.eq(OfferStatus::Expired.as_str()),
                offers::updated_at.eq(now),
            ))
            .returning(OfferRow::as_returning())
            .get_results(conn)?;
            let entries: Vec<audit::Change<'_, OfferRow>> = expired
                .iter()
                .map(|after| audit::Change {
                    entity_id: after.id.to_string(),
                    before: due.iter().find(|b| b.id == after.id),
                    after: Some(after),
                })
                .collect();
            audit::record_many(conn, actor, "offer.expired", "offer", &entries)?;
            Ok::<_, StorageError>((due.len(), expired.len()))
        })?;
        total += done.1;
        if done.0 < usize::try_from(EXPIRY_BATCH).unwrap_or(usize::MAX) {
            return Ok(total);
        }
    }
}
