//! Keyset pagination with opaque cursors.
//!
//! A cursor is the sort key of the last item a client saw, as JSON, base64url-encoded
//! (the `base64` crate), so clients treat it as an opaque string and the server can
//! change the key's shape later. Keyset pages neither skip nor repeat rows when
//! records are added between requests, unlike `OFFSET`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How many items a page holds unless the client asks otherwise, and at most.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;
/// The longest cursor issued or read; a page key is a few dozen bytes.
pub const MAX_CURSOR_CHARS: usize = 512;
/// A cursor's written form (base64url of its key), as the OpenAPI document gives it.
pub const CURSOR_SHAPE: &str = "^[A-Za-z0-9_-]{1,512}$";

/// A decoded cursor: where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<K>(pub K);

/// The client sent a cursor this server did not make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`cursor` is not a cursor this server issued; use the `next_cursor` of a previous page")]
pub struct CursorError;

impl<K: PageKey> Cursor<K> {
    pub fn encode(key: &K) -> String {
        // Serialising a plain key (strings, numbers, tuples) cannot fail.
        let json = serde_json::to_vec(key).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Whether `raw` has the written form of a cursor ([`CURSOR_SHAPE`]).
    pub fn fits(raw: &str) -> bool {
        (1..=MAX_CURSOR_CHARS).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// Reads a cursor, checked whole before any query sees it: only a key this server
    /// could have issued passes. Its text holds no control character (NUL cannot reach
    /// PostgreSQL), its times lie within 1970–9999, and it reads back to the very same
    /// cursor when encoded again.
    pub fn decode(raw: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| CursorError)?;
        let key: K = serde_json::from_slice(&bytes).map_err(|_| CursorError)?;
        if !key.plausible() || Self::encode(&key) != raw {
            return Err(CursorError);
        }
        Ok(Cursor(key))
    }
}

/// A page's sort key: what a cursor holds. `plausible` says whether a decoded key is
/// one the service could have issued, so a forged cursor never reaches a query: text
/// without control characters (NUL cannot reach PostgreSQL), times within 1970–9999.
pub trait PageKey: Serialize + DeserializeOwned {
    fn plausible(&self) -> bool;
}

impl PageKey for i64 {
    fn plausible(&self) -> bool {
        true
    }
}

impl PageKey for i32 {
    fn plausible(&self) -> bool {
        true
    }
}

impl PageKey for uuid::Uuid {
    fn plausible(&self) -> bool {
        true
    }
}

impl PageKey for String {
    fn plausible(&self) -> bool {
        abroad_domain::text::forbidden_character(self, false).is_none()
    }
}

impl PageKey for chrono::DateTime<chrono::Utc> {
    fn plausible(&self) -> bool {
        (1970..=9999).contains(&chrono::Datelike::year(self))
    }
}

impl<A: PageKey, B: PageKey> PageKey for (A, B) {
    fn plausible(&self) -> bool {
        self.0.plausible() && self.1.plausible()
    }
}

/// One page of a list, as every list endpoint answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that
    /// there is more, and the cursor is the key of the last row kept.
    pub fn from_rows<K, F>(mut rows: Vec<T>, limit: i64, key: F) -> Self
    where
        K: PageKey,
        F: Fn(&T) -> K,
    {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|last| Cursor::encode(&key(last)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let raw = Cursor::encode(&("2026-01-01".to_owned(), 42_i64));
        let Cursor(key): Cursor<(String, i64)> = Cursor::decode(&raw).unwrap();
        assert_eq!(key, ("2026-01-01".to_owned(), 42));
        assert_eq!(Cursor::<i64>::decode("not base64!"), Err(CursorError));
        assert_eq!(
            Cursor::<i64>::decode(&URL_SAFE_NO_PAD.encode("\"text\"")),
            Err(CursorError)
        );
        // Forged keys that would reach PostgreSQL as a 500: NUL, a time out of its range.
        let nul = URL_SAFE_NO_PAD.encode("[\"a\\u0000b\",1]");
        assert_eq!(Cursor::<(String, i64)>::decode(&nul), Err(CursorError));
        let far = URL_SAFE_NO_PAD.encode("[\"-200000-01-01T00:00:00Z\",1]");
        assert_eq!(
            Cursor::<(chrono::DateTime<chrono::Utc>, i64)>::decode(&far),
            Err(CursorError)
        );
        // Another spelling of a real key is not one this server issued.
        let spaced = URL_SAFE_NO_PAD.encode("[ \"x\", 1 ]");
        assert_eq!(Cursor::<(String, i64)>::decode(&spaced), Err(CursorError));
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_rows_exist() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(
            Cursor::<i32>::decode(&page.next_cursor.unwrap()).unwrap().0,
            2
        );
        let last = Page::from_rows(vec![1, 2], 2, |n| *n);
        assert_eq!(last.next_cursor, None);
    }
}
