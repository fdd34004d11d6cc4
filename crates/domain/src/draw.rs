//! The verifiable lottery's published parts (SPEC.md, "Selection").
//!
//! When a call closes, the server draws a 32-byte seed and publishes its SHA-256:
//! the commitment. Anyone can later check that the seed revealed at the draw is the
//! one committed to before anyone knew it.

use sha2::{Digest, Sha256};
use std::fmt::Write;

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
}
