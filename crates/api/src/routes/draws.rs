//! The draw of a call: run once by its coordinators, then published to everyone who
//! reads the call, with everything needed to run it again (`abroad verify-draw`).

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::responses::{Forbidden, NotFound, Unauthenticated};
use abroad_domain::Selection;
use abroad_domain::draw::{DrawInputs, Placement, Ranked};
use abroad_storage::draws::{self, DrawRecord, DrawSummary};
use actix_web::http::header::{self, ContentType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream};
use serde::Serialize;
use std::convert::Infallible;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a draw did, in numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawSummaryView {
    pub call_id: Uuid,
    pub drawn_at: DateTime<Utc>,
    /// `SHA-256(seed)`, hex, as published when the call closed.
    pub commitment: String,
    /// `SHA-256(JCS(inputs))`, hex, as published when the call closed.
    pub inputs_digest: String,
    /// Eligible applications in the draw.
    pub applications: u32,
    pub placed: u32,
    pub unplaced: u32,
}

impl From<DrawSummary> for DrawSummaryView {
    fn from(s: DrawSummary) -> Self {
        Self {
            call_id: s.call_id,
            drawn_at: s.drawn_at,
            commitment: s.commitment,
            inputs_digest: s.inputs_digest,
            applications: s.applications,
            placed: s.placed,
            unplaced: s.unplaced,
        }
    }
}

/// The published draw: everything needed to recompute it, and no names.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawRecordView {
    pub call_id: Uuid,
    /// The selection algorithm, SPEC.md's steps 2–5.
    #[schema(example = "abroad-rsd-v1")]
    pub algorithm: String,
    /// `lottery` ranks by key; `ranking` by the office's score, keys breaking ties.
    pub selection: Selection,
    pub commitment: String,
    pub inputs_digest: String,
    /// The seed, revealed at the draw: 64 hex characters; `SHA-256(seed)` is the commitment.
    pub seed: String,
    pub drawn_at: DateTime<Utc>,
    /// The frozen inputs; `blocked` marks the slots under negative travel advice at the draw.
    pub inputs: DrawInputs,
    /// Rank 1 first.
    pub ranking: Vec<Ranked>,
    /// One per application in the draw; `destination_id` and `semester` are `null` when unplaced.
    pub placements: Vec<Placement>,
}

impl From<DrawRecord> for DrawRecordView {
    fn from(r: DrawRecord) -> Self {
        Self {
            call_id: r.call_id,
            algorithm: r.algorithm,
            selection: r.selection,
            commitment: r.commitment,
            inputs_digest: r.inputs_digest,
            seed: r.seed,
            drawn_at: r.drawn_at,
            inputs: r.inputs,
            ranking: r.ranking,
            placements: r.placements,
        }
    }
}

/// What a 404 here says.
const NOT_FOUND: &str = "no draw of a call with this id";

/// Runs the call's draw (its coordinators): `closed → drawn`, once. Slots in countries
/// under orange or red advice now get no places and are published as `blocked`; each
/// placement becomes an offer that expires `offer_days` after the draw.
#[utoipa::path(
    operation_id = "drawCall",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, description = "drawn; `Location` is the published record", body = DrawSummaryView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not closed yet, or drawn already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/calls/{id}/draw")]
pub async fn draw(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    // The call's query decides: 404 for a call the caller may not see, 403 for one it
    // sees but does not manage.
    let (id, actor, viewer, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.viewer(),
        state.clock.clone(),
    );
    let summary = crate::db::run(&state.pool, move |conn| {
        draws::draw(conn, &actor, id, &viewer, || clock.now())
    })
    .await
    .map_err(missing("no call with this id"))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/calls/{id}/draw")))
        .json(DrawSummaryView::from(summary)))
}

/// The published draw of a call: everyone who reads the call (404 before the draw).
/// `abroad verify-draw` checks it from this record alone.
#[utoipa::path(
    operation_id = "getCallDraw",
    tag = "calls",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DrawRecordView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/calls/{id}/draw")]
pub async fn record(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (id, viewer) = (id.into_inner(), caller.viewer());
    let record = crate::db::run(&state.pool, move |conn| draws::record(conn, id, &viewer))
        .await
        .map_err(missing(NOT_FOUND))?;
    // A large call's record is tens of megabytes: serialised once, off the worker, then
    // sent in parts, so that compression (gzip when asked) and sending go part by part.
    let body = web::block(move || serde_json::to_vec(&DrawRecordView::from(record)))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .streaming(in_parts(Bytes::from(body))))
}

/// The size of the parts a large body is sent in.
const PART: usize = 256 * 1024;

/// `body` as a stream of parts of [`PART`] bytes, without copying.
fn in_parts(body: Bytes) -> impl Stream<Item = Result<Bytes, Infallible>> {
    let parts = body.len().div_ceil(PART);
    stream::iter((0..parts).map(move |i| Ok(body.slice(i * PART..body.len().min((i + 1) * PART)))))
}
