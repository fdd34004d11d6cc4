//! Published draws run again, kept for their explanations.
//!
//! Right after a draw, its students ask why they got what they got, thousands of them.
//! Each explanation needs the whole draw: at 100,000 applications, reading the
//! published inputs and running the draw again takes about half a second. A draw is
//! stored once and never changed, so the result can be kept without ever going stale:
//! the first explanation of a call runs it, the others of that call wait for it
//! (without holding a connection) instead of each running it too, and the rest are a
//! lookup.

use crate::db::{self, Db};
use crate::error::ApiError;
use abroad_domain::draw::{Draw, DrawInputs, Explanation, explain};
use abroad_storage::StorageError;
use abroad_storage::explanations::{self, DrawnCall};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// How many calls' draws are kept; a round's calls are drawn one by one and asked
/// about for days, so the latest few cover nearly every request. At 100,000
/// applications one takes about 40 MB.
const KEPT: usize = 2;

/// One call's draw, run again once.
#[derive(Debug)]
pub struct Redrawn {
    inputs: DrawInputs,
    draw: Draw,
}

impl Redrawn {
    /// Why `id` got what it got; a `State` conflict when it was not in the draw (only
    /// eligible applications are).
    pub fn explain(&self, id: Uuid) -> Result<Explanation, StorageError> {
        if !self
            .inputs
            .applications
            .iter()
            .any(|a| a.application_id == id)
        {
            return Err(StorageError::State(
                "this application was not in the draw: only applications reviewed eligible are"
                    .to_owned(),
            ));
        }
        explain(&self.inputs, &self.draw, id)
            .ok_or_else(|| StorageError::Corrupt("a draw's result".to_owned()))
    }
}

/// A call's place in the cache: filled once, by whoever asks first.
type Slot = Arc<OnceCell<Arc<Redrawn>>>;

/// The latest calls' draws, run again; cheap to clone (one shared cache). A call is
/// known by its id and its seed, so a database restored to an earlier draw of the same
/// call is not answered from the later one.
#[derive(Debug, Clone, Default)]
pub struct RedrawnCalls(Arc<Mutex<Vec<(DrawnCall, Slot)>>>);

impl RedrawnCalls {
    /// The call's draw, run again now if this process has not kept it.
    pub async fn get(&self, pool: &Db, call: DrawnCall) -> Result<Arc<Redrawn>, ApiError> {
        let slot = self.slot(&call);
        let redrawn = slot
            .get_or_try_init(|| {
                db::run(pool, move |conn| {
                    let (inputs, draw) = explanations::redraw(conn, &call)?;
                    Ok(Arc::new(Redrawn { inputs, draw }))
                })
            })
            .await?;
        Ok(Arc::clone(redrawn))
    }

    /// The call's slot, made if new; the most recently asked-for call comes last. Beyond
    /// [`KEPT`], the oldest filled slot is let go: one still being filled stays, so
    /// that its waiters and newcomers share the one run.
    fn slot(&self, call: &DrawnCall) -> Slot {
        let mut calls = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = match calls.iter().position(|(known, _)| known == call) {
            Some(at) => calls.remove(at).1,
            None => Slot::default(),
        };
        calls.push((call.clone(), Arc::clone(&slot)));
        if calls.len() > KEPT
            && let Some(filled) = calls.iter().position(|(_, s)| s.initialized())
        {
            calls.remove(filled);
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abroad_domain::Selection;

    fn call(seed: u8) -> DrawnCall {
        DrawnCall {
            call_id: Uuid::new_v4(),
            selection: Selection::Lottery,
            seed: [seed; 32],
        }
    }

    fn fill(slot: &Slot) {
        let empty = Redrawn {
            inputs: DrawInputs {
                slots: Vec::new(),
                applications: Vec::new(),
            },
            draw: Draw {
                ranking: Vec::new(),
                placements: Vec::new(),
                phases: Vec::new(),
            },
        };
        slot.set(Arc::new(empty)).expect("an empty slot");
    }

    #[test]
    fn a_call_keeps_its_slot_and_the_oldest_filled_one_goes() {
        let cache = RedrawnCalls::default();
        let (a, b, c, d) = (call(1), call(2), call(3), call(4));
        let first = cache.slot(&a);
        fill(&first);
        assert!(
            Arc::ptr_eq(&first, &cache.slot(&a)),
            "asked again, the same slot"
        );
        let same_call_other_seed = DrawnCall {
            seed: [9; 32],
            ..a.clone()
        };
        assert!(!Arc::ptr_eq(&first, &cache.slot(&same_call_other_seed)));
        cache.slot(&b);
        cache.slot(&c);
        let kept: Vec<DrawnCall> = cache
            .0
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert!(!kept.contains(&a), "the filled one went first");
        // Slots still being filled stay, so their waiters and newcomers share one run.
        cache.slot(&d);
        assert_eq!(cache.0.lock().expect("lock").len(), 4);
    }
}
