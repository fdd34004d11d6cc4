//! Student records (from the student-information system) and the caller's own view.

use crate::access::body_after_access;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, missing};
use crate::extract::Json;
use crate::responses::{BreaksRules, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::programmes::within_faculty;
use crate::routes::upsert_response;
use abroad_domain::student::student_number;
use abroad_domain::{Level, ProgrammeCode, Role, StudentDraft, StudentFields};
use abroad_storage::students::{self, Student};
use abroad_storage::{PgConnection, StorageError, Viewer};
use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A student's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentView {
    #[schema(example = "s1000001")]
    pub number: String,
    pub name: String,
    pub email: String,
    #[schema(example = "BMS")]
    pub programme: String,
    #[schema(value_type = Level)]
    pub level: String,
    pub ec: i32,
    pub gpa: Option<f64>,
    pub bachelor_gpa: Option<f64>,
    /// The GPA the rules use: the GPA, or the bachelor GPA while there is none.
    pub counting_gpa: Option<f64>,
    pub registered: bool,
    pub first_year_diploma: bool,
    pub luc: bool,
    pub joint_degree: bool,
    pub studied_elsewhere: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<Student> for StudentView {
    fn from(s: Student) -> Self {
        Self {
            counting_gpa: s.gpa.or(s.bachelor_gpa),
            number: s.number,
            name: s.name,
            email: s.email,
            programme: s.programme,
            level: s.level,
            ec: s.ec,
            gpa: s.gpa,
            bachelor_gpa: s.bachelor_gpa,
            registered: s.registered,
            first_year_diploma: s.first_year_diploma,
            luc: s.luc,
            joint_degree: s.joint_degree,
            studied_elsewhere: s.studied_elsewhere,
            updated_at: s.updated_at,
        }
    }
}

/// The caller as the token describes it, with their student record when they are a student.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub sub: String,
    pub role: Role,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The programmes a programme contact acts for.
    pub programmes: Vec<String>,
    /// The faculty a coordinator is limited to; `null` is university-wide.
    pub faculty: Option<String>,
    /// A student's own record; `null` for other roles or before the student-information system sent it.
    pub student: Option<StudentView>,
}

/// Creates or replaces a student record from the student-information system (coordinators).
#[utoipa::path(
    operation_id = "putStudent",
    tag = "students",
    params(("number" = String, Path, description = "student number", example = "s1000001")),
    request_body = StudentFields,
    responses(
        (status = 200, description = "replaced (or already so)", body = StudentView),
        (status = 201, description = "created", body = StudentView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/students/{number}")]
pub async fn put(
    caller: Caller,
    state: web::Data<AppState>,
    number: web::Path<String>,
    body: Json<StudentFields>,
) -> Result<HttpResponse, ApiError> {
    // An upsert may always be creating a record, so a role that never writes records
    // gets 403 whether or not the number exists: the answer tells no one which numbers
    // are students'. A faculty's coordinator learns it from the query (404 for another
    // faculty's student, whatever the body says), as its own work requires.
    caller.require(&[Role::Coordinator])?;
    let number = student_number("number", &number).map_err(ApiError::bad_path)?;
    let named = ProgrammeCode::parse("programme", body.0.programme.trim()).ok();
    let checked = StudentDraft::parse(&body.0).map_err(ApiError::Unprocessable);
    let at = number.clone();
    let draft = body_after_access(
        checked,
        &caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| may_write(conn, viewer, &at, named),
    )
    .await?;
    let (actor, viewer) = (caller.actor(), caller.viewer());
    let (student, upserted) = crate::db::run(&state.pool, move |conn| {
        students::upsert(conn, &actor, &viewer, &number, &draft)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    let location = format!("/api/v1/students/{}", student.number);
    Ok(upsert_response(
        upserted,
        location,
        &StudentView::from(student),
    ))
}

/// Whether `viewer` may write record `number` in `programme` (the body's, when it
/// reads), as `students::upsert` decides before it writes: another faculty's existing
/// student is `NotFound`, a record in another faculty's programme `Forbidden`. Asked
/// only of a body that does not pass, so that its 422 goes to those who may write.
fn may_write(
    conn: &mut PgConnection,
    viewer: &Viewer,
    number: &str,
    programme: Option<ProgrammeCode>,
) -> Result<(), StorageError> {
    let hidden = match students::get(conn, number, viewer) {
        Ok(_) => false,
        // Absent altogether is a record to create, not one hidden.
        Err(StorageError::NotFound) => match students::get(conn, number, &Viewer::Everyone) {
            Ok(_) => true,
            Err(StorageError::NotFound) => false,
            Err(other) => return Err(other),
        },
        Err(other) => return Err(other),
    };
    if hidden {
        return Err(StorageError::NotFound);
    }
    match programme {
        Some(code) => within_faculty(conn, viewer, &code),
        None => Ok(()),
    }
}

/// One student record: the student themself, a programme holding the student's
/// programme, or a coordinator; anyone else gets 404.
#[utoipa::path(
    operation_id = "getStudent",
    tag = "students",
    params(("number" = String, Path, description = "student number", example = "s1000001")),
    responses(
        (status = 200, body = StudentView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/students/{number}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<web::Json<StudentView>, ApiError> {
    let number = student_number("number", &number).map_err(ApiError::bad_path)?;
    let viewer = caller.viewer();
    let student = crate::db::run(&state.pool, move |conn| {
        students::get(conn, &number, &viewer)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(student.into()))
}

/// Who the token says the caller is, and a student's own record.
#[utoipa::path(
    operation_id = "getMe",
    tag = "students",
    responses(
        (status = 200, body = Me),
        Unauthenticated,
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(caller: Caller, state: web::Data<AppState>) -> Result<web::Json<Me>, ApiError> {
    let student = if caller.role == Role::Student {
        let own = caller.viewer();
        let number = caller.sub.clone();
        match crate::db::run(&state.pool, move |conn| students::get(conn, &number, &own)).await {
            Ok(student) => Some(student.into()),
            Err(ApiError::NotFound(_)) => None,
            Err(other) => return Err(other),
        }
    } else {
        None
    };
    Ok(web::Json(Me {
        sub: caller.sub,
        role: caller.role,
        name: caller.name,
        email: caller.email,
        programmes: caller.programmes,
        faculty: caller.faculty,
        student,
    }))
}

/// What a 404 here says.
const NOT_FOUND: &str = "no student with this number";
