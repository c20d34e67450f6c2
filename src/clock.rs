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

/// The system's clock moved forward by what a file says: a browser test
/// jumps the server to the deadline by writing the file, in the same step
/// as it jumps the browser's own clock, instead of waiting for the time to
/// pass or racing a faster clock. Time still flows as on the system's clock
/// between jumps.
#[derive(Debug, Clone)]
pub struct OffsetFileClock {
    file: std::path::PathBuf,
}

impl OffsetFileClock {
    /// A clock `file`'s milliseconds ahead of the system's (none while the
    /// file is missing or unreadable).
    #[must_use]
    pub fn new(file: std::path::PathBuf) -> Self {
        Self { file }
    }
}

impl Clock for OffsetFileClock {
    fn now(&self) -> OffsetDateTime {
        let ahead = std::fs::read_to_string(&self.file).ok().and_then(|text| text.trim().parse::<i64>().ok());
        SystemClock.now() + time::Duration::milliseconds(ahead.unwrap_or(0).max(0))
    }
}

/// The variable naming the file of an [`OffsetFileClock`], for tests only.
pub const TEST_OFFSET_VARIABLE: &str = "EXAMHALL_TEST_CLOCK_OFFSET_FILE";

/// The clock a server runs on: the system's, or in a debug build (what the
/// tests run) one that a test moves forward when [`TEST_OFFSET_VARIABLE`]
/// names a file.
///
/// # Errors
/// The variable is set in a release build.
pub fn from_env() -> Result<SharedClock, String> {
    let Some(file) = std::env::var_os(TEST_OFFSET_VARIABLE) else { return Ok(system()) };
    // A release build must never let an environment variable move exam deadlines.
    if !cfg!(debug_assertions) {
        return Err(format!("{TEST_OFFSET_VARIABLE} is for tests and works only in debug builds; unset it"));
    }
    tracing::warn!(file = %std::path::Path::new(&file).display(), "the clock jumps when a test says so ({TEST_OFFSET_VARIABLE}); for tests only");
    Ok(Arc::new(OffsetFileClock::new(file.into())))
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
    fn the_offset_file_clock_runs_as_far_ahead_as_its_file_says() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offset");
        let clock = OffsetFileClock::new(file.clone());
        let ahead = |clock: &OffsetFileClock| clock.now() - SystemClock.now();
        assert!(ahead(&clock).abs() < time::Duration::seconds(5), "no file: the system's time");
        std::fs::write(&file, "240000\n").unwrap();
        let jumped = ahead(&clock);
        assert!(jumped > time::Duration::seconds(235) && jumped <= time::Duration::seconds(240), "{jumped}");
        std::fs::write(&file, "not a number").unwrap();
        assert!(ahead(&clock).abs() < time::Duration::seconds(5), "unreadable: no jump");
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
