//! Offers: a placement of the draw, answered by its student before `expires_at`, and
//! the stay and contacts abroad once accepted (SPEC.md, Offers, nomination, second round).

use crate::access::{body_after_access, require_role_on};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest};
use crate::responses::{BreaksRules, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::ListResponse;
use abroad_domain::offer::{Stay, StayFields};
use abroad_domain::{OfferStatus, Role, Semester, Violation};
use abroad_storage::offers::{self, Offer, OfferFilter};
use actix_web::{get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a 404 here says.
pub(crate) const NOT_FOUND: &str = "no offer with this id";

/// Someone to call in an emergency during the stay.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyContactView {
    pub name: String,
    pub phone: String,
    pub relation: String,
}

/// The stay abroad and the contacts during it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StayView {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub address: String,
    pub phone: String,
    pub emergency_contact: EmergencyContactView,
}

impl From<Stay> for StayView {
    fn from(s: Stay) -> Self {
        Self {
            start_date: s.start_date,
            end_date: s.end_date,
            address: s.address,
            phone: s.phone,
            emergency_contact: EmergencyContactView {
                name: s.emergency_contact.name,
                phone: s.emergency_contact.phone,
                relation: s.emergency_contact.relation,
            },
        }
    }
}

/// An offer: a place at a destination in a semester, until `expires_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub id: Uuid,
    pub application_id: Uuid,
    pub call_id: Uuid,
    /// The student's number.
    pub student: String,
    pub destination_id: Uuid,
    pub semester: Semester,
    /// As of this answer: a pending offer past `expires_at` reads `expired` even before
    /// the expiry task has written it.
    pub status: OfferStatus,
    /// `drawn_at` + `offer_days` × 24 h; an answer must come before it.
    pub expires_at: DateTime<Utc>,
    /// When the student accepted or declined.
    pub answered_at: Option<DateTime<Utc>>,
    /// Once accepted, as the student keeps it (`PUT /offers/{id}/stay`).
    pub stay: Option<StayView>,
}

impl From<Offer> for OfferView {
    fn from(o: Offer) -> Self {
        Self {
            id: o.id,
            application_id: o.application_id,
            call_id: o.call_id,
            student: o.student,
            destination_id: o.destination_id,
            semester: o.semester,
            status: o.status,
            expires_at: o.expires_at,
            answered_at: o.answered_at,
            stay: o.stay.map(StayView::from),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OfferQuery {
    pub call_id: Option<Uuid>,
    /// As of now: `expired` includes pending offers whose time is up.
    #[param(value_type = Option<OfferStatus>)]
    pub status: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The roles that read offers: their student, and the office.
const READERS: [Role; 2] = [Role::Student, Role::Coordinator];

/// Offers the caller may see, newest first: a student's own, a faculty coordinator's
/// faculty calls', or all for the office.
#[utoipa::path(
    operation_id = "listOffers",
    tag = "offers",
    params(OfferQuery),
    responses(
        (status = 200, body = ListResponse<OfferView>),
        Malformed,
        Unauthenticated,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/offers")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<OfferQuery>,
) -> Result<web::Json<ListResponse<OfferView>>, ApiError> {
    caller.require(&READERS)?;
    let query = query.into_inner();
    let filter = OfferFilter {
        call_id: query.call_id,
        status: query
            .status
            .as_deref()
            .map(|raw| OfferStatus::parse("status", raw).map_err(ApiError::bad_parameter))
            .transpose()?,
    };
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let (viewer, at) = (caller.viewer(), state.clock.now());
    let rows = crate::db::run(&state.pool, move |conn| {
        offers::list(conn, &viewer, &filter, at, page.after, page.limit)
    })
    .await?;
    Ok(web::Json(ListResponse::from_page(rows, OfferView::from)))
}

/// One offer: its student's, or the office's to read.
#[utoipa::path(
    operation_id = "getOffer",
    tag = "offers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = OfferView),
        Unauthenticated,
        Forbidden,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/offers/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<OfferView>, ApiError> {
    caller.require(&READERS)?;
    let (id, viewer, at) = (id.into_inner(), caller.viewer(), state.clock.now());
    let offer = crate::db::run(&state.pool, move |conn| offers::get(conn, id, &viewer, at))
        .await
        .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(offer.into()))
}

/// Only the offer's student answers it: a coordinator who sees it gets 403, and so does
/// a programme's contact, whose role reads no offers at all.
async fn require_owner(caller: &Caller, state: &AppState, id: Uuid) -> Result<(), ApiError> {
    caller.require(&READERS)?;
    let at = state.clock.now();
    require_role_on(
        caller,
        &[Role::Student],
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| offers::get(conn, id, viewer, at),
    )
    .await
}

/// `checked` (what the body says) as the answer only for a caller who sees the offer;
/// anyone else gets its 404 (see [`body_after_access`]).
async fn body_on_offer<V>(
    checked: Result<V, ApiError>,
    caller: &Caller,
    state: &AppState,
    id: Uuid,
) -> Result<V, ApiError> {
    let at = state.clock.now();
    body_after_access(
        checked,
        caller,
        &state.pool,
        NOT_FOUND,
        move |conn, viewer| offers::get(conn, id, viewer, at),
    )
    .await
}

/// Agreeing to the Regulations on Studying Abroad.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Must be `true`: the student agrees to the Regulations on Studying Abroad.
    #[serde(default)]
    pub regulations_accepted: Option<bool>,
}

impl Acceptance {
    /// 422 unless the student agrees to the Regulations.
    fn checked(&self) -> Result<(), ApiError> {
        if self.regulations_accepted == Some(true) {
            return Ok(());
        }
        Err(ApiError::Unprocessable(vec![Violation::new(
            "regulations_accepted",
            "regulations_not_accepted",
            "accepting an offer needs `regulations_accepted: true`: agree to the Regulations \
             on Studying Abroad first",
        )]))
    }
}

/// An accepted offer and the nomination it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedView {
    #[serde(flatten)]
    pub offer: OfferView,
    /// The nomination to the host institution this acceptance created.
    pub nomination_id: Uuid,
}

/// The student accepts, agreeing to the Regulations on Studying Abroad: only a pending
/// offer before `expires_at`, and not while its country is under negative travel advice.
/// Creates the nomination to the host.
#[utoipa::path(
    operation_id = "acceptOffer",
    tag = "offers",
    params(("id" = Uuid, Path)),
    request_body = Acceptance,
    responses(
        (status = 200, body = AcceptedView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not pending (accepted, declined, or expired), or the country is now under negative travel advice", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/offers/{id}/accept")]
pub async fn accept(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Acceptance>,
) -> Result<web::Json<AcceptedView>, ApiError> {
    require_owner(&caller, &state, *id).await?;
    body_on_offer(body.0.checked(), &caller, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let accepted = crate::db::run(&state.pool, move |conn| {
        offers::accept(conn, &actor, id, &owner, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(AcceptedView {
        offer: accepted.offer.into(),
        nomination_id: accepted.nomination_id,
    }))
}

/// The student declines a pending offer before it expires; the place goes to the
/// second round.
#[utoipa::path(
    operation_id = "declineOffer",
    tag = "offers",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = OfferView),
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not pending (accepted, declined, or expired)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/offers/{id}/decline")]
pub async fn decline(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<OfferView>, ApiError> {
    require_owner(&caller, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let offer = crate::db::run(&state.pool, move |conn| {
        offers::decline(conn, &actor, id, &owner, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(offer.into()))
}

/// The student of an accepted offer keeps the stay's dates, address and phone abroad
/// and an emergency contact current; the office reaches them there when advice turns.
#[utoipa::path(
    operation_id = "putOfferStay",
    tag = "offers",
    params(("id" = Uuid, Path)),
    request_body = StayFields,
    responses(
        (status = 200, body = OfferView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "the offer is not accepted", body = Problem, content_type = "application/problem+json"),
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[put("/offers/{id}/stay")]
pub async fn stay(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<StayFields>,
) -> Result<web::Json<OfferView>, ApiError> {
    require_owner(&caller, &state, *id).await?;
    let stay = body.0.parse().map_err(ApiError::Unprocessable);
    let stay = body_on_offer(stay, &caller, &state, *id).await?;
    let (id, actor, owner, clock) = (
        id.into_inner(),
        caller.actor(),
        caller.sub.clone(),
        state.clock.clone(),
    );
    let offer = crate::db::run(&state.pool, move |conn| {
        offers::set_stay(conn, &actor, id, &owner, &stay, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(offer.into()))
}
