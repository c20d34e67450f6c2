//! Each organization's audit head, anchored in `platform.db`.
//!
//! An organization's own file cannot prove that it is not an older copy of
//! itself; `platform.db` can say where its chain had got to. The head is
//! read after each of the organization's group commits (on its writer
//! thread, one indexed read) and, only when it moved, left here for a
//! background task that writes every organization's newest head in one
//! `platform.db` transaction, at most every [`FLUSH_EVERY`]. So the anchor is
//! written after the organization's commit, never before: after a crash it
//! may lag behind the file, never run ahead of it. Saves of student work do
//! not move the head and cost nothing here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::Notify;

use super::{Database, StoreError};
use crate::clock::{Clock, SystemClock, rfc3339};
use crate::domain::OrgId;
use crate::store::audit::{self, AuditHead};

/// The shortest time between two anchor writes: what bounds their rate
/// (40 `platform.db` commits a second at most, whatever the number of
/// organizations and audited actions) and, with one commit, how far
/// `platform.db` may lag behind an organization. A head that moved while
/// nothing was waiting is written at once.
pub const FLUSH_EVERY: Duration = Duration::from_millis(25);

/// Heads waiting to be written to `platform.db`, newest per organization.
#[derive(Default)]
pub struct Anchors {
    pending: Mutex<HashMap<OrgId, AuditHead>>,
    wake: Notify,
    /// Held for a whole flush: the last flush at shutdown waits for one the
    /// background task began, so a batch that task drained is written (or
    /// put back and written now) before `platform.db` closes, never lost.
    flushing: tokio::sync::Mutex<()>,
}

impl Anchors {
    /// Leaves `head` as `org`'s newest, replacing one not yet written.
    pub fn post(&self, org: OrgId, head: AuditHead) {
        self.lock().insert(org, head);
        self.wake.notify_one();
    }

    /// Writes every waiting head in one `platform.db` transaction. A head
    /// that could not be written is left for the next flush unless a newer
    /// one has arrived meanwhile.
    ///
    /// # Errors
    /// Storage errors of `platform.db`.
    pub async fn flush(&self, platform: &Database) -> Result<usize, StoreError> {
        let _one_at_a_time = self.flushing.lock().await;
        let batch: Vec<(OrgId, AuditHead)> = self.lock().drain().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        let count = batch.len();
        let now = rfc3339(SystemClock.now());
        let written = batch.clone();
        let result = platform
            .write(move |conn| {
                for (org, head) in &written {
                    record(conn, *org, head, &now)?;
                }
                Ok(())
            })
            .await;
        if let Err(error) = result {
            let mut pending = self.lock();
            for (org, head) in batch {
                pending.entry(org).or_insert(head);
            }
            return Err(error);
        }
        Ok(count)
    }

    /// Writes waiting heads as they come, at most every [`FLUSH_EVERY`],
    /// until `platform` closes.
    pub async fn run(&self, platform: Database) {
        loop {
            self.wake.notified().await;
            match self.flush(&platform).await {
                Ok(_) => {}
                Err(StoreError::Closed) => return,
                Err(error) => tracing::error!(%error, "could not record audit heads in platform.db; will retry"),
            }
            tokio::time::sleep(FLUSH_EVERY).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<OrgId, AuditHead>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The after-commit hook of organization `org`'s writer: posts the head
/// when it moved since `last`.
pub fn hook(org: OrgId, mut last: AuditHead, anchors: std::sync::Arc<Anchors>) -> Box<dyn FnMut(&Connection) + Send> {
    Box::new(move |conn| match audit::head(conn) {
        Ok(head) => {
            let head = head.unwrap_or(AuditHead::EMPTY);
            if head != last {
                last = head;
                anchors.post(org, head);
            }
        }
        Err(error) => tracing::error!(%error, %org, "could not read the audit head after a commit"),
    })
}

/// The head anchored for `org`, if one was.
///
/// # Errors
/// SQL errors.
pub fn read(conn: &Connection, org: OrgId) -> Result<Option<AuditHead>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM org_audit_anchors WHERE org_id = ?1")?
        .query_row([org], |row| Ok(AuditHead { seq: row.get(0)?, hash: row.get(1)? }))
        .optional()?)
}

/// Records `head` as `org`'s anchored head, at `now` (RFC 3339).
///
/// # Errors
/// SQL errors.
pub fn record(conn: &Connection, org: OrgId, head: &AuditHead, now: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO org_audit_anchors (org_id, seq, hash, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at",
    )?
    .execute(params![org, head.seq, head.hash, now])?;
    Ok(())
}
