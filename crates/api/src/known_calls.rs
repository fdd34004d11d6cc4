//! Calls as this process last read them, for the quick create.
//!
//! The creates of a deadline rush all go to one or two calls. Held with the version of
//! its row and its places ([`KnownCall`]), a call spares each create its read: the
//! create's one statement writes only while the call's row is still that version (every
//! change to a call, its rules or its places writes it). When it is not, or the quick
//! way stands aside for any reason, the create goes the careful way and the call is
//! forgotten, to be read again by the next create. So what is held is never trusted,
//! only spared a read; losing it costs a round trip.
//!
//! Row versions are transaction ids, which repeat after the database is restored to an
//! earlier point: restart the service after a restore (as for the catalogue snapshot).

use abroad_storage::applications::KnownCall;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How many calls are held: far more than accept applications at once.
const HELD: usize = 64;

/// The calls held, by id; clones share them.
#[derive(Debug, Default, Clone)]
pub struct KnownCalls {
    held: Arc<Mutex<HashMap<Uuid, Arc<KnownCall>>>>,
}

impl KnownCalls {
    /// The call with this id, when held.
    pub fn get(&self, id: Uuid) -> Option<Arc<KnownCall>> {
        self.held.lock().ok()?.get(&id).cloned()
    }

    /// Holds a call as read; when full, the others are forgotten first (each is read
    /// again at its next create).
    pub fn hold(&self, call: Arc<KnownCall>) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        if held.len() >= HELD && !held.contains_key(&call.id()) {
            held.clear();
        }
        held.insert(call.id(), call);
    }

    /// Forgets the call with this id: the next create reads it again.
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut held) = self.held.lock() {
            held.remove(&id);
        }
    }
}
