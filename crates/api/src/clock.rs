//! The time the service goes by. Deadlines are decided against it, so tests can set
//! it to a second before or after one instead of sleeping.
//!
//! It reads in microseconds, as PostgreSQL keeps a `timestamptz`: a time the service
//! stamps a row with (a submission, a draft written in one statement) is answered
//! exactly as it is stored and read back later.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands still at `at` until [`Clock::set`] moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        to_microseconds(now)
    }

    /// Moves a fixed clock; the system clock ignores it.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Some(at) = &self.0 {
            *at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = to;
        }
    }
}

/// `at` down to the microsecond (a time outside chrono's range stays as it is).
fn to_microseconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_in_microseconds_as_postgresql_keeps_time() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T12:00:00.123456789Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            Clock::fixed(at).now().to_rfc3339(),
            "2026-12-07T12:00:00.123456+00:00"
        );
        assert_eq!(Clock::system().now().timestamp_subsec_nanos() % 1000, 0);
    }
}
