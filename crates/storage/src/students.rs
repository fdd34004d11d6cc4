//! Student records from the student-information system.

use crate::audit::{self, Actor};
use crate::schema::{programmes, students};
use crate::{StorageError, Upserted};
use abroad_domain::{StudentDraft, Violation};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = students)]
pub struct Student {
    pub number: String,
    pub name: String,
    pub email: String,
    pub programme: String,
    pub level: String,
    pub ec: i32,
    pub gpa: Option<f64>,
    pub bachelor_gpa: Option<f64>,
    pub registered: bool,
    pub first_year_diploma: bool,
    pub luc: bool,
    pub joint_degree: bool,
    pub studied_elsewhere: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = students, treat_none_as_null = true)]
struct Row<'a> {
    number: &'a str,
    name: &'a str,
    email: &'a str,
    programme: &'a str,
    level: &'a str,
    ec: i32,
    gpa: Option<f64>,
    bachelor_gpa: Option<f64>,
    registered: bool,
    first_year_diploma: bool,
    luc: bool,
    joint_degree: bool,
    studied_elsewhere: bool,
}

impl Row<'_> {
    /// The stored record already says what this row says.
    fn matches(&self, s: &Student) -> bool {
        (
            self.name,
            self.email,
            self.programme,
            self.level,
            self.ec,
            self.gpa,
            self.bachelor_gpa,
        ) == (
            s.name.as_str(),
            s.email.as_str(),
            s.programme.as_str(),
            s.level.as_str(),
            s.ec,
            s.gpa,
            s.bachelor_gpa,
        ) && (
            self.registered,
            self.first_year_diploma,
            self.luc,
            self.joint_degree,
            self.studied_elsewhere,
        ) == (
            s.registered,
            s.first_year_diploma,
            s.luc,
            s.joint_degree,
            s.studied_elsewhere,
        )
    }
}

/// Who may read which student records: the query itself holds the rule.
#[derive(Debug, Clone)]
pub enum StudentScope {
    /// A student: only their own record.
    Own(String),
    /// A programme contact: students of these programmes.
    Programmes(Vec<String>),
    /// The international office: everyone.
    Everyone,
}

/// A record the caller may see, or `NotFound` whether it is missing or not theirs.
pub fn get(
    conn: &mut PgConnection,
    number: &str,
    scope: &StudentScope,
) -> Result<Student, StorageError> {
    let mut query = students::table
        .filter(students::number.eq(number))
        .select(Student::as_select())
        .into_boxed();
    match scope {
        StudentScope::Own(sub) => query = query.filter(students::number.eq(sub.clone())),
        StudentScope::Programmes(codes) => {
            query = query.filter(students::programme.eq_any(codes.clone()))
        }
        StudentScope::Everyone => {}
    }
    Ok(query.first(conn)?)
}

/// Creates or replaces a student record and audits it, in one transaction.
pub fn upsert(
    conn: &mut PgConnection,
    actor: &Actor,
    number: &str,
    draft: &StudentDraft,
) -> Result<(Student, Upserted), StorageError> {
    let row = Row {
        number,
        name: &draft.name,
        email: &draft.email,
        programme: draft.programme.as_str(),
        level: draft.level.as_str(),
        ec: draft.ec,
        gpa: draft.gpa,
        bachelor_gpa: draft.bachelor_gpa,
        registered: draft.registered,
        first_year_diploma: draft.first_year_diploma,
        luc: draft.luc,
        joint_degree: draft.joint_degree,
        studied_elsewhere: draft.studied_elsewhere,
    };
    conn.transaction(|conn| {
        let programme_known: bool =
            diesel::select(exists(programmes::table.find(draft.programme.as_str())))
                .get_result(conn)?;
        if !programme_known {
            return Err(StorageError::Invalid(vec![Violation::new(
                "programme",
                "unknown_programme",
                format!(
                    "there is no programme `{}`; add it with PUT /api/v1/programmes/{0}",
                    draft.programme
                ),
            )]));
        }
        let inserted = diesel::insert_into(students::table)
            .values(&row)
            .on_conflict_do_nothing()
            .returning(Student::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(created) = inserted {
            audit::record(
                conn,
                actor,
                "student.created",
                "student",
                number,
                None::<&()>,
                Some(&created),
            )?;
            return Ok((created, Upserted::Created));
        }
        let before: Student = students::table
            .find(number)
            .select(Student::as_select())
            .for_update()
            .first(conn)?;
        if row.matches(&before) {
            return Ok((before, Upserted::Unchanged));
        }
        let after: Student = diesel::update(students::table.find(number))
            .set((&row, students::updated_at.eq(now)))
            .returning(Student::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "student.updated",
            "student",
            number,
            Some(&before),
            Some(&after),
        )?;
        Ok((after, Upserted::Updated))
    })
}
