//! Items that arrive after the deadline or the submission. None is ever
//! applied by itself: the server continues the queue's chain through them,
//! and when the items up to the commitment it heard before the deadline
//! reproduce that commitment, they are *accepted* (kept beside the frozen
//! submission for an instructor to apply or not); everything else is
//! *refused* and kept as evidence. The rules are pure functions in
//! [`crate::domain::autosave`]; this file only stores their outcome.

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::batch::{LateCounts, Refusal, SaveOutcome, admissible, bytes_of, commitment};
use super::{Attempt, chain_or_start};
use crate::clock::rfc3339;
use crate::domain::autosave::{self, LateRule, LateVerdict};
use crate::domain::save_item::SaveItem;
use crate::domain::{AttemptId, QuestionId};
use crate::store::StoreError;

/// Sets aside `items` that arrived after the deadline under `rule`.
///
/// # Errors
/// Storage errors; a gap or the quota is `Ok(Err(_))` and stores nothing.
pub fn stage(
    conn: &Connection,
    attempt: &Attempt,
    rule: LateRule,
    items: &[SaveItem],
    now: OffsetDateTime,
    quota: u64,
) -> Result<Result<SaveOutcome, Refusal>, StoreError> {
    let (acked_seq, late_seq, stored_chain, late_chain, stored): (i64, i64, Option<Vec<u8>>, Option<Vec<u8>>, i64) =
        conn.query_row(
            "SELECT acked_seq, late_seq, chain, late_chain, stored_bytes FROM exam_sessions WHERE id = ?1",
            [attempt.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    let cursor = acked_seq.max(late_seq);
    let fresh = match admissible(items, cursor, u64::try_from(stored).unwrap_or(0), quota) {
        Ok(fresh) => fresh,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut chain = chain_or_start(if late_seq > acked_seq { late_chain } else { stored_chain }, attempt.id);
    let committed = commitment(conn, attempt.id)?;
    let server_at = rfc3339(now);
    for item in fresh {
        chain = autosave::chain_next(&chain, item.raw.as_bytes());
        let verdict = autosave::judge_late(rule, committed, item.seq, &chain);
        let (status, reason) = match verdict {
            LateVerdict::Pending => ("pending", None),
            LateVerdict::Accepted => ("accepted", None),
            LateVerdict::Refused(reason) => ("refused", Some(reason)),
        };
        conn.execute(
            "INSERT INTO late_items (session_id, seq, kind, question_id, client_at, server_at, status, reason, chain, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                attempt.id,
                item.seq,
                item.kind.as_str(),
                item.question_id,
                rfc3339(item.client_at),
                server_at,
                status,
                reason,
                chain.as_slice(),
                item.raw
            ],
        )?;
        // The commitment's last item decides for the items before it.
        match verdict {
            LateVerdict::Accepted => settle_pending(conn, attempt.id, "accepted", None)?,
            LateVerdict::Refused(reason) => settle_pending(conn, attempt.id, "refused", Some(reason))?,
            LateVerdict::Pending => {}
        }
    }
    if let Some(last) = fresh.last() {
        conn.execute(
            "UPDATE exam_sessions SET late_seq = ?2, late_chain = ?3, stored_bytes = stored_bytes + ?4 WHERE id = ?1",
            params![attempt.id, last.seq, chain.as_slice(), i64::try_from(bytes_of(fresh)).unwrap_or(i64::MAX)],
        )?;
    }
    let processed_seq = fresh.last().map_or(cursor, |item| item.seq);
    let late = counts(conn, attempt.id)?;
    Ok(Ok(SaveOutcome { acked_seq, processed_seq, phase: "closed", late, stored: fresh.len() }))
}

fn settle_pending(conn: &Connection, id: AttemptId, status: &str, reason: Option<&str>) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE late_items SET status = ?2, reason = ?3 WHERE session_id = ?1 AND status = 'pending'",
        params![id, status, reason],
    )?;
    Ok(())
}

/// The attempt's late items by status.
///
/// # Errors
/// Storage errors.
pub fn counts(conn: &Connection, id: AttemptId) -> Result<LateCounts, StoreError> {
    let mut counts = LateCounts::default();
    let mut statement =
        conn.prepare_cached("SELECT status, count(*) FROM late_items WHERE session_id = ?1 GROUP BY status")?;
    let rows = statement.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
    for row in rows {
        let (status, count) = row?;
        match status.as_str() {
            "accepted" => counts.accepted += count,
            "applied" => counts.applied += count,
            "pending" => counts.pending += count,
            _ => counts.refused += count,
        }
    }
    Ok(counts)
}

/// Ends the wait of items whose commitment never completed, once the window
/// after the deadline has closed: they are refused as incomplete. Returns how many.
///
/// # Errors
/// Storage errors.
pub fn refuse_incomplete(conn: &Connection, window_closed_before: OffsetDateTime) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE late_items SET status = 'refused', reason = 'incomplete'
         WHERE status = 'pending' AND session_id IN (
             SELECT id FROM exam_sessions WHERE deadline_at < ?1)",
        [rfc3339(window_closed_before)],
    )?)
}

/// One late item, as staff see it.
#[derive(Debug, Clone)]
pub struct LateItem {
    /// Its sequence number in the student's queue.
    pub seq: i64,
    /// What it records.
    pub kind: crate::domain::autosave::LogKind,
    /// The question it concerns.
    pub question_id: Option<QuestionId>,
    /// The client's estimate of when it was made (not evidence).
    pub client_at: crate::domain::Timestamp,
    /// When the server received it.
    pub server_at: crate::domain::Timestamp,
    /// `pending`, `accepted`, `refused` or `applied`.
    pub status: String,
    /// Why it was refused.
    pub reason: Option<String>,
}

/// Every late item of attempt `id`, in sequence order.
///
/// # Errors
/// Storage errors.
pub fn list(conn: &Connection, id: AttemptId) -> Result<Vec<LateItem>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT seq, kind, question_id, client_at, server_at, status, reason FROM late_items
         WHERE session_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([id], |r| {
        Ok(LateItem {
            seq: r.get(0)?,
            kind: crate::store::enum_from(&r.get::<_, String>(1)?)?,
            question_id: r.get(2)?,
            client_at: r.get(3)?,
            server_at: r.get(4)?,
            status: r.get(5)?,
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
