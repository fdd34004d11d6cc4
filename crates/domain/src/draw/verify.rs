//! Checking a published draw from the record alone (`abroad verify-draw`): the seed
//! matches the commitment made at close, the inputs match the digest published at
//! close, and running the draw again gives the very same ranking and placements.

use super::{ALGORITHM, DrawInputs, Placement, Ranked, commitment, draw, inputs_digest};
use crate::Selection;
use serde::Deserialize;

/// What `GET /calls/{id}/draw` publishes, as far as checking it needs. Other members
/// (`call_id`, `drawn_at`, …) are read past.
#[derive(Debug, Clone, Deserialize)]
pub struct DrawRecord {
    pub algorithm: String,
    /// `SHA-256(seed)`, hex, published when the call closed.
    pub commitment: String,
    /// `SHA-256(JCS(inputs))`, hex, published when the call closed.
    pub inputs_digest: String,
    /// The 32-byte seed, hex (64 characters), revealed at the draw.
    pub seed: String,
    /// `lottery` or `ranking`; when absent, a record whose applications carry scores
    /// is a ranking call's.
    #[serde(default)]
    pub selection: Option<Selection>,
    pub inputs: DrawInputs,
    pub ranking: Vec<Ranked>,
    pub placements: Vec<Placement>,
}

/// The first way a record fails to check out, in words a reader can follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Difference(pub String);

/// What a checked record says: how many were ranked and placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub applications: usize,
    pub placed: usize,
}

fn differs(what: impl Into<String>) -> Difference {
    Difference(what.into())
}

fn seed_bytes(hex: &str) -> Result<[u8; 32], Difference> {
    let bad = || differs("the seed is not 64 hexadecimal characters");
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(seed)
}

/// Checks `record` from its own contents; the first difference found, or what it holds.
pub fn verify(record: &DrawRecord) -> Result<Verified, Difference> {
    if record.algorithm != ALGORITHM {
        return Err(differs(format!(
            "the algorithm is `{}`; this checker knows `{ALGORITHM}`",
            record.algorithm
        )));
    }
    let seed = seed_bytes(&record.seed)?;
    let committed = commitment(&seed);
    if committed != record.commitment.to_ascii_lowercase() {
        return Err(differs(format!(
            "the seed does not match the commitment: SHA-256(seed) is {committed}, the record says {}",
            record.commitment
        )));
    }
    let digest = inputs_digest(&record.inputs).map_err(|e| differs(e.to_string()))?;
    if digest != record.inputs_digest.to_ascii_lowercase() {
        return Err(differs(format!(
            "the inputs do not match the digest published at close: they hash to {digest}, the record says {}",
            record.inputs_digest
        )));
    }
    let selection = record.selection.unwrap_or(
        if record.inputs.applications.iter().any(|a| a.score.is_some()) {
            Selection::Ranking
        } else {
            Selection::Lottery
        },
    );
    let again = draw(selection, &seed, &record.inputs).map_err(|e| differs(e.to_string()))?;
    if record.ranking.len() != again.ranking.len() {
        return Err(differs(format!(
            "the record ranks {} applications; the draw ranks {}",
            record.ranking.len(),
            again.ranking.len()
        )));
    }
    let mut published = record.ranking.clone();
    published.sort_by_key(|r| r.rank);
    for (theirs, ours) in published.iter().zip(&again.ranking) {
        if theirs != ours {
            return Err(differs(format!(
                "rank {}: the record has application {}, the draw gives {}",
                ours.rank, theirs.application_id, ours.application_id
            )));
        }
    }
    if record.placements.len() != again.placements.len() {
        return Err(differs(format!(
            "the record places {} applications; the draw {}",
            record.placements.len(),
            again.placements.len()
        )));
    }
    // Indexed once: a draw of 100,000 applications is checked in one pass, not n².
    let published: std::collections::HashMap<_, &Placement> = record
        .placements
        .iter()
        .map(|p| (p.application_id, p))
        .collect();
    for ours in &again.placements {
        let theirs = published.get(&ours.application_id).copied();
        if theirs != Some(ours) {
            let place = |p: Option<&Placement>| match p {
                None => "nothing".to_owned(),
                Some(Placement {
                    destination_id: Some(d),
                    semester: Some(s),
                    ..
                }) => format!("{d} in {s}"),
                Some(_) => "no place".to_owned(),
            };
            return Err(differs(format!(
                "application {}: the record gives {}, the draw gives {}",
                ours.application_id,
                place(theirs),
                place(Some(ours))
            )));
        }
    }
    Ok(Verified {
        applications: again.ranking.len(),
        placed: again
            .placements
            .iter()
            .filter(|p| p.destination_id.is_some())
            .count(),
    })
}
