//! What the monitor shows of a log besides its signals: how much was typed
//! each minute (by the server's clock: a batch held back by a network drop
//! counts when it arrived) and the latest visible-test results the student
//! ran. Shown for a person to glance at; nothing is decided from them.

use time::OffsetDateTime;

use super::Entry;
use crate::domain::log_event::Event;
use crate::domain::save_item::{ItemBody, SaveItem};

/// Characters in one change from which it may be sudden code under any
/// profile (the strictest's threshold, with room below it).
const LARGE_CHANGE: usize = 50;

/// Whether saving `item` may raise a signal, so that a summary of the log
/// is worth deriving again at once: any event (a paste, time away, a run),
/// a snapshot (it may not match), or a large change. Small edits raise only
/// typing bursts, which a periodic look finds.
#[must_use]
pub fn may_raise_signal(item: &SaveItem) -> bool {
    match &item.body {
        ItemBody::Event(_) | ItemBody::Snapshot(_) => true,
        ItemBody::Edit(changes) => changes.inserted_len() >= LARGE_CHANGE,
    }
}

/// Characters inserted by edits in each of the `minutes` minutes up to
/// `until`, oldest first (the last minute ends at `until`).
#[must_use]
pub fn per_minute(log: &[Entry<'_>], until: OffsetDateTime, minutes: usize) -> Vec<u32> {
    let mut buckets = vec![0_u32; minutes];
    for entry in log {
        let ItemBody::Edit(changes) = &entry.item.body else { continue };
        let ago = (until - entry.server_at).whole_seconds();
        if ago < 0 {
            continue;
        }
        let Ok(back) = usize::try_from(ago / 60) else { continue };
        if back < minutes {
            let slot = &mut buckets[minutes - 1 - back];
            *slot = slot.saturating_add(u32::try_from(changes.inserted_len()).unwrap_or(u32::MAX));
        }
    }
    buckets
}

/// The latest visible-test run in the log: tests passed and tests run.
#[must_use]
pub fn latest_tests(log: &[Entry<'_>]) -> Option<(u32, u32)> {
    log.iter().rev().find_map(|entry| match &entry.item.body {
        ItemBody::Event(event @ Event::TestsRun { outcomes, .. }) => {
            let passed = event.tests_passed().unwrap_or(0);
            Some((u32::try_from(passed).unwrap_or(u32::MAX), u32::try_from(outcomes.len()).unwrap_or(u32::MAX)))
        }
        _ => None,
    })
}
