//! The statements of the write paths that diesel's query builder cannot express: the
//! lock of an application with its call, a new draft with its choices and audit entry,
//! a submission with its audit entry. Each keeps one text, so diesel prepares it once
//! per connection.

use super::facts::{StudentRow, choice_joins, choice_json};
use super::{Application, ApplicationRecord};
use crate::audit::Actor;
use crate::calls::Call;
use crate::schema::applications;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz};
use serde::Serialize;
use uuid::Uuid;

/// The statement behind [`lock`](super::lock). The call is locked in a materialised
/// CTE, which the join must have read before the application row it yields is locked
/// (`LockRows` runs on the joined row): the call is always locked first. The CTE is
/// named `calls` so that the columns of [`Call`] name its columns in the outer query.
pub(super) struct Locking<'a> {
    pub(super) id: Uuid,
    /// The call of the application, if the caller may see it.
    pub(super) calls: applications::BoxedQuery<'a, Pg, diesel::sql_types::Uuid>,
    pub(super) application: AsSelect<Application, Pg>,
    pub(super) call: AsSelect<Call, Pg>,
}

impl QueryId for Locking<'_> {
    type QueryId = ();
    // The scope's filter changes the text: diesel prepares one statement per text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Locking<'_> {
    type SqlType = (
        SqlTypeOf<AsSelect<Application, Pg>>,
        SqlTypeOf<AsSelect<Call, Pg>>,
        Timestamptz,
    );
}

impl RunQueryDsl<PgConnection> for Locking<'_> {}

impl QueryFragment<Pg> for Locking<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH calls AS MATERIALIZED (SELECT ");
        QueryFragment::<Pg>::walk_ast(&self.call, out.reborrow())?;
        out.push_sql(" FROM calls WHERE calls.id IN (");
        QueryFragment::<Pg>::walk_ast(&self.calls, out.reborrow())?;
        out.push_sql(") FOR SHARE) SELECT ");
        self.application.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.call.walk_ast(out.reborrow())?;
        out.push_sql(", CURRENT_TIMESTAMP FROM applications, calls WHERE applications.id = ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id)?;
        out.push_sql(" FOR UPDATE OF applications");
        Ok(())
    }
}

/// The audit entry a statement below writes beside its change: what
/// [`crate::audit::record`] writes, for each row the change returns.
#[derive(Debug)]
pub(super) struct Entry<'a> {
    actor: &'a Actor,
    action: &'static str,
    entity_id: String,
    /// JSON text, which PostgreSQL reads into `jsonb` as it would a `serde_json::Value`.
    before: Option<String>,
    after: Option<String>,
    /// SQL for the `programme` of the `after` record, when the statement reads it.
    programme: Option<&'static str>,
}

impl<'a> Entry<'a> {
    pub(super) fn new<B: Serialize, A: Serialize>(
        actor: &'a Actor,
        action: &'static str,
        id: Uuid,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        // The records are plain structs of strings, numbers and dates: they always serialise.
        Self {
            actor,
            action,
            entity_id: id.to_string(),
            before: before.map(|b| serde_json::to_string(b).unwrap_or_else(|_| "null".into())),
            after: after.map(|a| serde_json::to_string(a).unwrap_or_else(|_| "null".into())),
            programme: None,
        }
    }

    /// The entry of a new draft.
    pub(super) fn created(actor: &'a Actor, draft: &ApplicationRecord) -> Self {
        Self::new(
            actor,
            "application.created",
            draft.application.id,
            None::<&()>,
            Some(draft),
        )
    }

    /// The entry of a record whose `programme` the statement reads: `programme` is the
    /// SQL for it, which replaces the record's own in `after`.
    pub(super) fn with_programme_from(self, programme: &'static str) -> Self {
        Self {
            programme: Some(programme),
            ..self
        }
    }

    /// `INSERT INTO audit_log … SELECT … FROM source`.
    pub(super) fn walk_ast<'b>(
        &'b self,
        source: &str,
        out: &mut AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO audit_log (actor, role, action, entity_type, entity_id, before, after, \
             request_id) SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.actor.sub)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.actor.role)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.action)?;
        out.push_sql(", 'application', ");
        out.push_bind_param::<Text, _>(&self.entity_id)?;
        out.push_sql(", CAST(");
        out.push_bind_param::<Nullable<Text>, _>(&self.before)?;
        out.push_sql(" AS jsonb), ");
        if self.programme.is_some() {
            out.push_sql("jsonb_set(");
        }
        out.push_sql("CAST(");
        out.push_bind_param::<Nullable<Text>, _>(&self.after)?;
        out.push_sql(" AS jsonb)");
        if let Some(programme) = self.programme {
            out.push_sql(", '{programme}', to_jsonb(");
            out.push_sql(programme);
            out.push_sql("))");
        }
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.actor.request_id)?;
        out.push_sql(" FROM ");
        out.push_sql(source);
        Ok(())
    }
}

/// Implements what diesel needs to run one of the statements below: its text is the
/// same every time, so diesel prepares it once per connection.
macro_rules! prepared_statement {
    ($name:ident, $sql_type:ty) => {
        impl QueryId for $name<'_> {
            type QueryId = $name<'static>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl Query for $name<'_> {
            type SqlType = $sql_type;
        }

        impl RunQueryDsl<PgConnection> for $name<'_> {}
    };
}

pub(super) use prepared_statement;

/// `INSERT INTO applications (…) {values}$1, …, $9`: a new draft's row, for the caller to
/// close (`)`, or a `FROM` with its conditions). Its programme is `a`'s, or the SQL
/// `programme` when the statement reads it.
pub(super) fn new_application<'b>(
    a: &'b Application,
    values: &str,
    programme: Option<&'static str>,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql(
        "INSERT INTO applications (id, call_id, student, programme, semester, plan_b, status, \
         created_at, updated_at) ",
    );
    out.push_sql(values);
    out.push_bind_param::<diesel::sql_types::Uuid, _>(&a.id)?;
    out.push_sql(", ");
    out.push_bind_param::<diesel::sql_types::Uuid, _>(&a.call_id)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(&a.student)?;
    out.push_sql(", ");
    match programme {
        Some(read) => out.push_sql(read),
        None => out.push_bind_param::<Text, _>(&a.programme)?,
    }
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(&a.semester)?;
    out.push_sql(", ");
    out.push_bind_param::<Bool, _>(&a.plan_b)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(&a.status)?;
    out.push_sql(", ");
    out.push_bind_param::<Timestamptz, _>(&a.created_at)?;
    out.push_sql(", ");
    out.push_bind_param::<Timestamptz, _>(&a.updated_at)?;
    Ok(())
}

/// `INSERT INTO application_choices … FROM application, unnest(…) WITH ORDINALITY AS w
/// (destination_id, motivation, rank)`: a new draft's choices, in the order given, for
/// the caller to close (or join further, `w` being each choice).
pub(super) fn new_choices<'b>(
    destinations: &'b Vec<Uuid>,
    motivations: &'b Vec<Option<String>>,
    out: &mut AstPass<'_, 'b, Pg>,
) -> QueryResult<()> {
    out.push_sql(
        "INSERT INTO application_choices (application_id, rank, destination_id, motivation) \
         SELECT application.id, w.rank::integer, w.destination_id, w.motivation FROM \
         application, unnest(",
    );
    out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(destinations)?;
    out.push_sql(", ");
    out.push_bind_param::<Array<Nullable<Text>>, _>(motivations)?;
    out.push_sql(") WITH ORDINALITY AS w (destination_id, motivation, rank)");
    Ok(())
}

/// A new draft with its choices and its audit entry, in one statement, which answers
/// the facts of the choices it wrote ([`choice_json`]) and of the student. Only
/// choices of active destinations are written.
#[derive(Debug)]
pub(super) struct NewDraft<'a> {
    draft: &'a Application,
    destinations: Vec<Uuid>,
    motivations: Vec<Option<String>>,
    entry: Entry<'a>,
    student: AsSelect<StudentRow, Pg>,
}

impl<'a> NewDraft<'a> {
    pub(super) fn new(actor: &'a Actor, draft: &'a ApplicationRecord) -> Self {
        Self {
            draft: &draft.application,
            destinations: draft.choices.iter().map(|c| c.destination_id).collect(),
            motivations: draft.choices.iter().map(|c| c.motivation.clone()).collect(),
            entry: Entry::created(actor, draft),
            student: StudentRow::as_select(),
        }
    }
}

prepared_statement!(NewDraft, (Text, SqlTypeOf<AsSelect<StudentRow, Pg>>));

impl QueryFragment<Pg> for NewDraft<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let a = self.draft;
        out.push_sql("WITH application AS (");
        new_application(a, "VALUES (", None, &mut out)?;
        out.push_sql(") RETURNING id, call_id, semester, student), choices AS (");
        new_choices(&self.destinations, &self.motivations, &mut out)?;
        out.push_sql(
            " JOIN destinations d ON d.id = w.destination_id AND NOT d.archived \
             RETURNING application_id, rank, destination_id), entry AS (",
        );
        self.entry.walk_ast("application", &mut out)?;
        out.push_sql(concat!(
            ") SELECT (SELECT coalesce(json_agg(",
            choice_json!(),
            " ORDER BY c.rank), '[]')::text FROM choices c",
            choice_joins!("application"),
            "), "
        ));
        self.student.walk_ast(out.reborrow())?;
        out.push_sql(" FROM application JOIN students ON students.number = application.student");
        Ok(())
    }
}

/// A draft turned submitted, and its audit entry, in one statement; it answers 1.
#[derive(Debug)]
pub(super) struct Submission<'a> {
    pub(super) after: &'a Application,
    pub(super) entry: Entry<'a>,
}

prepared_statement!(Submission, Integer);

impl QueryFragment<Pg> for Submission<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH application AS (UPDATE applications SET status = ");
        out.push_bind_param::<Text, _>(&self.after.status)?;
        out.push_sql(", submitted_at = ");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&self.after.submitted_at)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamptz, _>(&self.after.updated_at)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.after.id)?;
        out.push_sql(" RETURNING id), entry AS (");
        self.entry.walk_ast("application", &mut out)?;
        out.push_sql(" RETURNING 1) SELECT count(*)::integer FROM entry");
        Ok(())
    }
}
