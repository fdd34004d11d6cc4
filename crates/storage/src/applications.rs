//! Applications: a student's ranked choices in a call, and every step on them.
//!
//! Each step locks the application (`SELECT … FOR UPDATE`) and checks its status
//! before changing it, inside one transaction with its audit entry: of two requests
//! at once, the second sees what the first did and is refused.

use crate::StorageError;
use crate::audit::{self, Actor};
use crate::calls::Call;
use crate::page::{Cursor, Page};
use crate::schema::{
    application_choices, application_documents, applications, calls, destinations, offers, students,
};
use abroad_domain::{
    ApplicationStatus, CallStatus, OfferStatus, ReviewOutcome, Semester, Violation,
};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use facts::{ChoiceRow, StudentRow, corrupt, facts, one_with_facts};
use serde::{Deserialize, Serialize};
use statements::{Entry, Locking, NewDraft, Submission};
use uuid::Uuid;

mod facts;
mod known;
mod quick;
mod statements;

pub use facts::{DestinationFacts, Facts, with_facts};
pub use known::{KnownCall, KnownChoices, known_call};
pub use quick::Drafted;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: Uuid,
    pub call_id: Uuid,
    pub student: String,
    pub programme: String,
    pub semester: String,
    pub plan_b: bool,
    pub status: String,
    pub score: Option<f64>,
    pub programme_decision: Option<String>,
    pub programme_comment: Option<String>,
    pub programme_decided_by: Option<String>,
    pub programme_decided_at: Option<DateTime<Utc>>,
    pub review_outcome: Option<String>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn status(&self) -> Result<ApplicationStatus, StorageError> {
        self.status
            .parse()
            .map_err(|_| StorageError::Corrupt("an application's status".to_owned()))
    }
}

/// One ranked choice.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = application_choices)]
pub struct Choice {
    pub rank: i32,
    pub destination_id: Uuid,
    pub motivation: Option<String>,
}

/// What is known of an uploaded document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = application_documents)]
pub struct DocumentInfo {
    pub kind: String,
    pub sha256: String,
    pub size: i32,
    pub uploaded_at: DateTime<Utc>,
}

/// An application with its choices (in order) and its documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationRecord {
    #[serde(flatten)]
    pub application: Application,
    pub choices: Vec<Choice>,
    pub documents: Vec<DocumentInfo>,
}

/// Who sees which applications: a student their own, a programme its students', a
/// faculty coordinator those in the faculty's calls, the office all.
pub use crate::Viewer as ApplicationScope;

/// A student's ranked choices as they send them.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationInput {
    pub semester: Semester,
    pub plan_b: bool,
    pub choices: Vec<(Uuid, Option<String>)>,
}

/// Filters of the application list.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub call_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    pub programme: Option<String>,
}

type Boxed<'a> = applications::BoxedQuery<
    'a,
    diesel::pg::Pg,
    diesel::dsl::AsSelect<Application, diesel::pg::Pg>,
>;

pub(crate) fn scoped<'a>(scope: &ApplicationScope) -> Boxed<'a> {
    let query = applications::table
        .select(Application::as_select())
        .into_boxed();
    match scope {
        ApplicationScope::Student(number) => query.filter(applications::student.eq(number.clone())),
        ApplicationScope::Programmes(codes) => {
            query.filter(applications::programme.eq_any(codes.clone()))
        }
        ApplicationScope::Faculty(faculty) => query.filter(
            applications::call_id.eq_any(
                calls::table
                    .filter(calls::faculty.eq(faculty.clone()))
                    .select(calls::id),
            ),
        ),
        ApplicationScope::Everyone => query,
    }
}

fn records(
    conn: &mut PgConnection,
    applications: Vec<Application>,
) -> Result<Vec<ApplicationRecord>, StorageError> {
    let ids: Vec<Uuid> = applications.iter().map(|a| a.id).collect();
    let choices: Vec<(Uuid, Choice)> = application_choices::table
        .filter(application_choices::application_id.eq_any(&ids))
        .order((
            application_choices::application_id,
            application_choices::rank,
        ))
        .select((application_choices::application_id, Choice::as_select()))
        .load(conn)?;
    let documents: Vec<(Uuid, DocumentInfo)> = application_documents::table
        .filter(application_documents::application_id.eq_any(&ids))
        .order((
            application_documents::application_id,
            application_documents::kind,
        ))
        .select((
            application_documents::application_id,
            DocumentInfo::as_select(),
        ))
        .load(conn)?;
    Ok(applications
        .into_iter()
        .map(|application| {
            let id = application.id;
            ApplicationRecord {
                choices: choices
                    .iter()
                    .filter(|(a, _)| *a == id)
                    .map(|(_, c)| c.clone())
                    .collect(),
                documents: documents
                    .iter()
                    .filter(|(a, _)| *a == id)
                    .map(|(_, d)| d.clone())
                    .collect(),
                application,
            }
        })
        .collect())
}

fn record(
    conn: &mut PgConnection,
    application: Application,
) -> Result<ApplicationRecord, StorageError> {
    records(conn, vec![application])?
        .pop()
        .ok_or(StorageError::NotFound)
}

pub fn get(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<ApplicationRecord, StorageError> {
    let application = scoped(scope).filter(applications::id.eq(id)).first(conn)?;
    record(conn, application)
}

/// One application the caller may see, with the facts its call's rules are checked on.
pub fn get_with_facts(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    let application = scoped(scope).filter(applications::id.eq(id)).first(conn)?;
    one_with_facts(conn, application)
}

/// Applications the caller may see, newest first, each with the facts its call's rules
/// are checked on: three queries for the whole page (the page, then [`with_facts`]).
pub fn list(
    conn: &mut PgConnection,
    scope: &ApplicationScope,
    filter: &ApplicationFilter,
    after: Option<Cursor<(DateTime<Utc>, Uuid)>>,
    limit: i64,
) -> Result<Page<(ApplicationRecord, Facts)>, StorageError> {
    let mut query = scoped(scope);
    if let Some(call_id) = filter.call_id {
        query = query.filter(applications::call_id.eq(call_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(applications::status.eq(status.as_str()));
    }
    if let Some(programme) = &filter.programme {
        query = query.filter(applications::programme.eq(programme.clone()));
    }
    if let Some(Cursor((created_at, id))) = after {
        query = query.filter(
            applications::created_at
                .lt(created_at)
                .or(applications::created_at
                    .eq(created_at)
                    .and(applications::id.lt(id))),
        );
    }
    let rows = query
        .order((applications::created_at.desc(), applications::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |a| (a.created_at, a.id));
    Ok(Page {
        items: with_facts(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

/// The call must be open and its deadline not passed for a student to change anything.
pub(crate) fn accepting(call: &Call, at: DateTime<Utc>) -> Result<(), StorageError> {
    if call.status != CallStatus::Open.as_str() {
        return Err(StorageError::State(format!(
            "the call is {}: it does not take applications",
            call.status
        )));
    }
    if at < call.opens_at {
        return Err(StorageError::State(format!(
            "the call opens for applications at {}",
            call.opens_at.to_rfc3339()
        )));
    }
    if at > call.deadline {
        return Err(StorageError::State(format!(
            "the deadline ({}) has passed: late applications are never considered",
            call.deadline.to_rfc3339()
        )));
    }
    Ok(())
}

fn write_choices(
    conn: &mut PgConnection,
    id: Uuid,
    input: &ApplicationInput,
) -> Result<(), StorageError> {
    let wanted: Vec<Uuid> = input.choices.iter().map(|(d, _)| *d).collect();
    // An archived destination is not there for students: an unknown choice.
    let known: Vec<Uuid> = destinations::table
        .filter(destinations::id.eq_any(&wanted))
        .filter(destinations::archived.eq(false))
        .select(destinations::id)
        .load(conn)?;
    let unknown: Vec<Violation> = wanted
        .iter()
        .enumerate()
        .filter(|(_, d)| !known.contains(d))
        .map(|(i, _)| {
            Violation::new(
                format!("choices[{i}].destination_id"),
                "unknown_destination",
                "there is no such destination",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(StorageError::Invalid(unknown));
    }
    diesel::delete(application_choices::table.filter(application_choices::application_id.eq(id)))
        .execute(conn)?;
    let rows: Vec<_> = input
        .choices
        .iter()
        .enumerate()
        .map(|(i, (destination, motivation))| {
            (
                application_choices::application_id.eq(id),
                application_choices::rank.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                application_choices::destination_id.eq(*destination),
                application_choices::motivation.eq(motivation.clone()),
            )
        })
        .collect();
    diesel::insert_into(application_choices::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

/// A university-wide second round admits only students its first round left unplaced,
/// or whose offer there expired; not those who accepted or declined (SPEC.md, Calls).
fn admitted_to_second_round(
    conn: &mut PgConnection,
    parent: Uuid,
    student: &str,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let placed: Vec<(String, Option<String>, Option<DateTime<Utc>>)> = applications::table
        .left_join(offers::table)
        .filter(applications::call_id.eq(parent))
        .filter(applications::student.eq(student))
        .select((
            applications::status,
            offers::status.nullable(),
            offers::expires_at.nullable(),
        ))
        .load(conn)?;
    let admitted = placed.iter().any(|(status, offer, expires_at)| {
        match (offer.as_deref().map(str::parse::<OfferStatus>), expires_at) {
            (Some(Ok(offer)), Some(expires_at)) => {
                offer.as_of(*expires_at, at) == OfferStatus::Expired
            }
            _ => status == ApplicationStatus::Unplaced.as_str(),
        }
    });
    if admitted {
        Ok(())
    } else {
        Err(StorageError::Invalid(vec![Violation::new(
            "call_id",
            "not_admitted_to_second_round",
            "this second round admits only students left unplaced in its first round, or whose \
             offer there expired",
        )]))
    }
}

/// A student starts an application (a draft) in an open call before its deadline, and
/// gets it back with the facts its call's rules are checked on.
///
/// The quick way first ([`quick::create`]: two statements, no transaction), and the
/// careful way when it stands aside.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    call_id: Uuid,
    student: &str,
    input: &ApplicationInput,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    create_remembered(conn, actor, call_id, student, input, None, clock)
        .map(|(record, facts, _)| (record, facts))
}

/// [`create`], also answering the draft as [`Drafted`] when the quick way wrote it, for
/// a caller that keeps it to submit it with one statement ([`submit_remembered`]).
/// `known`: the chosen destinations' facts from the catalogue in memory and the call as
/// the process holds it, which spare the quick way its read (its write checks that the
/// catalogue and the call are still those versions).
pub fn create_remembered(
    conn: &mut PgConnection,
    actor: &Actor,
    call_id: Uuid,
    student: &str,
    input: &ApplicationInput,
    known: Option<(&KnownChoices, &KnownCall)>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<(ApplicationRecord, Facts, Option<Drafted>), StorageError> {
    let draft = |programme, started| new_draft(call_id, student, programme, input, started);
    if let Some((record, facts, drafted)) =
        quick::create(conn, actor, call_id, input, student, known, &clock, draft)?
    {
        return Ok((record, facts, Some(drafted)));
    }
    let (record, facts) = create_carefully(conn, actor, call_id, student, input, clock)?;
    Ok((record, facts, None))
}

/// A new draft's record: its choices in the order given, no documents yet.
fn new_draft(
    call_id: Uuid,
    student: &str,
    programme: String,
    input: &ApplicationInput,
    started: DateTime<Utc>,
) -> ApplicationRecord {
    ApplicationRecord {
        application: Application {
            id: Uuid::new_v4(),
            call_id,
            student: student.to_owned(),
            programme,
            semester: input.semester.as_str().to_owned(),
            plan_b: input.plan_b,
            status: ApplicationStatus::Draft.as_str().to_owned(),
            score: None,
            programme_decision: None,
            programme_comment: None,
            programme_decided_by: None,
            programme_decided_at: None,
            review_outcome: None,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            submitted_at: None,
            withdrawn_at: None,
            created_at: started,
            updated_at: started,
        },
        choices: input
            .choices
            .iter()
            .zip(1..)
            .map(|((destination_id, motivation), rank)| Choice {
                rank,
                destination_id: *destination_id,
                motivation: motivation.clone(),
            })
            .collect(),
        documents: Vec::new(),
    }
}

/// A second application of a student in a call breaks the one-active-application
/// index: a conflict to report, not an error of the store.
fn already_applied(error: diesel::result::Error) -> StorageError {
    match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => StorageError::State(
            "you already have an application in this call; change it, or withdraw it first"
                .to_owned(),
        ),
        other => other.into(),
    }
}

/// [`create`] the careful way, which reports why a draft cannot be made.
///
/// Two statements in the transaction: the call (shared, with the transaction's time and
/// the student's programme), then the draft with its choices and its audit entry, which
/// answers the facts. A new draft has no choices to replace and no documents yet.
fn create_carefully(
    conn: &mut PgConnection,
    actor: &Actor,
    call_id: Uuid,
    student: &str,
    input: &ApplicationInput,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    conn.transaction(|conn| {
        // A draft call is not there for students: 404, like its read.
        let (call, started, programme): (Call, DateTime<Utc>, Option<String>) = calls::table
            .find(call_id)
            .filter(calls::status.ne(CallStatus::Draft.as_str()))
            .select((
                Call::as_select(),
                now.into_sql::<Timestamptz>(),
                students::table
                    .find(student)
                    .select(students::programme)
                    .single_value(),
            ))
            .for_share()
            .first(conn)?;
        let at = clock();
        accepting(&call, at)?;
        if let Some(parent) = call.parent_call_id
            && call.scheme == abroad_domain::Scheme::UniversityWide.as_str()
        {
            admitted_to_second_round(conn, parent, student, at)?;
        }
        let Some(programme) = programme else {
            return Err(StorageError::Invalid(vec![Violation::new(
                "student",
                "no_student_record",
                "the office has no student record for you yet; ask it to sync your record",
            )]));
        };
        let draft = new_draft(call_id, student, programme, input, started);
        let (choices, student): (String, StudentRow) = NewDraft::new(actor, &draft)
            .get_result(conn)
            .map_err(already_applied)?;
        let choices: Vec<ChoiceRow> =
            serde_json::from_str(&choices).map_err(|_| corrupt("an application's choices"))?;
        // An archived destination is not there for students: an unknown choice. Returning
        // the error rolls the draft and its audit entry back.
        let unknown: Vec<Violation> = draft
            .choices
            .iter()
            .filter(|c| !choices.iter().any(|written| written.rank == c.rank))
            .map(|c| {
                Violation::new(
                    format!("choices[{}].destination_id", c.rank - 1),
                    "unknown_destination",
                    "there is no such destination",
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(StorageError::Invalid(unknown));
        }
        let facts = facts(
            &call,
            &draft.application,
            student,
            &draft.choices,
            &choices,
            &[],
        )?;
        Ok((draft, facts))
    })
}

/// Locks an application the caller may act on, with its call, in one statement.
///
/// The call is locked first and shared (`FOR SHARE`): closing takes it exclusively, so
/// a write already under way finishes before the call closes, and none begins after.
/// Whether the caller may see the application rests on its student, programme and
/// call, which never change, so checking it in the statement that locks the call (a
/// subquery) is as good as after.
pub(crate) fn lock(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<(Application, Call), StorageError> {
    let (application, call, _) = lock_at(conn, id, scope)?;
    Ok((application, call))
}

/// [`lock`], with the transaction's time (`now()`, which `updated_at` takes).
fn lock_at(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
) -> Result<(Application, Call, DateTime<Utc>), StorageError> {
    Ok(Locking {
        id,
        calls: scoped(scope)
            .filter(applications::id.eq(id))
            .select(applications::call_id),
        application: Application::as_select(),
        call: Call::as_select(),
    }
    .get_result(conn)?)
}

/// Closing freezes everything that feeds the draw (SPEC.md): after it no application
/// is changed, withdrawn, decided, reviewed or scored.
pub(crate) fn not_frozen(call: &Call) -> Result<(), StorageError> {
    match call.status()? {
        CallStatus::Closed | CallStatus::Drawn => Err(StorageError::State(format!(
            "the call is {}: nothing that feeds the draw changes after it closes",
            call.status
        ))),
        CallStatus::Draft | CallStatus::Open => Ok(()),
    }
}

pub(crate) fn require_draft(application: &Application) -> Result<(), StorageError> {
    if application.status()? == ApplicationStatus::Draft {
        Ok(())
    } else {
        Err(StorageError::State(format!(
            "the application is {}; only a draft can be changed",
            application.status
        )))
    }
}

/// The owner changes a draft before the deadline.
pub fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    input: &ApplicationInput,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ApplicationRecord, StorageError> {
    conn.transaction(|conn| {
        let (before, call) = lock(conn, id, &ApplicationScope::Student(owner.to_owned()))?;
        require_draft(&before)?;
        let at = clock();
        accepting(&call, at)?;
        let before = record(conn, before)?;
        let changed: Application = diesel::update(applications::table.find(id))
            .set((
                applications::semester.eq(input.semester.as_str()),
                applications::plan_b.eq(input.plan_b),
                applications::updated_at.eq(now),
            ))
            .returning(Application::as_returning())
            .get_result(conn)?;
        write_choices(conn, id, input)?;
        let after = record(conn, changed)?;
        audit::record(
            conn,
            actor,
            "application.updated",
            "application",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// The owner submits a draft before the deadline. `check` runs the submission rules on
/// the facts and answers the warnings, or every violation.
///
/// The quick way first ([`quick::submit`]: two statements, no transaction), and the
/// careful way when it stands aside.
pub fn submit(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
    check: impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
) -> Result<(ApplicationRecord, Vec<Violation>), StorageError> {
    submit_remembered(conn, actor, id, owner, None, clock, check)
}

/// [`submit`], first in one statement from `drafted` when it is this application as
/// the quick way created it ([`create_remembered`]) and nothing it was checked on has
/// changed since; then the quick way, then the careful way.
pub fn submit_remembered(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    drafted: Option<Drafted>,
    clock: impl Fn() -> DateTime<Utc>,
    check: impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
) -> Result<(ApplicationRecord, Vec<Violation>), StorageError> {
    if let Some(drafted) = drafted.filter(|d| d.id() == id)
        && let Some(submitted) = quick::submit_drafted(conn, actor, drafted, owner, &clock, &check)?
    {
        return Ok(submitted);
    }
    if let Some(submitted) = quick::submit(conn, actor, id, owner, &clock, &check)? {
        return Ok(submitted);
    }
    submit_carefully(conn, actor, id, owner, clock, check)
}

/// The quick way of [`submit`] alone, with `between` run after its read and before its
/// write: how a test lands a change in between. `None` when the quick way stood aside.
#[cfg(feature = "test-support")]
pub fn submit_quickly_with(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    at: DateTime<Utc>,
    check: impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
    between: impl FnOnce(),
) -> Result<Option<(ApplicationRecord, Vec<Violation>)>, StorageError> {
    quick::submit_with(conn, actor, id, owner, &|| at, &check, between)
}

/// [`submit`] the careful way, which reports why a draft cannot be submitted: the
/// rules are checked on the facts read under the lock.
///
/// Five or six statements in the transaction: the call (shared), the application (for
/// update), its facts (and its chosen destinations'), and the change with its audit
/// entry in one.
fn submit_carefully(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
    check: impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
) -> Result<(ApplicationRecord, Vec<Violation>), StorageError> {
    conn.transaction(|conn| {
        let (before, call, started) =
            lock_at(conn, id, &ApplicationScope::Student(owner.to_owned()))?;
        if before.status()? != ApplicationStatus::Draft {
            return Err(StorageError::State(format!(
                "the application is already {}",
                before.status
            )));
        }
        let at = clock();
        accepting(&call, at)?;
        let (record, facts) = one_with_facts(conn, before.clone())?;
        let warnings = check(&facts).map_err(StorageError::Invalid)?;
        let after = submitted(&before, at, started);
        let written: i32 = Submission {
            after: &after,
            entry: Entry::new(
                actor,
                "application.submitted",
                id,
                Some(&before),
                Some(&after),
            ),
        }
        .get_result(conn)?;
        if written != 1 {
            return Err(StorageError::NotFound);
        }
        Ok((
            ApplicationRecord {
                application: after,
                ..record
            },
            warnings,
        ))
    })
}

/// A draft as submitted at `at` (the clock), in a write begun at `started` (the
/// database's time, which `updated_at` takes).
fn submitted(before: &Application, at: DateTime<Utc>, started: DateTime<Utc>) -> Application {
    Application {
        status: ApplicationStatus::Submitted.as_str().to_owned(),
        submitted_at: Some(at),
        updated_at: started,
        ..before.clone()
    }
}

/// The owner withdraws, at any time before the call closes.
pub fn withdraw(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ApplicationRecord, StorageError> {
    conn.transaction(|conn| {
        let (before, call) = lock(conn, id, &ApplicationScope::Student(owner.to_owned()))?;
        not_frozen(&call)?;
        let at = clock();
        if matches!(
            before.status()?,
            ApplicationStatus::Withdrawn | ApplicationStatus::Placed | ApplicationStatus::Unplaced
        ) {
            return Err(StorageError::State(format!(
                "the application is already {}",
                before.status
            )));
        }
        let after: Application = diesel::update(applications::table.find(id))
            .set((
                applications::status.eq(ApplicationStatus::Withdrawn.as_str()),
                applications::withdrawn_at.eq(at),
                applications::updated_at.eq(now),
            ))
            .returning(Application::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "application.withdrawn",
            "application",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        record(conn, after)
    })
}

/// A programme approves or rejects a submitted application of one of its students.
pub fn programme_decision(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    programmes: &[String],
    approved: bool,
    comment: Option<&str>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ApplicationRecord, StorageError> {
    conn.transaction(|conn| {
        let (before, call) = lock(conn, id, &ApplicationScope::Programmes(programmes.to_vec()))?;
        not_frozen(&call)?;
        let at = clock();
        if before.status()? != ApplicationStatus::Submitted {
            return Err(StorageError::State(format!(
                "the application is {}; the programme decides on submitted ones",
                before.status
            )));
        }
        let (status, decision) = if approved {
            (ApplicationStatus::Approved, "approved")
        } else {
            (ApplicationStatus::Rejected, "rejected")
        };
        let after: Application = diesel::update(applications::table.find(id))
            .set((
                applications::status.eq(status.as_str()),
                applications::programme_decision.eq(decision),
                applications::programme_comment.eq(comment),
                applications::programme_decided_by.eq(&actor.sub),
                applications::programme_decided_at.eq(at),
                applications::updated_at.eq(now),
            ))
            .returning(Application::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "application.programme_decision",
            "application",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        record(conn, after)
    })
}

/// The office reviews an approved application (or one it wanted to talk about).
pub fn review(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    scope: &ApplicationScope,
    outcome: ReviewOutcome,
    note: Option<&str>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<ApplicationRecord, StorageError> {
    conn.transaction(|conn| {
        let (before, call) = lock(conn, id, scope)?;
        not_frozen(&call)?;
        let at = clock();
        if !matches!(before.status()?, ApplicationStatus::Approved | ApplicationStatus::Contact) {
            return Err(StorageError::State(format!(
                "the application is {}; the office reviews approved applications (or ones marked contact)",
                before.status
            )));
        }
        let after: Application = diesel::update(applications::table.find(id))
            .set((
                applications::status.eq(outcome.as_str()),
                applications::review_outcome.eq(outcome.as_str()),
                applications::review_note.eq(note),
                applications::reviewed_by.eq(&actor.sub),
                applications::reviewed_at.eq(at),
                applications::updated_at.eq(now),
            ))
            .returning(Application::as_returning())
            .get_result(conn)?;
        audit::record(conn, actor, "application.reviewed", "application", &id.to_string(), Some(&before), Some(&after))?;
        record(conn, after)
    })
}

/// The office scores an application in a `ranking` call, before the call closes.
pub fn score(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    scope: &ApplicationScope,
    score: f64,
) -> Result<ApplicationRecord, StorageError> {
    conn.transaction(|conn| {
        let (before, call) = lock(conn, id, scope)?;
        if call.selection != abroad_domain::Selection::Ranking.as_str() {
            return Err(StorageError::State(
                "this call selects by lottery: it takes no scores".to_owned(),
            ));
        }
        not_frozen(&call)?;
        if matches!(
            before.status()?,
            ApplicationStatus::Draft | ApplicationStatus::Withdrawn
        ) {
            return Err(StorageError::State(format!(
                "the application is {}; only submitted ones are scored",
                before.status
            )));
        }
        let after: Application = diesel::update(applications::table.find(id))
            .set((
                applications::score.eq(score),
                applications::updated_at.eq(now),
            ))
            .returning(Application::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "application.scored",
            "application",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        record(conn, after)
    })
}
