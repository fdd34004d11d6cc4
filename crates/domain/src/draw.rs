//! The selection (SPEC.md, "Selection — exact, so that anyone can verify it").
//!
//! When a call closes, the server draws a 32-byte seed and publishes its SHA-256, the
//! [`commitment`], and the [`inputs_digest`] of what the draw will use. At the draw,
//! [`draw()`] ranks the applications and places them, a pure function of the seed and
//! the inputs: anyone with the published record can run it again and get the same
//! ranking and placements. [`explain()`] tells a student, wish by wish, why they got
//! what they got.
//!
//! The record's parts (`inputs`, `ranking`, `placements`) serialise exactly as API.md's
//! `GET /calls/{id}/draw` publishes them, so `abroad verify-draw` can read them back.

mod explain;
mod inputs;
mod select;
mod verify;

pub use explain::{Explanation, Outcome, PlacedAt, Wish, explain};
pub use inputs::{DrawInputs, Entry, Slot, inputs_digest};
pub use select::{Draw, DrawError, Phase, Placement, Ranked, draw};
pub use verify::{Difference, DrawRecord, Verified, verify};

use sha2::{Digest, Sha256};
use std::fmt::Write;
use uuid::Uuid;

/// The algorithm a draw record names: SPEC.md's steps 2–5, as [`draw()`] runs them.
pub const ALGORITHM: &str = "abroad-rsd-v1";

/// `SHA-256(seed)` as lowercase hex.
pub fn commitment(seed: &[u8; 32]) -> String {
    hex(&Sha256::digest(seed))
}

/// Lowercase hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// An application's lottery key: `SHA-256(seed ‖ id)`, with `id` as lowercase
/// hyphenated ASCII (36 bytes). Lower keys come first (SPEC.md, Selection 2).
pub fn ranking_key(seed: &[u8; 32], application_id: Uuid) -> [u8; 32] {
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = application_id.hyphenated().encode_lower(&mut id);
    let mut hasher = Sha256::new();
    hasher.update(seed);
    hasher.update(id.as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commitment_is_the_sha256_of_the_raw_seed() {
        // SHA-256 of 32 zero bytes, a published test vector.
        assert_eq!(
            commitment(&[0; 32]),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert_ne!(commitment(&[1; 32]), commitment(&[0; 32]));
    }

    #[test]
    fn the_ranking_key_hashes_the_raw_seed_then_the_lowercase_hyphenated_id() {
        // Computed independently: Python's
        // hashlib.sha256(bytes(range(32)) + b"6f9619ff-8b86-4d01-b42d-00cf4fc964ff").hexdigest()
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
        let id = Uuid::parse_str("6F9619FF-8B86-4D01-B42D-00CF4FC964FF").unwrap();
        assert_eq!(
            hex(&ranking_key(&seed, id)),
            "4e68a3de3e39b82d08a7e99fe8b2205adcd23b937587112d403219a3822ada36"
        );
    }
}
