//! Student records from the student-information system.

use crate::audit::{self, Actor};
use crate::schema::{programmes, students};
use crate::{StorageError, Upserted, Viewer};
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

type Boxed<'a> =
    students::BoxedQuery<'a, diesel::pg::Pg, diesel::dsl::AsSelect<Student, diesel::pg::Pg>>;

/// The records `viewer` may see: a student their own, a programme its students', a
/// faculty coordinator those in the faculty's programmes, the office all.
fn visible<'a>(viewer: &Viewer) -> Boxed<'a> {
    let query = students::table.select(Student::as_select()).into_boxed();
    match viewer {
        Viewer::Student(sub) => query.filter(students::number.eq(sub.clone())),
        Viewer::Programmes(codes) => query.filter(students::programme.eq_any(codes.clone())),
        Viewer::Faculty(faculty) => query.filter(
            students::programme.eq_any(
                programmes::table
                    .filter(programmes::faculty.eq(faculty.clone()))
                    .select(programmes::code),
            ),
        ),
        Viewer::Everyone => query,
    }
}

/// A record the caller may see, or `NotFound` whether it is missing or not theirs.
pub fn get(
    conn: &mut PgConnection,
    number: &str,
    viewer: &Viewer,
) -> Result<Student, StorageError> {
    Ok(visible(viewer)
        .filter(students::number.eq(number.to_owned()))
        .first(conn)?)
}

/// Creates or replaces a student record and audits it, in one transaction.
///
/// A faculty coordinator writes only records of its faculty's students: another
/// faculty's existing student is `NotFound` (not theirs to see), and a record that
/// would land in another faculty's programme is `Forbidden`.
pub fn upsert(
    conn: &mut PgConnection,
    actor: &Actor,
    viewer: &Viewer,
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
        // Locked first, so that the record cannot change faculty under this check.
        let exists_at_all = students::table
            .find(number)
            .select(students::number)
            .for_update()
            .first::<String>(conn)
            .optional()?
            .is_some();
        let visible_to_caller: bool = diesel::select(exists(
            visible(viewer).filter(students::number.eq(number.to_owned())),
        ))
        .get_result(conn)?;
        if exists_at_all && !visible_to_caller {
            return Err(StorageError::NotFound);
        }
        let programme_faculty: Option<String> = programmes::table
            .find(draft.programme.as_str())
            .select(programmes::faculty)
            .first(conn)
            .optional()?;
        if let (Some(scope), Some(faculty)) = (viewer.faculty(), &programme_faculty)
            && scope != faculty
        {
            return Err(StorageError::Forbidden(format!(
                "you coordinate faculty {scope}: programme `{}` belongs to faculty {faculty}",
                draft.programme
            )));
        }
        if programme_faculty.is_none() {
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
        // Made by someone else meanwhile (the insert found it there): held to the same
        // rule as a record that was there from the start.
        if !exists_at_all
            && !diesel::select(exists(
                visible(viewer).filter(students::number.eq(number.to_owned())),
            ))
            .get_result::<bool>(conn)?
        {
            return Err(StorageError::NotFound);
        }
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
