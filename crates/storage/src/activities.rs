//! Activities abroad outside the exchange lottery: registered by a student, approved by
//! their programme where it gives credits, funding or a transcript mention, approved at
//! submit or held for a coordinator when late (SPEC.md, Other activities abroad).
//!
//! Every step locks the activity and checks its status before changing it, in one
//! transaction with its audit entry. Visibility is as for applications: the student,
//! their programme, their programme's faculty's coordinators, the office.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::{activities, countries, programmes, students};
use crate::{StorageError, Viewer};
use abroad_domain::activity::{ActivityDraft, SubmissionFacts, check_submission};
use abroad_domain::offer::{Contacts, EmergencyContact};
use abroad_domain::{ActivityStatus, ActivityType, TravelAdvice, Violation};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use diesel::dsl::now;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = activities)]
pub struct ActivityRow {
    pub id: Uuid,
    pub student: String,
    pub programme: String,
    #[serde(rename = "type")]
    pub activity_type: String,
    pub title: String,
    pub host_organisation: String,
    pub country: String,
    pub city: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub credits: bool,
    pub funding: bool,
    pub transcript: bool,
    pub status: String,
    pub programme_decision: Option<String>,
    pub programme_comment: Option<String>,
    pub programme_decided_by: Option<String>,
    pub programme_decided_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub stay_address: Option<String>,
    pub stay_phone: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub emergency_relation: Option<String>,
    pub stay_updated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("an activity's {what}"))
}

impl ActivityRow {
    pub fn status(&self) -> Result<ActivityStatus, StorageError> {
        self.status.parse().map_err(|_| corrupt("status"))
    }

    pub fn activity_type(&self) -> Result<ActivityType, StorageError> {
        self.activity_type.parse().map_err(|_| corrupt("type"))
    }

    /// The contacts abroad, once the student has entered them.
    pub fn contacts(&self) -> Option<Contacts> {
        Some(Contacts {
            address: self.stay_address.clone()?,
            phone: self.stay_phone.clone()?,
            emergency_contact: EmergencyContact {
                name: self.emergency_name.clone()?,
                phone: self.emergency_phone.clone()?,
                relation: self.emergency_relation.clone()?,
            },
        })
    }
}

type Boxed<'a> =
    activities::BoxedQuery<'a, diesel::pg::Pg, diesel::dsl::AsSelect<ActivityRow, diesel::pg::Pg>>;

/// The activities `viewer` may see.
fn scoped<'a>(viewer: &Viewer) -> Boxed<'a> {
    let query = activities::table
        .select(ActivityRow::as_select())
        .into_boxed();
    match viewer {
        Viewer::Everyone => query,
        Viewer::Student(number) => query.filter(activities::student.eq(number.clone())),
        Viewer::Programmes(codes) => query.filter(activities::programme.eq_any(codes.clone())),
        Viewer::Faculty(faculty) => query.filter(
            activities::programme.eq_any(
                programmes::table
                    .filter(programmes::faculty.eq(faculty.clone()))
                    .select(programmes::code),
            ),
        ),
    }
}

/// Locks an activity `viewer` may see; `NotFound` otherwise. Whose it is never
/// changes, so asking before taking the lock is as good as after.
fn lock(conn: &mut PgConnection, id: Uuid, viewer: &Viewer) -> Result<ActivityRow, StorageError> {
    scoped(viewer).filter(activities::id.eq(id)).first(conn)?;
    Ok(activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn get(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<ActivityRow, StorageError> {
    Ok(scoped(viewer).filter(activities::id.eq(id)).first(conn)?)
}

/// Which activities a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub status: Option<ActivityStatus>,
    pub country: Option<String>,
}

/// The activities `viewer` may see, newest first.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &ActivityFilter,
    after: Option<Cursor<(DateTime<Utc>, Uuid)>>,
    limit: i64,
) -> Result<Page<ActivityRow>, StorageError> {
    let mut query = scoped(viewer);
    if let Some(status) = filter.status {
        query = query.filter(activities::status.eq(status.as_str()));
    }
    if let Some(country) = &filter.country {
        query = query.filter(activities::country.eq(country.clone()));
    }
    if let Some(Cursor((created_at, id))) = after {
        query = query.filter(
            activities::created_at
                .lt(created_at)
                .or(activities::created_at
                    .eq(created_at)
                    .and(activities::id.lt(id))),
        );
    }
    let rows = query
        .order((activities::created_at.desc(), activities::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |a| (a.created_at, a.id)))
}

/// The country must be in the catalogue's reference data.
fn known_country(conn: &mut PgConnection, draft: &ActivityDraft) -> Result<(), StorageError> {
    let known: i64 = countries::table
        .filter(countries::code.eq(draft.country.as_str()))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(StorageError::Invalid(vec![Violation::new(
            "country",
            "unknown_country",
            format!(
                "there is no country {} in the office's list",
                draft.country.as_str()
            ),
        )]));
    }
    Ok(())
}

/// A student registers an activity (a draft) under their current programme.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    student: &str,
    draft: &ActivityDraft,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        known_country(conn, draft)?;
        let programme: Option<String> = students::table
            .find(student)
            .select(students::programme)
            .first(conn)
            .optional()?;
        let Some(programme) = programme else {
            return Err(StorageError::Invalid(vec![Violation::new(
                "student",
                "no_student_record",
                "the office has no student record for you yet; ask it to sync your record",
            )]));
        };
        let created: ActivityRow = diesel::insert_into(activities::table)
            .values((
                activities::student.eq(student),
                activities::programme.eq(&programme),
                fields(draft),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "activity.created",
            "activity",
            &created.id.to_string(),
            None::<&()>,
            Some(&created),
        )?;
        Ok(created)
    })
}

type Fields<'a> = (
    diesel::dsl::Eq<activities::activity_type, &'a str>,
    diesel::dsl::Eq<activities::title, &'a str>,
    diesel::dsl::Eq<activities::host_organisation, &'a str>,
    diesel::dsl::Eq<activities::country, &'a str>,
    diesel::dsl::Eq<activities::city, &'a str>,
    diesel::dsl::Eq<activities::start_date, NaiveDate>,
    diesel::dsl::Eq<activities::end_date, NaiveDate>,
    diesel::dsl::Eq<activities::credits, bool>,
    diesel::dsl::Eq<activities::funding, bool>,
    diesel::dsl::Eq<activities::transcript, bool>,
);

fn fields(draft: &ActivityDraft) -> Fields<'_> {
    (
        activities::activity_type.eq(draft.activity_type.as_str()),
        activities::title.eq(draft.title.as_str()),
        activities::host_organisation.eq(draft.host_organisation.as_str()),
        activities::country.eq(draft.country.as_str()),
        activities::city.eq(draft.city.as_str()),
        activities::start_date.eq(draft.start_date),
        activities::end_date.eq(draft.end_date),
        activities::credits.eq(draft.credits),
        activities::funding.eq(draft.funding),
        activities::transcript.eq(draft.transcript),
    )
}

fn require(row: &ActivityRow, wanted: ActivityStatus, to_do: &str) -> Result<(), StorageError> {
    let status = row.status()?;
    if status == wanted {
        Ok(())
    } else {
        Err(StorageError::State(format!(
            "the activity is {status}; {to_do}"
        )))
    }
}

/// The owner changes a draft. A programme decision taken on the old version no longer
/// holds: it is cleared, and the programme decides again.
pub fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    draft: &ActivityDraft,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, &Viewer::Student(owner.to_owned()))?;
        require(
            &before,
            ActivityStatus::Draft,
            "only a draft can be changed",
        )?;
        known_country(conn, draft)?;
        let after: ActivityRow = diesel::update(activities::table.find(id))
            .set((
                fields(draft),
                activities::programme_decision.eq(None::<String>),
                activities::programme_comment.eq(None::<String>),
                activities::programme_decided_by.eq(None::<String>),
                activities::programme_decided_at.eq(None::<DateTime<Utc>>),
                activities::updated_at.eq(now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "activity.updated",
            "activity",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// The student's programme approves or rejects a draft (needed before submitting one
/// that gives credits, funding or a transcript mention).
pub fn programme_decision(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    programmes: &[String],
    approved: bool,
    comment: Option<&str>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, &Viewer::Programmes(programmes.to_vec()))?;
        require(
            &before,
            ActivityStatus::Draft,
            "the programme decides on an activity before it is submitted",
        )?;
        let after: ActivityRow = diesel::update(activities::table.find(id))
            .set((
                activities::programme_decision.eq(if approved { "approved" } else { "rejected" }),
                activities::programme_comment.eq(comment),
                activities::programme_decided_by.eq(&actor.sub),
                activities::programme_decided_at.eq(clock()),
                activities::updated_at.eq(now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "activity.programme_decided",
            "activity",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// Whether the country is under negative advice now; its row is shared-locked, so an
/// advice change under way finishes first and none starts before this transaction ends
/// (the office's list of affected students never misses this registration).
fn negative_advice(conn: &mut PgConnection, country: &str) -> Result<bool, StorageError> {
    let advice: String = countries::table
        .find(country)
        .select(countries::advice)
        .for_share()
        .first(conn)?;
    Ok(advice
        .parse::<TravelAdvice>()
        .map_err(|_| corrupt("country's advice"))?
        .is_negative())
}

fn draft_of(row: &ActivityRow) -> Result<ActivityDraft, StorageError> {
    Ok(ActivityDraft {
        activity_type: row.activity_type()?,
        title: row.title.clone(),
        host_organisation: row.host_organisation.clone(),
        country: abroad_domain::CountryCode::parse("country", &row.country)
            .map_err(|_| corrupt("country"))?,
        city: row.city.clone(),
        start_date: row.start_date,
        end_date: row.end_date,
        credits: row.credits,
        funding: row.funding,
        transcript: row.transcript,
    })
}

/// The owner submits a draft: every rule at once (422), then `approved`, or `held` for
/// a coordinator when fewer than 14 calendar days (Europe/Amsterdam) are left before
/// departure.
pub fn submit(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, &Viewer::Student(owner.to_owned()))?;
        require(
            &before,
            ActivityStatus::Draft,
            "it has been submitted already",
        )?;
        let facts = SubmissionFacts {
            negative_advice: negative_advice(conn, &before.country)?,
            programme_approved: before
                .programme_decision
                .as_deref()
                .map(|d| d == "approved"),
            today: clock().with_timezone(&Amsterdam).date_naive(),
        };
        let status = check_submission(&draft_of(&before)?, facts).map_err(StorageError::Invalid)?;
        let after: ActivityRow = diesel::update(activities::table.find(id))
            .set((
                activities::status.eq(status.as_str()),
                activities::submitted_at.eq(clock()),
                activities::updated_at.eq(now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &format!("activity.submitted_{status}"),
            "activity",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// A coordinator decides on a held registration: `approved` (not while the country is
/// under negative advice), or `rejected` with a reason.
pub fn decide(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    reject_reason: Option<&str>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, viewer)?;
        require(
            &before,
            ActivityStatus::Held,
            "a coordinator decides only on a held registration",
        )?;
        let to = match reject_reason {
            Some(_) => ActivityStatus::Rejected,
            None if negative_advice(conn, &before.country)? => {
                return Err(StorageError::State(format!(
                    "the travel advice for {} is orange or red now: the registration cannot be approved",
                    before.country
                )));
            }
            None => ActivityStatus::Approved,
        };
        let after: ActivityRow = diesel::update(activities::table.find(id))
            .set((
                activities::status.eq(to.as_str()),
                activities::reject_reason.eq(reject_reason),
                activities::decided_by.eq(&actor.sub),
                activities::decided_at.eq(clock()),
                activities::updated_at.eq(now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &format!("activity.{to}"),
            "activity",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// The owner keeps the contacts abroad of an approved or held registration current.
pub fn set_stay(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    contacts: &Contacts,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ActivityRow, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, &Viewer::Student(owner.to_owned()))?;
        let status = before.status()?;
        if !matches!(status, ActivityStatus::Approved | ActivityStatus::Held) {
            return Err(StorageError::State(format!(
                "the activity is {status}: contacts abroad are kept for an approved or held registration"
            )));
        }
        let after: ActivityRow = diesel::update(activities::table.find(id))
            .set((
                activities::stay_address.eq(&contacts.address),
                activities::stay_phone.eq(&contacts.phone),
                activities::emergency_name.eq(&contacts.emergency_contact.name),
                activities::emergency_phone.eq(&contacts.emergency_contact.phone),
                activities::emergency_relation.eq(&contacts.emergency_contact.relation),
                activities::stay_updated_at.eq(clock()),
                activities::updated_at.eq(now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "activity.stay_updated",
            "activity",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}
