//! Calls (application rounds), their places, and the live demand on each place.

use crate::StorageError;
use crate::Viewer;
use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::{applications, call_places, calls, destinations};
use abroad_domain::{
    Activity, ApplicationStatus, CallDraft, CallRules, CallStatus, DocumentKind, Level, Motivation,
    Selection, Semester, Violation,
};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use serde::Serialize;
use uuid::Uuid;

/// A stored call. The seed is not here: only the draw reads it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = calls)]
pub struct Call {
    pub id: Uuid,
    pub name: String,
    pub scheme: String,
    pub faculty: Option<String>,
    pub activity: String,
    pub semesters: Vec<String>,
    pub opens_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub min_choices: i32,
    pub max_choices: i32,
    pub max_low_chance: Option<i32>,
    pub min_ec: i32,
    pub max_ec: Option<i32>,
    pub ec_applies_to: Option<String>,
    pub requires_first_year_diploma: bool,
    pub min_gpa: Option<f64>,
    pub motivation_per_choice: bool,
    pub motivation_min_words: Option<i32>,
    pub motivation_max_words: Option<i32>,
    pub required_documents: Vec<String>,
    pub transcript_rule: bool,
    pub selection: String,
    pub offer_days: i32,
    pub parent_call_id: Option<Uuid>,
    pub status: String,
    pub commitment: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub inputs_digest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("a call's {what}"))
}

fn unsigned(n: i32, what: &str) -> Result<u32, StorageError> {
    u32::try_from(n).map_err(|_| corrupt(what))
}

impl Call {
    pub fn status(&self) -> Result<CallStatus, StorageError> {
        self.status.parse().map_err(|_| corrupt("status"))
    }

    /// The rules as the domain checks them; the database's checks keep every value readable.
    pub fn rules(&self) -> Result<CallRules, StorageError> {
        let semesters = self
            .semesters
            .iter()
            .map(|s| s.parse::<Semester>().map_err(|_| corrupt("semesters")))
            .collect::<Result<_, _>>()?;
        let required_documents = self
            .required_documents
            .iter()
            .map(|d| d.parse::<DocumentKind>().map_err(|_| corrupt("documents")))
            .collect::<Result<_, _>>()?;
        Ok(CallRules {
            activity: self
                .activity
                .parse::<Activity>()
                .map_err(|_| corrupt("activity"))?,
            semesters,
            deadline: self.deadline,
            min_choices: unsigned(self.min_choices, "min_choices")?,
            max_choices: unsigned(self.max_choices, "max_choices")?,
            max_low_chance: self
                .max_low_chance
                .map(|n| unsigned(n, "max_low_chance"))
                .transpose()?,
            min_ec: unsigned(self.min_ec, "min_ec")?,
            max_ec: self.max_ec.map(|n| unsigned(n, "max_ec")).transpose()?,
            ec_applies_to: self
                .ec_applies_to
                .as_deref()
                .map(|l| l.parse::<Level>().map_err(|_| corrupt("ec_applies_to")))
                .transpose()?,
            requires_first_year_diploma: self.requires_first_year_diploma,
            min_gpa: self.min_gpa,
            motivation: Motivation {
                per_choice: self.motivation_per_choice,
                min_words: self
                    .motivation_min_words
                    .map(|n| unsigned(n, "min_words"))
                    .transpose()?,
                max_words: self
                    .motivation_max_words
                    .map(|n| unsigned(n, "max_words"))
                    .transpose()?,
            },
            required_documents,
            transcript_rule: self.transcript_rule,
            selection: self
                .selection
                .parse::<Selection>()
                .map_err(|_| corrupt("selection"))?,
            offer_days: unsigned(self.offer_days, "offer_days")?,
        })
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = calls, treat_none_as_null = true)]
struct Row<'a> {
    name: &'a str,
    scheme: &'a str,
    faculty: Option<&'a str>,
    activity: &'a str,
    semesters: Vec<&'a str>,
    opens_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    min_choices: i32,
    max_choices: i32,
    max_low_chance: Option<i32>,
    min_ec: i32,
    max_ec: Option<i32>,
    ec_applies_to: Option<&'a str>,
    requires_first_year_diploma: bool,
    min_gpa: Option<f64>,
    motivation_per_choice: bool,
    motivation_min_words: Option<i32>,
    motivation_max_words: Option<i32>,
    required_documents: Vec<&'a str>,
    transcript_rule: bool,
    selection: &'a str,
    offer_days: i32,
    parent_call_id: Option<Uuid>,
}

/// Every count in a draft was checked to be small; these conversions cannot fail.
fn signed(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl<'a> From<&'a CallDraft> for Row<'a> {
    fn from(d: &'a CallDraft) -> Self {
        let r = &d.rules;
        Row {
            name: &d.name,
            scheme: d.scheme.as_str(),
            faculty: d.faculty.as_ref().map(|f| f.as_str()),
            activity: r.activity.as_str(),
            semesters: r.semesters.iter().map(|s| s.as_str()).collect(),
            opens_at: d.opens_at,
            deadline: r.deadline,
            min_choices: signed(r.min_choices),
            max_choices: signed(r.max_choices),
            max_low_chance: r.max_low_chance.map(signed),
            min_ec: signed(r.min_ec),
            max_ec: r.max_ec.map(signed),
            ec_applies_to: r.ec_applies_to.map(Level::as_str),
            requires_first_year_diploma: r.requires_first_year_diploma,
            min_gpa: r.min_gpa,
            motivation_per_choice: r.motivation.per_choice,
            motivation_min_words: r.motivation.min_words.map(signed),
            motivation_max_words: r.motivation.max_words.map(signed),
            required_documents: r.required_documents.iter().map(|k| k.as_str()).collect(),
            transcript_rule: r.transcript_rule,
            selection: r.selection.as_str(),
            offer_days: signed(r.offer_days),
            parent_call_id: d.parent_call_id,
        }
    }
}

/// Whether `viewer` manages `call`: the office every call, a faculty's coordinator
/// its faculty's calls; everyone else only reads.
fn manages(viewer: &Viewer, call: &Call) -> bool {
    match viewer {
        Viewer::Everyone => true,
        Viewer::Faculty(f) => call.faculty.as_deref() == Some(f.as_str()),
        Viewer::Student(_) | Viewer::Programmes(_) => false,
    }
}

type Boxed<'a> = calls::BoxedQuery<'a, diesel::pg::Pg, diesel::dsl::AsSelect<Call, diesel::pg::Pg>>;

/// The calls `viewer` may see: published ones for everyone, drafts only for the
/// coordinators who manage them.
fn visible<'a>(viewer: &Viewer) -> Boxed<'a> {
    let query = calls::table.select(Call::as_select()).into_boxed();
    let published = calls::status.ne(CallStatus::Draft.as_str());
    match viewer {
        Viewer::Everyone => query,
        Viewer::Faculty(f) => query.filter(published.or(calls::faculty.eq(f.clone()))),
        Viewer::Student(_) | Viewer::Programmes(_) => query.filter(published),
    }
}

/// A call as `viewer` may see it; a draft of someone else's is `NotFound`.
pub fn get_visible(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<Call, StorageError> {
    Ok(visible(viewer).filter(calls::id.eq(id)).first(conn)?)
}

/// Any call, for the service's own reads (an application's rules).
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Call, StorageError> {
    Ok(calls::table
        .find(id)
        .select(Call::as_select())
        .first(conn)?)
}

/// The call of this name, if there is one.
pub fn find_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<Call>, StorageError> {
    Ok(calls::table
        .filter(calls::name.eq(name))
        .select(Call::as_select())
        .first(conn)
        .optional()?)
}

/// The calls `viewer` may see, newest first, optionally of one status.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    status: Option<CallStatus>,
    after: Option<Cursor<(DateTime<Utc>, Uuid)>>,
    limit: i64,
) -> Result<Page<Call>, StorageError> {
    let mut query = visible(viewer);
    if let Some(status) = status {
        query = query.filter(calls::status.eq(status.as_str()));
    }
    if let Some(Cursor((created_at, id))) = after {
        query = query.filter(
            calls::created_at
                .lt(created_at)
                .or(calls::created_at.eq(created_at).and(calls::id.lt(id))),
        );
    }
    let rows = query
        .order((calls::created_at.desc(), calls::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |c| (c.created_at, c.id)))
}

/// A second round's parent must exist, be of the same scheme and faculty, and offer
/// every semester the second round does. The parent is looked up as `viewer` sees
/// calls: another faculty's draft is as unknown as a call that never was, so the
/// answer tells no one that it exists.
fn check_parent(
    conn: &mut PgConnection,
    draft: &CallDraft,
    viewer: &Viewer,
) -> Result<(), StorageError> {
    let Some(parent_id) = draft.parent_call_id else {
        return Ok(());
    };
    let parent = visible(viewer)
        .filter(calls::id.eq(parent_id))
        .first(conn)
        .optional()?;
    let problem = match parent {
        None => Some(format!("there is no call {parent_id}")),
        Some(p)
            if p.scheme != draft.scheme.as_str()
                || p.faculty.as_deref() != draft.faculty.as_ref().map(|f| f.as_str()) =>
        {
            Some(
                "a second round belongs to the same scheme and faculty as its first round"
                    .to_owned(),
            )
        }
        Some(p)
            if draft
                .rules
                .semesters
                .iter()
                .any(|s| !p.semesters.iter().any(|ps| ps == s.as_str())) =>
        {
            Some(
                "a second round may only restrict its first round's semesters, not add to them"
                    .to_owned(),
            )
        }
        Some(_) => None,
    };
    match problem {
        Some(message) => Err(StorageError::Invalid(vec![Violation::new(
            "parent_call_id",
            "invalid_parent_call",
            message,
        )])),
        None => Ok(()),
    }
}

/// A new draft call; its parent, if any, as `viewer` sees calls.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    draft: &CallDraft,
    viewer: &Viewer,
) -> Result<Call, StorageError> {
    conn.transaction(|conn| {
        check_parent(conn, draft, viewer)?;
        let created: Call = diesel::insert_into(calls::table)
            .values(Row::from(draft))
            .returning(Call::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "call.created",
            "call",
            &created.id.to_string(),
            None::<&()>,
            Some(&created),
        )?;
        Ok(created)
    })
}

/// A call `viewer` manages, read without a lock: one it may not see is `NotFound`, a
/// published call of another faculty (or of the university) is `Forbidden`.
pub fn managed(conn: &mut PgConnection, id: Uuid, viewer: &Viewer) -> Result<Call, StorageError> {
    let call = get_visible(conn, id, viewer)?;
    if manages(viewer, &call) {
        Ok(call)
    } else {
        Err(StorageError::Forbidden(match viewer.faculty() {
            Some(f) => format!("you coordinate faculty {f}: this call is not one of {f}'s calls"),
            None => "only the office manages calls".to_owned(),
        }))
    }
}

/// Locks a call `viewer` manages. Who may is decided first, without the lock
/// ([`managed`]), so a caller who may not change the call never holds it up.
pub(crate) fn lock(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: &Viewer,
) -> Result<Call, StorageError> {
    managed(conn, id, viewer)?;
    calls::table
        .find(id)
        .select(Call::as_select())
        .for_update()
        .first(conn)?;
    // A call's faculty changes only while it is a draft; the read under the lock decides.
    managed(conn, id, viewer)
}

/// Changes a call while it is a draft; `change` sees it as stored.
pub fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    change: impl FnOnce(&Call) -> Result<CallDraft, StorageError>,
) -> Result<Call, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, viewer)?;
        if before.status()? != CallStatus::Draft {
            return Err(StorageError::State(format!(
                "the call is {}; only a draft call can be changed",
                before.status
            )));
        }
        let draft = change(&before)?;
        check_parent(conn, &draft, viewer)?;
        if draft.parent_call_id == Some(id) {
            return Err(StorageError::Invalid(vec![Violation::new(
                "parent_call_id",
                "invalid_parent_call",
                "a call cannot be its own first round",
            )]));
        }
        let after: Call = diesel::update(calls::table.find(id))
            .set((Row::from(&draft), calls::updated_at.eq(now)))
            .returning(Call::as_returning())
            .get_result(conn)?;
        let misfits = places_that_no_longer_fit(conn, &after)?;
        if !misfits.is_empty() {
            return Err(StorageError::Invalid(misfits));
        }
        audit::record(
            conn,
            actor,
            "call.updated",
            "call",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// `draft → open`, from `opens_at` on.
pub fn open(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Call, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, viewer)?;
        if before.status()? != CallStatus::Draft {
            return Err(StorageError::State(format!(
                "the call is {}; only a draft call can be opened",
                before.status
            )));
        }
        if clock() < before.opens_at {
            return Err(StorageError::State(format!(
                "the call opens at {}, not before",
                before.opens_at.to_rfc3339()
            )));
        }
        if let Some(parent) = before.parent_call_id {
            let status: String = calls::table
                .find(parent)
                .select(calls::status)
                .for_share()
                .first(conn)?;
            if status != CallStatus::Drawn.as_str() {
                return Err(StorageError::State(format!(
                    "this second round opens once its first round has been drawn; that call is {status}"
                )));
            }
        }
        let after: Call = diesel::update(calls::table.find(id))
            .set((
                calls::status.eq(CallStatus::Open.as_str()),
                calls::updated_at.eq(now),
            ))
            .returning(Call::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "call.opened",
            "call",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// `open → closed`, only after the deadline and once every submitted application has
/// its final decision (and, in a `ranking` call, every eligible one its score): stores
/// the seed and publishes its commitment and the digest of the frozen draw inputs. The call is locked exclusively, so every
/// application write under way (they share the lock) has finished, and none follows:
/// from here on nothing that feeds the draw changes (SPEC.md, Selection 1).
pub fn close(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    clock: impl Fn() -> DateTime<Utc>,
    seed: &[u8; 32],
) -> Result<Call, StorageError> {
    conn.transaction(|conn| {
        let before = lock(conn, id, viewer)?;
        if before.status()? != CallStatus::Open {
            return Err(StorageError::State(format!(
                "the call is {}; only an open call can be closed",
                before.status
            )));
        }
        let at = clock();
        if at <= before.deadline {
            return Err(StorageError::State(format!(
                "the call closes only after its deadline ({})",
                before.deadline.to_rfc3339()
            )));
        }
        let undecided = [
            ApplicationStatus::Submitted,
            ApplicationStatus::Approved,
            ApplicationStatus::Contact,
        ]
        .map(ApplicationStatus::as_str);
        let waiting: i64 = applications::table
            .filter(applications::call_id.eq(id))
            .filter(applications::status.eq_any(undecided))
            .count()
            .get_result(conn)?;
        let unscored: i64 = if before.selection == Selection::Ranking.as_str() {
            applications::table
                .filter(applications::call_id.eq(id))
                .filter(applications::status.eq(ApplicationStatus::Eligible.as_str()))
                .filter(applications::score.is_null())
                .count()
                .get_result(conn)?
        } else {
            0
        };
        if waiting + unscored > 0 {
            return Err(StorageError::State(format!(
                "{} application(s) still wait: {waiting} for their final decision (the \
                 programme's, then the office's review as eligible or rejected), {unscored} \
                 eligible for their score",
                waiting + unscored
            )));
        }
        let set = places(conn, id)?;
        let violations = beyond_leftovers(conn, &before, &set, at, Naming::Stored)?;
        if !violations.is_empty() {
            return Err(StorageError::Invalid(violations));
        }
        let inputs = crate::draw_inputs::frozen(conn, &before)?;
        let digest = abroad_domain::draw::inputs_digest(&inputs).map_err(|e| {
            StorageError::Corrupt(format!("the frozen inputs cannot be digested: {e}"))
        })?;
        let after: Call = diesel::update(calls::table.find(id))
            .set((
                calls::status.eq(CallStatus::Closed.as_str()),
                calls::seed.eq(seed.as_slice()),
                calls::commitment.eq(abroad_domain::draw::commitment(seed)),
                calls::inputs_digest.eq(digest),
                calls::closed_at.eq(at),
                calls::updated_at.eq(now),
            ))
            .returning(Call::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "call.closed",
            "call",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// One slot: places at a destination in a semester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub destination_id: Uuid,
    pub semester: Semester,
    pub places: u32,
}

/// A slot with the live demand of submitted applications.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize)]
pub struct PlaceDemand {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub destination_id: Uuid,
    #[diesel(sql_type = Text)]
    pub semester: String,
    #[diesel(sql_type = Integer)]
    pub places: i32,
    #[diesel(sql_type = BigInt)]
    pub first_choice_count: i64,
    #[diesel(sql_type = BigInt)]
    pub total_count: i64,
}

/// Replaces a call's places while it is a draft or open, and writes the call's row
/// (`updated_at`).
pub fn put_places(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    places: &[Place],
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<Vec<PlaceDemand>, StorageError> {
    conn.transaction(|conn| {
        let call = lock(conn, id, viewer)?;
        if !matches!(call.status()?, CallStatus::Draft | CallStatus::Open) {
            return Err(StorageError::State(format!(
                "the call is {}; its places are fixed",
                call.status
            )));
        }
        let mut violations = Vec::new();
        let wanted: Vec<Uuid> = places.iter().map(|p| p.destination_id).collect();
        // Shared locks: a destination cannot be archived or moved while it is put here.
        let known: Vec<(Uuid, String, Option<String>, bool)> = destinations::table
            .filter(destinations::id.eq_any(&wanted))
            .for_share()
            .select((
                destinations::id,
                destinations::exchange_type,
                destinations::faculty,
                destinations::archived,
            ))
            .load(conn)?;
        for (i, place) in places.iter().enumerate() {
            let field = format!("[{i}].destination_id");
            // An archived destination another faculty owns is not there for this
            // caller: as unknown as one that never was.
            let visible = |faculty: &Option<String>, archived: bool| {
                !archived
                    || viewer
                        .faculty()
                        .is_none_or(|f| faculty.as_deref() == Some(f))
            };
            match known
                .iter()
                .find(|(id, _, faculty, archived)| *id == place.destination_id && visible(faculty, *archived))
            {
                None => violations.push(Violation::new(
                    field,
                    "unknown_destination",
                    "there is no such destination",
                )),
                Some((_, _, _, true)) => violations.push(Violation::new(
                    field,
                    "archived_destination",
                    "this destination is archived; a call offers places only at active ones",
                )),
                Some((_, exchange_type, faculty, _)) if !fits_scheme(&call, exchange_type, faculty.as_deref()) => {
                    violations.push(Violation::new(
                        field,
                        "destination_outside_scheme",
                        match &call.faculty {
                            Some(f) => format!("a faculty call of {f} offers places only at destinations owned by {f}"),
                            None => "a university-wide call offers places only at university_wide or isep destinations".to_owned(),
                        },
                    ))
                }
                Some(_) => {}
            }
            if !call.semesters.iter().any(|s| s == place.semester.as_str()) {
                violations.push(Violation::new(
                    format!("[{i}].semester"),
                    "semester_not_in_call",
                    format!("this call is not for the {} semester", place.semester),
                ));
            }
        }
        if violations.is_empty() {
            violations = beyond_leftovers(conn, &call, places, clock(), Naming::Sent)?;
        }
        if !violations.is_empty() {
            return Err(StorageError::Invalid(violations));
        }
        let before = demand(conn, id)?;
        diesel::delete(call_places::table.filter(call_places::call_id.eq(id))).execute(conn)?;
        let rows: Vec<_> = places
            .iter()
            .map(|p| {
                (
                    call_places::call_id.eq(id),
                    call_places::destination_id.eq(p.destination_id),
                    call_places::semester.eq(p.semester.as_str()),
                    call_places::places.eq(signed(p.places)),
                )
            })
            .collect();
        diesel::insert_into(call_places::table)
            .values(&rows)
            .execute(conn)?;
        // The call's row is written too: a change to what applications are checked on
        // always writes it, which is how a submission read before it knows it is out of
        // date (`applications::quick`).
        diesel::update(calls::table.find(id))
            .set(calls::updated_at.eq(diesel::dsl::now))
            .execute(conn)?;
        let after = demand(conn, id)?;
        audit::record(
            conn,
            actor,
            "call.places_set",
            "call",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// Where a second round's slots are named in its violations: the index in the body a
/// client sent, or (at close, of the stored places) the slot itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    Sent,
    Stored,
}

/// A second round's places may not exceed what its first round has left over at each
/// slot (places − accepted − pending offers, SPEC.md, Calls), less what other second
/// rounds of the same first round offer there: one violation per slot that does, with
/// the places that are left. A call without a parent has no limit. The first round's
/// row is locked first, so two second rounds of it are checked one after the other and
/// cannot both take the same places.
fn beyond_leftovers(
    conn: &mut PgConnection,
    call: &Call,
    places: &[Place],
    at: DateTime<Utc>,
    naming: Naming,
) -> Result<Vec<Violation>, StorageError> {
    let Some(parent) = call.parent_call_id else {
        return Ok(Vec::new());
    };
    calls::table
        .find(parent)
        .select(calls::id)
        .for_update()
        .first::<Uuid>(conn)?;
    let mut left = crate::results::leftovers(conn, parent, at)?;
    let siblings: Vec<(Uuid, String, i32)> = call_places::table
        .inner_join(calls::table)
        .filter(calls::parent_call_id.eq(parent))
        .filter(calls::id.ne(call.id))
        .select((
            call_places::destination_id,
            call_places::semester,
            call_places::places,
        ))
        .load(conn)?;
    for (destination_id, semester, taken) in siblings {
        let semester: Semester = semester.parse().map_err(|_| corrupt("places"))?;
        if let Some(free) = left.get_mut(&(destination_id, semester)) {
            *free = free.saturating_sub(unsigned(taken, "places")?);
        }
    }
    Ok(places
        .iter()
        .enumerate()
        .filter_map(|(i, place)| {
            let free = left
                .get(&(place.destination_id, place.semester))
                .copied()
                .unwrap_or(0);
            let field = match naming {
                Naming::Sent => format!("[{i}].places"),
                Naming::Stored => "places".to_owned(),
            };
            (place.places > free).then(|| {
                Violation::new(
                    field,
                    "exceeds_leftover_places",
                    format!(
                        "{} place(s) at destination {} in {}: the first round has {free} left \
                         there (less what other second rounds offer), and a second round \
                         offers at most those",
                        place.places, place.destination_id, place.semester
                    ),
                )
            })
        })
        .collect())
}

/// The places already set that `call` as changed may not offer (SPEC.md: a call offers
/// places only at destinations that fit its scheme, and only in its semesters): a
/// change of scheme, faculty or semesters must not leave the call offering what it
/// could not be given. Each named under the field whose change makes it misfit.
fn places_that_no_longer_fit(
    conn: &mut PgConnection,
    call: &Call,
) -> Result<Vec<Violation>, StorageError> {
    let slots: Vec<(Uuid, String, String, Option<String>)> = call_places::table
        .inner_join(destinations::table)
        .filter(call_places::call_id.eq(call.id))
        .order((call_places::destination_id, call_places::semester))
        .select((
            call_places::destination_id,
            call_places::semester,
            destinations::exchange_type,
            destinations::faculty,
        ))
        .load(conn)?;
    let mut violations = Vec::new();
    for (destination_id, semester, exchange_type, faculty) in &slots {
        if !fits_scheme(call, exchange_type, faculty.as_deref()) {
            let (field, whom) = match &call.faculty {
                Some(f) => ("faculty", format!("a faculty call of {f} offers places only at destinations owned by {f}")),
                None => ("scheme", "a university-wide call offers places only at university_wide or isep destinations".to_owned()),
            };
            violations.push(Violation::new(
                field,
                "destination_outside_scheme",
                format!("the call has places at destination {destination_id}, and {whom}: change its places first"),
            ));
        }
        if !call.semesters.iter().any(|s| s == semester) {
            violations.push(Violation::new(
                "semesters",
                "semester_has_places",
                format!("the call has places at destination {destination_id} in the {semester} semester: change its places first"),
            ));
        }
    }
    Ok(violations)
}

/// A faculty call offers places only at destinations its faculty owns, a
/// university-wide call only at `university_wide` and `isep` ones (SPEC.md).
fn fits_scheme(call: &Call, exchange_type: &str, faculty: Option<&str>) -> bool {
    match &call.faculty {
        Some(owner) => faculty == Some(owner.as_str()),
        None => matches!(exchange_type, "university_wide" | "isep"),
    }
}

/// A call's slots as set.
fn places(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Place>, StorageError> {
    call_places::table
        .filter(call_places::call_id.eq(id))
        .order((call_places::destination_id, call_places::semester))
        .select((
            call_places::destination_id,
            call_places::semester,
            call_places::places,
        ))
        .load::<(Uuid, String, i32)>(conn)?
        .into_iter()
        .map(|(destination_id, semester, places)| {
            Ok(Place {
                destination_id,
                semester: semester.parse().map_err(|_| corrupt("places"))?,
                places: unsigned(places, "places")?,
            })
        })
        .collect()
}

/// Every slot of a call with its live demand: how many applications still in the
/// running (submitted and not rejected, withdrawn or left unplaced) chose it first,
/// and how many chose it at all, in the slot's semester.
pub fn demand(conn: &mut PgConnection, id: Uuid) -> Result<Vec<PlaceDemand>, StorageError> {
    Ok(diesel::sql_query(
        "SELECT p.destination_id, p.semester, p.places,
                count(a.id) FILTER (WHERE c.rank = 1) AS first_choice_count,
                count(a.id) AS total_count
           FROM call_places p
           LEFT JOIN application_choices c ON c.destination_id = p.destination_id
           LEFT JOIN applications a ON a.id = c.application_id AND a.call_id = p.call_id
                                    AND a.semester = p.semester
                                    AND a.status NOT IN ('draft', 'withdrawn', 'rejected', 'unplaced')
          WHERE p.call_id = $1
          GROUP BY p.destination_id, p.semester, p.places
          ORDER BY p.destination_id, p.semester",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .load(conn)?)
}
