//! Drafts this process has just created, kept for their submission.
//!
//! In a deadline rush a student creates an application and submits it moments later.
//! The creation read everything the submission is checked on; kept with the versions
//! of the rows it came from ([`Drafted`]), a submission from this process is checked on
//! it and written in one statement, which writes only while every one of those rows is
//! still that version. Anything changed, or a draft not kept here (another process
//! created it, or it was pushed out), and the submission reads afresh as before. So
//! what is kept is never trusted, only spared a read; losing it costs a round trip.

use abroad_storage::applications::Drafted;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// How many drafts are kept: far more than are created and submitted at once by the
/// clients of one process (a rush's 32), at about 11 KB each (motivations included).
const KEPT: usize = 512;

/// The newest drafts, the oldest pushed out first; clones share them.
#[derive(Debug, Default, Clone)]
pub struct RecentDrafts {
    kept: Arc<Mutex<Kept>>,
}

#[derive(Debug, Default)]
struct Kept {
    by_id: HashMap<Uuid, Drafted>,
    /// Ids in the order kept; some may be taken already.
    order: VecDeque<Uuid>,
}

impl RecentDrafts {
    /// Keeps a draft just created, pushing out the oldest when full.
    pub fn keep(&self, drafted: Drafted) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        while kept.order.len() >= KEPT {
            if let Some(oldest) = kept.order.pop_front() {
                kept.by_id.remove(&oldest);
            }
        }
        kept.order.push_back(drafted.id());
        kept.by_id.insert(drafted.id(), drafted);
    }

    /// The draft with this id when kept and `owner`'s; it is kept no longer (a
    /// submission is tried once from it). Anyone else's request leaves it be.
    pub fn take(&self, id: Uuid, owner: &str) -> Option<Drafted> {
        let mut kept = self.kept.lock().ok()?;
        if kept.by_id.get(&id)?.owner() != owner {
            return None;
        }
        kept.by_id.remove(&id)
    }
}
