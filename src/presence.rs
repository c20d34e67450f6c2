//! When the server last heard from each attempt's browser: every save and
//! every heartbeat (an empty save, at least every 15 s) counts. The monitor
//! shows a browser silent for [`SILENCE`] as disconnected; the server itself
//! decides nothing from it. Held in memory only: after a restart every
//! browser is unheard of until its next heartbeat, seconds later.

use std::collections::HashMap;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use crate::domain::{AttemptId, UserId};

/// Silence after which a browser counts as disconnected: three heartbeats missed.
pub const SILENCE: Duration = Duration::seconds(45);

/// The most attempts remembered. Past it, the silent ones are forgotten; an
/// attempt exists only for a student enrolled by staff, so this is far above
/// any server's exam day.
const CAPACITY: usize = 200_000;

/// The last contact of each attempt's browser.
#[derive(Default)]
pub struct Presence {
    heard: Mutex<HashMap<AttemptId, OffsetDateTime>>,
}

impl Presence {
    /// Notes that `attempt`'s browser was heard at `now`; true when it had
    /// been silent (or unheard of) before: a reconnection worth telling.
    pub fn heard(&self, attempt: AttemptId, now: OffsetDateTime) -> bool {
        let mut heard = self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if heard.len() >= CAPACITY && !heard.contains_key(&attempt) {
            // Once, not per save: the browsers silent the longest are forgotten
            // (an unheard browser shows as disconnected, which they are).
            heard.retain(|_, at| now - *at < SILENCE);
            if heard.len() >= CAPACITY {
                return false;
            }
        }
        heard.insert(attempt, now).is_none_or(|before| now - before >= SILENCE)
    }

    /// When `attempt`'s browser was last heard, since the server started.
    #[must_use]
    pub fn last(&self, attempt: AttemptId) -> Option<OffsetDateTime> {
        self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&attempt).copied()
    }

    /// How many attempts' browsers were heard within [`SILENCE`] of `now`.
    #[must_use]
    pub fn active(&self, now: OffsetDateTime) -> usize {
        let heard = self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        heard.values().filter(|at| now - **at < SILENCE).count()
    }
}

/// How long one person's viewing of one attempt lasts: opening it again
/// within this time (a refresh, the next question) is the same viewing.
pub const VIEWING: Duration = Duration::minutes(30);

/// Staff viewings of attempts, so that each is audited once, not per refresh.
#[derive(Default)]
pub struct Viewings {
    seen: Mutex<HashMap<(UserId, AttemptId), OffsetDateTime>>,
}

impl Viewings {
    /// Notes that `viewer` opened `attempt` at `now`; true when this starts a
    /// new viewing (worth an audit entry).
    pub fn opened(&self, viewer: UserId, attempt: AttemptId, now: OffsetDateTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= CAPACITY {
            seen.retain(|_, at| now - *at < VIEWING);
        }
        let fresh = seen.get(&(viewer, attempt)).is_none_or(|at| now - *at >= VIEWING);
        if fresh {
            seen.insert((viewer, attempt), now);
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_browser_heard_after_a_silence_is_a_reconnection_and_a_steady_one_is_not() {
        let presence = Presence::default();
        let (attempt, start) = (AttemptId::generate(), datetime!(2026-06-01 09:00 UTC));
        assert!(presence.heard(attempt, start), "first heard");
        assert!(!presence.heard(attempt, start + Duration::seconds(15)), "a heartbeat");
        assert!(presence.heard(attempt, start + Duration::seconds(75)), "back after 60 s");
        assert_eq!(presence.last(attempt), Some(start + Duration::seconds(75)));
        assert_eq!(presence.last(AttemptId::generate()), None);
    }

    #[test]
    fn a_viewing_is_one_until_it_lapses() {
        let viewings = Viewings::default();
        let (viewer, attempt, start) = (UserId::generate(), AttemptId::generate(), datetime!(2026-06-01 09:00 UTC));
        assert!(viewings.opened(viewer, attempt, start));
        assert!(!viewings.opened(viewer, attempt, start + Duration::minutes(5)), "a refresh");
        assert!(viewings.opened(UserId::generate(), attempt, start), "another person's viewing");
        assert!(viewings.opened(viewer, attempt, start + Duration::minutes(31)), "a new viewing");
    }
}
