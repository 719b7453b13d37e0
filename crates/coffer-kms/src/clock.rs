//! Time, injected: the service never reads the system clock directly, so deletion windows
//! and rotation schedules can be driven by a test.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that moves only when told to (tests, simulations).
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock standing at `millis`.
    pub fn new(millis: i64) -> ManualClock {
        ManualClock(AtomicI64::new(millis))
    }

    /// Moves the clock forward.
    pub fn advance_millis(&self, by: i64) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// One day in milliseconds.
pub const DAY_MILLIS: i64 = 86_400_000;
