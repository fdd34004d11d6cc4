//! The catalogue as one immutable snapshot, and its search as a pure function.
//!
//! The catalogue is small (hundreds to a few thousand destinations), read by every
//! student and changed by a few coordinators, so the service holds all of it in memory
//! and answers a search without a database round trip. The rules here are the ones
//! the SQL search had, kept as its test oracle: every filter is optional and they
//! combine with AND; level, activity and programme must hold for one and the same
//! offering; free text follows [`words`]; results come in the order of the stored
//! sort key (institution name, lower case, accents folded), then id, bytewise.

mod index;
pub mod words;

use crate::destination::{Activity, Chance, ExchangeType, Offering, Semester};
use crate::programme::Level;
use index::Index;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;
use words::WordIndex;

/// One destination as the search sees it, with `shown`: what a reader gets (the
/// service keeps its rendered JSON there, made once per snapshot).
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub id: Uuid,
    /// The institution's name, lower case, accents folded: the order of every list.
    pub sort_key: String,
    /// The institution's country, ISO 3166-1 alpha-2.
    pub country: String,
    pub exchange_type: ExchangeType,
    pub faculty: Option<String>,
    pub chance: Chance,
    pub archived: bool,
    pub offerings: Vec<Offering>,
    /// ISO 639-1 codes of the languages taught in.
    pub languages: Vec<String>,
    pub semesters: Vec<Semester>,
    /// The words of the institution's name and city, the country's name and the
    /// considerations.
    pub words: WordIndex,
    pub shown: T,
}

/// Who reads: archived destinations are the office's, and each faculty's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    Office,
    Faculty(String),
    /// Students and programme contacts: active destinations only.
    Anyone,
}

impl Reader {
    fn sees<T>(&self, listing: &Listing<T>) -> bool {
        !listing.archived
            || match self {
                Reader::Office => true,
                Reader::Faculty(f) => listing.faculty.as_deref() == Some(f.as_str()),
                Reader::Anyone => false,
            }
    }
}

/// The catalogue search; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub country: Option<String>,
    pub exchange_type: Option<ExchangeType>,
    pub faculty: Option<String>,
    pub level: Option<Level>,
    /// Offerings for this programme or for any programme.
    pub programme: Option<String>,
    pub activity: Option<Activity>,
    /// ISO 639-1, lower case.
    pub language: Option<String>,
    pub chance: Option<Chance>,
    pub semester: Option<Semester>,
    /// Free text as [`words::query_words`] gives it: each word must start a word of
    /// the institution's name or city, the country's name or the considerations. An
    /// empty list finds nothing.
    pub words: Option<Vec<String>>,
    /// `false`: only active destinations; `true`: only archived ones (as the reader
    /// may see them).
    pub archived: bool,
}

impl Filter {
    /// Whether an offering fits level, activity and programme, all at once.
    fn fits_offering(&self, o: &Offering) -> bool {
        self.level.is_none_or(|l| o.level == l)
            && self.activity.is_none_or(|a| o.activity == a)
            && self
                .programme
                .as_ref()
                .is_none_or(|p| o.programme.is_none() || o.programme.as_ref() == Some(p))
    }

    fn asks_offering(&self) -> bool {
        self.level.is_some() || self.activity.is_some() || self.programme.is_some()
    }

    /// Everything but free text, checked on one listing (the index answers free text
    /// exactly, and prunes the rest).
    fn admits<T>(&self, l: &Listing<T>) -> bool {
        l.archived == self.archived
            && self.country.as_ref().is_none_or(|c| &l.country == c)
            && self.exchange_type.is_none_or(|t| l.exchange_type == t)
            && self
                .faculty
                .as_ref()
                .is_none_or(|x| l.faculty.as_ref() == Some(x))
            && self.chance.is_none_or(|c| l.chance == c)
            && self
                .language
                .as_ref()
                .is_none_or(|code| l.languages.iter().any(|c| c == code))
            && self.semester.is_none_or(|s| l.semesters.contains(&s))
            && (!self.asks_offering() || l.offerings.iter().any(|o| self.fits_offering(o)))
    }
}

/// One page of a search: up to `limit` listings, and whether more follow.
#[derive(Debug)]
pub struct Found<'c, T> {
    pub items: Vec<&'c Listing<T>>,
    pub more: bool,
}

impl<T> Found<'_, T> {
    /// Where the next page starts: the last item's sort key and id, when more follow.
    pub fn next_key(&self) -> Option<(String, Uuid)> {
        self.items
            .last()
            .filter(|_| self.more)
            .map(|l| (l.sort_key.clone(), l.id))
    }
}

/// The whole catalogue at one version of the database.
#[derive(Debug)]
pub struct Catalogue<T> {
    version: i64,
    /// In list order: sort key, then id.
    /// Shared with the snapshots before and after this one: a change rebuilds only the
    /// listings it touched.
    listings: Vec<Arc<Listing<T>>>,
    positions: HashMap<Uuid, usize>,
    index: Index,
}

impl<T> Catalogue<T> {
    /// The snapshot of the catalogue as it was at `version`.
    pub fn new(version: i64, mut listings: Vec<Arc<Listing<T>>>) -> Self {
        listings.sort_unstable_by(|a, b| {
            (a.sort_key.as_bytes(), a.id).cmp(&(b.sort_key.as_bytes(), b.id))
        });
        let positions = listings
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id, i))
            .collect();
        let index = Index::new(&listings);
        Self {
            version,
            listings,
            positions,
            index,
        }
    }

    /// The database's catalogue version this snapshot was read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.listings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listings.is_empty()
    }

    /// One destination, when `reader` may see it.
    pub fn get(&self, id: Uuid, reader: &Reader) -> Option<&Listing<T>> {
        self.positions
            .get(&id)
            .map(|&i| self.listings[i].as_ref())
            .filter(|l| reader.sees(l))
    }

    /// One destination whoever reads, shared: for the next snapshot to reuse.
    pub fn shared(&self, id: Uuid) -> Option<&Arc<Listing<T>>> {
        self.positions.get(&id).map(|&i| &self.listings[i])
    }

    /// A page of the search, starting after `after` (the previous page's last sort key
    /// and id).
    pub fn search(
        &self,
        filter: &Filter,
        reader: &Reader,
        after: Option<(&str, Uuid)>,
        limit: usize,
    ) -> Found<'_, T> {
        let nothing = Found {
            items: Vec::new(),
            more: false,
        };
        if filter.words.as_ref().is_some_and(Vec::is_empty) {
            return nothing;
        }
        if filter.archived && *reader == Reader::Anyone {
            return nothing;
        }
        let start = after.map_or(0, |(key, id)| {
            self.listings
                .partition_point(|l| (l.sort_key.as_bytes(), l.id) <= (key.as_bytes(), id))
        });
        let candidates = self.index.candidates(filter);
        let mut items = Vec::with_capacity(limit.min(64));
        let mut more = false;
        for listing in candidates
            .from(start)
            .map(|i| self.listings[i].as_ref())
            .filter(|l| reader.sees(l) && filter.admits(l))
        {
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(listing);
        }
        Found { items, more }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(name: &str, country: &str, archived: bool, faculty: Option<&str>) -> Listing<()> {
        Listing {
            id: Uuid::new_v4(),
            sort_key: words::fold(name),
            country: country.to_owned(),
            exchange_type: if faculty.is_some() {
                ExchangeType::Faculty
            } else {
                ExchangeType::UniversityWide
            },
            faculty: faculty.map(str::to_owned),
            chance: Chance::High,
            archived,
            offerings: vec![
                Offering {
                    level: Level::Master,
                    activity: Activity::ResearchInternship,
                    programme: Some("BMS".to_owned()),
                    note: None,
                },
                Offering {
                    level: Level::Bachelor,
                    activity: Activity::SemesterExchange,
                    programme: None,
                    note: None,
                },
            ],
            languages: vec!["en".to_owned()],
            semesters: vec![Semester::Autumn],
            words: WordIndex::new([name, country]),
            shown: (),
        }
    }

    fn names<T>(found: &Found<'_, T>, catalogue: &Catalogue<T>) -> Vec<usize> {
        found
            .items
            .iter()
            .map(|l| catalogue.positions[&l.id])
            .collect()
    }

    #[test]
    fn level_activity_and_programme_hold_for_one_offering() {
        let c = Catalogue::new(1, vec![Arc::new(listing("Karolinska", "SE", false, None))]);
        let search = |f: Filter| c.search(&f, &Reader::Anyone, None, 50).items.len();
        let f = |level, activity, programme: Option<&str>| Filter {
            level: Some(level),
            activity: Some(activity),
            programme: programme.map(str::to_owned),
            ..Filter::default()
        };
        assert_eq!(
            search(f(Level::Master, Activity::ResearchInternship, Some("BMS"))),
            1
        );
        assert_eq!(
            search(f(Level::Master, Activity::SemesterExchange, None)),
            0
        );
        assert_eq!(
            search(f(Level::Master, Activity::ResearchInternship, Some("LAW"))),
            0
        );
        // An offering open to every programme fits any programme.
        assert_eq!(
            search(f(Level::Bachelor, Activity::SemesterExchange, Some("LAW"))),
            1
        );
    }

    #[test]
    fn pages_follow_the_sort_key_and_never_repeat() {
        let names_in = ["Zürich", "Aarhus", "Évora", "Bologna", "Uppsala"];
        let c = Catalogue::new(
            7,
            names_in
                .iter()
                .map(|n| Arc::new(listing(n, "XX", false, None)))
                .collect(),
        );
        let first = c.search(&Filter::default(), &Reader::Anyone, None, 2);
        assert!(first.more);
        let keys: Vec<&str> = first.items.iter().map(|l| l.sort_key.as_str()).collect();
        assert_eq!(keys, ["aarhus", "bologna"]);
        let (key, id) = first.next_key().expect("a next page");
        let second = c.search(&Filter::default(), &Reader::Anyone, Some((&key, id)), 10);
        let keys: Vec<&str> = second.items.iter().map(|l| l.sort_key.as_str()).collect();
        assert_eq!(keys, ["evora", "uppsala", "zurich"]);
        assert!(!second.more && second.next_key().is_none());
        assert_eq!(names(&second, &c), [2, 3, 4]);
    }

    #[test]
    fn archived_ones_are_the_office_and_the_owning_faculty_s() {
        let c = Catalogue::new(
            1,
            vec![
                Arc::new(listing("Old LUMC", "SE", true, Some("LUMC"))),
                Arc::new(listing("Old LAW", "SE", true, Some("LAW"))),
                Arc::new(listing("Open", "SE", false, None)),
            ],
        );
        let archived = Filter {
            archived: true,
            ..Filter::default()
        };
        let count = |r: Reader| c.search(&archived, &r, None, 50).items.len();
        assert_eq!(count(Reader::Office), 2);
        assert_eq!(count(Reader::Faculty("LUMC".into())), 1);
        assert_eq!(count(Reader::Anyone), 0);
        assert_eq!(
            c.search(&Filter::default(), &Reader::Anyone, None, 50)
                .items
                .len(),
            1
        );
        let old = c.listings.iter().find(|l| l.archived).expect("archived").id;
        assert!(c.get(old, &Reader::Anyone).is_none());
        assert!(c.get(old, &Reader::Office).is_some());
    }

    #[test]
    fn free_text_with_no_word_finds_nothing() {
        let c = Catalogue::new(1, vec![Arc::new(listing("Karolinska", "SE", false, None))]);
        let search = |words: Vec<&str>| {
            let f = Filter {
                words: Some(words.into_iter().map(str::to_owned).collect()),
                ..Filter::default()
            };
            c.search(&f, &Reader::Anyone, None, 50).items.len()
        };
        assert_eq!(search(vec![]), 0);
        assert_eq!(search(vec!["karo"]), 1);
        assert_eq!(search(vec!["se"]), 1);
        assert_eq!(search(vec!["arolinska"]), 0);
    }
}
