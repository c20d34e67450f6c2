//! The one place that reads the wall clock.
//!
//! The server owns the time of an exam (deadlines, extra time, timeouts), so
//! every component asks a [`Clock`] instead of the operating system. Tests pass
//! a [`ManualClock`] and move it forward without sleeping.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

/// A source of the current UTC time.
pub trait Clock: Send + Sync + 'static {
    /// The current time, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The shared handle every component holds.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods, reason = "this is the one place that reads the clock")]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock showing `start`.
    #[must_use]
    pub fn new(start: OffsetDateTime) -> Self {
        Self { now: Arc::new(Mutex::new(start)) }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Formats a time as stored and sent: RFC 3339 in UTC, to the millisecond,
/// in one fixed width ([`crate::domain::Timestamp`]), so that comparing the
/// text compares the times. Milliseconds are precise enough for ordering
/// people's actions.
#[must_use]
pub fn rfc3339(at: OffsetDateTime) -> String {
    crate::domain::Timestamp::from_time(at).to_string()
}

/// A clock that runs `rate` times faster than the system's from the moment
/// it is made: lets a browser test watch a deadline pass in seconds.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    start: OffsetDateTime,
    started: std::time::Instant,
    rate: f64,
}

impl ScaledClock {
    /// A clock showing the system's time now, then running `rate` times faster.
    #[must_use]
    pub fn new(rate: f64) -> Self {
        Self { start: SystemClock.now(), started: std::time::Instant::now(), rate }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> OffsetDateTime {
        self.start + self.started.elapsed().mul_f64(self.rate)
    }
}

/// The variable that speeds the clock up, for tests only.
pub const TEST_RATE_VARIABLE: &str = "EXAMHALL_TEST_CLOCK_RATE";

/// The clock a server runs on: the system's, or in a debug build (what the
/// tests run) a faster one when [`TEST_RATE_VARIABLE`] says so.
///
/// # Errors
/// The variable is set in a release build, or is not a rate from 1 to 1000.
pub fn from_env() -> Result<SharedClock, String> {
    let Some(value) = std::env::var_os(TEST_RATE_VARIABLE) else { return Ok(system()) };
    // A release build must never let an environment variable move exam deadlines.
    if !cfg!(debug_assertions) {
        return Err(format!("{TEST_RATE_VARIABLE} is for tests and works only in debug builds; unset it"));
    }
    let rate = value
        .to_str()
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|rate| (1.0..=1000.0).contains(rate))
        .ok_or_else(|| format!("{TEST_RATE_VARIABLE} must be a number from 1 to 1000"))?;
    tracing::warn!(rate, "the clock runs faster than real time ({TEST_RATE_VARIABLE}); for tests only");
    Ok(Arc::new(ScaledClock::new(rate)))
}

/// The system clock behind a shared handle.
#[must_use]
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_clock_runs_faster() {
        let start = time::macros::datetime!(2026-01-05 09:00 UTC);
        let two_seconds_ago = std::time::Instant::now().checked_sub(Duration::from_secs(2)).unwrap();
        let clock = ScaledClock { start, started: two_seconds_ago, rate: 30.0 };
        // Two seconds of real time are a minute on this clock.
        let elapsed = clock.now() - start;
        assert!(elapsed >= time::Duration::seconds(60) && elapsed < time::Duration::seconds(75), "{elapsed}");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = time::macros::datetime!(2026-01-05 09:00 UTC);
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(90));
        assert_eq!(rfc3339(clock.now()), "2026-01-05T09:01:30.000Z");
    }
}
