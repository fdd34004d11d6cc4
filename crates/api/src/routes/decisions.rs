//! The decisions on a submitted application: the programme's approval, the
//! office's review, and its score in a `ranking` call.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, decision_text};
use crate::responses::{BreaksRules, Conflict, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::applications::{
    ApplicationView, NOT_FOUND, assessed, body_on_application, require_role_on_application,
};
use abroad_domain::{ReviewOutcome, Role, Violation, Violations};
use abroad_storage::applications;
use actix_web::{post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDecision {
    pub approved: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A programme approves or rejects a submitted application of one of its students.
#[utoipa::path(
    operation_id = "decideApplicationForProgramme",
    tag = "applications",
    params(("id" = Uuid, Path)),
    request_body = ProgrammeDecision,
    responses(
        (status = 200, body = ApplicationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/programme-decision")]
pub async fn programme_decision(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ProgrammeDecision>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Programme, &state, *id).await?;
    let comment = decision_text("comment", body.0.comment.as_deref());
    let comment = body_on_application(comment, &caller, &state, *id).await?;
    let (id, actor, programmes, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.programmes.clone(),
        state.clock.clone(),
    );
    let approved = body.0.approved;
    let view = crate::db::run(&state.pool, move |conn| {
        let record = applications::programme_decision(
            conn,
            &actor,
            id,
            &programmes,
            approved,
            comment.as_deref(),
            || clock.now(),
        )?;
        assessed(conn, record)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[schema(value_type = ReviewOutcome)]
    pub outcome: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl Review {
    /// The outcome and the note, or every violation at once.
    fn checked(&self) -> Result<(ReviewOutcome, Option<String>), ApiError> {
        let mut v = Violations::new();
        let outcome = v.take(ReviewOutcome::parse("outcome", &self.outcome));
        let note = v.take(decision_text("note", self.note.as_deref()).map_err(|_| {
            Violation::new("note", "too_long", "a note may be at most 2,000 characters")
        }));
        match (outcome, note) {
            (Some(outcome), Some(note)) => Ok((outcome, note)),
            _ => Err(ApiError::Unprocessable(v.into_vec())),
        }
    }
}

/// The office reviews an approved application: `eligible` (enters the draw),
/// `contact` (a talk first; a final outcome follows) or `rejected`.
#[utoipa::path(
    operation_id = "reviewApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    request_body = Review,
    responses(
        (status = 200, body = ApplicationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/applications/{id}/review")]
pub async fn review(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Review>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Coordinator, &state, *id).await?;
    let (outcome, note) = body_on_application(body.0.checked(), &caller, &state, *id).await?;
    let (id, actor, scope, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.viewer(),
        state.clock.clone(),
    );
    let view = crate::db::run(&state.pool, move |conn| {
        let record =
            applications::review(conn, &actor, id, &scope, outcome, note.as_deref(), || {
                clock.now()
            })?;
        assessed(conn, record)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    #[schema(minimum = 0, maximum = 1000)]
    pub score: f64,
}

impl Score {
    /// The score, when it is one: from 0 to 1000.
    fn checked(&self) -> Result<f64, ApiError> {
        if self.score.is_finite() && (0.0..=1000.0).contains(&self.score) {
            Ok(self.score)
        } else {
            Err(ApiError::Unprocessable(vec![Violation::new(
                "score",
                "out_of_range",
                "a score is from 0 to 1000",
            )]))
        }
    }
}

/// The office's score of an application in a `ranking` call (higher ranks first).
#[utoipa::path(
    operation_id = "scoreApplication",
    tag = "applications",
    params(("id" = Uuid, Path)),
    request_body = Score,
    responses(
        (status = 200, body = ApplicationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "a lottery call, drawn, or not submitted", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/applications/{id}/score")]
pub async fn score(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Score>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    require_role_on_application(&caller, Role::Coordinator, &state, *id).await?;
    let score = body_on_application(body.0.checked(), &caller, &state, *id).await?;
    let (id, actor, scope) = (id.into_inner(), caller.actor(), caller.viewer());
    let view = crate::db::run(&state.pool, move |conn| {
        let record = applications::score(conn, &actor, id, &scope, score)?;
        assessed(conn, record)
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(view))
}
