//! Destinations and the catalogue search.
//!
//! Offerings, languages and semesters are stored as JSONB arrays, as the API shows
//! them. The search itself runs in memory over a snapshot of the whole catalogue
//! (`abroad_domain::catalogue`, read by [`crate::catalogue::load`]); the SQL search it
//! replaced is kept as its test oracle (`catalogue_oracle`).

use crate::audit::{self, Actor};
use crate::institutions::Institution;
use crate::schema::{call_places, calls, countries, destinations, institutions, programmes};
use crate::{StorageError, Viewer};
use abroad_domain::{CallStatus, DestinationDraft, ExchangeType, Violation};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// A stored destination. The JSON columns hold the domain's `Offering`,
/// `LanguageRequirement` and `SemesterOffered` lists, exactly as the API shows them.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = destinations)]
pub struct Destination {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub exchange_type: String,
    pub faculty: Option<String>,
    pub offerings: Value,
    pub languages: Value,
    pub chance: String,
    pub semesters: Value,
    pub min_gpa: Option<f64>,
    pub fees: Option<String>,
    pub considerations: Option<String>,
    pub website: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A destination with what a reader needs beside it: its institution and the
/// travel advice of the institution's country.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationRecord {
    pub destination: Destination,
    pub institution: Institution,
    pub country_name: String,
    pub advice: String,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = destinations, treat_none_as_null = true)]
struct Row<'a> {
    institution_id: Uuid,
    exchange_type: &'a str,
    faculty: Option<&'a str>,
    offerings: Value,
    languages: Value,
    chance: &'a str,
    semesters: Value,
    min_gpa: Option<f64>,
    fees: Option<&'a str>,
    considerations: Option<&'a str>,
    website: Option<&'a str>,
    archived: bool,
}

impl<'a> Row<'a> {
    fn new(d: &'a DestinationDraft) -> Self {
        Row {
            institution_id: d.institution_id,
            exchange_type: d.exchange_type.as_str(),
            faculty: d.faculty.as_ref().map(|f| f.as_str()),
            // Plain structs of words and strings: serialising them cannot fail.
            offerings: serde_json::to_value(&d.offerings).unwrap_or_default(),
            languages: serde_json::to_value(&d.languages).unwrap_or_default(),
            chance: d.chance.as_str(),
            semesters: serde_json::to_value(&d.semesters).unwrap_or_default(),
            min_gpa: d.min_gpa,
            fees: d.fees.as_deref(),
            considerations: d.considerations.as_deref(),
            website: d.website.as_deref(),
            archived: d.archived,
        }
    }
}

type Joined = (Destination, Institution, String, String);

fn record((destination, institution, country_name, advice): Joined) -> DestinationRecord {
    DestinationRecord {
        destination,
        institution,
        country_name,
        advice,
    }
}

/// A destination as `viewer` may see it: active ones for everyone, archived ones only
/// for the office and the faculty that owns them; any other is `NotFound`.
pub fn get_visible(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<DestinationRecord, StorageError> {
    let query = destinations::table
        .inner_join(institutions::table.inner_join(countries::table))
        .filter(destinations::id.eq(id))
        .select((
            Destination::as_select(),
            Institution::as_select(),
            countries::name,
            countries::advice,
        ))
        .into_boxed();
    let active = destinations::archived.eq(false);
    let query = match viewer {
        Viewer::Everyone => query,
        Viewer::Faculty(f) => query.filter(active.or(destinations::faculty.eq(f.clone()))),
        Viewer::Student(_) | Viewer::Programmes(_) => query.filter(active),
    };
    let joined: Joined = query.first(conn)?;
    Ok(record(joined))
}

/// Any destination, for the service's own reads.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<DestinationRecord, StorageError> {
    get_visible(conn, id, &Viewer::Everyone)
}

/// Whether the institution already has an agreement of this type (for this faculty).
pub fn exists_for(
    conn: &mut PgConnection,
    institution_id: Uuid,
    exchange_type: ExchangeType,
    faculty: Option<&str>,
) -> Result<bool, StorageError> {
    let mut query = destinations::table
        .filter(destinations::institution_id.eq(institution_id))
        .filter(destinations::exchange_type.eq(exchange_type.as_str()))
        .select(destinations::id)
        .into_boxed();
    query = match faculty {
        Some(faculty) => query.filter(destinations::faculty.eq(faculty.to_owned())),
        None => query.filter(destinations::faculty.is_null()),
    };
    Ok(query.first::<Uuid>(conn).optional()?.is_some())
}

/// The ids of every active destination of these exchange types.
pub fn ids_of_types(
    conn: &mut PgConnection,
    types: &[ExchangeType],
) -> Result<Vec<Uuid>, StorageError> {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    Ok(destinations::table
        .filter(destinations::exchange_type.eq_any(names))
        .filter(destinations::archived.eq(false))
        .order(destinations::sort_key)
        .select(destinations::id)
        .load(conn)?)
}

/// Stores a new destination and audits it, in one transaction.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    draft: &DestinationDraft,
) -> Result<DestinationRecord, StorageError> {
    conn.transaction(|conn| {
        crate::catalogue::lock_for_change(conn)?;
        require_references(conn, draft)?;
        let created: Destination = diesel::insert_into(destinations::table)
            .values(Row::new(draft))
            .returning(Destination::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "destination.created",
            "destination",
            &created.id.to_string(),
            None::<&()>,
            Some(&created),
        )?;
        get(conn, created.id)
    })
}

/// Changes a destination under a row lock. One `viewer` may not see (another
/// faculty's archived destination) is `NotFound`; one it sees but does not own is
/// `Forbidden`. `change` sees it as stored and answers the draft it should become.
pub fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    change: impl FnOnce(&Destination) -> Result<DestinationDraft, StorageError>,
) -> Result<DestinationRecord, StorageError> {
    conn.transaction(|conn| {
        // Decided before the lock, so a caller who may not change it never holds it up.
        let seen = get_visible(conn, id, viewer)?;
        let owns = |d: &Destination| match viewer {
            Viewer::Everyone => Ok(()),
            Viewer::Faculty(f) if d.faculty.as_deref() == Some(f.as_str()) => Ok(()),
            Viewer::Faculty(f) => Err(StorageError::Forbidden(format!(
                "you coordinate faculty {f}: this destination is not owned by {f}"
            ))),
            Viewer::Student(_) | Viewer::Programmes(_) => Err(StorageError::Forbidden(
                "only coordinators change destinations".to_owned(),
            )),
        };
        owns(&seen.destination)?;
        crate::catalogue::lock_for_change(conn)?;
        let before: Destination = destinations::table
            .find(id)
            .select(Destination::as_select())
            .for_update()
            .first(conn)?;
        owns(&before)?;
        let draft = change(&before)?;
        require_references(conn, &draft)?;
        let leaves_its_calls = (draft.archived && !before.archived)
            || draft.exchange_type.as_str() != before.exchange_type
            || draft.faculty.as_ref().map(|f| f.as_str()) != before.faculty.as_deref();
        if leaves_its_calls && offered_by_a_call_not_drawn(conn, id)? {
            return Err(StorageError::State(
                "calls not drawn yet offer places here; archiving it or changing its type or \
                 faculty would change what they offer (take it out of their places first)"
                    .to_owned(),
            ));
        }
        let after: Destination = diesel::update(destinations::table.find(id))
            .set((Row::new(&draft), destinations::updated_at.eq(now)))
            .returning(Destination::as_returning())
            .get_result(conn)?;
        let unchanged = Destination {
            updated_at: before.updated_at,
            ..after.clone()
        } == before;
        if !unchanged {
            let action = match (before.archived, after.archived) {
                (false, true) => "destination.archived",
                (true, false) => "destination.restored",
                _ => "destination.updated",
            };
            audit::record(
                conn,
                actor,
                action,
                "destination",
                &id.to_string(),
                Some(&before),
                Some(&after),
            )?;
        }
        get(conn, id)
    })
}

/// Whether a call that is not drawn yet has places at this destination: its offer
/// (and, once closed, the digest of its draw's inputs) rests on the destination as is.
fn offered_by_a_call_not_drawn(conn: &mut PgConnection, id: Uuid) -> Result<bool, StorageError> {
    let pending = [CallStatus::Draft, CallStatus::Open, CallStatus::Closed].map(CallStatus::as_str);
    Ok(diesel::select(exists(
        call_places::table
            .inner_join(calls::table)
            .filter(call_places::destination_id.eq(id))
            .filter(calls::status.eq_any(pending)),
    ))
    .get_result(conn)?)
}

/// The institution and every programme an offering names must exist.
fn require_references(
    conn: &mut PgConnection,
    draft: &DestinationDraft,
) -> Result<(), StorageError> {
    let institution_id = draft.institution_id;
    let mut violations = Vec::new();
    let institution_known: bool =
        diesel::select(exists(institutions::table.find(institution_id))).get_result(conn)?;
    if !institution_known {
        violations.push(Violation::new(
            "institution_id",
            "unknown_institution",
            format!(
                "there is no institution {institution_id}; create it with POST /api/v1/institutions"
            ),
        ));
    }
    let named = draft.programmes();
    if !named.is_empty() {
        let codes: Vec<&str> = named.iter().map(|(code, _)| code.as_str()).collect();
        let known: Vec<String> = programmes::table
            .filter(programmes::code.eq_any(&codes))
            .select(programmes::code)
            .load(conn)?;
        for (code, field) in &named {
            if !known.contains(code) {
                violations.push(Violation::new(
                    field.clone(),
                    "unknown_programme",
                    format!(
                        "there is no programme `{code}`; add it with PUT /api/v1/programmes/{code}"
                    ),
                ));
            }
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid(violations))
    }
}
