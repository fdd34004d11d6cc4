//! Published draws run again, kept for their explanations.
//!
//! Right after a draw, its students ask why they got what they got, thousands of them.
//! Each explanation needs the whole draw: at 100,000 applications, reading the
//! published inputs and running the draw again takes about half a second. A draw is
//! stored once and never changed, so the result can be kept without ever going stale:
//! the first explanation of a call runs it (the others of that call wait for it
//! instead of each running it too), and the rest are a lookup.

use abroad_domain::draw::{Draw, DrawInputs, Explanation, explain};
use abroad_storage::explanations::{self, DrawnCall};
use abroad_storage::{PgConnection, StorageError};
use std::sync::{Arc, Mutex};
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
type Slot = Arc<Mutex<Option<Arc<Redrawn>>>>;

/// The latest calls' draws, run again; cheap to clone (one shared cache).
#[derive(Debug, Clone, Default)]
pub struct RedrawnCalls(Arc<Mutex<Vec<(Uuid, Slot)>>>);

impl RedrawnCalls {
    /// The call's draw, run again now if this process has not kept it.
    pub fn get(
        &self,
        conn: &mut PgConnection,
        call: &DrawnCall,
    ) -> Result<Arc<Redrawn>, StorageError> {
        let slot = self.slot(call.call_id);
        // Held while running it: the other requests for this call wait, then read it.
        let mut held = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(redrawn) = held.as_ref() {
            return Ok(Arc::clone(redrawn));
        }
        let (inputs, draw) = explanations::redraw(conn, call)?;
        let redrawn = Arc::new(Redrawn { inputs, draw });
        *held = Some(Arc::clone(&redrawn));
        Ok(redrawn)
    }

    /// The call's slot, made (and the oldest beyond [`KEPT`] let go) if new; the most
    /// recently asked-for call comes last.
    fn slot(&self, call_id: Uuid) -> Slot {
        let mut calls = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = match calls.iter().position(|(id, _)| *id == call_id) {
            Some(at) => calls.remove(at).1,
            None => Slot::default(),
        };
        calls.push((call_id, Arc::clone(&slot)));
        if calls.len() > KEPT {
            calls.remove(0);
        }
        slot
    }
}
