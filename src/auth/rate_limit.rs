//! Attempt limits for sign-in and link redemption, per account and per
//! client address.
//!
//! After a few free failures each further failure doubles the wait, up to a
//! ceiling; a success or the passing of time resets it. An account is never
//! locked out for good, so an attacker cannot lock a student out of an exam
//! by guessing wrong on purpose for longer than the ceiling.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

/// Failures allowed before any wait.
const FREE_FAILURES: u32 = 5;
/// The first wait, doubled per further failure.
const BASE_WAIT: Duration = Duration::from_secs(1);
/// The longest wait.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Entries kept before old ones are swept.
const SWEEP_AT: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: OffsetDateTime,
    blocked_until: OffsetDateTime,
}

/// Counts failures per key (`account:<org>:<email>`, `addr:<ip>`).
#[derive(Debug, Default)]
pub struct RateLimiter {
    entries: Mutex<HashMap<String, Entry>>,
}

impl RateLimiter {
    /// Seconds to wait before `keys` may try again, or `None` when allowed.
    pub fn check(&self, keys: &[String], now: OffsetDateTime) -> Option<u64> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter()
            .filter_map(|key| entries.get(key))
            .filter(|entry| entry.blocked_until > now)
            .map(|entry| u64::try_from((entry.blocked_until - now).whole_seconds()).unwrap_or(0).max(1))
            .max()
    }

    /// Records a failed attempt for every key.
    pub fn failed(&self, keys: &[String], now: OffsetDateTime) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() > SWEEP_AT {
            entries.retain(|_, entry| now - entry.last_failure < FORGET_AFTER);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last_failure: now,
                blocked_until: OffsetDateTime::UNIX_EPOCH,
            });
            if now - entry.last_failure > FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures > FREE_FAILURES {
                let doublings = (entry.failures - FREE_FAILURES - 1).min(20);
                let wait = BASE_WAIT.saturating_mul(1 << doublings).min(MAX_WAIT);
                entry.blocked_until = now + wait;
            }
        }
    }

    /// Forgets the failures of `keys` after a success.
    pub fn succeeded(&self, keys: &[String]) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_free_failures_cap_out_and_reset_on_success() {
        let limiter = RateLimiter::default();
        let keys = vec!["account:a".to_owned()];
        let mut now = time::macros::datetime!(2026-01-05 09:00 UTC);
        for _ in 0..FREE_FAILURES {
            assert_eq!(limiter.check(&keys, now), None);
            limiter.failed(&keys, now);
        }
        assert_eq!(limiter.check(&keys, now), None);
        limiter.failed(&keys, now);
        assert_eq!(limiter.check(&keys, now), Some(1));
        limiter.failed(&keys, now);
        assert_eq!(limiter.check(&keys, now), Some(2));
        for _ in 0..40 {
            limiter.failed(&keys, now);
        }
        assert_eq!(limiter.check(&keys, now), Some(MAX_WAIT.as_secs()), "never more than the ceiling");
        now += MAX_WAIT;
        assert_eq!(limiter.check(&keys, now), None, "never locked out for good");
        limiter.failed(&keys, now);
        limiter.succeeded(&keys);
        assert_eq!(limiter.check(&keys, now), None);
    }
}
