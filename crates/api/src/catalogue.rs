//! The catalogue held in memory: one immutable snapshot, swapped whole when the
//! database's catalogue changes.
//!
//! Every student reads the catalogue and a few coordinators change it, so a search
//! runs over the snapshot (`abroad_domain::catalogue`) without a database round trip,
//! and each destination's JSON is rendered once per snapshot.
//!
//! How a snapshot stays current:
//! - a write through this process commits first, then rebuilds before it answers, so
//!   its caller reads what it wrote;
//! - other processes learn of it through PostgreSQL `LISTEN/NOTIFY` (the triggers of
//!   migration 10 notify in the writing transaction), which [`follow`] polls every
//!   50 ms;
//! - and [`follow`] compares the version every second, so a replica is stale for at
//!   most a second even if a notification is lost.

use crate::routes::destinations::DestinationView;
use abroad_domain::TravelAdvice;
use abroad_domain::catalogue::words::WordIndex;
use abroad_domain::catalogue::{Catalogue, Listing, Reader};
use abroad_domain::destination::{LanguageRequirement, Offering, SemesterOffered};
use abroad_storage::applications::{DestinationFacts, KnownChoices};
use abroad_storage::catalogue::{self, Row};
use abroad_storage::{PgConnection, StorageError, Viewer};
use actix_web::web::Bytes;
use arc_swap::ArcSwap;
use diesel::Connection;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What a search returns per destination: its JSON, rendered once.
pub type Snapshot = Catalogue<Shown>;

/// A destination as readers get it, and the mark of the rows it was made from.
#[derive(Debug)]
pub struct Shown {
    pub json: Bytes,
    /// Rows under the same mark are unchanged: the next snapshot reuses this listing.
    mark: String,
    /// What the application rules read of it (`None` when a column does not read back).
    facts: Option<Arc<DestinationFacts>>,
}

/// The version a cache holds before its first load; the database's starts at 1.
const NEVER_LOADED: i64 = 0;

#[derive(Debug)]
struct Inner {
    current: ArcSwap<Snapshot>,
    /// Held while rebuilding, so concurrent writers rebuild once, not once each.
    rebuilding: Mutex<()>,
}

/// The process's catalogue snapshot; cheap to clone (one shared snapshot).
#[derive(Debug, Clone)]
pub struct CatalogueCache(Arc<Inner>);

impl Default for CatalogueCache {
    fn default() -> Self {
        Self(Arc::new(Inner {
            current: ArcSwap::from_pointee(Catalogue::new(NEVER_LOADED, Vec::new())),
            rebuilding: Mutex::new(()),
        }))
    }
}

impl CatalogueCache {
    /// The snapshot as it is now, loading it first if this process never has.
    pub fn snapshot(&self, conn: &mut PgConnection) -> Result<Arc<Snapshot>, StorageError> {
        let current = self.0.current.load_full();
        if current.version() != NEVER_LOADED {
            return Ok(current);
        }
        self.refresh(conn)?;
        Ok(self.0.current.load_full())
    }

    /// The snapshot as held, without touching the database; `None` before the first
    /// load.
    pub fn loaded(&self) -> Option<Arc<Snapshot>> {
        Some(self.0.current.load_full()).filter(|s| s.version() != NEVER_LOADED)
    }

    /// The facts of these chosen destinations as the snapshot held has them, at its
    /// version; `None` before the first load or when one is not in it whole.
    pub fn known_choices(&self, chosen: impl IntoIterator<Item = Uuid>) -> Option<KnownChoices> {
        let snapshot = self.loaded()?;
        let destinations = chosen
            .into_iter()
            .map(|id| snapshot.shared(id)?.shown.facts.clone())
            .collect::<Option<Vec<_>>>()?;
        Some(KnownChoices {
            version: snapshot.version(),
            destinations,
        })
    }

    /// Rebuilds the snapshot if the database's catalogue version moved on.
    pub fn refresh(&self, conn: &mut PgConnection) -> Result<(), StorageError> {
        // A poisoned lock only means another rebuild panicked; the snapshot is whole.
        let _one_at_a_time = self
            .0
            .rebuilding
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if catalogue::version(conn)? == self.0.current.load().version() {
            return Ok(());
        }
        let started = Instant::now();
        let held = self.0.current.load_full();
        let mut read: HashMap<Uuid, Arc<Listing<Shown>>> = HashMap::new();
        let mut unchanged: HashSet<Uuid> = HashSet::new();
        let (version, marks) = catalogue::read(
            conn,
            |id, mark| {
                let same = held.shared(id).is_some_and(|l| l.shown.mark == mark);
                if same {
                    unchanged.insert(id);
                }
                same
            },
            |rows| {
                read.extend(
                    rows.into_iter()
                        .filter_map(listing)
                        .map(|l| (l.id, Arc::new(l))),
                );
            },
        )?;
        let fresh = read.len();
        let listings: Vec<Arc<Listing<Shown>>> = marks
            .into_iter()
            .filter_map(|(id, _)| {
                // A changed row that makes no listing (see `listing`) is left out,
                // never kept as it was.
                read.remove(&id).or_else(|| {
                    unchanged
                        .contains(&id)
                        .then(|| held.shared(id).cloned())
                        .flatten()
                })
            })
            .collect();
        let snapshot = Catalogue::new(version, listings);
        tracing::info!(
            version,
            destinations = snapshot.len(),
            read = fresh,
            ms = started.elapsed().as_millis() as u64,
            "catalogue snapshot rebuilt"
        );
        // Builders take turns (the lock above), so what was read last is the newest,
        // even when the version went down. (After restoring the database from a
        // backup, restart the service: transaction ids, and so marks, can repeat.)
        self.0.current.store(Arc::new(snapshot));
        Ok(())
    }

    /// After a write that committed: rebuild now, so the writer reads its change. A
    /// failure here does not undo the write; [`follow`] catches up within a second.
    pub fn refresh_after_write(&self, conn: &mut PgConnection) {
        if let Err(e) = self.refresh(conn) {
            tracing::warn!(error = %e, "the catalogue snapshot could not be rebuilt after a write");
        }
    }
}

/// Who reads the catalogue, in its own words.
pub fn reader(viewer: &Viewer) -> Reader {
    match viewer {
        Viewer::Everyone => Reader::Office,
        Viewer::Faculty(f) => Reader::Faculty(f.clone()),
        Viewer::Student(_) | Viewer::Programmes(_) => Reader::Anyone,
    }
}

/// A destination's search facts and its JSON.
fn listing(
    Row {
        record,
        sort_key,
        mark,
    }: Row,
) -> Option<Listing<Shown>> {
    let d = &record.destination;
    let (Ok(exchange_type), Ok(chance)) = (d.exchange_type.parse(), d.chance.parse()) else {
        // The table's CHECK constraints hold these to the vocabulary.
        tracing::error!(id = %d.id, "a destination with an unknown exchange type or chance is left out of the catalogue");
        return None;
    };
    // Written from the domain's own types, so they read back; one that does not is
    // left out of the filters on it, and said so.
    let offerings: Option<Vec<Offering>> = read_back(d.id, "offerings", &d.offerings);
    // What the application rules read of it, only when every part of that reads back:
    // a create with a choice of it otherwise reads the facts from the database.
    let facts = offerings
        .clone()
        .zip(record.advice.parse::<TravelAdvice>().ok())
        .map(|(offerings, advice)| {
            Arc::new(DestinationFacts::new(
                offerings, d.min_gpa, chance, advice, d.archived,
            ))
        });
    let offerings = offerings.unwrap_or_default();
    let languages: Vec<LanguageRequirement> = stored(d.id, "languages", &d.languages);
    let semesters: Vec<SemesterOffered> = stored(d.id, "semesters", &d.semesters);
    let words = WordIndex::new([
        record.institution.name.as_str(),
        record.institution.city.as_str(),
        record.country_name.as_str(),
        d.considerations.as_deref().unwrap_or(""),
    ]);
    let (id, country, faculty, archived) = (
        d.id,
        record.institution.country.clone(),
        d.faculty.clone(),
        d.archived,
    );
    // A view of strings, numbers and lists: serialising it cannot fail.
    let mut shown = serde_json::to_vec(&DestinationView::from(record)).unwrap_or_default();
    // Held for the snapshot's life: no spare capacity.
    shown.shrink_to_fit();
    let shown = Shown {
        json: Bytes::from(shown),
        mark,
        facts,
    };
    Some(Listing {
        id,
        sort_key,
        country,
        exchange_type,
        faculty,
        chance,
        archived,
        offerings,
        languages: languages.into_iter().map(|l| l.code).collect(),
        semesters: semesters.into_iter().map(|s| s.semester).collect(),
        words,
        shown,
    })
}

/// A JSON list column read as the domain's type, empty when it does not read back.
fn stored<T: serde::de::DeserializeOwned + Default>(
    id: Uuid,
    column: &str,
    value: &serde_json::Value,
) -> T {
    read_back(id, column, value).unwrap_or_default()
}

/// A JSON list column read as the domain's type, `None` (and said so) when it does not
/// read back.
fn read_back<T: serde::de::DeserializeOwned>(
    id: Uuid,
    column: &str,
    value: &serde_json::Value,
) -> Option<T> {
    serde_json::from_value(value.clone())
        .inspect_err(|e| {
            tracing::error!(%id, column, error = %e, "a destination's stored list does not read back; its filters will not find it");
        })
        .ok()
}

/// How [`follow`] keeps a snapshot current.
#[derive(Debug, Clone, Copy)]
pub struct Following {
    /// How often the connection is checked for a notification.
    pub notification_poll: Duration,
    /// How often the version is compared, in case a notification was lost.
    pub version_check: Duration,
}

impl Default for Following {
    fn default() -> Self {
        Self {
            notification_poll: Duration::from_millis(50),
            version_check: Duration::from_secs(1),
        }
    }
}

/// Keeps `cache` current on a thread of its own, with a connection of its own
/// (`LISTEN` belongs to a session, so not a pooled one). Reconnects after an error.
/// The thread ends when every other handle on the cache is gone.
pub fn follow(cache: &CatalogueCache, database_url: String, following: Following) {
    let cache = Arc::downgrade(&cache.0);
    let database_url = with_keepalives(&database_url);
    let spawned = std::thread::Builder::new()
        .name("catalogue-follower".to_owned())
        .spawn(move || {
            while Weak::strong_count(&cache) > 0 {
                // A panic ends this connection, not the following.
                let followed = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    follow_on_one_connection(&cache, &database_url, following)
                }))
                .unwrap_or_else(|_| Err("the follower panicked".to_owned()));
                if let Err(e) = followed {
                    tracing::warn!(error = %e, "following the catalogue: reconnecting in a second");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the catalogue follower; the snapshot changes only through this process's writes");
    }
}

/// The follower's connection string, with TCP keepalives and a user timeout, so a
/// connection the network dropped without a word fails within seconds instead of
/// leaving the snapshot unchecked for the system's default of minutes. (Ignored on a
/// Unix socket, where nothing is half-open.)
fn with_keepalives(database_url: &str) -> String {
    const SETTINGS: [&str; 5] = [
        "keepalives=1",
        "keepalives_idle=5",
        "keepalives_interval=2",
        "keepalives_count=3",
        "tcp_user_timeout=10000",
    ];
    // Ours come first: a setting the operator gave comes later and wins.
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        match database_url.split_once('?') {
            Some((base, given)) => format!("{base}?{}&{given}", SETTINGS.join("&")),
            None => format!("{database_url}?{}", SETTINGS.join("&")),
        }
    } else {
        // libpq's `key=value` form.
        format!("{} {database_url}", SETTINGS.join(" "))
    }
}

fn follow_on_one_connection(
    cache: &Weak<Inner>,
    database_url: &str,
    following: Following,
) -> Result<(), String> {
    let mut conn = PgConnection::establish(database_url).map_err(|e| e.to_string())?;
    catalogue::listen(&mut conn).map_err(|e| e.to_string())?;
    let mut checked: Option<Instant> = None;
    loop {
        let Some(inner) = cache.upgrade() else {
            return Ok(());
        };
        let due = checked.is_none_or(|at| at.elapsed() >= following.version_check);
        if catalogue::notified(&mut conn).map_err(|e| e.to_string())? || due {
            CatalogueCache(inner)
                .refresh(&mut conn)
                .map_err(|e| e.to_string())?;
            checked = Some(Instant::now());
        }
        std::thread::sleep(following.notification_poll);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalives_join_either_form_of_connection_string() {
        assert!(
            with_keepalives("postgres://u@h/db").starts_with("postgres://u@h/db?keepalives=1&")
        );
        let given = with_keepalives("postgres://u@h/db?sslmode=require&keepalives_idle=30");
        assert!(given.starts_with("postgres://u@h/db?keepalives=1&"));
        assert!(given.ends_with("&sslmode=require&keepalives_idle=30"));
        let form = with_keepalives("host=h dbname=db");
        assert!(form.starts_with("keepalives=1 ") && form.ends_with(" host=h dbname=db"));
    }
}
