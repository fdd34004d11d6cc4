//! Ranking and placing: SPEC.md's Selection steps 2–5.

use super::{DrawInputs, Entry, Slot, ranking_key};
use crate::call::Selection;
use crate::destination::Semester;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use utoipa::ToSchema;
use uuid::Uuid;

/// An application's place in the ranking, 1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Ranked {
    pub application_id: Uuid,
    #[schema(example = 1, minimum = 1)]
    pub rank: u32,
}

/// Where an application was placed; both `null` when it was not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    pub application_id: Uuid,
    pub destination_id: Option<Uuid>,
    pub semester: Option<Semester>,
}

/// Which phase placed an application (SPEC.md, Selection 4 and 5); 1 or 2 on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Phase {
    /// A lottery slot had room for everyone who chose it first.
    One = 1,
    /// In ranking order, the first wish with a free place.
    Two = 2,
}

impl From<Phase> for u8 {
    fn from(phase: Phase) -> u8 {
        phase as u8
    }
}

impl TryFrom<u8> for Phase {
    type Error = String;

    fn try_from(n: u8) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Phase::One),
            2 => Ok(Phase::Two),
            _ => Err(format!("a phase is 1 or 2, not {n}")),
        }
    }
}

/// A draw's result. All three lists are in ranking order and line up: `ranking[i]`,
/// `placements[i]` and `phases[i]` are the same application, and `ranking[i].rank`
/// is `i + 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub ranking: Vec<Ranked>,
    pub placements: Vec<Placement>,
    /// The phase that placed each application; `None` for those left unplaced. Not
    /// published: running [`draw()`] again on the record gives it back.
    pub phases: Vec<Option<Phase>>,
}

/// Inputs no draw can be run on. None occurs with inputs a closed call produces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("application {0} is in the draw more than once")]
    DuplicateApplication(Uuid),
    #[error("destination {destination_id} has more than one slot for {semester}")]
    DuplicateSlot {
        destination_id: Uuid,
        semester: Semester,
    },
    /// A `ranking` call orders by score; closing requires one for every application.
    #[error("application {0} has no score, and a ranking call orders by score")]
    MissingScore(Uuid),
    #[error("application {0} has a score that is not a finite number")]
    InvalidScore(Uuid),
}

/// Runs SPEC.md's Selection steps 2–5 on `inputs` with `seed`: pure and deterministic,
/// and independent of the order of `inputs`' lists.
///
/// `lottery` ranks by [`ranking_key`] ascending and runs phase 1 then phase 2;
/// `ranking` ranks by score, highest first, ties by the key, and runs phase 2 only.
/// A `lottery` call ignores scores. A `ranking` call refuses an application without a
/// score ([`DrawError::MissingScore`]) rather than guess where it belongs.
pub fn draw(selection: Selection, seed: &[u8; 32], inputs: &DrawInputs) -> Result<Draw, DrawError> {
    let index = SlotIndex::new(&inputs.slots)?;
    let applications = &inputs.applications;
    let order = rank(selection, seed, applications)?;

    let mut free: Vec<u32> = inputs.slots.iter().map(Slot::open_places).collect();
    let mut placed: Vec<Option<(u32, Phase)>> = vec![None; applications.len()];

    if selection == Selection::Lottery {
        // Phase 1: a slot with room for every application that chose it first (in its
        // own semester) takes them all.
        let first: Vec<Option<u32>> = applications
            .iter()
            .map(|a| index.slot(index.destination(*a.choices.first()?)?, a.semester))
            .collect();
        let mut demand = vec![0u32; free.len()];
        for &slot in first.iter().flatten() {
            demand[slot as usize] += 1;
        }
        let roomy: Vec<bool> = demand.iter().zip(&free).map(|(d, f)| d <= f).collect();
        for (place, slot) in placed.iter_mut().zip(&first) {
            if let Some(slot) = *slot
                && roomy[slot as usize]
            {
                *place = Some((slot, Phase::One));
            }
        }
        for ((free, demand), roomy) in free.iter_mut().zip(&demand).zip(&roomy) {
            if *roomy {
                *free -= demand;
            }
        }
    }

    // Phase 2: in ranking order, the first wish with a free place, in `Entry::wishes`'
    // order: the choices in the application's semester, then with plan B in the other.
    // Once every place is taken, the rest stay unplaced.
    let (starts, asked) = index.choices(applications);
    let mut left: u64 = free.iter().map(|&f| u64::from(f)).sum();
    for &i in &order {
        if left == 0 {
            break;
        }
        if placed[i].is_some() {
            continue;
        }
        let application = &applications[i];
        let destinations = &asked[starts[i]..starts[i + 1]];
        let plan_b = application.plan_b.then(|| application.semester.other());
        let found = [Some(application.semester), plan_b.flatten()]
            .into_iter()
            .flatten()
            .find_map(|semester| {
                destinations
                    .iter()
                    .filter_map(|&d| index.slot(d, semester))
                    .find(|&slot| free[slot as usize] > 0)
            });
        if let Some(slot) = found {
            free[slot as usize] -= 1;
            left -= 1;
            placed[i] = Some((slot, Phase::Two));
        }
    }

    let mut result = Draw {
        ranking: Vec::with_capacity(order.len()),
        placements: Vec::with_capacity(order.len()),
        phases: Vec::with_capacity(order.len()),
    };
    for (rank, &i) in (1u32..).zip(&order) {
        let application_id = applications[i].application_id;
        result.ranking.push(Ranked {
            application_id,
            rank,
        });
        let slot = placed[i].map(|(slot, _)| &inputs.slots[slot as usize]);
        result.placements.push(Placement {
            application_id,
            destination_id: slot.map(|s| s.destination_id),
            semester: slot.map(|s| s.semester),
        });
        result.phases.push(placed[i].map(|(_, phase)| phase));
    }
    Ok(result)
}

/// The call's slots, found by destination, then semester.
struct SlotIndex {
    destinations: HashMap<Uuid, u32, BuildHasherDefault<IdHasher>>,
    /// Per destination, its slot (a position in the inputs' `slots`) in each semester,
    /// in `Semester::ALL`'s order.
    semesters: Vec<[Option<u32>; 3]>,
}

impl SlotIndex {
    fn new(slots: &[Slot]) -> Result<Self, DrawError> {
        let mut index = SlotIndex {
            destinations: HashMap::with_capacity_and_hasher(slots.len(), Default::default()),
            semesters: Vec::with_capacity(slots.len()),
        };
        for (i, slot) in (0u32..).zip(slots) {
            let next = index.semesters.len() as u32;
            let d = *index
                .destinations
                .entry(slot.destination_id)
                .or_insert(next);
            if d == next {
                index.semesters.push([None; 3]);
            }
            let cell = &mut index.semesters[d as usize][slot.semester as usize];
            if cell.replace(i).is_some() {
                return Err(DrawError::DuplicateSlot {
                    destination_id: slot.destination_id,
                    semester: slot.semester,
                });
            }
        }
        Ok(index)
    }

    fn destination(&self, id: Uuid) -> Option<u32> {
        self.destinations.get(&id).copied()
    }

    /// The slot of a destination (from [`SlotIndex::destination`] or
    /// [`SlotIndex::choices`]) in a semester.
    fn slot(&self, destination: u32, semester: Semester) -> Option<u32> {
        self.semesters
            .get(destination as usize)
            .and_then(|d| d[semester as usize])
    }

    /// Every application's choices as destinations, looked up once and laid out flat:
    /// application `i`'s are `asked[starts[i]..starts[i + 1]]`; a destination without a
    /// slot is `u32::MAX`, which has none.
    fn choices(&self, applications: &[Entry]) -> (Vec<usize>, Vec<u32>) {
        let mut starts = Vec::with_capacity(applications.len() + 1);
        let mut asked = Vec::with_capacity(applications.iter().map(|a| a.choices.len()).sum());
        starts.push(0);
        for application in applications {
            asked.extend(
                application
                    .choices
                    .iter()
                    .map(|&c| self.destination(c).unwrap_or(u32::MAX)),
            );
            starts.push(asked.len());
        }
        (starts, asked)
    }
}

/// Positions in `applications`, best first (SPEC.md, Selection 2).
fn rank(
    selection: Selection,
    seed: &[u8; 32],
    applications: &[Entry],
) -> Result<Vec<usize>, DrawError> {
    // A key as two big-endian numbers sorts as its bytes do, and compares faster.
    let mut keyed: Vec<((u128, u128), usize)> = applications
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let key = ranking_key(seed, a.application_id);
            let half = |from: usize| u128::from_be_bytes(std::array::from_fn(|j| key[from + j]));
            ((half(0), half(16)), i)
        })
        .collect();
    keyed.sort_unstable();
    // The same id has the same key, so a repeated application sits next to itself.
    let same =
        |a: usize, b: usize| applications[a].application_id == applications[b].application_id;
    if let Some(pair) = keyed
        .windows(2)
        .find(|pair| pair[0].0 == pair[1].0 && same(pair[0].1, pair[1].1))
    {
        return Err(DrawError::DuplicateApplication(
            applications[pair[0].1].application_id,
        ));
    }
    if selection == Selection::Ranking {
        let mut scored = keyed
            .into_iter()
            .map(|(key, i)| match applications[i].score {
                None => Err(DrawError::MissingScore(applications[i].application_id)),
                Some(s) if !s.is_finite() => {
                    Err(DrawError::InvalidScore(applications[i].application_id))
                }
                Some(s) => Ok((highest_first(s), key, i)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        scored.sort_unstable();
        return Ok(scored.into_iter().map(|(_, _, i)| i).collect());
    }
    Ok(keyed.into_iter().map(|(_, i)| i).collect())
}

/// Hashes a UUID by mixing its two halves (FxHash's step): a draw looks up a million
/// choices, and SipHash's defence against chosen keys buys nothing for ids the server
/// generated itself.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_usize(&mut self, _length: usize) {
        // A UUID hashes its 16 bytes after their length: always 16.
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A finite score as a number that sorts ascending from the highest score to the
/// lowest; 0 and -0 are the same score.
fn highest_first(score: f64) -> u64 {
    let bits = (score + 0.0).to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    !ascending
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn slot(destination: u128, semester: Semester, places: u32, blocked: bool) -> Slot {
        Slot {
            destination_id: id(destination),
            semester,
            places,
            blocked,
        }
    }

    fn entry(n: u128, semester: Semester, plan_b: bool, choices: &[u128]) -> Entry {
        Entry {
            application_id: id(n),
            semester,
            plan_b,
            choices: choices.iter().map(|&c| id(c)).collect(),
            score: None,
        }
    }

    fn placement_of(draw: &Draw, n: u128) -> (Option<Uuid>, Option<Semester>, Option<Phase>) {
        let i = draw
            .placements
            .iter()
            .position(|p| p.application_id == id(n))
            .unwrap();
        let p = draw.placements[i];
        (p.destination_id, p.semester, draw.phases[i])
    }

    const A: Semester = Semester::Autumn;
    const S: Semester = Semester::Spring;

    #[test]
    fn phase_one_places_everyone_who_fits_before_anyone_is_ranked() {
        // Two want 0xa first and it has two places: both go there in phase 1, whatever
        // their rank. 0xb is wanted first by two for one place: phase 2 decides.
        let inputs = DrawInputs {
            slots: vec![slot(0xa, A, 2, false), slot(0xb, A, 1, false)],
            applications: vec![
                entry(1, A, false, &[0xa]),
                entry(2, A, false, &[0xa]),
                entry(3, A, false, &[0xb, 0xa]),
                entry(4, A, false, &[0xb, 0xa]),
            ],
        };
        let draw = draw(Selection::Lottery, &[7; 32], &inputs).unwrap();
        for n in [1, 2] {
            assert_eq!(
                placement_of(&draw, n),
                (Some(id(0xa)), Some(A), Some(Phase::One))
            );
        }
        let winner = [3, 4]
            .into_iter()
            .find(|&n| placement_of(&draw, n).0.is_some())
            .unwrap();
        assert_eq!(
            placement_of(&draw, winner),
            (Some(id(0xb)), Some(A), Some(Phase::Two))
        );
        let loser = 7 - winner;
        assert_eq!(placement_of(&draw, loser), (None, None, None));
        // The better ranked of 3 and 4 is the one placed.
        let rank = |n| {
            draw.ranking
                .iter()
                .find(|r| r.application_id == id(n))
                .unwrap()
                .rank
        };
        assert!(rank(winner) < rank(loser));
    }

    #[test]
    fn a_ranking_call_has_no_phase_one() {
        let mut inputs = DrawInputs {
            slots: vec![slot(0xa, A, 1, false), slot(0xb, A, 1, false)],
            applications: vec![entry(1, A, false, &[0xa, 0xb]), entry(2, A, false, &[0xb])],
        };
        inputs.applications[0].score = Some(10.0);
        inputs.applications[1].score = Some(5.0);
        let draw = draw(Selection::Ranking, &[0; 32], &inputs).unwrap();
        assert_eq!(draw.ranking[0].application_id, id(1));
        assert_eq!(
            placement_of(&draw, 1),
            (Some(id(0xa)), Some(A), Some(Phase::Two))
        );
        assert_eq!(
            placement_of(&draw, 2),
            (Some(id(0xb)), Some(A), Some(Phase::Two))
        );
    }

    #[test]
    fn plan_b_falls_back_to_the_other_semester_only_after_every_own_choice() {
        let inputs = DrawInputs {
            slots: vec![
                slot(0xa, S, 1, false),
                slot(0xa, A, 1, false),
                slot(0xb, S, 0, false),
                slot(0xb, A, 1, false),
            ],
            // 1 takes 0xa/spring in phase 1; 2's own list (0xb/spring) is full, so plan B
            // tries 0xa/autumn before 0xb/autumn.
            applications: vec![entry(1, S, false, &[0xa]), entry(2, S, true, &[0xb, 0xa])],
        };
        let draw = draw(Selection::Lottery, &[3; 32], &inputs).unwrap();
        assert_eq!(
            placement_of(&draw, 1),
            (Some(id(0xa)), Some(S), Some(Phase::One))
        );
        assert_eq!(
            placement_of(&draw, 2),
            (Some(id(0xb)), Some(A), Some(Phase::Two))
        );
    }

    #[test]
    fn a_blocked_slot_places_nobody_even_with_room_for_every_first_choice() {
        let inputs = DrawInputs {
            slots: vec![slot(0xa, A, 5, true), slot(0xb, A, 5, false)],
            applications: vec![entry(1, A, false, &[0xa]), entry(2, A, false, &[0xa, 0xb])],
        };
        let draw = draw(Selection::Lottery, &[1; 32], &inputs).unwrap();
        assert_eq!(placement_of(&draw, 1), (None, None, None));
        assert_eq!(
            placement_of(&draw, 2),
            (Some(id(0xb)), Some(A), Some(Phase::Two))
        );
    }

    #[test]
    fn inputs_no_draw_can_use_are_refused_by_name() {
        let twice = DrawInputs {
            slots: vec![],
            applications: vec![entry(1, A, false, &[]), entry(1, A, false, &[])],
        };
        assert_eq!(
            draw(Selection::Lottery, &[0; 32], &twice),
            Err(DrawError::DuplicateApplication(id(1)))
        );
        let slot_twice = DrawInputs {
            slots: vec![slot(0xa, A, 1, false), slot(0xa, A, 2, false)],
            applications: vec![],
        };
        assert_eq!(
            draw(Selection::Lottery, &[0; 32], &slot_twice),
            Err(DrawError::DuplicateSlot {
                destination_id: id(0xa),
                semester: A
            })
        );
        let mut unscored = DrawInputs {
            slots: vec![],
            applications: vec![entry(1, A, false, &[]), entry(2, A, false, &[])],
        };
        unscored.applications[0].score = Some(1.0);
        assert_eq!(
            draw(Selection::Ranking, &[0; 32], &unscored),
            Err(DrawError::MissingScore(id(2)))
        );
        // A lottery does not look at scores.
        assert!(draw(Selection::Lottery, &[0; 32], &unscored).is_ok());
        unscored.applications[1].score = Some(f64::INFINITY);
        assert_eq!(
            draw(Selection::Ranking, &[0; 32], &unscored),
            Err(DrawError::InvalidScore(id(2)))
        );
    }

    #[test]
    fn equal_scores_are_ordered_by_the_lottery_key_and_zero_is_minus_zero() {
        let seed = [9; 32];
        let mut inputs = DrawInputs {
            slots: vec![],
            applications: (1..=6).map(|n| entry(n, A, false, &[])).collect(),
        };
        for (a, score) in inputs
            .applications
            .iter_mut()
            .zip([0.0, -0.0, 0.0, 50.0, -0.0, 50.0])
        {
            a.score = Some(score);
        }
        let draw = draw(Selection::Ranking, &seed, &inputs).unwrap();
        let ranked: Vec<Uuid> = draw.ranking.iter().map(|r| r.application_id).collect();
        let by_key = |mut ids: Vec<Uuid>| {
            ids.sort_by_key(|&i| ranking_key(&seed, i));
            ids
        };
        assert_eq!(ranked[..2], by_key(vec![id(4), id(6)])[..]);
        assert_eq!(ranked[2..], by_key(vec![id(1), id(2), id(3), id(5)])[..]);
    }

    #[test]
    fn scores_sort_highest_first_and_zero_ties_with_minus_zero() {
        let scores = [1000.0, 99.25, 10.5, 1.0, 5e-324, 0.0, -5e-324, -1.0];
        for pair in scores.windows(2) {
            assert!(highest_first(pair[0]) < highest_first(pair[1]), "{pair:?}");
        }
        assert_eq!(highest_first(0.0), highest_first(-0.0));
    }

    #[test]
    fn phases_are_one_and_two_on_the_wire() {
        assert_eq!(serde_json::to_string(&Phase::One).unwrap(), "1");
        assert_eq!(serde_json::from_str::<Phase>("2").unwrap(), Phase::Two);
        assert!(serde_json::from_str::<Phase>("3").is_err());
        let unplaced = Placement {
            application_id: id(1),
            destination_id: None,
            semester: None,
        };
        assert_eq!(
            serde_json::to_value(unplaced).unwrap(),
            serde_json::json!({
                "application_id": "00000000-0000-0000-0000-000000000001",
                "destination_id": null,
                "semester": null
            })
        );
    }
}
