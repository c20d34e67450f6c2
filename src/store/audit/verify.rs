//! Checking a log: every sequence number, link and hash, every checkpoint,
//! the recorded head, and optionally a head taken earlier (followed through
//! checkpoints).

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};

use super::checkpoint_entry::{self, Checkpoint};
use super::history;
use super::verify_trims::{RangeDigest, Ranges, Seen};
use super::{AuditHead, chain};
use crate::store::StoreError;

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries found sound: every entry when there is no problem, else those
    /// before the first bad one.
    pub entries: i64,
    /// The last sound entry; `None` when there is none.
    pub head: Option<AuditHead>,
    /// The first bad entry, if any.
    pub problem: Option<Problem>,
    /// Every checkpoint in the sound part of the log, oldest first: each is a
    /// sanctioned change of the chain that the person investigating should see.
    pub checkpoints: Vec<Checkpoint>,
    /// When the expected head is no longer in the chain but a checkpoint
    /// replaced it: that checkpoint.
    pub expected_replaced_by: Option<Checkpoint>,
    /// The last entry emptied under retention (0 when none was): entries up
    /// to it keep their place and hashes but no content, so their links are
    /// checked and their content cannot be.
    pub emptied_through: i64,
}

impl Verification {
    /// Whether the log is whole and unchanged.
    #[must_use]
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// The first bad entry of a log and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The entry's sequence number (for a missing entry, the one missing).
    pub seq: i64,
    /// What is wrong, in words for the person investigating.
    pub what: String,
}

/// Walks the whole log, oldest first, one row at a time, and reports the
/// first entry that is missing, out of place or changed; then compares the
/// end of the log with `audit_head` (a cut-off tail) and, if given, checks
/// that `expected_head` (from a backup manifest or a printed
/// `examhall audit head`) is part of the log's history: an entry of the
/// chain, or a head that a checkpoint in the chain replaced.
///
/// Reads in one snapshot, so a server appending meanwhile does not make the
/// head and the rows disagree.
///
/// # Errors
/// SQL errors only; every kind of tampering is a [`Problem`], not an error.
pub fn verify(conn: &Connection, expected_head: Option<&AuditHead>) -> Result<Verification, StoreError> {
    // A savepoint opens a read transaction when there is none, and nests
    // inside the caller's when there is.
    conn.execute_batch("SAVEPOINT audit_verify")?;
    let result = walk(conn, expected_head);
    let released = conn.execute_batch("RELEASE audit_verify");
    let verification = result?;
    released?;
    Ok(verification)
}

fn walk(conn: &Connection, expected: Option<&AuditHead>) -> Result<Verification, StoreError> {
    let mut statement = conn.prepare(
        "SELECT seq, at, actor, actor_label, action, target, outcome, client_addr, details, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    let mut problem = None;
    let mut ranges = match Ranges::new(history::trims(conn)?) {
        Ok(ranges) => ranges,
        Err((seq, what)) => {
            problem = Some(Problem { seq, what });
            Ranges::new(Vec::new()).unwrap_or_else(|_| unreachable!("no trims follow each other"))
        }
    };
    let emptied_through = ranges.emptied_through();
    let mut rows = statement.query([])?;
    let mut last = AuditHead::EMPTY;
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut old_heads = std::collections::HashSet::new();
    // The entry at the expected head's position, when its hash differs.
    let mut differs = None;
    while let Some(row) = rows.next()? {
        if problem.is_some() {
            break;
        }
        match check_entry(row, &last, &mut ranges) {
            Ok(entry) => last = entry,
            Err(bad) => {
                problem = Some(bad);
                break;
            }
        }
        if matches!(row.get_ref(4), Ok(ValueRef::Text(action)) if action == checkpoint_entry::ACTION.as_bytes()) {
            let found = checkpoint_of(conn, row).and_then(|found| {
                if !old_heads.insert(found.old_head.to_string()) {
                    return Err(format!(
                        "checkpoint entry {} names the head {} that another checkpoint entry names: it was copied",
                        found.seq, found.old_head
                    ));
                }
                ranges.checkpoint(&found).map(|()| found)
            });
            match found {
                Ok(found) => checkpoints.push(found),
                Err(what) => {
                    problem = Some(Problem { seq: last.seq, what });
                    last = AuditHead { seq: last.seq - 1, hash: blob(row, 9).map_or([0; 32], copy) };
                    break;
                }
            }
        }
        if expected.is_some_and(|e| e.seq == last.seq && e.hash != last.hash) {
            differs = Some(last);
        }
    }
    drop(rows);
    if problem.is_none() {
        problem = check_recorded_head(conn, &last)?;
    }
    if problem.is_none() {
        problem = history::open_door(conn)?.map(|what| Problem { seq: last.seq + 1, what });
    }
    let mut expected_replaced_by = None;
    if let (None, Some(expected)) = (&problem, expected) {
        let in_chain = if expected.seq == 0 {
            *expected == AuditHead::EMPTY
        } else {
            differs.is_none() && expected.seq <= last.seq
        };
        let replaced = if in_chain { None } else { history::replaced_by(conn, expected)? };
        match (in_chain, replaced, differs) {
            (true, ..) => {}
            (false, Some(found), _) => expected_replaced_by = Some(found),
            (false, None, Some(entry)) => {
                problem = Some(not_the_expected_head(expected, &entry));
                last = entry;
            }
            (false, None, None) => problem = check_expected_head(expected, &last),
        }
    }
    Ok(Verification {
        entries: last.seq,
        head: (last.seq > 0).then_some(last),
        problem,
        checkpoints,
        expected_replaced_by,
        emptied_through,
    })
}

/// Checks entries `from` to `through` as [`verify`] would (each one's own
/// hash, each link, and the link of `from` to the entry before it), as a
/// trim must before it empties them, so it never erases the evidence that
/// one was changed; returns their range digest
/// ([`super::verify_trims::RangeDigest`]). Only that range is read: a trim changes
/// nothing else, and the whole log is checked daily and by `audit verify`.
///
/// # Errors
/// [`StoreError::AuditNotIntact`] naming the first bad entry; SQL errors.
pub(super) fn check_range(conn: &Connection, from: i64, through: i64) -> Result<String, StoreError> {
    let not_intact = |problem: Problem| StoreError::AuditNotIntact { seq: problem.seq, what: problem.what };
    let before: Option<[u8; 32]> = if from == 1 {
        Some(chain::GENESIS)
    } else {
        conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [from - 1], |row| row.get(0)).optional()?
    };
    let Some(before) = before else {
        return Err(not_intact(Problem { seq: from - 1, what: format!("entry {} is missing", from - 1) }));
    };
    let mut statement = conn.prepare(
        "SELECT seq, at, actor, actor_label, action, target, outcome, client_addr, details, prev_hash, hash
         FROM audit_log WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
    )?;
    let mut rows = statement.query([from, through])?;
    let mut last = AuditHead { seq: from - 1, hash: before };
    // No range: an entry emptied here already is one emptied around the safeguards.
    let mut ranges = Ranges::new(Vec::new()).map_err(|(seq, what)| not_intact(Problem { seq, what }))?;
    let mut digest = RangeDigest::default();
    while let Some(row) = rows.next()? {
        let entry = check_entry(row, &last, &mut ranges).map_err(not_intact)?;
        let at = match row.get_ref(1)? {
            ValueRef::Text(at) => at,
            _ => &[],
        };
        digest.add(entry.seq, at, &last.hash, &entry.hash);
        last = entry;
    }
    if last.seq != through {
        let what = format!("entry {} is missing (the log was cut short)", last.seq + 1);
        return Err(not_intact(Problem { seq: last.seq + 1, what }));
    }
    Ok(digest.finish())
}

/// The problem of an expected head whose entry has another hash.
fn not_the_expected_head(expected: &AuditHead, entry: &AuditHead) -> Problem {
    Problem {
        seq: entry.seq,
        what: format!(
            "entry {} is not the expected head {expected}, and no checkpoint replaced that head: the log was \
             rewritten from this entry on (or the expected head belongs to another log)",
            entry.seq
        ),
    }
}

/// A checkpoint entry read and checked, or what is wrong with it.
fn checkpoint_of(conn: &Connection, row: &Row<'_>) -> Result<Checkpoint, String> {
    // The checkpoint reader takes (seq, at, actor_label, details, prev_hash, hash);
    // look it up again by position so it reads the same columns.
    let seq: i64 = row.get(0).map_err(|e| e.to_string())?;
    let mut statement = conn
        .prepare_cached("SELECT seq, at, actor_label, details, prev_hash, hash FROM audit_log WHERE seq = ?1")
        .map_err(|e| e.to_string())?;
    let mut rows = statement.query([seq]).map_err(|e| e.to_string())?;
    let row = rows.next().map_err(|e| e.to_string())?.ok_or("the checkpoint entry vanished")?;
    history::read_entry(conn, row)
}

fn copy(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(bytes);
    out
}

/// Checks one row against the entry before it; the entry, or the problem.
/// An entry emptied under retention is checked for its place, its link and
/// its empty form; its content is gone, so its own hash is taken as stored,
/// held by the next entry's link and the trim's digest of its range
/// ([`Ranges`]).
fn check_entry(row: &Row<'_>, last: &AuditHead, ranges: &mut Ranges) -> Result<AuditHead, Problem> {
    let next = last.seq + 1;
    let Ok(ValueRef::Integer(seq)) = row.get_ref(0) else {
        return Err(Problem { seq: next, what: format!("entry {next} has no usable sequence number") });
    };
    if seq > next {
        let what = if seq == next + 1 {
            format!("entry {next} is missing (the log goes on at {seq}): it was deleted")
        } else {
            format!("entries {next} to {} are missing (the log goes on at {seq}): they were deleted", seq - 1)
        };
        return Err(Problem { seq: next, what });
    }
    if seq < next {
        return Err(Problem { seq, what: format!("entry {seq} has a sequence number below 1") });
    }
    let bad = |what: String| Problem { seq, what };
    let damaged = |column: String| Problem { seq, what: format!("entry {seq} was damaged: {column}") };
    let fields = read_fields(row, seq).map_err(damaged)?;
    let stored = blob(row, 10).map_err(damaged)?;
    if fields.prev_hash != last.hash {
        return Err(bad(if seq == 1 {
            "entry 1 does not start a chain (its prev_hash is not 32 zero bytes): it was replaced, \
             or entries were inserted before it"
                .to_owned()
        } else {
            format!(
                "entry {seq} does not follow entry {} (its prev_hash is not that entry's hash): entries were \
                 reordered, inserted or replaced here",
                last.seq
            )
        }));
    }
    let emptied = fields.action == checkpoint_entry::EMPTIED.as_bytes();
    let seen = Seen {
        seq,
        at: fields.at,
        prev_hash: fields.prev_hash,
        hash: stored,
        emptied,
        checkpoint: fields.action == checkpoint_entry::ACTION.as_bytes(),
    };
    ranges.entry(&seen).map_err(bad)?;
    if emptied {
        return emptied_entry(&fields, seq).map(|()| AuditHead { seq, hash: copy(stored) }).map_err(bad);
    }
    let hash = chain::entry_hash(&fields);
    if stored != hash {
        return Err(bad(format!("entry {seq} was edited: its content no longer matches its hash")));
    }
    Ok(AuditHead { seq, hash })
}

/// Whether an emptied entry is empty as a trim leaves it.
fn emptied_entry(fields: &chain::Fields<'_>, seq: i64) -> Result<(), String> {
    let empty = fields.actor.is_empty()
        && fields.actor_label.is_empty()
        && fields.target.is_none()
        && fields.outcome == b"success"
        && fields.client_addr.is_none()
        && fields.details == b"{}";
    if empty { Ok(()) } else { Err(format!("entry {seq} was marked emptied but still holds content: it was edited")) }
}

/// The columns [`walk`] selects, by position.
const COLUMNS: [&str; 11] =
    ["seq", "at", "actor", "actor_label", "action", "target", "outcome", "client_addr", "details", "prev_hash", "hash"];

/// The hashed fields of a row, or which column cannot be read.
fn read_fields<'r>(row: &'r Row<'_>, seq: i64) -> Result<chain::Fields<'r>, String> {
    let required = |index: usize| text(row, index)?.ok_or_else(|| format!("{} is NULL", COLUMNS[index]));
    Ok(chain::Fields {
        seq,
        at: required(1)?,
        actor: required(2)?,
        actor_label: required(3)?,
        action: required(4)?,
        target: text(row, 5)?,
        outcome: required(6)?,
        client_addr: text(row, 7)?,
        details: required(8)?,
        prev_hash: blob(row, 9)?,
    })
}

fn text<'r>(row: &'r Row<'_>, index: usize) -> Result<Option<&'r [u8]>, String> {
    match row.get_ref(index) {
        Ok(ValueRef::Text(bytes)) => Ok(Some(bytes)),
        Ok(ValueRef::Null) => Ok(None),
        _ => Err(format!("{} does not hold text", COLUMNS[index])),
    }
}

fn blob<'r>(row: &'r Row<'_>, index: usize) -> Result<&'r [u8], String> {
    match row.get_ref(index) {
        Ok(ValueRef::Blob(bytes)) if bytes.len() == 32 => Ok(bytes),
        _ => Err(format!("{} does not hold a 32-byte hash", COLUMNS[index])),
    }
}

/// Whether `audit_head` agrees with the last entry.
fn check_recorded_head(conn: &Connection, last: &AuditHead) -> Result<Option<Problem>, StoreError> {
    let recorded = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE singleton = 1", [], |row| {
            let hash = match row.get_ref(1)? {
                ValueRef::Blob(bytes) => bytes.to_vec(),
                _ => Vec::new(),
            };
            Ok((row.get_ref(0)?.as_i64().ok(), hash))
        })
        .optional()?;
    let Some((Some(seq), hash)) = recorded else {
        return Ok(Some(Problem {
            seq: last.seq + 1,
            what: "the audit head record is missing or damaged, so the end of the log cannot be confirmed".to_owned(),
        }));
    };
    let problem = if seq > last.seq {
        let next = last.seq + 1;
        let missing = if seq == next { format!("entry {next} is") } else { format!("entries {next} to {seq} are") };
        Some(Problem {
            seq: next,
            what: format!(
                "{missing} missing: the audit head records entry {seq} but {}; the tail was cut off",
                ending(last)
            ),
        })
    } else if seq < last.seq {
        Some(Problem {
            seq: seq + 1,
            what: format!(
                "entry {} is past the recorded audit head (entry {seq}): entries were added around the \
                 database's safeguards",
                seq + 1
            ),
        })
    } else if hash != last.hash {
        Some(Problem { seq, what: format!("the audit head records another hash for entry {seq}: one was forged") })
    } else {
        None
    };
    Ok(problem)
}

/// Whether an expected head lies within the (sound) chain ending at `last`.
/// An expected head at or before `last` was compared while walking.
fn check_expected_head(expected: &AuditHead, last: &AuditHead) -> Option<Problem> {
    if expected.seq == 0 && *expected != AuditHead::EMPTY {
        return Some(Problem {
            seq: 0,
            what: format!("the expected head {expected} cannot be in any audit log (entry 0 has a zero hash)"),
        });
    }
    let end = ending(last);
    (expected.seq > last.seq).then(|| Problem {
        seq: last.seq + 1,
        what: format!(
            "the expected head {expected} is past the end of the log ({end}): entries from {} on were removed \
             and the audit head rewritten",
            last.seq + 1
        ),
    })
}

/// Where the sound part of the log ends, in words.
fn ending(last: &AuditHead) -> String {
    if last.seq == 0 { "the log is empty".to_owned() } else { format!("the log ends at entry {}", last.seq) }
}
