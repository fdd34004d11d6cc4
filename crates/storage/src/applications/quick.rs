//! The quick way to create or submit an application, for the deadline rush: two
//! statements and no explicit transaction, where the careful way takes four or five
//! round trips (BEGIN, lock, read, write, COMMIT).
//!
//! The first statement reads everything the rules are checked on, in one snapshot.
//! The second writes the change with its audit entry (one statement, so all or
//! nothing), and only if what the first read still holds, checked under the locks the
//! careful way takes, in the same order: the call shared, then the application's row.
//! Each must be the very version that was read (`xmin`), which PostgreSQL checks on the
//! newest version under the lock. What the careful way holds still by those locks
//! changes only with a write of those rows: every change to an application, its choices
//! or its documents writes the application's row, and every change to a call, its
//! rules or its places writes the call's. (Students, destinations and countries are
//! locked by neither way; a create's write also requires the catalogue's version it
//! read, which every change to destinations, institutions or countries raises.)
//!
//! A create whose call and chosen destinations' facts the process holds
//! ([`KnownCall`], [`KnownChoices`]) reads nothing first: one statement reads the
//! student and writes, if the call's row and the catalogue are still the versions held
//! ([`KnownDraft`]).
//!
//! A draft the quick way created can be submitted in one statement ([`Drafted`],
//! [`submit_drafted`]): its facts, kept by the process that created it, stand while the
//! application, the call, the student and the catalogue are all still the versions
//! they were read at, which the write checks under the same locks.
//!
//! The clock is read after the first statement, and the second never waits for those
//! locks (`SKIP LOCKED`: a row someone else holds makes it write nothing), so the time
//! it checks the deadline against is the time the locks were had, as on the careful
//! way: a write held up past the deadline is late. Like the careful way's writes, it may
//! still wait on a foreign key's shared lock or another insert of the same application.
//!
//! Whenever anything is off (an error to report, a rule broken, a lock held, a change
//! in between) these answer `None` and the caller takes the careful way, which locks
//! first, waiting its turn, and reports exactly. The quick way never lets through what
//! the careful way would refuse; it only saves round trips when all is well.

use super::facts::{
    ChoiceRow, StudentRow, choice_joins, choice_json, documents_json, one_application_facts,
};
use super::known::{KnownCall, KnownChoices};
use super::statements::{Entry, new_application, new_choices, prepared_statement};
use super::{Application, ApplicationInput, ApplicationRecord, Facts, accepting, facts};
use crate::StorageError;
use crate::audit::Actor;
use crate::calls::Call;
use abroad_domain::{ApplicationStatus, CallStatus, Scheme, Violation};
use chrono::{DateTime, Utc};
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamptz};
use uuid::Uuid;

/// A new draft in two statements, or `None` for the careful way. `draft` builds the
/// record from the student's programme and the time the draft is created. With the
/// chosen destinations' facts and the call `known` (held by the process), in one, and
/// in two when those are no longer the versions of the database.
#[allow(clippy::too_many_arguments)]
pub(super) fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    call_id: Uuid,
    input: &ApplicationInput,
    student: &str,
    known: Option<(&KnownChoices, &KnownCall)>,
    clock: &impl Fn() -> DateTime<Utc>,
    draft: impl Fn(String, DateTime<Utc>) -> ApplicationRecord,
) -> Result<Option<(ApplicationRecord, Facts, Drafted)>, StorageError> {
    // Not written on what is known (something changed since): read, as without.
    if let Some(known) = known.filter(|(_, call)| call.id() == call_id)
        && let Some(created) = create_on_known(conn, actor, input, known, clock, &draft)?
    {
        return Ok(Some(created));
    }
    let destinations: Vec<Uuid> = input.choices.iter().map(|(d, _)| *d).collect();
    let read = read_draft_facts(conn, call_id, input, student, &destinations)?;
    let Some(DraftRead {
        call,
        call_version,
        started,
        student: student_row,
        rows,
        student_version,
        catalogue,
    }) = read
    else {
        return Ok(None);
    };
    let at = clock();
    if second_round(&call) || accepting(&call, at).is_err() {
        return Ok(None);
    }
    let draft = draft(student_row.programme().to_owned(), started);
    // Before the write, which commits: an error here must leave nothing stored.
    let facts = facts(
        &call,
        &draft.application,
        student_row,
        &draft.choices,
        &rows,
        &[],
    )?;
    let written: (i32, Option<String>) = QuickDraft {
        draft: &draft.application,
        call_version: &call_version,
        catalogue: &catalogue,
        at,
        destinations: &destinations,
        motivations: draft.choices.iter().map(|c| c.motivation.clone()).collect(),
        entry: Entry::created(actor, &draft),
    }
    .get_result(conn)
    .map_err(super::already_applied)?;
    let (1, Some(application)) = written else {
        return Ok(None);
    };
    let drafted = Drafted {
        record: draft.clone(),
        facts: facts.clone(),
        call,
        marks: Marks {
            application,
            call: call_version,
            student: student_version,
            catalogue,
        },
    };
    Ok(Some((draft, facts, drafted)))
}

/// A university-wide second round admits only some students, which the careful way
/// checks.
fn second_round(call: &Call) -> bool {
    call.parent_call_id.is_some() && call.scheme == Scheme::UniversityWide.as_str()
}

/// [`create`] in one statement, with nothing read before it: the chosen destinations'
/// facts and the call are `known`, and the statement reads the student. It writes only
/// if the call and the catalogue are still the versions known, as [`QuickDraft`] does.
fn create_on_known(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &ApplicationInput,
    (choices, known_call): (&KnownChoices, &KnownCall),
    clock: &impl Fn() -> DateTime<Utc>,
    draft: &impl Fn(String, DateTime<Utc>) -> ApplicationRecord,
) -> Result<Option<(ApplicationRecord, Facts, Drafted)>, StorageError> {
    let call = &known_call.call;
    let destinations: Vec<Uuid> = input.choices.iter().map(|(d, _)| *d).collect();
    // An unknown or archived destination: the careful way names it.
    if choices.destinations.len() != destinations.len()
        || choices.destinations.iter().any(|d| d.archived())
    {
        return Ok(None);
    }
    let at = clock();
    if second_round(call) || accepting(call, at).is_err() {
        return Ok(None);
    }
    let semester = input.semester.as_str();
    let rows: Vec<ChoiceRow> = choices
        .destinations
        .iter()
        .zip(&destinations)
        .zip(1..)
        .map(|((facts, id), rank)| facts.choice(*id, rank, known_call.offers(*id, semester)))
        .collect();
    // The programme is the student's, which the statement reads: none until then. No
    // statement reads the database's time: the row is stamped with the clock's.
    let mut draft = draft(String::new(), at);
    // Before the write, which commits: an error here must leave nothing stored.
    call.rules()?;
    let catalogue = choices.version.to_string();
    let written: Option<(String, StudentRow, String)> = KnownDraft {
        draft: &draft.application,
        call_version: &known_call.version,
        catalogue: &catalogue,
        at,
        destinations: &destinations,
        motivations: draft.choices.iter().map(|c| c.motivation.clone()).collect(),
        entry: Entry::created(actor, &draft).with_programme_from("students.programme"),
        student: StudentRow::as_select(),
    }
    .get_result(conn)
    .optional()
    .map_err(super::already_applied)?;
    let Some((application, student_row, student_version)) = written else {
        return Ok(None);
    };
    draft.application.programme = student_row.programme().to_owned();
    // What is left to fail here is the student's level, which the table's CHECK holds
    // to the vocabulary: the draft stored is always answered.
    let facts = facts(
        call,
        &draft.application,
        student_row,
        &draft.choices,
        &rows,
        &[],
    )?;
    let drafted = Drafted {
        record: draft.clone(),
        facts: facts.clone(),
        call: call.clone(),
        marks: Marks {
            application,
            call: known_call.version.clone(),
            student: student_version,
            catalogue,
        },
    };
    Ok(Some((draft, facts, drafted)))
}

/// What a new draft is checked on, read by the create's first statement: the call and
/// its row version, the time, the student and its row version, each choice's facts in
/// rank order, and the catalogue's version they are of.
struct DraftRead {
    call: Call,
    call_version: String,
    started: DateTime<Utc>,
    student: StudentRow,
    rows: Vec<ChoiceRow>,
    student_version: String,
    catalogue: String,
}

/// [`DraftFacts`]: everything from the database. `None` without a row, or when a
/// choice is of a destination not there or archived (the careful way names it).
fn read_draft_facts(
    conn: &mut PgConnection,
    call_id: Uuid,
    input: &ApplicationInput,
    student: &str,
    destinations: &Vec<Uuid>,
) -> Result<Option<DraftRead>, StorageError> {
    let read = DraftFacts {
        call: Call::as_select(),
        student: StudentRow::as_select(),
        destinations,
        semester: input.semester.as_str(),
        number: student,
        call_id,
    }
    .get_result::<DraftFactsRow>(conn)
    .optional()?;
    let Some((call, call_version, started, student_row, choices, student_version, catalogue)) =
        read
    else {
        return Ok(None);
    };
    let rows: Vec<ChoiceRow> = serde_json::from_str(&choices)
        .map_err(|_| super::facts::corrupt("an application's choices"))?;
    if rows.len() != destinations.len() {
        return Ok(None);
    }
    Ok(Some(DraftRead {
        call,
        call_version,
        started,
        student: student_row,
        rows,
        student_version,
        catalogue,
    }))
}

/// A draft the quick way just wrote, with the facts its rules are checked on and the
/// versions of every row those facts were read from: the application's (its choices
/// and documents too: each change to them writes its row), the call's (its rules and
/// places), the student's, and the catalogue's (destinations, institutions, countries
/// and their advice). While all four stand, the facts are what a read would find now,
/// so a submission of it needs no read ([`submit_drafted`]).
#[derive(Debug, Clone)]
pub struct Drafted {
    record: ApplicationRecord,
    facts: Facts,
    call: Call,
    marks: Marks,
}

impl Drafted {
    /// The application's id.
    pub fn id(&self) -> Uuid {
        self.record.application.id
    }

    /// The student number of its owner.
    pub fn owner(&self) -> &str {
        &self.record.application.student
    }

    /// Whether it was written in `call` as it is held: the same call at the same version.
    pub fn was_in(&self, call: &KnownCall) -> bool {
        self.call.id == call.id() && self.marks.call == call.version
    }
}

/// The versions of the rows a [`Drafted`] application's facts were read from.
#[derive(Debug, Clone)]
struct Marks {
    application: String,
    call: String,
    student: String,
    catalogue: String,
}

/// A submission of a draft just written ([`Drafted`]) in one statement, or `None` for
/// the other ways: the rules are checked on the facts kept from its creation, and the
/// write happens only if no row they came from has changed since (each is still the
/// version read then), under the same locks as [`submit`]'s write, with the clock read
/// just before it.
pub(super) fn submit_drafted(
    conn: &mut PgConnection,
    actor: &Actor,
    drafted: Drafted,
    owner: &str,
    clock: &impl Fn() -> DateTime<Utc>,
    check: &impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
) -> Result<Option<(ApplicationRecord, Vec<Violation>)>, StorageError> {
    let before = &drafted.record.application;
    if before.student != owner {
        return Ok(None);
    }
    let at = clock();
    if before.status()? != ApplicationStatus::Draft || accepting(&drafted.call, at).is_err() {
        return Ok(None);
    }
    let Ok(warnings) = check(&drafted.facts) else {
        return Ok(None);
    };
    // No statement read the database's time: the row is stamped with the clock's.
    let after = super::submitted(before, at, at);
    let written: i32 = UnchangedSubmission {
        submission: QuickSubmission {
            after: &after,
            call_version: &drafted.marks.call,
            at,
            version: &drafted.marks.application,
            entry: Entry::new(
                actor,
                "application.submitted",
                before.id,
                Some(before),
                Some(&after),
            ),
        },
        student_version: &drafted.marks.student,
        catalogue: &drafted.marks.catalogue,
    }
    .get_result(conn)?;
    if written != 1 {
        return Ok(None);
    }
    Ok(Some((
        ApplicationRecord {
            application: after,
            ..drafted.record
        },
        warnings,
    )))
}

/// A submission in two statements, or `None` for the careful way: also when `check`
/// finds a rule broken, which the careful way reports from facts read under the lock.
pub(super) fn submit(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: &impl Fn() -> DateTime<Utc>,
    check: &impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
) -> Result<Option<(ApplicationRecord, Vec<Violation>)>, StorageError> {
    submit_with(conn, actor, id, owner, clock, check, || ())
}

/// [`submit`], running `between` after the read and before the write: where a test
/// puts the change that must make the quick way stand aside.
pub(super) fn submit_with(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    clock: &impl Fn() -> DateTime<Utc>,
    check: &impl Fn(&Facts) -> Result<Vec<Violation>, Vec<Violation>>,
    between: impl FnOnce(),
) -> Result<Option<(ApplicationRecord, Vec<Violation>)>, StorageError> {
    let read = Submittable {
        id,
        application: Application::as_select(),
        call: Call::as_select(),
        student: StudentRow::as_select(),
        owner,
    }
    .get_result::<SubmittableRow>(conn)
    .optional()?;
    let Some((
        before,
        version,
        started,
        call,
        call_version,
        student,
        choices,
        motivations,
        documents,
    )) = read
    else {
        return Ok(None);
    };
    let at = clock();
    if before.status()? != ApplicationStatus::Draft || accepting(&call, at).is_err() {
        return Ok(None);
    }
    let (record, facts) = super::facts::record_with_facts(
        &call,
        before.clone(),
        student,
        &choices,
        motivations,
        &documents,
    )?;
    let Ok(warnings) = check(&facts) else {
        return Ok(None);
    };
    let after = super::submitted(&before, at, started);
    between();
    let written: i32 = QuickSubmission {
        after: &after,
        call_version: &call_version,
        at,
        version: &version,
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
        return Ok(None);
    }
    Ok(Some((
        ApplicationRecord {
            application: after,
            ..record
        },
        warnings,
    )))
}

/// `calls AS MATERIALIZED (…`: the call if it is still the version read and open and
/// accepting at `at`, as [`accepting`] has it, for the caller to lock shared as the careful way does
/// (closing takes it exclusively, so the write either finishes before the call closes
/// or finds it closed).
fn accepting_call<'b>(
    call_id: &'b Uuid,
    version: &'b str,
    at: &'b DateTime<Utc>,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql("calls AS MATERIALIZED (SELECT calls.id FROM calls WHERE calls.id = ");
    out.push_bind_param::<diesel::sql_types::Uuid, _>(call_id)?;
    out.push_sql(" AND calls.xmin::text = ");
    out.push_bind_param::<Text, _>(version)?;
    out.push_sql(" AND calls.status = ");
    out.push_bind_param::<Text, _>(CallStatus::Open.as_str())?;
    out.push_sql(" AND calls.opens_at <= ");
    out.push_bind_param::<Timestamptz, _>(at)?;
    out.push_sql(" AND calls.deadline >= ");
    out.push_bind_param::<Timestamptz, _>(at)?;
    Ok(())
}

/// `WITH calls AS MATERIALIZED (…)`: the call of a new draft, [`accepting_call`] and no
/// university-wide second round (whose admission the careful way checks), locked
/// shared.
fn call_for_a_draft<'b>(
    call_id: &'b Uuid,
    version: &'b str,
    at: &'b DateTime<Utc>,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql("WITH ");
    accepting_call(call_id, version, at, out)?;
    out.push_sql(" AND (calls.parent_call_id IS NULL OR calls.scheme <> ");
    out.push_bind_param::<Text, _>(Scheme::UniversityWide.as_str())?;
    out.push_sql(") FOR SHARE SKIP LOCKED)");
    Ok(())
}

/// ` RETURNING id, xmin::text AS version), choices AS (…), entry AS (…)`: closes the
/// `application` insert of a new draft, then writes its choices and its audit entry
/// (one per row of `source`).
fn choices_and_entry<'b>(
    destinations: &'b Vec<Uuid>,
    motivations: &'b Vec<Option<String>>,
    entry: &'b Entry<'_>,
    source: &str,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql(" RETURNING id, xmin::text AS version), choices AS (");
    new_choices(destinations, motivations, out)?;
    out.push_sql("), entry AS (");
    entry.walk_ast(source, out)?;
    out.push_sql(")");
    Ok(())
}

/// What a new draft is checked on: the call and its row version, the time, the student and
/// the facts of each chosen destination that is there and not archived, in rank order.
/// No row without a student record.
struct DraftFacts<'a> {
    call: AsSelect<Call, Pg>,
    student: AsSelect<StudentRow, Pg>,
    destinations: &'a Vec<Uuid>,
    semester: &'a str,
    number: &'a str,
    call_id: Uuid,
}

/// A row of [`DraftFacts`]: the call and its row version, the time, the student, the
/// chosen destinations' facts (JSON), the student's row version, the catalogue's version.
type DraftFactsRow = (
    Call,
    String,
    DateTime<Utc>,
    StudentRow,
    String,
    String,
    String,
);

prepared_statement!(
    DraftFacts,
    (
        SqlTypeOf<AsSelect<Call, Pg>>,
        Text,
        Timestamptz,
        SqlTypeOf<AsSelect<StudentRow, Pg>>,
        Text,
        Text,
        Text
    )
);

impl QueryFragment<Pg> for DraftFacts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.call.walk_ast(out.reborrow())?;
        out.push_sql(", calls.xmin::text, CURRENT_TIMESTAMP, ");
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(concat!(
            ", (SELECT coalesce(json_agg(",
            choice_json!(),
            " ORDER BY c.rank), '[]')::text FROM unnest("
        ));
        out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(self.destinations)?;
        out.push_sql(concat!(
            ") WITH ORDINALITY AS c (destination_id, rank)",
            choice_joins!("application"),
            " WHERE NOT d.archived), students.xmin::text, (SELECT catalogue_version.version::text ",
            "FROM catalogue_version) FROM calls CROSS JOIN LATERAL (SELECT calls.id AS call_id, ",
            "CAST("
        ));
        out.push_bind_param::<Text, _>(self.semester)?;
        out.push_sql(" AS text) AS semester) AS application JOIN students ON students.number = ");
        out.push_bind_param::<Text, _>(self.number)?;
        out.push_sql(" WHERE calls.id = ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.call_id)
    }
}

/// The draft, its choices and its audit entry, written only if the call still accepts
/// it (and is no university-wide second round, whose admission the careful way
/// checks), the student's programme is still the one recorded, and the catalogue is
/// still the version read, in which every choice was of a destination that is there
/// and not archived (one row read by its key instead of the destinations themselves).
/// Answers how many drafts it wrote, and the new row's version.
struct QuickDraft<'a> {
    draft: &'a Application,
    call_version: &'a str,
    catalogue: &'a str,
    at: DateTime<Utc>,
    destinations: &'a Vec<Uuid>,
    motivations: Vec<Option<String>>,
    entry: Entry<'a>,
}

prepared_statement!(QuickDraft, (Integer, Nullable<Text>));

impl QueryFragment<Pg> for QuickDraft<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let a = self.draft;
        call_for_a_draft(&a.call_id, self.call_version, &self.at, &mut out)?;
        out.push_sql(", application AS (");
        // The call's id, bound: the row of `calls` has the same.
        new_application(a, "SELECT ", None, &mut out)?;
        out.push_sql(" FROM calls WHERE EXISTS (SELECT 1 FROM students WHERE students.number = ");
        out.push_bind_param::<Text, _>(&a.student)?;
        out.push_sql(" AND students.programme = ");
        out.push_bind_param::<Text, _>(&a.programme)?;
        out.push_sql(") AND (SELECT catalogue_version.version::text FROM catalogue_version) = ");
        out.push_bind_param::<Text, _>(self.catalogue)?;
        choices_and_entry(
            self.destinations,
            &self.motivations,
            &self.entry,
            "application",
            &mut out,
        )?;
        out.push_sql(" SELECT count(*)::integer, min(version) FROM application");
        Ok(())
    }
}

/// [`QuickDraft`] of a draft whose call and destinations' facts were known, reading
/// the student in the statement: the draft's programme is the student's, and there is
/// none without a student record. Answers the new row's version, the student and the
/// student's row version; no row when it wrote nothing.
struct KnownDraft<'a> {
    draft: &'a Application,
    call_version: &'a str,
    catalogue: &'a str,
    at: DateTime<Utc>,
    destinations: &'a Vec<Uuid>,
    motivations: Vec<Option<String>>,
    /// Its `after` takes the programme from `students.programme`.
    entry: Entry<'a>,
    student: AsSelect<StudentRow, Pg>,
}

prepared_statement!(
    KnownDraft,
    (Text, SqlTypeOf<AsSelect<StudentRow, Pg>>, Text)
);

impl QueryFragment<Pg> for KnownDraft<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let a = self.draft;
        call_for_a_draft(&a.call_id, self.call_version, &self.at, &mut out)?;
        // Inside its own definition, `students` is still the table.
        out.push_sql(", students AS MATERIALIZED (SELECT ");
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(", students.xmin::text AS version FROM students WHERE students.number = ");
        out.push_bind_param::<Text, _>(&a.student)?;
        out.push_sql("), application AS (");
        new_application(a, "SELECT ", Some("students.programme"), &mut out)?;
        out.push_sql(
            " FROM calls, students WHERE (SELECT catalogue_version.version::text FROM \
             catalogue_version) = ",
        );
        out.push_bind_param::<Text, _>(self.catalogue)?;
        choices_and_entry(
            self.destinations,
            &self.motivations,
            &self.entry,
            "application CROSS JOIN students",
            &mut out,
        )?;
        out.push_sql(" SELECT application.version, ");
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(", students.version FROM application CROSS JOIN students");
        Ok(())
    }
}

/// A row of [`Submittable`]: the application, its row version, the time, its call and
/// student, its choices' facts, motivations and documents (see `record_with_facts`).
type SubmittableRow = (
    Application,
    String,
    DateTime<Utc>,
    Call,
    String,
    StudentRow,
    String,
    Option<Vec<Option<String>>>,
    String,
);

/// The owner's application with its row version and everything its submission is
/// checked on, in one snapshot. No row for an application that is not the owner's.
struct Submittable<'a> {
    id: Uuid,
    application: AsSelect<Application, Pg>,
    call: AsSelect<Call, Pg>,
    student: AsSelect<StudentRow, Pg>,
    owner: &'a str,
}

prepared_statement!(
    Submittable,
    (
        SqlTypeOf<AsSelect<Application, Pg>>,
        Text,
        Timestamptz,
        SqlTypeOf<AsSelect<Call, Pg>>,
        Text,
        SqlTypeOf<AsSelect<StudentRow, Pg>>,
        Text,
        Nullable<Array<Nullable<Text>>>,
        Text
    )
);

impl QueryFragment<Pg> for Submittable<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.application.walk_ast(out.reborrow())?;
        out.push_sql(", applications.xmin::text, CURRENT_TIMESTAMP, ");
        self.call.walk_ast(out.reborrow())?;
        out.push_sql(", calls.xmin::text, ");
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(one_application_facts!());
        out.push_sql("applications.id = ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id)?;
        out.push_sql(" AND applications.student = ");
        out.push_bind_param::<Text, _>(self.owner)
    }
}

/// The draft turned submitted with its audit entry, only if the call still accepts it
/// and the application's row is still the version that was read (so still a draft
/// with the same choices and documents). Answers how many it wrote.
struct QuickSubmission<'a> {
    after: &'a Application,
    call_version: &'a str,
    at: DateTime<Utc>,
    version: &'a str,
    entry: Entry<'a>,
}

prepared_statement!(QuickSubmission, Integer);

impl QueryFragment<Pg> for QuickSubmission<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(|_| Ok(()), &mut out)
    }
}

impl QuickSubmission<'_> {
    /// The statement, with `also` adding conditions on the application to lock.
    fn walk<'b>(
        &'b self,
        also: impl FnOnce(&mut AstPass<'_, 'b, Pg>) -> QueryResult<()>,
        out: &mut AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        let a = self.after;
        out.push_sql("WITH ");
        accepting_call(&a.call_id, self.call_version, &self.at, out)?;
        out.push_sql(
            " FOR SHARE SKIP LOCKED), locked AS MATERIALIZED (SELECT applications.id FROM \
             applications JOIN calls ON calls.id = applications.call_id WHERE applications.id = ",
        );
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&a.id)?;
        out.push_sql(" AND applications.status = ");
        out.push_bind_param::<Text, _>(ApplicationStatus::Draft.as_str())?;
        out.push_sql(" AND applications.xmin::text = ");
        out.push_bind_param::<Text, _>(self.version)?;
        also(out)?;
        out.push_sql(
            " FOR UPDATE OF applications SKIP LOCKED), application AS (UPDATE applications \
             SET status = ",
        );
        out.push_bind_param::<Text, _>(&a.status)?;
        out.push_sql(", submitted_at = ");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&a.submitted_at)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamptz, _>(&a.updated_at)?;
        out.push_sql(
            " FROM locked WHERE applications.id = locked.id RETURNING applications.id), \
             entry AS (",
        );
        self.entry.walk_ast("application", out)?;
        out.push_sql(" RETURNING 1) SELECT count(*)::integer FROM entry");
        Ok(())
    }
}

/// [`QuickSubmission`] of a [`Drafted`] application, whose facts were read when it was
/// created: also only if the student's row and the catalogue are still the versions
/// read then. Answers how many it wrote.
struct UnchangedSubmission<'a> {
    submission: QuickSubmission<'a>,
    student_version: &'a str,
    catalogue: &'a str,
}

prepared_statement!(UnchangedSubmission, Integer);

impl QueryFragment<Pg> for UnchangedSubmission<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let a = self.submission.after;
        self.submission.walk(
            |out| {
                out.push_sql(
                    " AND EXISTS (SELECT 1 FROM students WHERE students.number = \
                     applications.student AND students.number = ",
                );
                out.push_bind_param::<Text, _>(&a.student)?;
                out.push_sql(" AND students.xmin::text = ");
                out.push_bind_param::<Text, _>(self.student_version)?;
                out.push_sql(
                    ") AND (SELECT catalogue_version.version::text FROM catalogue_version) = ",
                );
                out.push_bind_param::<Text, _>(self.catalogue)
            },
            &mut out,
        )
    }
}
