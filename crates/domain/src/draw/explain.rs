//! Why an application got what it got: every wish tried, in order, and what became of it.

use super::{Draw, DrawInputs, Phase};
use crate::destination::Semester;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

crate::vocabulary! {
    /// What became of one wish in the draw.
    pub enum Outcome ("outcome", "invalid_outcome") {
        /// The application was placed here.
        Placed = "placed",
        /// No place was left here when the application's turn came.
        Full = "full",
        /// The country was under negative travel advice at the draw: no places.
        Blocked = "blocked",
        /// The call has no places here in that semester.
        NotOffered = "not_offered",
        /// After the placement: never needed.
        NotNeeded = "not_needed",
    }
}

/// A destination in a semester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlacedAt {
    pub destination_id: Uuid,
    pub semester: Semester,
}

/// One wish tried: a choice in a semester, own semester first, then plan B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Wish {
    /// The choice's place in the student's list, 1 first; plan B repeats the positions
    /// in the other semester.
    #[schema(example = 1, minimum = 1)]
    pub position: u32,
    pub destination_id: Uuid,
    pub semester: Semester,
    pub outcome: Outcome,
    /// The outcome in a sentence for the student.
    pub message: String,
}

/// API.md's `GET /applications/{id}/explanation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    pub application_id: Uuid,
    #[schema(example = 17, minimum = 1)]
    pub rank: u32,
    /// 1: placed because its first choice had room for everyone who chose it first;
    /// 2: decided at its turn in ranking order (placed or not).
    #[schema(value_type = u8, minimum = 1, maximum = 2)]
    pub phase: Phase,
    /// `null`: not placed.
    pub placement: Option<PlacedAt>,
    pub choices: Vec<Wish>,
}

/// Explains `draw`'s result for one application of `inputs`; `None` when it was not in
/// the draw. `draw` is what [`draw()`](super::draw()) returned for `inputs`; from a
/// stored record, run it again on the record's seed and inputs (it is deterministic).
///
/// A wish before the placement that the call offers and is not blocked was `full`:
/// phase 2 takes the first wish with a free place, so any earlier one had none left at
/// this application's turn.
pub fn explain(inputs: &DrawInputs, draw: &Draw, application_id: Uuid) -> Option<Explanation> {
    let entry = inputs
        .applications
        .iter()
        .find(|a| a.application_id == application_id)?;
    let rank = draw
        .ranking
        .iter()
        .find(|r| r.application_id == application_id)?
        .rank;
    let at = draw
        .placements
        .iter()
        .position(|p| p.application_id == application_id)?;
    let placement = match draw.placements[at] {
        super::Placement {
            destination_id: Some(destination_id),
            semester: Some(semester),
            ..
        } => Some(PlacedAt {
            destination_id,
            semester,
        }),
        _ => None,
    };
    let phase = draw.phases.get(at).copied().flatten().unwrap_or(Phase::Two);
    let of = draw.ranking.len();

    let slots: HashMap<(Uuid, Semester), _> = inputs
        .slots
        .iter()
        .map(|s| ((s.destination_id, s.semester), s))
        .collect();
    let mut settled = false;
    let choices = entry
        .wishes()
        .map(|(position, destination_id, semester)| {
            let here = PlacedAt {
                destination_id,
                semester,
            };
            let outcome = if settled {
                Outcome::NotNeeded
            } else if placement == Some(here) {
                settled = true;
                Outcome::Placed
            } else {
                match slots.get(&(destination_id, semester)) {
                    None => Outcome::NotOffered,
                    Some(slot) if slot.places == 0 => Outcome::NotOffered,
                    Some(slot) if slot.blocked => Outcome::Blocked,
                    Some(_) => Outcome::Full,
                }
            };
            let plan_b = semester != entry.semester;
            Wish {
                position,
                destination_id,
                semester,
                outcome,
                message: message(outcome, phase, plan_b, semester, rank, of),
            }
        })
        .collect();
    Some(Explanation {
        application_id,
        rank,
        phase,
        placement,
        choices,
    })
}

/// One sentence a student understands.
fn message(
    outcome: Outcome,
    phase: Phase,
    plan_b: bool,
    semester: Semester,
    rank: u32,
    of: usize,
) -> String {
    let when = match semester {
        Semester::Autumn => "the autumn semester",
        Semester::Spring => "the spring semester",
        Semester::FullYear => "the full year",
    };
    let wish = if plan_b {
        format!("Your plan B for {when}")
    } else {
        format!("Your choice for {when}")
    };
    match (outcome, phase) {
        (Outcome::Placed, Phase::One) => format!(
            "{wish} is yours: it had enough places for every student who chose it first, \
             so nobody's rank mattered there."
        ),
        (Outcome::Placed, Phase::Two) => format!(
            "{wish} is yours: it still had a free place when your turn came as number \
             {rank} of {of}."
        ),
        (Outcome::Full, _) => format!(
            "{wish} was full: every place there was taken before your turn came as number \
             {rank} of {of}."
        ),
        (Outcome::Blocked, _) => format!(
            "{wish} placed nobody: its country was under negative travel advice at the draw."
        ),
        (Outcome::NotOffered, _) => {
            format!("{wish} could not be given: this call has no places there for {when}.")
        }
        (Outcome::NotNeeded, _) => format!(
            "{wish} was not needed: you had already been placed at a wish you listed before it."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Selection;
    use crate::draw::{Entry, Slot, draw};

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn every_wish_is_listed_in_order_with_what_became_of_it() {
        const A: Semester = Semester::Autumn;
        const S: Semester = Semester::Spring;
        let slot = |d, semester, places, blocked| Slot {
            destination_id: id(d),
            semester,
            places,
            blocked,
        };
        let inputs = DrawInputs {
            slots: vec![
                slot(0xa, A, 1, false),
                slot(0xb, A, 3, true),
                slot(0xd, A, 0, false),
                slot(0xa, S, 1, false),
                slot(0xc, S, 1, false),
            ],
            applications: vec![
                // Takes 0xa/autumn in phase 1.
                Entry {
                    application_id: id(1),
                    semester: A,
                    plan_b: false,
                    choices: vec![id(0xa)],
                    score: None,
                },
                // 0xb blocked, 0xa/autumn full, 0xc and 0xd not offered in autumn;
                // plan B: 0xb/spring not offered, 0xa/spring free.
                Entry {
                    application_id: id(2),
                    semester: A,
                    plan_b: true,
                    choices: vec![id(0xb), id(0xa), id(0xc), id(0xd)],
                    score: None,
                },
            ],
        };
        let draw = draw(Selection::Lottery, &[5; 32], &inputs).unwrap();
        let first = explain(&inputs, &draw, id(1)).unwrap();
        assert_eq!(first.phase, Phase::One);
        assert_eq!(first.choices.len(), 1);
        assert_eq!(first.choices[0].outcome, Outcome::Placed);

        let second = explain(&inputs, &draw, id(2)).unwrap();
        assert_eq!(second.phase, Phase::Two);
        assert_eq!(
            second.placement,
            Some(PlacedAt {
                destination_id: id(0xa),
                semester: S
            })
        );
        let tried: Vec<(u32, Uuid, Semester, Outcome)> = second
            .choices
            .iter()
            .map(|w| (w.position, w.destination_id, w.semester, w.outcome))
            .collect();
        assert_eq!(
            tried,
            [
                (1, id(0xb), A, Outcome::Blocked),
                (2, id(0xa), A, Outcome::Full),
                (3, id(0xc), A, Outcome::NotOffered),
                (4, id(0xd), A, Outcome::NotOffered),
                (1, id(0xb), S, Outcome::NotOffered),
                (2, id(0xa), S, Outcome::Placed),
                (3, id(0xc), S, Outcome::NotNeeded),
                (4, id(0xd), S, Outcome::NotNeeded),
            ]
        );
        assert_eq!(
            second.choices[5].message,
            format!(
                "Your plan B for the spring semester is yours: it still had a free place when \
                 your turn came as number {} of 2.",
                second.rank
            )
        );
        assert_eq!(
            second.choices[1].message,
            format!(
                "Your choice for the autumn semester was full: every place there was taken \
                 before your turn came as number {} of 2.",
                second.rank
            )
        );
        assert_eq!(
            second.choices[0].message,
            "Your choice for the autumn semester placed nobody: its country was under \
             negative travel advice at the draw."
        );
        assert_eq!(explain(&inputs, &draw, id(3)), None);
    }

    #[test]
    fn an_unplaced_application_is_phase_two_with_a_null_placement() {
        let inputs = DrawInputs {
            slots: vec![],
            applications: vec![Entry {
                application_id: id(1),
                semester: Semester::FullYear,
                plan_b: true,
                choices: vec![id(0xa)],
                score: None,
            }],
        };
        let draw = draw(Selection::Lottery, &[0; 32], &inputs).unwrap();
        let explanation = explain(&inputs, &draw, id(1)).unwrap();
        let json = serde_json::to_value(&explanation).unwrap();
        assert_eq!(json["phase"], 2);
        assert_eq!(json["placement"], serde_json::Value::Null);
        assert_eq!(json["choices"][0]["outcome"], "not_offered");
        assert_eq!(json["choices"].as_array().unwrap().len(), 1);
    }
}
