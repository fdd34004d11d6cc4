//! The offer expiry task: writes `expired` on pending offers whose time is up.
//!
//! Nothing depends on its timing: every read and every answer judges expiry by itself
//! ([`abroad_domain::OfferStatus::as_of`]), so an expired offer is never accepted even
//! when the task is late or not running. The task makes the stored status, the audit
//! log and the freed places catch up. Several service processes may run it at once:
//! each pass takes rows no other holds and updates them only while still pending.

use crate::clock::Clock;
use crate::db::Db;
use abroad_storage::{Actor, offers};
use std::time::Duration;

/// Runs one pass now and then one every `every`, for as long as the server runs.
pub async fn expire_offers(db: Db, clock: Clock, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let clock = clock.clone();
        let pass = crate::db::run(&db, move |conn| {
            offers::expire_due(conn, &Actor::system("offer-expiry"), || clock.now())
        })
        .await;
        match pass {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "offers expired"),
            Err(e) => {
                tracing::warn!(error = %e, "offer expiry pass failed; trying again next time")
            }
        }
    }
}
