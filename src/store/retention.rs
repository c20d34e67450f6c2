//! Retention: how long an organization keeps each closed exam's integrity
//! evidence and the exam itself, legal holds that stop every purge of an
//! exam, the plan of what is due, and the purge.
//!
//! An exam's clock starts when it closed (the later of its closing time and
//! its last attempt's deadline, plus the late window, with every attempt
//! submitted: what makes its backup due too). Evidence goes first (the edit
//! and event log, late items, reviews, incident notes, similarity runs: what
//! a dispute would need); the exam as a whole later (its questions,
//! attempts, answers, submissions). The audit log keeps what happened to it
//! (its own retention is separate), and `purges` records what went when.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::StoreError;
use super::backup::OF_SESSIONS;
use super::backup_runs::{EVERY_ATTEMPT_SUBMITTED, EXAM_CLOSED_AT};
use super::connection::overwriting;
use crate::clock::rfc3339;
use crate::domain::{ExamId, Timestamp};

/// The organization's policy: days kept after an exam closed; `None` keeps forever.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// Integrity evidence.
    pub evidence_days: Option<u32>,
    /// The exam as a whole.
    pub exam_days: Option<u32>,
    /// Audit entries, counted from when each was written.
    pub audit_days: Option<u32>,
}

/// The policy as stored, with who set it last.
#[derive(Debug, Clone)]
pub struct StoredPolicy {
    /// The days.
    pub policy: Policy,
    /// Who set it (an actor label).
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
}

/// What a purge removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The integrity evidence of an exam.
    Evidence,
    /// The whole exam.
    Exam,
}

impl Kind {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Evidence => "evidence",
            Self::Exam => "exam",
        }
    }

    /// How the command line and the page name it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Evidence => "integrity evidence",
            Self::Exam => "the whole exam",
        }
    }
}

/// The tables of an exam's integrity evidence, children first, with the
/// condition choosing the exam's rows (`?1` is its id): the same as
/// [`super::backup::TABLES`] gives (a test holds the two together).
const EVIDENCE: &[(&str, &str)] = &[
    ("session_log", OF_SESSIONS),
    ("late_items", OF_SESSIONS),
    ("signal_reviews", OF_SESSIONS),
    ("incident_notes", "exam_id = ?1"),
    ("pair_reviews", "exam_id = ?1"),
    ("similarity_runs", "exam_id = ?1"),
];

/// The rest of an exam, children first. The audit log and the restored
/// audit entries are not here: they follow the audit log's own rules.
const EXAM: &[(&str, &str)] = &[
    ("move_codes", "attempt_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)"),
    ("announcement_reads", "announcement_id IN (SELECT id FROM announcements WHERE exam_id = ?1)"),
    ("announcements", "exam_id = ?1"),
    ("result_releases", "exam_id = ?1"),
    ("exam_marking", "exam_id = ?1"),
    ("grading_marks", "question_id IN (SELECT id FROM questions WHERE exam_id = ?1)"),
    ("question_schemes", "question_id IN (SELECT id FROM questions WHERE exam_id = ?1)"),
    ("grading_results", "question_id IN (SELECT id FROM questions WHERE exam_id = ?1)"),
    (
        "submission_answers",
        "submission_id IN (SELECT s.id FROM submissions s JOIN exam_sessions e ON e.id = s.session_id
                           WHERE e.exam_id = ?1)",
    ),
    ("submissions", OF_SESSIONS),
    ("answers", OF_SESSIONS),
    ("exam_sessions", "exam_id = ?1"),
    ("candidate_links", "exam_id = ?1"),
    ("extra_time", "exam_id = ?1"),
    ("exam_policies", "exam_id = ?1"),
    ("question_tests", "question_id IN (SELECT id FROM questions WHERE exam_id = ?1)"),
    ("questions", "exam_id = ?1"),
    ("exam_sections", "exam_id = ?1"),
    ("legal_holds", "exam_id = ?1"),
    ("exams", "id = ?1"),
];

/// Every table a purge of `kind` deletes from, children first.
pub fn tables(kind: Kind) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let exam: &[(&str, &str)] = if kind == Kind::Exam { EXAM } else { &[] };
    EVIDENCE.iter().chain(exam)
}

/// The organization's policy, if one was ever set.
///
/// # Errors
/// Storage errors.
pub fn policy(conn: &Connection) -> Result<Option<StoredPolicy>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT evidence_days, exam_days, audit_days, updated_by, updated_at FROM retention_policy
             WHERE singleton = 1",
            [],
            |r| {
                Ok(StoredPolicy {
                    policy: Policy { evidence_days: r.get(0)?, exam_days: r.get(1)?, audit_days: r.get(2)? },
                    updated_by: r.get(3)?,
                    updated_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Replaces the policy.
///
/// # Errors
/// Storage errors (the table's checks refuse evidence kept longer than the exam).
pub fn set_policy(conn: &Connection, policy: &Policy, by: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO retention_policy (singleton, evidence_days, exam_days, audit_days, updated_by, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (singleton) DO UPDATE
         SET evidence_days = ?1, exam_days = ?2, audit_days = ?3, updated_by = ?4, updated_at = ?5",
        params![policy.evidence_days, policy.exam_days, policy.audit_days, by, rfc3339(now)],
    )?;
    Ok(())
}

/// A legal hold.
#[derive(Debug, Clone)]
pub struct Hold {
    /// The exam.
    pub exam: ExamId,
    /// Its title (a draft's too).
    pub title: String,
    /// Why.
    pub reason: String,
    /// Who set it (an actor label).
    pub held_by: String,
    /// When.
    pub held_at: Timestamp,
}

/// Puts `exam` on hold; `false` when it was held already (the first reason stays).
///
/// # Errors
/// Storage errors.
pub fn hold(conn: &Connection, exam: ExamId, reason: &str, by: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    let added = conn.execute(
        "INSERT INTO legal_holds (exam_id, reason, held_by, held_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (exam_id) DO NOTHING",
        params![exam, reason, by, rfc3339(now)],
    )?;
    Ok(added == 1)
}

/// Releases `exam`'s hold; `false` when it had none.
///
/// # Errors
/// Storage errors.
pub fn release(conn: &Connection, exam: ExamId) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM legal_holds WHERE exam_id = ?1", [exam])? == 1)
}

/// Every hold, with its exam's title, oldest first.
///
/// # Errors
/// Storage errors.
pub fn holds(conn: &Connection) -> Result<Vec<Hold>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT h.exam_id, e.title, h.reason, h.held_by, h.held_at
         FROM legal_holds h JOIN exams e ON e.id = h.exam_id
         ORDER BY h.held_at, h.exam_id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(Hold { exam: r.get(0)?, title: r.get(1)?, reason: r.get(2)?, held_by: r.get(3)?, held_at: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One purge the policy calls for, or would but for a hold.
#[derive(Debug, Clone)]
pub struct Due {
    /// The exam.
    pub exam: ExamId,
    /// Its title.
    pub title: String,
    /// When it closed (late window included).
    pub closed_at: Timestamp,
    /// What goes.
    pub kind: Kind,
    /// The policy's days for it.
    pub days: u32,
    /// Rows that would go, per table (tables with none left out).
    pub rows: Vec<(&'static str, u64)>,
    /// The legal hold that stops it, if any.
    pub held: Option<String>,
}

impl Due {
    /// All the rows that would go.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// What `policy` calls for at `now`: each closed exam whose evidence or
/// whole data is past its days, not purged yet; held exams are listed with
/// their hold, to be skipped. Changes nothing.
///
/// # Errors
/// Storage errors.
pub fn plan(
    conn: &Connection,
    policy: &Policy,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Vec<Due>, StoreError> {
    let mut due = Vec::new();
    for (kind, days) in [(Kind::Exam, policy.exam_days), (Kind::Evidence, policy.evidence_days)] {
        let Some(days) = days else { continue };
        let Some(cutoff) = cutoff(now, late_window, days) else { continue };
        for Closed { exam, title, at, held } in closed_before(conn, cutoff, kind, None)? {
            // An exam that goes whole takes its evidence with it.
            if kind == Kind::Evidence && due.iter().any(|d: &Due| d.exam == exam) {
                continue;
            }
            let rows = count_rows(conn, exam, kind)?;
            let closed_at = Timestamp::from_time(at.time() + late_window);
            due.push(Due { exam, title, closed_at, kind, days, rows, held });
        }
    }
    Ok(due)
}

/// The most days a policy may keep anything: a century.
pub const MAX_DAYS: u32 = 36_500;

/// Exams that closed before this moment are due when kept `days`; `None`
/// when that lies before any representable time.
fn cutoff(now: OffsetDateTime, late_window: time::Duration, days: u32) -> Option<OffsetDateTime> {
    now.checked_sub(late_window)?.checked_sub(time::Duration::days(i64::from(days)))
}

/// The days `kind` is kept under the stored policy, if it is still due for
/// `exam` by them and not held: checked again inside each transaction of a
/// purge, so a hold set or a policy changed since the plan wins.
fn still_due(
    conn: &Connection,
    exam: ExamId,
    kind: Kind,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Option<(u32, Closed)>, StoreError> {
    let Some(stored) = policy(conn)? else { return Ok(None) };
    let days = match kind {
        Kind::Evidence => stored.policy.evidence_days,
        Kind::Exam => stored.policy.exam_days,
    };
    let Some(days) = days else { return Ok(None) };
    let Some(cutoff) = cutoff(now, late_window, days) else { return Ok(None) };
    let closed = closed_before(conn, cutoff, kind, Some(exam))?.into_iter().next();
    Ok(closed.filter(|c| c.held.is_none()).map(|c| (days, c)))
}

/// A closed exam, with its hold's reason if it has one.
struct Closed {
    exam: ExamId,
    title: String,
    at: Timestamp,
    held: Option<String>,
}

/// Exams closed (every attempt submitted, past closing and every deadline)
/// before `cutoff` and not purged of `kind` yet, with any hold.
fn closed_before(
    conn: &Connection,
    cutoff: OffsetDateTime,
    kind: Kind,
    only: Option<ExamId>,
) -> Result<Vec<Closed>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT e.id, e.title, {EXAM_CLOSED_AT} AS closed,
                (SELECT reason FROM legal_holds h WHERE h.exam_id = e.id)
         FROM exams e
         WHERE e.status = 'published'
           AND closed <= ?1
           AND {EVERY_ATTEMPT_SUBMITTED}
           -- An exam purged whole has no row here any more; one that has was
           -- restored since (for an appeal), and goes again when due.
           AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.exam_id = e.id AND ?2 = 'evidence' AND p.kind = 'evidence')
           AND (?3 IS NULL OR e.id = ?3)
         ORDER BY closed, e.id"
    ))?;
    let rows = statement.query_map(params![rfc3339(cutoff), kind.as_str(), only], |r| {
        Ok(Closed { exam: r.get(0)?, title: r.get(1)?, at: r.get(2)?, held: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn count_rows(conn: &Connection, exam: ExamId, kind: Kind) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut rows = Vec::new();
    for (table, condition) in tables(kind) {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {table} WHERE {condition}"), [exam], |r| r.get(0))?;
        if n > 0 {
            rows.push((*table, u64::try_from(n).unwrap_or(0)));
        }
    }
    Ok(rows)
}

/// Rows of the edit and event log deleted per transaction, so students'
/// saves in other exams never wait long behind a purge.
pub const LOG_CHUNK: usize = 5_000;

/// Deletes up to [`LOG_CHUNK`] rows of `exam`'s edit and event log, if
/// the exam is still due for `kind` and not held (checked in this same
/// transaction); how many went, or `None` when it is no longer due. Run in
/// its own transaction, again and again until fewer than [`LOG_CHUNK`] go,
/// before [`purge`].
///
/// # Errors
/// Storage errors.
pub fn purge_log_chunk(
    conn: &Connection,
    exam: ExamId,
    kind: Kind,
    now: OffsetDateTime,
    late_window: time::Duration,
) -> Result<Option<usize>, StoreError> {
    if still_due(conn, exam, kind, now, late_window)?.is_none() {
        return Ok(None);
    }
    let deleted = overwriting(conn, |conn| {
        Ok(conn.execute(
            &format!(
                "DELETE FROM session_log
                 WHERE rowid IN (SELECT rowid FROM session_log WHERE {OF_SESSIONS} LIMIT {LOG_CHUNK})"
            ),
            [exam],
        )?)
    })?;
    Ok(Some(deleted))
}

/// What a purge deleted.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The policy's days it was due by.
    pub days: u32,
    /// Rows per table (tables with none left out), the log's chunks included.
    pub rows: Vec<(&'static str, u64)>,
}

impl Deleted {
    /// All the rows.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// Purges `exam`'s `kind` in the caller's transaction: checks again that it
/// is still due under the stored policy and not held (a hold set or a
/// policy changed since the plan wins), opens the door, deletes, closes the
/// door and records the purge. `logged_rows` are the log rows its chunks
/// deleted. `None` when it is no longer due.
///
/// # Errors
/// Storage errors; nothing is deleted then.
pub fn purge(
    conn: &Connection,
    exam: ExamId,
    kind: Kind,
    now: OffsetDateTime,
    late_window: time::Duration,
    logged_rows: u64,
) -> Result<Option<Deleted>, StoreError> {
    let Some((days, closed)) = still_due(conn, exam, kind, now, late_window)? else { return Ok(None) };
    // Accounts made for this exam's candidate links: nobody else's, so they go with the exam.
    let candidates: Vec<String> = if kind == Kind::Exam {
        let mut statement = conn.prepare("SELECT DISTINCT user_id FROM candidate_links WHERE exam_id = ?1")?;
        statement.query_map([exam], |r| r.get(0))?.collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    overwriting(conn, |conn| {
        conn.execute("INSERT INTO retention_purge (singleton, exam_id) VALUES (1, ?1)", [exam])?;
        for (table, condition) in tables(kind) {
            let n =
                u64::try_from(conn.execute(&format!("DELETE FROM {table} WHERE {condition}"), [exam])?).unwrap_or(0);
            let n = if *table == "session_log" { n + logged_rows } else { n };
            if n > 0 {
                rows.push((*table, n));
            }
        }
        let mut forgotten = 0;
        for user in &candidates {
            forgotten += u64::from(forget_candidate(conn, user)?);
        }
        if forgotten > 0 {
            rows.push(("users", forgotten));
        }
        conn.execute("DELETE FROM retention_purge WHERE singleton = 1", [])?;
        Ok(())
    })?;
    let deleted = Deleted { days, rows };
    let closed_at = Timestamp::from_time(closed.at.time() + late_window);
    conn.execute(
        "INSERT INTO purges (exam_id, kind, title, closed_at, purged_at, days, rows) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (exam_id, kind) DO UPDATE SET title = ?3, closed_at = ?4, purged_at = ?5, days = ?6, rows = ?7",
        params![
            exam,
            kind.as_str(),
            closed.title,
            closed_at.to_string(),
            rfc3339(now),
            days,
            i64::try_from(deleted.total()).unwrap_or(i64::MAX)
        ],
    )?;
    Ok(Some(deleted))
}

/// Deletes a candidate-link account and what hangs on it (sign-in
/// sessions, links, grants, reads), once it has no attempt or link left:
/// whether it went. One still referred to elsewhere (which a candidate
/// account should never be) is kept, untouched.
fn forget_candidate(conn: &Connection, user: &str) -> Result<bool, StoreError> {
    let busy: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM exam_sessions WHERE user_id = ?1)
             OR EXISTS (SELECT 1 FROM candidate_links WHERE user_id = ?1)",
        [user],
        |r| r.get(0),
    )?;
    if busy {
        return Ok(false);
    }
    conn.execute_batch("SAVEPOINT candidate")?;
    let deleted = (|| {
        for table in ["sessions", "one_time_links", "grants", "announcement_reads"] {
            conn.execute(&format!("DELETE FROM {table} WHERE user_id = ?1"), [user])?;
        }
        let gone =
            conn.execute("DELETE FROM users WHERE id = ?1 AND email LIKE 'candidate-%@candidates.invalid'", [user])?;
        Ok::<_, rusqlite::Error>(gone == 1)
    })();
    match deleted {
        Ok(gone) => {
            conn.execute_batch("RELEASE candidate")?;
            Ok(gone)
        }
        Err(rusqlite::Error::SqliteFailure(error, _)) if error.code == rusqlite::ErrorCode::ConstraintViolation => {
            conn.execute_batch("ROLLBACK TO candidate; RELEASE candidate")?;
            Ok(false)
        }
        Err(other) => {
            conn.execute_batch("ROLLBACK TO candidate; RELEASE candidate")?;
            Err(other.into())
        }
    }
}

/// A purge done, as recorded.
#[derive(Debug, Clone)]
pub struct Purged {
    /// The exam (it may be gone).
    pub exam: ExamId,
    /// Its title.
    pub title: String,
    /// What went.
    pub kind: Kind,
    /// When.
    pub purged_at: Timestamp,
    /// Rows deleted.
    pub rows: u64,
}

/// The purges done, newest first (at most `limit`).
///
/// # Errors
/// Storage errors.
pub fn purged(conn: &Connection, limit: u32) -> Result<Vec<Purged>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT exam_id, title, kind, purged_at, rows FROM purges ORDER BY purged_at DESC, exam_id LIMIT ?1",
    )?;
    let rows = statement.query_map([limit], |r| {
        let kind: String = r.get(2)?;
        Ok(Purged {
            exam: r.get(0)?,
            title: r.get(1)?,
            kind: if kind == "exam" { Kind::Exam } else { Kind::Evidence },
            purged_at: r.get(3)?,
            rows: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backup::{Belongs, TABLES};

    /// The audit log and the restored audit entries follow the audit log's own rules.
    const NOT_PURGED: &[&str] = &["audit_log", "restored_audit"];

    #[test]
    fn a_purge_of_the_whole_exam_takes_every_table_of_an_exam_bundle_by_the_same_condition() {
        let words = |sql: &str| sql.split_whitespace().collect::<Vec<_>>().join(" ");
        for (table, belongs) in TABLES {
            let Belongs::Exam(condition) = belongs else { continue };
            if NOT_PURGED.contains(table) {
                continue;
            }
            let purged = tables(Kind::Exam).find(|(name, _)| name == table);
            let Some((_, purged)) = purged else {
                panic!("{table} belongs to an exam's bundle, but a purge of the whole exam leaves it");
            };
            assert_eq!(words(purged), words(condition), "{table}: the purge and the bundle choose other rows");
        }
    }
}
