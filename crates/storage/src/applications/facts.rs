//! What the submission rules are checked on, read with the application's record: its
//! student, its call, its choices with their destinations, countries and places, and
//! its documents. One statement for one application on the quick way
//! ([`one_application_facts`]); two for any number of them ([`with_facts`]).

use super::{Application, ApplicationRecord, Choice, DocumentInfo};
use crate::StorageError;
use crate::calls::Call;
use crate::schema::students;
use abroad_domain::destination::Offering;
use abroad_domain::{
    CallRules, Chance, ChoiceFacts, DocumentKind, Level, Semester, StudentFacts, TravelAdvice,
};
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Record, Text};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Everything the submission rules need, read in the caller's transaction.
#[derive(Debug, Clone)]
pub struct Facts {
    pub rules: CallRules,
    pub semester: Semester,
    pub student: StudentFacts,
    pub choices: Vec<ChoiceFacts>,
    pub uploaded: Vec<DocumentKind>,
}

pub(super) fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(what.to_owned())
}

/// What the rules read of a student.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = students)]
pub(super) struct StudentRow {
    registered: bool,
    level: String,
    programme: String,
    ec: i32,
    gpa: Option<f64>,
    bachelor_gpa: Option<f64>,
    first_year_diploma: bool,
    luc: bool,
    joint_degree: bool,
    studied_elsewhere: bool,
}

impl StudentRow {
    /// The student's programme now.
    pub(super) fn programme(&self) -> &str {
        &self.programme
    }

    fn facts(self) -> Result<StudentFacts, StorageError> {
        Ok(StudentFacts {
            registered: self.registered,
            level: self
                .level
                .parse::<Level>()
                .map_err(|_| corrupt("a student's level"))?,
            programme: self.programme,
            ec: self.ec,
            gpa: self.gpa.or(self.bachelor_gpa),
            first_year_diploma: self.first_year_diploma,
            luc: self.luc,
            joint_degree: self.joint_degree,
            studied_elsewhere: self.studied_elsewhere,
        })
    }
}

/// What the rules read of a choice and its destination, as [`choice_json`] gives it (or
/// [`DestinationFacts::choice`] builds it): all but the motivation, which travels apart
/// (as an array, not escaped into JSON).
#[derive(Debug, Deserialize)]
pub(super) struct ChoiceRow {
    pub(super) rank: i32,
    destination_id: Uuid,
    offerings: Vec<Offering>,
    min_gpa: Option<f64>,
    chance: String,
    advice: String,
    in_call: bool,
}

impl ChoiceRow {
    fn facts(&self, motivation: Option<String>) -> Result<ChoiceFacts, StorageError> {
        Ok(ChoiceFacts {
            destination_id: self.destination_id,
            motivation,
            in_call: self.in_call,
            offerings: self.offerings.clone(),
            advice: self
                .advice
                .parse::<TravelAdvice>()
                .map_err(|_| corrupt("a country's advice"))?,
            min_gpa: self.min_gpa,
            chance: self
                .chance
                .parse::<Chance>()
                .map_err(|_| corrupt("a destination's chance"))?,
        })
    }
}

/// A choice's facts as JSON, from `c` (a row of `application_choices`) joined by
/// [`choice_joins`]: a [`ChoiceRow`].
macro_rules! choice_json {
    () => {
        concat!(
            "json_build_object('rank', c.rank, 'destination_id', c.destination_id, ",
            "'offerings', d.offerings, 'min_gpa', d.min_gpa, 'chance', d.chance, ",
            "'advice', co.advice, 'in_call', NOT d.archived AND p.call_id IS NOT NULL)"
        )
    };
}

/// Joins a choice `c` of `$application` (a row with `call_id` and `semester`) to its
/// destination `d`, the country `co`, and the call's places `p` there in the
/// application's semester (none for an archived destination: offered by no call,
/// whatever its places).
macro_rules! choice_joins {
    ($application:literal) => {
        concat!(
            " JOIN destinations d ON d.id = c.destination_id",
            " JOIN institutions i ON i.id = d.institution_id",
            " JOIN countries co ON co.code = i.country",
            " LEFT JOIN call_places p ON p.call_id = ",
            $application,
            ".call_id AND p.semester = ",
            $application,
            ".semester AND p.destination_id = c.destination_id"
        )
    };
}

/// The documents of an application as JSON, `'[]'` for none: a [`DocumentInfo`] each,
/// from `application_documents` rows (aggregated).
macro_rules! documents_json {
    () => {
        concat!(
            "json_agg(json_build_object('kind', kind, 'sha256', sha256, 'size', size, ",
            "'uploaded_at', uploaded_at) ORDER BY kind)::text"
        )
    };
}

/// The facts of the choices and documents of the application in `applications`, each in
/// a subquery of its own, for a statement about one application: its choices' facts
/// (JSON), their motivations (an array, none without choices) and its documents
/// (JSON), then `FROM applications` with its call and student, up to `WHERE`. One
/// application's few rows are read by index; no table is hashed whole.
macro_rules! one_application_facts {
    () => {
        concat!(
            ", (SELECT coalesce(json_agg(",
            choice_json!(),
            " ORDER BY c.rank), '[]')::text FROM application_choices c",
            choice_joins!("applications"),
            " WHERE c.application_id = applications.id), (SELECT array_agg(c.motivation ",
            "ORDER BY c.rank) FROM application_choices c WHERE c.application_id = ",
            "applications.id), (SELECT coalesce(",
            documents_json!(),
            ", '[]') FROM application_documents WHERE application_id = applications.id) ",
            "FROM applications JOIN calls ON calls.id = applications.call_id ",
            "JOIN students ON students.number = applications.student WHERE "
        )
    };
}

pub(super) use {choice_joins, choice_json, documents_json, one_application_facts};

/// Reads the records of these applications (their choices and documents) and the facts
/// their calls' rules are checked on (students, calls, places, destinations, countries)
/// in two statements however many there are, in the order given. `NotFound` when one is
/// not stored.
pub fn with_facts(
    conn: &mut PgConnection,
    applications: Vec<Application>,
) -> Result<Vec<(ApplicationRecord, Facts)>, StorageError> {
    if applications.is_empty() {
        return Ok(Vec::new());
    }
    let ids = match &applications[..] {
        [one] => Ids::One(one.id),
        many => Ids::Many(many.iter().map(|a| a.id).collect()),
    };
    let rows: Vec<FactsRow> = FactsQuery {
        ids,
        call: Call::as_select(),
        student: StudentRow::as_select(),
    }
    .load(conn)?;
    let mut chosen: Vec<Uuid> = rows
        .iter()
        .flat_map(|row| row.3.iter().flatten().map(|choice| choice.1))
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    let destinations = destination_facts(conn, &chosen)?;
    let mut rows: HashMap<Uuid, FactsRow> = rows.into_iter().map(|row| (row.0, row)).collect();
    applications
        .into_iter()
        .map(|application| {
            let (_, call, student, choices, documents) =
                rows.remove(&application.id).ok_or(StorageError::NotFound)?;
            let (choice_rows, motivations) = choices
                .unwrap_or_default()
                .into_iter()
                .map(|(rank, destination_id, offered, motivation)| {
                    let destination = destinations
                        .get(&destination_id)
                        .ok_or_else(|| corrupt("a chosen destination"))?;
                    Ok((
                        destination.choice(destination_id, rank, offered),
                        motivation,
                    ))
                })
                .collect::<Result<(Vec<_>, Vec<_>), StorageError>>()?;
            record_with_rows(
                &call,
                application,
                student,
                choice_rows,
                motivations,
                &documents,
            )
        })
        .collect()
}

/// What the rules read of a chosen destination, once however often it is chosen.
#[derive(Debug, Clone)]
pub struct DestinationFacts {
    offerings: Vec<Offering>,
    min_gpa: Option<f64>,
    chance: String,
    advice: String,
    archived: bool,
}

impl DestinationFacts {
    /// A destination's facts as a catalogue snapshot read them: its offerings, minimum
    /// GPA, chance, its country's travel advice and whether it is archived.
    pub fn new(
        offerings: Vec<Offering>,
        min_gpa: Option<f64>,
        chance: Chance,
        advice: TravelAdvice,
        archived: bool,
    ) -> Self {
        Self {
            offerings,
            min_gpa,
            chance: chance.as_str().to_owned(),
            advice: advice.as_str().to_owned(),
            archived,
        }
    }

    /// Archived destinations are offered by no call and chosen in no new application.
    pub(super) fn archived(&self) -> bool {
        self.archived
    }

    /// The facts of a choice of this destination (`id`) at `rank`; `offered` when the
    /// call has places there in the application's semester (an archived destination is
    /// offered by no call, whatever its places).
    pub(super) fn choice(&self, id: Uuid, rank: i32, offered: bool) -> ChoiceRow {
        ChoiceRow {
            rank,
            destination_id: id,
            offerings: self.offerings.clone(),
            min_gpa: self.min_gpa,
            chance: self.chance.clone(),
            advice: self.advice.clone(),
            in_call: offered && !self.archived,
        }
    }
}

/// The facts of these destinations with their countries' advice, by id.
fn destination_facts(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, DestinationFacts>, StorageError> {
    use crate::schema::{countries, destinations, institutions};
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, serde_json::Value, Option<f64>, String, String, bool)> =
        destinations::table
            .inner_join(institutions::table.inner_join(countries::table))
            .filter(destinations::id.eq_any(ids))
            .select((
                destinations::id,
                destinations::offerings,
                destinations::min_gpa,
                destinations::chance,
                countries::advice,
                destinations::archived,
            ))
            .load(conn)?;
    rows.into_iter()
        .map(|(id, offerings, min_gpa, chance, advice, archived)| {
            let offerings = serde_json::from_value(offerings)
                .map_err(|_| corrupt("a destination's offerings"))?;
            Ok((
                id,
                DestinationFacts {
                    offerings,
                    min_gpa,
                    chance,
                    advice,
                    archived,
                },
            ))
        })
        .collect()
}

/// A choice as [`FactsQuery`] reads it: its rank, destination, whether the call has
/// places there in the application's semester, and its motivation.
type ChoiceOfRow = (i32, Uuid, bool, Option<String>);

/// One row of [`FactsQuery`]: the application's id, call and student, its choices in
/// rank order (none without choices), and its documents (a JSON array of
/// [`DocumentInfo`]).
type FactsRow = (Uuid, Call, StudentRow, Option<Vec<ChoiceOfRow>>, String);

/// Which applications [`FactsQuery`] reads. One has a statement of its own: PostgreSQL's
/// generic plan for `= ANY` expects several and joins by scanning whole tables.
enum Ids {
    One(Uuid),
    Many(Vec<Uuid>),
}

impl Ids {
    fn walk_ast<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match self {
            Ids::One(id) => {
                out.push_sql(" = ");
                out.push_bind_param::<diesel::sql_types::Uuid, _>(id)
            }
            Ids::Many(ids) => {
                out.push_sql(" = ANY(");
                out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(ids)?;
                out.push_sql(")");
                Ok(())
            }
        }
    }
}

/// The statement behind [`with_facts`]. Each application's choices are read by index
/// in a subquery of their own (not all choices joined and grouped) and travel as an
/// array of rows: no JSON built per choice, and no destination's facts repeated for
/// each time it is chosen ([`destination_facts`] reads those once).
struct FactsQuery {
    ids: Ids,
    call: AsSelect<Call, Pg>,
    student: AsSelect<StudentRow, Pg>,
}

impl QueryId for FactsQuery {
    type QueryId = ();
    // One text for one application, another for many: diesel prepares each once.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for FactsQuery {
    type SqlType = (
        diesel::sql_types::Uuid,
        SqlTypeOf<AsSelect<Call, Pg>>,
        SqlTypeOf<AsSelect<StudentRow, Pg>>,
        Nullable<Array<Record<(Integer, diesel::sql_types::Uuid, Bool, Nullable<Text>)>>>,
        Text,
    );
}

impl RunQueryDsl<PgConnection> for FactsQuery {}

impl QueryFragment<Pg> for FactsQuery {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT applications.id, ");
        self.call.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(concat!(
            ", (SELECT array_agg(ROW(c.rank, c.destination_id, p.call_id IS NOT NULL, ",
            "c.motivation) ORDER BY c.rank) FROM application_choices c ",
            "LEFT JOIN call_places p ON p.call_id = applications.call_id ",
            "AND p.semester = applications.semester AND p.destination_id = c.destination_id ",
            "WHERE c.application_id = applications.id), (SELECT coalesce(",
            documents_json!(),
            ", '[]') FROM application_documents WHERE application_id = applications.id) ",
            "FROM applications JOIN calls ON calls.id = applications.call_id ",
            "JOIN students ON students.number = applications.student WHERE applications.id"
        ));
        self.ids.walk_ast(&mut out)
    }
}

/// The record and facts of one application from what [`one_application_facts`]
/// answers: its choices' facts (a JSON array of [`ChoiceRow`]), their motivations in
/// rank order (none without choices), and its documents (a JSON array of
/// [`DocumentInfo`]).
pub(super) fn record_with_facts(
    call: &Call,
    application: Application,
    student: StudentRow,
    choices: &str,
    motivations: Option<Vec<Option<String>>>,
    documents: &str,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    let choices: Vec<ChoiceRow> =
        serde_json::from_str(choices).map_err(|_| corrupt("an application's choices"))?;
    let motivations = motivations.unwrap_or_default();
    if motivations.len() != choices.len() {
        return Err(corrupt("an application's choices"));
    }
    record_with_rows(call, application, student, choices, motivations, documents)
}

/// The record and facts of one application from its choices' facts and their
/// motivations, both in rank order, and its documents (a JSON array of
/// [`DocumentInfo`]).
fn record_with_rows(
    call: &Call,
    application: Application,
    student: StudentRow,
    choices: Vec<ChoiceRow>,
    motivations: Vec<Option<String>>,
    documents: &str,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    let documents: Vec<DocumentInfo> =
        serde_json::from_str(documents).map_err(|_| corrupt("an application's documents"))?;
    let record = ApplicationRecord {
        choices: choices
            .iter()
            .zip(motivations)
            .map(|(c, motivation)| Choice {
                rank: c.rank,
                destination_id: c.destination_id,
                motivation,
            })
            .collect(),
        documents,
        application,
    };
    let facts = facts(
        call,
        &record.application,
        student,
        &record.choices,
        &choices,
        &record.documents,
    )?;
    Ok((record, facts))
}

/// The facts of an application: `choices` as stored, `rows` their facts (what
/// [`choice_json`] gives for them, or [`DestinationFacts::choice`] builds).
pub(super) fn facts(
    call: &Call,
    application: &Application,
    student: StudentRow,
    choices: &[Choice],
    rows: &[ChoiceRow],
    documents: &[DocumentInfo],
) -> Result<Facts, StorageError> {
    Ok(Facts {
        rules: call.rules()?,
        semester: application
            .semester
            .parse()
            .map_err(|_| corrupt("an application's semester"))?,
        student: student.facts()?,
        choices: choices
            .iter()
            .map(|c| {
                rows.iter()
                    .find(|row| row.rank == c.rank)
                    .ok_or_else(|| corrupt("an application's choices"))?
                    .facts(c.motivation.clone())
            })
            .collect::<Result<_, _>>()?,
        uploaded: documents
            .iter()
            .map(|d| {
                d.kind
                    .parse::<DocumentKind>()
                    .map_err(|_| corrupt("a document's kind"))
            })
            .collect::<Result<_, _>>()?,
    })
}

pub(super) fn one_with_facts(
    conn: &mut PgConnection,
    application: Application,
) -> Result<(ApplicationRecord, Facts), StorageError> {
    with_facts(conn, vec![application])?
        .pop()
        .ok_or(StorageError::NotFound)
}
