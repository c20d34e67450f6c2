//! Repeated refusals, told once: a wrong password, a bad link or a wrong
//! exam secret tried two thousand times in a minute becomes one audit entry
//! with a count, not two thousand.
//!
//! [`Refusals::record`] gathers refusals with the same log, action, actor,
//! label, target, outcome and client address; [`Refusals::flush`] (run on a
//! timer by the server, and at shutdown) appends one entry per group with
//! `count`, `first_at` and `last_at` added to its details, written at the
//! flush time. Memory is bounded: past `capacity` groups, further refusals
//! are counted in one overflow entry per log and action, so nothing goes
//! uncounted. A crash loses at most one window of counts; the limits that
//! caused the refusals keep working regardless.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use time::OffsetDateTime;

use super::{AuditEvent, Outcome, append};
use crate::clock::rfc3339;
use crate::store::{Database, StoreError};

/// Groups kept by default before refusals go to the overflow entries.
pub const DEFAULT_CAPACITY: usize = 4096;

/// The label of an overflow entry.
pub const OVERFLOW_LABEL: &str = "(more refusals than could be told apart)";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Group {
    log: PathBuf,
    action: String,
    actor: String,
    actor_label: String,
    target: Option<String>,
    outcome: &'static str,
    client_addr: Option<IpAddr>,
}

impl Group {
    fn of(db: &Database, event: &AuditEvent) -> Self {
        Self {
            log: db.path().to_owned(),
            action: event.action.clone(),
            actor: event.actor.clone(),
            actor_label: event.actor_label.clone(),
            target: event.target.clone(),
            outcome: event.outcome.as_str(),
            client_addr: event.client_addr,
        }
    }

    fn overflow(db: &Database, event: &AuditEvent) -> Self {
        Self {
            log: db.path().to_owned(),
            action: event.action.clone(),
            actor: "various".to_owned(),
            actor_label: OVERFLOW_LABEL.to_owned(),
            target: None,
            outcome: event.outcome.as_str(),
            client_addr: None,
        }
    }
}

struct Gathered {
    db: Database,
    event: AuditEvent,
    count: u64,
    first: OffsetDateTime,
    last: OffsetDateTime,
}

/// The pending refusals of the current window.
pub struct Refusals {
    pending: Mutex<HashMap<Group, Gathered>>,
    capacity: usize,
}

impl Default for Refusals {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl Refusals {
    /// An aggregator holding at most `capacity` groups (plus one overflow
    /// group per log and action).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self { pending: Mutex::new(HashMap::new()), capacity: capacity.max(1) }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Group, Gathered>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts `event` (a refusal: outcome failure or denied) for the log of
    /// `db`, at `at`. Nothing is written until [`Refusals::flush`].
    pub fn record(&self, db: &Database, event: AuditEvent, at: OffsetDateTime) {
        debug_assert!(event.outcome != Outcome::Success, "only refusals are gathered");
        let mut pending = self.lock();
        let mut group = Group::of(db, &event);
        if !pending.contains_key(&group) && pending.len() >= self.capacity {
            group = Group::overflow(db, &event);
        }
        let overflow = group.actor_label == OVERFLOW_LABEL;
        let gathered = pending.entry(group).or_insert_with(|| {
            let event = if overflow {
                AuditEvent::new("various", OVERFLOW_LABEL, event.action).outcome(event.outcome)
            } else {
                event
            };
            Gathered { db: db.clone(), event, count: 0, first: at, last: at }
        });
        gathered.count += 1;
        gathered.first = gathered.first.min(at);
        gathered.last = gathered.last.max(at);
    }

    /// How many groups are pending.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// Appends one entry per pending group, written at `now`, one
    /// transaction per log; returns how many entries were written. Groups
    /// of a log that cannot be written are dropped with an error in the log
    /// (a closed database is not an error: the server is stopping).
    pub async fn flush(&self, now: OffsetDateTime) -> usize {
        let drained: Vec<Gathered> = self.lock().drain().map(|(_, gathered)| gathered).collect();
        let mut by_log: HashMap<PathBuf, (Database, Vec<AuditEvent>)> = HashMap::new();
        for gathered in drained {
            let mut event = gathered.event;
            let mut details = match event.details {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            details.insert("count".to_owned(), gathered.count.into());
            details.insert("first_at".to_owned(), rfc3339(gathered.first).into());
            details.insert("last_at".to_owned(), rfc3339(gathered.last).into());
            event.details = serde_json::Value::Object(details);
            by_log
                .entry(gathered.db.path().to_owned())
                .or_insert_with(|| (gathered.db.clone(), Vec::new()))
                .1
                .push(event);
        }
        let mut written = 0;
        for (db, mut events) in by_log.into_values() {
            events.sort_by(|a, b| (&a.action, &a.actor_label).cmp(&(&b.action, &b.actor_label)));
            let count = events.len();
            let result = db
                .write(move |conn| {
                    for event in &events {
                        append(conn, event, now)?;
                    }
                    Ok(())
                })
                .await;
            match result {
                Ok(()) => written += count,
                Err(StoreError::Closed) => {}
                Err(error) => tracing::error!(%error, entries = count, "could not write gathered refusals"),
            }
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::DatabaseKey;
    use crate::store::{OpenOptions, migrations};

    const T0: OffsetDateTime = time::macros::datetime!(2026-01-05 09:00 UTC);

    fn org_db(dir: &std::path::Path, name: &str) -> Database {
        let options = OpenOptions { create: true, ..OpenOptions::default() };
        Database::open(&dir.join(name), &DatabaseKey::generate(), migrations::ORG, options).unwrap()
    }

    fn refusal(label: &str, addr: &str) -> AuditEvent {
        AuditEvent::new("anonymous", label, "session.sign_in").outcome(Outcome::Failure).client(addr.parse().unwrap())
    }

    async fn entries(db: &Database) -> Vec<(String, String, serde_json::Value)> {
        db.read(|conn| {
            let mut statement = conn.prepare("SELECT action, actor_label, details FROM audit_log ORDER BY seq")?;
            let rows = statement.query_map([], |row| {
                let details: String = row.get(2)?;
                Ok((row.get(0)?, row.get(1)?, serde_json::from_str(&details).unwrap_or_default()))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_flood_of_the_same_refusal_becomes_one_entry_with_its_count_and_times() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (org_db(dir.path(), "one.db"), org_db(dir.path(), "two.db"));
        let refusals = Refusals::default();
        for i in 0..2000 {
            refusals.record(&one, refusal("unknown account", "192.0.2.1"), T0 + time::Duration::milliseconds(i));
        }
        refusals.record(&one, refusal("unknown account", "192.0.2.2"), T0);
        refusals.record(&two, refusal("unknown account", "192.0.2.1"), T0);
        assert_eq!(refusals.flush(T0 + time::Duration::minutes(1)).await, 3);
        let logged = entries(&one).await;
        assert_eq!(logged.len(), 2, "one entry per address");
        let flood = logged.iter().find(|(_, _, d)| d["count"] == 2000).expect("the flood's entry");
        assert_eq!(flood.2["first_at"], "2026-01-05T09:00:00.000Z");
        assert_eq!(flood.2["last_at"], "2026-01-05T09:00:01.999Z");
        assert_eq!(entries(&two).await.len(), 1, "each log gets its own");
        assert_eq!(refusals.pending(), 0);
        assert_eq!(refusals.flush(T0).await, 0, "nothing twice");
        let verification = one.read(|conn| crate::store::audit::verify(conn, None)).await.unwrap();
        assert!(verification.is_intact());
        one.close().await;
        two.close().await;
    }

    #[tokio::test]
    async fn past_its_capacity_refusals_are_still_counted_in_one_overflow_entry() {
        let dir = tempfile::tempdir().unwrap();
        let db = org_db(dir.path(), "org.db");
        let refusals = Refusals::new(10);
        for i in 0..500 {
            refusals.record(&db, refusal(&format!("name {i}"), "192.0.2.1"), T0);
        }
        assert_eq!(refusals.pending(), 11, "bounded");
        refusals.flush(T0).await;
        let logged = entries(&db).await;
        assert_eq!(logged.len(), 11);
        let total: u64 = logged.iter().map(|(_, _, d)| d["count"].as_u64().unwrap()).sum();
        assert_eq!(total, 500, "every refusal is counted");
        assert!(logged.iter().any(|(_, label, d)| label == OVERFLOW_LABEL && d["count"] == 490));
        db.close().await;
    }
}
