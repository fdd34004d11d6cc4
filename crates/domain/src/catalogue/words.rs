//! Free text, written down once, for the catalogue's search and every oracle of it.
//!
//! 1. **Fold**: each character PostgreSQL's `unaccent` knows is replaced as its rules
//!    say (`é` → `e`, `ß` → `ss`, `ø` → `o`, combining accents dropped; the table is
//!    PostgreSQL 15's own `unaccent.rules`), then the text is lower-cased.
//! 2. **Split** on every character that is not a letter or a digit (Unicode's
//!    alphabetic and numeric): `Saint-Étienne's` gives `saint`, `etienne`, `s`.
//! 3. **Match**: a search finds a text when each of its words is the start of some
//!    word of the text (`karol stock` finds "Karolinska Institutet, Stockholm").
//!
//! The query goes through the same two steps as the text, so the comparison never
//! depends on which side an accent or a capital was on.

use std::collections::HashMap;
use std::sync::OnceLock;

/// At most this many words of a query count; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 10;

const UNACCENT_RULES: &str = include_str!("unaccent.rules");

/// Character → replacement, from the rules file: `É\tE`, or `\u{301}` alone (dropped).
fn unaccent_table() -> &'static HashMap<char, &'static str> {
    static TABLE: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        UNACCENT_RULES
            .lines()
            .filter(|line| !line.starts_with("# ") && !line.is_empty())
            .filter_map(|line| {
                let (source, replacement) = line.split_once('\t').unwrap_or((line, ""));
                let mut chars = source.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, replacement)),
                    _ => None,
                }
            })
            .collect()
    })
}

/// Step 1: accents folded, then lower case, as `lower(unaccent(text))` in PostgreSQL.
pub fn fold(text: &str) -> String {
    let table = unaccent_table();
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match table.get(&c) {
            Some(replacement) => folded.push_str(replacement),
            None => folded.push(c),
        }
    }
    folded.to_lowercase()
}

/// Steps 1 and 2: the words of `text`, in order, repeats kept.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A query's words: its first [`MAX_QUERY_WORDS`] tokens. No word at all (`?q=--`)
/// finds nothing.
pub fn query_words(query: &str) -> Vec<String> {
    let mut words = tokens(query);
    words.truncate(MAX_QUERY_WORDS);
    words
}

/// The words of several texts, each once, in byte order, kept compactly (one string,
/// each word preceded by a space, which no word holds). Step 3 runs over the
/// catalogue's inverted index of these words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WordIndex(Box<str>);

impl WordIndex {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words: Vec<String> = texts.into_iter().flat_map(tokens).collect();
        words.sort_unstable();
        words.dedup();
        let mut joined = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
        for word in &words {
            joined.push(' ');
            joined.push_str(word);
        }
        Self(joined.into_boxed_str())
    }

    /// Each word once, in byte order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').skip(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_follows_postgresql_unaccent_then_lower() {
        assert_eq!(fold("Göttingen"), "gottingen");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Øresund Æble"), "oresund aeble");
        assert_eq!(fold("Łódź"), "lodz");
        // A combining accent (e + U+0301) is dropped, as its precomposed form is folded.
        assert_eq!(fold("Ge\u{301}ne\u{300}ve"), fold("Genève"));
    }

    #[test]
    fn words_split_on_everything_but_letters_and_digits() {
        assert_eq!(
            tokens("Saint-Étienne's  Université, 2nd-year"),
            ["saint", "etienne", "s", "universite", "2nd", "year"]
        );
        assert!(tokens(" -- '' ").is_empty());
        assert_eq!(
            query_words("a b c d e f g h i j k l").len(),
            MAX_QUERY_WORDS
        );
    }

    #[test]
    fn a_word_index_holds_each_folded_word_once_in_order() {
        let index = WordIndex::new(["Karolinska Institutet", "Stockholm", "Östersund, Stockholm"]);
        let words: Vec<&str> = index.words().collect();
        assert_eq!(
            words,
            ["institutet", "karolinska", "ostersund", "stockholm"]
        );
        assert_eq!(WordIndex::new([" - "]).words().count(), 0);
    }
}
