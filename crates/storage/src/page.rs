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

impl<K: Serialize + DeserializeOwned> Cursor<K> {
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

    pub fn decode(raw: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| CursorError)?;
        serde_json::from_slice(&bytes)
            .map(Cursor)
            .map_err(|_| CursorError)
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
        K: Serialize + DeserializeOwned,
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
