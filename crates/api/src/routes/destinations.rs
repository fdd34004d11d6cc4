//! Destinations and the catalogue search ("world map").

use crate::access::creating_within_faculty;
use crate::app::AppState;
use crate::auth::Caller;
use crate::catalogue::{self, Snapshot};
use crate::error::{ApiError, Problem, missing};
use crate::extract::{Json, PageRequest, absent_or_null, search_words};
use crate::responses::{BreaksRules, Forbidden, Malformed, NotFound, Unauthenticated};
use crate::routes::institutions::InstitutionView;
use crate::routes::{ListResponse, created_response};
use abroad_domain::catalogue::Filter;
use abroad_domain::destination::{
    LanguageFields, LanguageRequirement, Offering, OfferingFields, SemesterFields, SemesterOffered,
};
use abroad_domain::{
    Activity, Chance, CountryCode, DestinationDraft, DestinationFields, ExchangeType, FacultyCode,
    Level, ProgrammeCode, Role, Semester, TravelAdvice, Violation,
};
use abroad_storage::StorageError;
use abroad_storage::destinations::{self, Destination, DestinationRecord};
use abroad_storage::{Cursor, PgConnection};
use actix_web::http::header::ContentType;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A destination with its institution and the travel advice of its country.
#[derive(Debug, Serialize, ToSchema)]
pub struct DestinationView {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub institution: InstitutionView,
    #[schema(example = "Sweden")]
    pub country_name: String,
    /// The travel advice in force for the institution's country.
    #[schema(value_type = TravelAdvice)]
    pub advice: String,
    #[schema(value_type = ExchangeType)]
    pub exchange_type: String,
    pub faculty: Option<String>,
    #[schema(value_type = Vec<Offering>)]
    pub offerings: serde_json::Value,
    #[schema(value_type = Vec<LanguageRequirement>)]
    pub languages: serde_json::Value,
    #[schema(value_type = Chance)]
    pub chance: String,
    #[schema(value_type = Vec<SemesterOffered>)]
    pub semesters: serde_json::Value,
    pub min_gpa: Option<f64>,
    pub fees: Option<String>,
    pub considerations: Option<String>,
    pub website: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DestinationRecord> for DestinationView {
    fn from(r: DestinationRecord) -> Self {
        let d = r.destination;
        Self {
            id: d.id,
            institution_id: d.institution_id,
            institution: r.institution.into(),
            country_name: r.country_name,
            advice: r.advice,
            exchange_type: d.exchange_type,
            faculty: d.faculty,
            offerings: d.offerings,
            languages: d.languages,
            chance: d.chance,
            semesters: d.semesters,
            min_gpa: d.min_gpa,
            fees: d.fees,
            considerations: d.considerations,
            website: d.website,
            archived: d.archived,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A change to a destination: fields left out stay as they are; `null` clears an
/// optional one; a list given replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationPatch {
    pub institution_id: Option<Uuid>,
    #[schema(value_type = Option<ExchangeType>)]
    pub exchange_type: Option<String>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub faculty: Option<Option<String>>,
    pub offerings: Option<Vec<OfferingFields>>,
    pub languages: Option<Vec<LanguageFields>>,
    #[schema(value_type = Option<Chance>)]
    pub chance: Option<String>,
    pub semesters: Option<Vec<SemesterFields>>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<f64>)]
    pub min_gpa: Option<Option<f64>>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub fees: Option<Option<String>>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub considerations: Option<Option<String>>,
    #[serde(default, deserialize_with = "absent_or_null")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// `true` archives it (it stays readable for coordinators and applications), `false` restores it.
    pub archived: Option<bool>,
}

impl DestinationPatch {
    fn apply(self, to: &Destination) -> DestinationFields {
        DestinationFields {
            institution_id: Some(self.institution_id.unwrap_or(to.institution_id)),
            exchange_type: self
                .exchange_type
                .unwrap_or_else(|| to.exchange_type.clone()),
            faculty: self.faculty.unwrap_or_else(|| to.faculty.clone()),
            offerings: self.offerings.unwrap_or_else(|| stored(&to.offerings)),
            languages: self.languages.unwrap_or_else(|| stored(&to.languages)),
            chance: self.chance.unwrap_or_else(|| to.chance.clone()),
            semesters: self.semesters.unwrap_or_else(|| stored(&to.semesters)),
            min_gpa: self.min_gpa.unwrap_or(to.min_gpa),
            fees: self.fees.unwrap_or_else(|| to.fees.clone()),
            considerations: self
                .considerations
                .unwrap_or_else(|| to.considerations.clone()),
            website: self.website.unwrap_or_else(|| to.website.clone()),
            archived: self.archived.unwrap_or(to.archived),
        }
    }
}

/// A stored list read back as the fields a client sends: it was written from the
/// domain's types, whose JSON the fields read.
fn stored<T: serde::de::DeserializeOwned + Default>(value: &serde_json::Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DestinationQuery {
    /// The institution's country, ISO 3166-1 alpha-2.
    pub country: Option<String>,
    #[param(value_type = Option<ExchangeType>)]
    pub exchange_type: Option<String>,
    /// The owning faculty.
    pub faculty: Option<String>,
    /// Has an offering for this level.
    #[param(value_type = Option<Level>)]
    pub level: Option<String>,
    /// Teaches in this language (ISO 639-1).
    pub language: Option<String>,
    /// Has an offering for this programme, or for every programme.
    pub programme: Option<String>,
    /// Has an offering for this activity.
    #[param(value_type = Option<Activity>)]
    pub activity: Option<String>,
    #[param(value_type = Option<Chance>)]
    pub chance: Option<String>,
    /// Offers this semester.
    #[param(value_type = Option<Semester>)]
    pub semester: Option<String>,
    /// Words to find in the institution's name, city, country or the considerations;
    /// each matches the start of a word, accents ignored.
    pub q: Option<String>,
    /// `true` lists archived destinations instead (coordinators only).
    pub archived: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn parameter<T>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, Violation>,
) -> Result<Option<T>, ApiError> {
    raw.map(|r| parse(r).map_err(ApiError::parameter))
        .transpose()
}

impl DestinationQuery {
    /// Every filter checked; the first unknown value answers 400 naming its parameter.
    fn filter(&self, caller: &Caller) -> Result<Filter, ApiError> {
        let archived = self.archived.unwrap_or(false);
        if archived && caller.role != Role::Coordinator {
            return Err(ApiError::Forbidden(
                "only coordinators list archived destinations".to_owned(),
            ));
        }
        let language = parameter(self.language.as_deref(), |code| {
            LanguageRequirement::validate_code("language", code).map(|()| code.to_owned())
        })?;
        Ok(Filter {
            country: parameter(self.country.as_deref(), |r| {
                CountryCode::parse("country", r)
            })?
            .map(|c| c.as_str().to_owned()),
            exchange_type: parameter(self.exchange_type.as_deref(), |r| {
                ExchangeType::parse("exchange_type", r)
            })?,
            faculty: parameter(self.faculty.as_deref(), |r| {
                FacultyCode::parse("faculty", r)
            })?
            .map(|f| f.as_str().to_owned()),
            level: parameter(self.level.as_deref(), |r| Level::parse("level", r))?,
            programme: parameter(self.programme.as_deref(), |r| {
                ProgrammeCode::parse("programme", r)
            })?
            .map(|p| p.as_str().to_owned()),
            activity: parameter(self.activity.as_deref(), |r| Activity::parse("activity", r))?,
            language,
            chance: parameter(self.chance.as_deref(), |r| Chance::parse("chance", r))?,
            semester: parameter(self.semester.as_deref(), |r| Semester::parse("semester", r))?,
            words: self.q.as_deref().map(search_words).transpose()?,
            archived,
        })
    }
}

/// Searches the catalogue; every filter is optional and they combine.
///
/// Level, activity and programme must all hold for one and the same offering.
/// Results are ordered by institution name; each embeds its institution and the
/// travel advice of its country.
#[utoipa::path(
    operation_id = "searchDestinations",
    tag = "catalogue",
    params(DestinationQuery),
    responses(
        (status = 200, body = ListResponse<DestinationView>),
        (status = 400, description = "a filter value is unknown; the problem names it", body = Problem, content_type = "application/problem+json"),
        Unauthenticated,
        (status = 403, description = "`archived=true` by a caller other than a coordinator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/destinations")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<DestinationQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter(&caller)?;
    let page =
        PageRequest::<(String, Uuid)>::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let reader = catalogue::reader(&caller.viewer());
    let snapshot = snapshot(&state).await?;
    let after = page
        .after
        .as_ref()
        .map(|Cursor((key, id))| (key.as_str(), *id));
    // Within 1..=500: PageRequest checked it.
    let limit = usize::try_from(page.limit).unwrap_or(1);
    let found = snapshot.search(&filter, &reader, after, limit);
    let next_cursor = found.next_key().map(|key| Cursor::encode(&key));
    Ok(json_response(list_body(
        found.items.iter().map(|l| &l.shown.json),
        next_cursor.as_deref(),
    )))
}

/// The catalogue as this process holds it (read from the database only the first time).
async fn snapshot(state: &AppState) -> Result<std::sync::Arc<Snapshot>, ApiError> {
    if let Some(held) = state.catalogue.loaded() {
        return Ok(held);
    }
    let cache = state.catalogue.clone();
    crate::db::run(&state.pool, move |conn| cache.snapshot(conn)).await
}

/// `{"items": [...], "next_cursor": ...}`, as [`ListResponse`] serialises, from JSON
/// rendered once per snapshot.
fn list_body<'a>(items: impl Iterator<Item = &'a Bytes>, next_cursor: Option<&str>) -> Bytes {
    let mut body = BytesMut::with_capacity(4096);
    body.extend_from_slice(b"{\"items\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            body.extend_from_slice(b",");
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"],\"next_cursor\":");
    // A string of base64url characters, or null: serialising it cannot fail.
    body.extend_from_slice(&serde_json::to_vec(&next_cursor).unwrap_or_default());
    body.extend_from_slice(b"}");
    body.freeze()
}

fn json_response(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::json())
        .body(body)
}

/// After a committed write: the snapshot rebuilt before the writer is answered.
pub(crate) fn refreshed<T>(
    state: &AppState,
) -> impl Fn(&mut PgConnection, T) -> T + Send + 'static {
    let cache = state.catalogue.clone();
    move |conn, written| {
        cache.refresh_after_write(conn);
        written
    }
}

/// 403 unless a faculty coordinator's destination belongs to its faculty (SPEC.md:
/// creating something one may not is 403).
fn within_scope(caller: &Caller, draft: &DestinationDraft) -> Result<(), StorageError> {
    match &caller.faculty {
        Some(scope) if draft.faculty.as_ref().map(FacultyCode::as_str) != Some(scope.as_str()) => {
            Err(StorageError::Forbidden(outside_scope(scope)))
        }
        _ => Ok(()),
    }
}

/// [`within_scope`] decided from the exchange type and faculty alone, before the rest
/// of the body is checked: another faculty's destination is 403 whatever else it says.
fn plainly_within_scope(caller: &Caller, fields: &DestinationFields) -> Result<(), ApiError> {
    let has_owner = ExchangeType::parse("exchange_type", &fields.exchange_type)
        .ok()
        .map(ExchangeType::has_faculty);
    creating_within_faculty(caller, has_owner, fields.faculty.as_deref(), outside_scope)
}

fn outside_scope(faculty: &str) -> String {
    format!(
        "you coordinate faculty {faculty}: a destination you create or change must be a faculty or programme agreement of {faculty}"
    )
}

/// Adds a destination (coordinators; a faculty coordinator only for its faculty).
#[utoipa::path(
    operation_id = "createDestination",
    tag = "catalogue",
    request_body = DestinationFields,
    responses(
        (status = 201, body = DestinationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[post("/destinations")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Json<DestinationFields>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Coordinator])?;
    plainly_within_scope(&caller, &body.0)?;
    let draft = DestinationDraft::parse(&body.0)?;
    within_scope(&caller, &draft)?;
    let actor = caller.actor();
    let after_write = refreshed(&state);
    let created = crate::db::run(&state.pool, move |conn| {
        let created = destinations::create(conn, &actor, &draft)?;
        Ok(after_write(conn, created))
    })
    .await?;
    let location = format!("/api/v1/destinations/{}", created.destination.id);
    Ok(created_response(location, &DestinationView::from(created)))
}

/// One destination. An archived one only coordinators see.
#[utoipa::path(
    operation_id = "getDestination",
    tag = "catalogue",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DestinationView),
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/destinations/{id}")]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let reader = catalogue::reader(&caller.viewer());
    let snapshot = snapshot(&state).await?;
    let listing = snapshot
        .get(id.into_inner(), &reader)
        .ok_or_else(|| ApiError::NotFound(NOT_FOUND.to_owned()))?;
    Ok(json_response(listing.shown.json.clone()))
}

/// Changes or archives a destination (coordinators; a faculty coordinator only its
/// faculty's: another faculty's answers 403, or 404 when archived). Destinations are archived, never deleted:
/// applications name them.
#[utoipa::path(
    operation_id = "updateDestination",
    tag = "catalogue",
    params(("id" = Uuid, Path)),
    request_body = DestinationPatch,
    responses(
        (status = 200, body = DestinationView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        BreaksRules,
    ),
    security(("bearer" = []))
)]
#[patch("/destinations/{id}")]
pub async fn patch(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<DestinationPatch>,
) -> Result<web::Json<DestinationView>, ApiError> {
    // The destination's query decides: 404 for an archived one the caller may not
    // see, 403 for one it sees but does not own.
    let (id, patch) = (id.into_inner(), body.0);
    let (actor, viewer) = (caller.actor(), caller.viewer());
    let after_write = refreshed(&state);
    let updated = crate::db::run(&state.pool, move |conn| {
        let updated = destinations::update(conn, &actor, id, &viewer, |current| {
            let draft =
                DestinationDraft::parse(&patch.apply(current)).map_err(StorageError::Invalid)?;
            within_scope(&caller, &draft)?;
            Ok(draft)
        })?;
        Ok(after_write(conn, updated))
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(updated.into()))
}

/// What a 404 here says.
const NOT_FOUND: &str = "no destination with this id";
