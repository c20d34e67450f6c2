//! One limiter entry: the state behind a key (a doubling wait or a
//! refilling bucket), and the map housekeeping (refunds, making room).

use std::collections::HashMap;

use time::OffsetDateTime;

use super::{
    ADDRESS_BURST, ADDRESS_REFILL_SECS, AccountTag, BASE_WAIT, FORGET_AFTER, FREE_FAILURES, LimitKey, MAX_WAIT, Policy,
};

#[derive(Debug, Clone, Copy)]
pub(super) enum State {
    Doubling { failures: u32, last_failure: OffsetDateTime, blocked_until: OffsetDateTime },
    Bucket { level: f64, at: OffsetDateTime },
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) state: State,
    pub(super) account: Option<AccountTag>,
}

impl Entry {
    pub(super) fn new(key: &LimitKey, now: OffsetDateTime) -> Self {
        let state = match key.policy {
            Policy::Account => {
                State::Doubling { failures: 0, last_failure: now, blocked_until: OffsetDateTime::UNIX_EPOCH }
            }
            Policy::Address => State::Bucket { level: 0.0, at: now },
        };
        Self { state, account: key.account }
    }

    /// Seconds to wait before another attempt, if any.
    pub(super) fn wait(&self, now: OffsetDateTime) -> Option<u64> {
        match self.state {
            State::Doubling { blocked_until, .. } => (blocked_until > now).then(|| seconds_until(blocked_until - now)),
            State::Bucket { level, at } => {
                let over = bucket_level(level, at, now) + 1.0 - ADDRESS_BURST;
                (over > 0.0).then(|| seconds_until(time::Duration::seconds_f64(over * ADDRESS_REFILL_SECS)))
            }
        }
    }

    pub(super) fn fail(&mut self, now: OffsetDateTime) {
        match &mut self.state {
            State::Doubling { failures, last_failure, blocked_until } => {
                if now - *last_failure > FORGET_AFTER {
                    *failures = 0;
                }
                *failures = failures.saturating_add(1);
                *last_failure = now;
                if *failures > FREE_FAILURES {
                    let doublings = (*failures - FREE_FAILURES - 1).min(20);
                    *blocked_until = now + BASE_WAIT.saturating_mul(1 << doublings).min(MAX_WAIT);
                }
            }
            State::Bucket { level, at } => {
                *level = bucket_level(*level, *at, now) + 1.0;
                *at = now;
            }
        }
    }

    /// Whether the entry says nothing any more (it can be dropped).
    pub(super) fn is_spent(&self, now: OffsetDateTime) -> bool {
        match self.state {
            State::Doubling { last_failure, blocked_until, .. } => {
                blocked_until <= now && now - last_failure >= FORGET_AFTER
            }
            State::Bucket { level, at } => bucket_level(level, at, now) <= 0.0,
        }
    }

    pub(super) fn last_touched(&self) -> OffsetDateTime {
        match self.state {
            State::Doubling { last_failure, .. } => last_failure,
            State::Bucket { at, .. } => at,
        }
    }
}

fn bucket_level(level: f64, at: OffsetDateTime, now: OffsetDateTime) -> f64 {
    let drained = (now - at).as_seconds_f64().max(0.0) / ADDRESS_REFILL_SECS;
    (level - drained).max(0.0)
}

fn seconds_until(wait: time::Duration) -> u64 {
    u64::try_from(wait.whole_seconds()).unwrap_or(0).saturating_add(u64::from(wait.subsec_nanoseconds() > 0)).max(1)
}

pub(super) fn refund_one(entries: &mut HashMap<[u8; 16], Entry>, key: &LimitKey) {
    let Some(entry) = entries.get_mut(&key.digest) else { return };
    match &mut entry.state {
        State::Doubling { failures, blocked_until, .. } => {
            *failures = failures.saturating_sub(1);
            if *failures <= FREE_FAILURES {
                *blocked_until = OffsetDateTime::UNIX_EPOCH;
            }
        }
        State::Bucket { level, .. } => *level = (*level - 1.0).max(0.0),
    }
}

/// Makes room for one entry: first drops spent entries, then, if still
/// full, the stalest eighth (an attacker filling the map mostly evicts its
/// own entries, and pays for each with a failure).
pub(super) fn make_room(entries: &mut HashMap<[u8; 16], Entry>, capacity: usize, now: OffsetDateTime) {
    entries.retain(|_, entry| !entry.is_spent(now));
    if entries.len() < capacity {
        return;
    }
    let mut ages: Vec<(OffsetDateTime, [u8; 16])> =
        entries.iter().map(|(digest, entry)| (entry.last_touched(), *digest)).collect();
    let evict = (capacity / 8).max(1);
    ages.select_nth_unstable_by_key(evict - 1, |(touched, _)| *touched);
    for (_, digest) in &ages[..evict] {
        entries.remove(digest);
    }
}
