//! What makes a search cheap: per filter value, the set of listings that have it (a
//! bitset over list positions), and an inverted index of every word.
//!
//! A search ANDs the sets of the filters it names and walks the result in list order,
//! checking each candidate exactly; the sets only prune. Free text is exact here: the
//! words starting with a query word form one range of the sorted word list.

use super::Listing;
use crate::destination::{Activity, Chance, ExchangeType, Semester};
use crate::programme::Level;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

/// A set of list positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn none(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    pub fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn intersect(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    fn clear(&mut self) {
        self.0.iter_mut().for_each(|w| *w = 0);
    }

    /// The positions in the set from `start` on, ascending.
    pub fn from(&self, start: usize) -> impl Iterator<Item = usize> + '_ {
        let first = start / 64;
        self.0
            .iter()
            .enumerate()
            .skip(first)
            .flat_map(move |(w, &word)| {
                let word = if w == first {
                    word & (u64::MAX << (start % 64))
                } else {
                    word
                };
                SetBits(word).map(move |b| w * 64 + b)
            })
    }
}

/// The set bits of one word, lowest first.
struct SetBits(u64);

impl Iterator for SetBits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

/// Listings per value of one attribute.
#[derive(Debug)]
struct ByValue<K>(HashMap<K, Bits>);

impl<K: Eq + Hash> ByValue<K> {
    fn new() -> Self {
        Self(HashMap::new())
    }

    fn add(&mut self, key: K, position: usize, len: usize) {
        self.0
            .entry(key)
            .or_insert_with(|| Bits::none(len))
            .insert(position);
    }

    /// Narrows `to` to the listings with `key` (none when no listing has it).
    fn narrow<Q>(&self, to: &mut Bits, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        match self.0.get(key) {
            Some(bits) => to.intersect(bits),
            None => to.clear(),
        }
    }
}

/// The sets and the word index of one snapshot.
#[derive(Debug)]
pub struct Index {
    len: usize,
    active: Bits,
    archived: Bits,
    country: ByValue<String>,
    exchange_type: ByValue<ExchangeType>,
    faculty: ByValue<String>,
    chance: ByValue<Chance>,
    language: ByValue<String>,
    semester: ByValue<Semester>,
    level: ByValue<Level>,
    activity: ByValue<Activity>,
    /// An offering for this programme; `None`: for every programme.
    programme: ByValue<Option<String>>,
    /// Every word once, in byte order, with the positions of the listings it is in.
    words: Vec<(Box<str>, Vec<u32>)>,
}

impl Index {
    /// The index of listings already in list order.
    pub fn new<T>(listings: &[Arc<Listing<T>>]) -> Self {
        let len = listings.len();
        let mut index = Index {
            len,
            active: Bits::none(len),
            archived: Bits::none(len),
            country: ByValue::new(),
            exchange_type: ByValue::new(),
            faculty: ByValue::new(),
            chance: ByValue::new(),
            language: ByValue::new(),
            semester: ByValue::new(),
            level: ByValue::new(),
            activity: ByValue::new(),
            programme: ByValue::new(),
            words: Vec::new(),
        };
        let mut postings: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, l) in listings.iter().enumerate() {
            if l.archived {
                index.archived.insert(i);
            } else {
                index.active.insert(i);
            }
            index.country.add(l.country.clone(), i, len);
            index.exchange_type.add(l.exchange_type, i, len);
            if let Some(f) = &l.faculty {
                index.faculty.add(f.clone(), i, len);
            }
            index.chance.add(l.chance, i, len);
            for code in &l.languages {
                index.language.add(code.clone(), i, len);
            }
            for &s in &l.semesters {
                index.semester.add(s, i, len);
            }
            for o in &l.offerings {
                index.level.add(o.level, i, len);
                index.activity.add(o.activity, i, len);
                index.programme.add(o.programme.clone(), i, len);
            }
            // Positions fit: a catalogue holds thousands, not billions.
            let position = u32::try_from(i).unwrap_or(u32::MAX);
            for word in l.words.words() {
                postings.entry(word).or_default().push(position);
            }
        }
        let mut words: Vec<(Box<str>, Vec<u32>)> = postings
            .into_iter()
            .map(|(w, p)| (Box::from(w), p))
            .collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        index.words = words;
        index
    }

    /// The listings that can match `filter`: exact for archived, the single-valued
    /// attributes and free text; a superset for offerings (level, activity and
    /// programme must also hold for one and the same offering, checked per listing).
    pub fn candidates(&self, filter: &super::Filter) -> Bits {
        let mut bits = if filter.archived {
            self.archived.clone()
        } else {
            self.active.clone()
        };
        if let Some(c) = &filter.country {
            self.country.narrow(&mut bits, c.as_str());
        }
        if let Some(t) = &filter.exchange_type {
            self.exchange_type.narrow(&mut bits, t);
        }
        if let Some(f) = &filter.faculty {
            self.faculty.narrow(&mut bits, f.as_str());
        }
        if let Some(c) = &filter.chance {
            self.chance.narrow(&mut bits, c);
        }
        if let Some(l) = &filter.language {
            self.language.narrow(&mut bits, l.as_str());
        }
        if let Some(s) = &filter.semester {
            self.semester.narrow(&mut bits, s);
        }
        if let Some(l) = &filter.level {
            self.level.narrow(&mut bits, l);
        }
        if let Some(a) = &filter.activity {
            self.activity.narrow(&mut bits, a);
        }
        if let Some(p) = &filter.programme {
            let mut either = self
                .programme
                .0
                .get(&None)
                .cloned()
                .unwrap_or_else(|| Bits::none(self.len));
            if let Some(own) = self.programme.0.get(&Some(p.clone())) {
                for (a, b) in either.0.iter_mut().zip(&own.0) {
                    *a |= b;
                }
            }
            bits.intersect(&either);
        }
        for word in filter.words.iter().flatten() {
            bits.intersect(&self.starting_with(word));
        }
        bits
    }

    /// The listings with a word that starts with `prefix`.
    fn starting_with(&self, prefix: &str) -> Bits {
        let mut bits = Bits::none(self.len);
        let from = self.words.partition_point(|(w, _)| w.as_ref() < prefix);
        for (_, positions) in self.words[from..]
            .iter()
            .take_while(|(w, _)| w.starts_with(prefix))
        {
            for &p in positions {
                bits.insert(p as usize);
            }
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bits_come_in_order_from_any_start() {
        let mut bits = Bits::none(200);
        for i in [0, 5, 63, 64, 130, 199] {
            bits.insert(i);
        }
        assert_eq!(bits.from(0).collect::<Vec<_>>(), [0, 5, 63, 64, 130, 199]);
        assert_eq!(bits.from(6).collect::<Vec<_>>(), [63, 64, 130, 199]);
        assert_eq!(bits.from(64).collect::<Vec<_>>(), [64, 130, 199]);
        assert_eq!(bits.from(200).count(), 0);
        let mut some = Bits::none(200);
        some.insert(64);
        some.insert(100);
        bits.intersect(&some);
        assert_eq!(bits.from(0).collect::<Vec<_>>(), [64]);
    }
}
