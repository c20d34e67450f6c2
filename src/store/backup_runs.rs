//! The record of backups made and tried (`backup_runs`), and what the
//! background job owes: each closed exam a good bundle made after it
//! closed, another when its reviews, grading, marks or the release of its
//! results changed since (once they have been quiet for [`REVIEWS_QUIET`];
//! recorded as `reviews_changed`), the organization one a night, and a failed
//! one again after a pause that doubles with each failure (1 minute to an
//! hour). Bundles made on the command line do not count: they may have gone
//! to another folder.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use crate::clock::rfc3339;
use crate::domain::{ExamId, Timestamp};

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Someone ran `examhall backup`.
    Command,
    /// The exam closed (with its last deadline and the late window).
    ExamClosed,
    /// Reviews of the exam, its grading, marks or the release of its
    /// results changed after its last good backup.
    ReviewsChanged,
    /// The organization's nightly bundle.
    Nightly,
}

impl Reason {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Command => "command",
            Self::ExamClosed => "exam_closed",
            Self::ReviewsChanged => "reviews_changed",
            Self::Nightly => "nightly",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum Ended {
    /// A bundle was written.
    Ok {
        /// Its file.
        file: String,
        /// Its size.
        bytes: u64,
        /// Its SHA-256.
        sha256: String,
    },
    /// It failed, and why.
    Failed(String),
}

/// Records a run of `exam` (the organization when `None`) started at `at`.
///
/// # Errors
/// Storage errors.
pub fn record(
    conn: &Connection,
    exam: Option<ExamId>,
    reason: Reason,
    at: OffsetDateTime,
    ended: &Ended,
) -> Result<(), StoreError> {
    let (outcome, file, bytes, sha256, error) = match ended {
        Ended::Ok { file, bytes, sha256 } => ("ok", Some(file.as_str()), Some(*bytes), Some(sha256.as_str()), None),
        Ended::Failed(error) => ("failed", None, None, None, Some(error.as_str())),
    };
    conn.execute(
        "INSERT INTO backup_runs (id, exam_id, reason, started_at, outcome, file, bytes, sha256, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uuid::Uuid::now_v7().to_string(),
            exam.map(|e| e.to_string()),
            reason.as_str(),
            rfc3339(at),
            outcome,
            file,
            bytes.map(|b| i64::try_from(b).unwrap_or(i64::MAX)),
            sha256,
            error
        ],
    )?;
    Ok(())
}

/// How long reviews of an exam must have been quiet before its bundle is made again.
pub const REVIEWS_QUIET: time::Duration = time::Duration::minutes(30);

/// The pause before trying again after `failures` failures in a row.
#[must_use]
pub fn retry_after(failures: u32) -> time::Duration {
    time::Duration::minutes(1_i64 << failures.saturating_sub(1).min(6)).min(time::Duration::hours(1))
}

/// When the exam `e` closed, late window aside: the later of its closing
/// time and its attempts' last deadline. With [`EVERY_ATTEMPT_SUBMITTED`],
/// what "closed" means to backups and to retention alike. Times have one
/// fixed width, so comparing the text compares the times.
pub(crate) const EXAM_CLOSED_AT: &str =
    "max(e.closes_at, coalesce((SELECT max(s.deadline_at) FROM exam_sessions s WHERE s.exam_id = e.id), e.closes_at))";

/// Whether every attempt at the exam `e` was submitted (see [`EXAM_CLOSED_AT`]).
pub(crate) const EVERY_ATTEMPT_SUBMITTED: &str =
    "NOT EXISTS (SELECT 1 FROM exam_sessions s WHERE s.exam_id = e.id AND s.submitted_at IS NULL)";

/// The exams that are owed a backup at `now`, oldest close first, and why.
///
/// # Errors
/// Storage errors.
pub fn due_exams(
    conn: &Connection,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Vec<(ExamId, Reason)>, StoreError> {
    // Closed: past its close and every attempt's deadline, plus the late
    // window, with every attempt submitted.
    let mut statement = conn.prepare_cached(&format!(
        "SELECT e.id,
                (SELECT max(r.started_at) FROM backup_runs r
                 WHERE r.exam_id = e.id AND r.outcome = 'ok' AND r.reason <> 'command'),
                {EXAM_CLOSED_AT} AS closed,
                max(coalesce((SELECT max(v.made_at) FROM signal_reviews v
                              JOIN exam_sessions s ON s.id = v.session_id WHERE s.exam_id = e.id), ''),
                    coalesce((SELECT max(p.made_at) FROM pair_reviews p WHERE p.exam_id = e.id), ''),
                    coalesce((SELECT max(g.recorded_at) FROM grading_results g
                              JOIN questions q ON q.id = g.question_id WHERE q.exam_id = e.id), ''),
                    coalesce((SELECT max(m.marked_at) FROM grading_marks m
                              JOIN questions q ON q.id = m.question_id WHERE q.exam_id = e.id), ''),
                    coalesce((SELECT max(r.made_at) FROM result_releases r WHERE r.exam_id = e.id), ''))
         FROM exams e
         WHERE e.status = 'published'
           AND {EXAM_CLOSED_AT} <= ?1
           AND {EVERY_ATTEMPT_SUBMITTED}
         ORDER BY closed, e.id"
    ))?;
    let rows = statement.query_map([rfc3339(now - late_window)], |r| {
        Ok((r.get::<_, ExamId>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    let quiet_since = rfc3339(now - REVIEWS_QUIET);
    let mut due = Vec::new();
    for row in rows {
        let (exam, last_ok, closed, last_review) = row?;
        let reason = match last_ok {
            None => Reason::ExamClosed,
            Some(ok) if ok < closed => Reason::ExamClosed,
            // After a quiet spell, so a reviewer working through fifty
            // signals makes one bundle, not fifty.
            Some(ok) if last_review > ok && last_review <= quiet_since => Reason::ReviewsChanged,
            Some(_) => continue,
        };
        if waiting_after_failures(conn, Some(exam), now)? {
            continue;
        }
        due.push((exam, reason));
    }
    Ok(due)
}

/// Whether the organization's nightly bundle is owed at `now`: it is past
/// `hour` (UTC) today and no good organization bundle was made since.
///
/// # Errors
/// Storage errors.
pub fn nightly_due(conn: &Connection, now: OffsetDateTime, hour: u8) -> Result<bool, StoreError> {
    let Ok(today) = now.replace_time(time::Time::MIDNIGHT).replace_hour(hour) else { return Ok(false) };
    if now < today {
        return Ok(false);
    }
    let made: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM backup_runs
                        WHERE exam_id IS NULL AND outcome = 'ok' AND reason <> 'command' AND started_at >= ?1)",
        [rfc3339(today)],
        |r| r.get(0),
    )?;
    Ok(!made && !waiting_after_failures(conn, None, now)?)
}

/// Whether the last runs of `exam` failed and the pause after them lasts beyond `now`.
fn waiting_after_failures(conn: &Connection, exam: Option<ExamId>, now: OffsetDateTime) -> Result<bool, StoreError> {
    let exam = exam.map(|e| e.to_string());
    let mut statement = conn.prepare_cached(
        "SELECT started_at, outcome FROM backup_runs WHERE exam_id IS ?1 ORDER BY started_at DESC LIMIT 8",
    )?;
    let runs: Vec<(Timestamp, String)> =
        statement.query_map([exam], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let failures = runs.iter().take_while(|(_, outcome)| outcome == "failed").count();
    let Some((last, _)) = runs.first().filter(|_| failures > 0) else { return Ok(false) };
    Ok(now < last.time() + retry_after(u32::try_from(failures).unwrap_or(u32::MAX)))
}

/// The last good run and the last failure of one exam (or of the organization).
#[derive(Debug, Clone, Default)]
pub struct Latest {
    /// When, file, size and SHA-256 of the last good bundle.
    pub ok: Option<(Timestamp, String, u64, String)>,
    /// When and why the last run failed, if it is later than the last good one.
    pub failed: Option<(Timestamp, String)>,
}

/// The latest runs of `exam` (the organization when `None`).
///
/// # Errors
/// Storage errors.
pub fn latest(conn: &Connection, exam: Option<ExamId>) -> Result<Latest, StoreError> {
    let exam = exam.map(|e| e.to_string());
    let ok = conn
        .query_row(
            "SELECT started_at, file, bytes, sha256 FROM backup_runs
             WHERE exam_id IS ?1 AND outcome = 'ok' AND deleted_at IS NULL
             ORDER BY started_at DESC LIMIT 1",
            [&exam],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?, r.get(3)?)),
        )
        .optional()?
        .map(|(at, file, bytes, sha): (Timestamp, String, i64, String)| {
            (at, file, u64::try_from(bytes).unwrap_or(0), sha)
        });
    let failed: Option<(Timestamp, String)> = conn
        .query_row(
            "SELECT started_at, error FROM backup_runs WHERE exam_id IS ?1 AND outcome = 'failed'
             ORDER BY started_at DESC LIMIT 1",
            [&exam],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let failed = failed.filter(|(at, _)| ok.as_ref().is_none_or(|(good, ..)| at.time() > good.time()));
    Ok(Latest { ok, failed })
}

/// When the newest good bundle still kept (of the whole organization or of
/// any of its exams) was made; `None` before the first.
///
/// # Errors
/// Storage errors.
pub fn last_good(conn: &Connection) -> Result<Option<Timestamp>, StoreError> {
    Ok(conn.query_row(
        "SELECT max(started_at) FROM backup_runs WHERE outcome = 'ok' AND deleted_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

/// A bundle that expired: its run's id and its file.
#[derive(Debug, Clone)]
pub struct Expired {
    /// The run that wrote it.
    pub run: String,
    /// The file, as written.
    pub file: String,
    /// Its size when written.
    pub bytes: u64,
}

/// The good bundles, not deleted yet, that hold only what the retention
/// policy says is gone: every bundle made before its exam was purged whole
/// (unless the exam is back, restored for an appeal), and every
/// organization bundle older than `exam_days` (when set) but the newest.
/// Bundles made on the command line are never chosen: they went where
/// someone asked, for a reason examhall does not know.
///
/// # Errors
/// Storage errors.
pub fn expired(conn: &Connection, now: OffsetDateTime, exam_days: Option<u32>) -> Result<Vec<Expired>, StoreError> {
    let before = exam_days.and_then(|days| now.checked_sub(time::Duration::days(i64::from(days)))).map(rfc3339);
    let mut statement = conn.prepare(
        "SELECT r.id, r.file, r.bytes FROM backup_runs r
         WHERE r.outcome = 'ok' AND r.deleted_at IS NULL AND r.reason <> 'command'
           AND ((EXISTS (SELECT 1 FROM purges p WHERE p.exam_id = r.exam_id AND p.kind = 'exam' AND r.started_at < p.purged_at)
                 AND NOT EXISTS (SELECT 1 FROM exams e WHERE e.id = r.exam_id))
                OR (r.exam_id IS NULL AND ?1 IS NOT NULL AND r.started_at < ?1
                    AND r.id <> (SELECT n.id FROM backup_runs n
                                 WHERE n.exam_id IS NULL AND n.outcome = 'ok' AND n.reason <> 'command'
                                   AND n.deleted_at IS NULL
                                 ORDER BY n.started_at DESC, n.id DESC LIMIT 1)))
         ORDER BY r.started_at, r.id",
    )?;
    let rows = statement.query_map([before], |r| {
        Ok(Expired { run: r.get(0)?, file: r.get(1)?, bytes: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0) })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The good bundles of `exam`, not deleted yet, that the server made (not
/// those of the command line): what a purge of the whole exam makes
/// expire, for the plan to list before the purge.
///
/// # Errors
/// Storage errors.
pub fn bundles_of(conn: &Connection, exam: crate::domain::ExamId) -> Result<Vec<Expired>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT id, file, bytes FROM backup_runs
         WHERE exam_id = ?1 AND outcome = 'ok' AND deleted_at IS NULL AND reason <> 'command'
         ORDER BY started_at, id",
    )?;
    let rows = statement.query_map([exam], |r| {
        Ok(Expired { run: r.get(0)?, file: r.get(1)?, bytes: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0) })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records that the bundle of `run` was deleted from its destination.
///
/// # Errors
/// Storage errors.
pub fn mark_deleted(conn: &Connection, run: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute("UPDATE backup_runs SET deleted_at = ?2 WHERE id = ?1", params![run, rfc3339(now)])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bundles_that_hold_nothing_the_policy_keeps_expire() {
        let (_dir, conn, _) = crate::store::migrations::migrated_org();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO exams (id, course_id, title, opens_at, closes_at, duration_minutes, late_policy,
                                integrity_profile, created_at, updated_at)
             VALUES ('back', 'c', 'Restored for an appeal', '2026-01-01T09:00:00.000Z', '2026-01-01T12:00:00.000Z',
                     60, 'refuse', 'standard', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO purges (exam_id, kind, title, closed_at, purged_at, days, rows) VALUES
               ('gone', 'exam', 'Gone', '2026-01-01T12:00:00.000Z', '2026-03-05T03:00:00.000Z', 60, 10),
               ('back', 'exam', 'Back', '2026-01-01T12:00:00.000Z', '2026-03-05T03:00:00.000Z', 60, 10);
             INSERT INTO backup_runs (id, exam_id, reason, started_at, outcome, file, bytes, sha256) VALUES
               ('gone-closed', 'gone', 'exam_closed', '2026-01-01T12:15:00.000Z', 'ok', '/b/1', 1, 'h'),
               ('gone-command', 'gone', 'command', '2026-01-01T12:20:00.000Z', 'ok', '/b/2', 1, 'h'),
               ('back-before', 'back', 'exam_closed', '2026-01-01T12:15:00.000Z', 'ok', '/b/3', 1, 'h'),
               ('night-old', NULL, 'nightly', '2026-01-02T02:00:00.000Z', 'ok', '/b/4', 1, 'h'),
               ('night-new', NULL, 'nightly', '2026-03-05T02:00:00.000Z', 'ok', '/b/5', 1, 'h'),
               ('org-command-newer', NULL, 'command', '2026-03-05T02:30:00.000Z', 'ok', '/b/6', 1, 'h');",
        )
        .unwrap();
        let now = time::macros::datetime!(2026-03-05 03:00 UTC);
        let chosen: Vec<String> = expired(&conn, now, Some(60)).unwrap().into_iter().map(|b| b.run).collect();
        // Not a command-line bundle, not the bundle of an exam restored since, not the newest nightly one.
        assert_eq!(chosen, ["gone-closed", "night-old"]);
        let chosen: Vec<String> = expired(&conn, now, None).unwrap().into_iter().map(|b| b.run).collect();
        assert_eq!(chosen, ["gone-closed"], "organization bundles expire only when exams do");
        mark_deleted(&conn, "gone-closed", now).unwrap();
        assert_eq!(expired(&conn, now, None).unwrap().len(), 0, "a deleted bundle is not chosen again");
    }

    #[test]
    fn the_pause_after_failures_doubles_from_a_minute_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| retry_after(n).whole_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
