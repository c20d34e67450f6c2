//! The exports of the record: attempts, the session log, and signals with
//! their review history. Each names its columns (docs/exports.md describes
//! every one) and writes its rows as the store hands them over, inside the
//! export's one read transaction.

use rusqlite::Connection;

use super::sheet::{Cell, Format, Sheet, Sink, Stop};
use crate::domain::Timestamp;
use crate::integrity::signals::Signal;
use crate::service::policy::ExamPolicy;
use crate::service::review;
use crate::store::attempts::reviews::{self, Review};
use crate::store::exam_policies;
use crate::store::exams::Exam;
use crate::store::exports::{self, AttemptRow, Student};

/// Column names as the sheet takes them.
pub(super) fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Question `n`'s column (`q1_sha256` for the first question, `n` = 0).
pub fn question_column(n: usize, suffix: &str) -> String {
    format!("q{}_{suffix}", n + 1)
}

/// The attempts export's columns: fixed, then one per question.
fn attempt_columns(exam: &Exam) -> Vec<String> {
    let mut columns = names(&[
        "attempt_id",
        "student_id",
        "student_name",
        "student_email",
        "student_number",
        "candidate",
        "section_id",
        "section_name",
        "started_at",
        "deadline_at",
        "extra_minutes",
        "submitted_at",
        "submit_reason",
        "reopened_until",
        "log_items",
        "submission_id",
        "submission_number",
        "submission_reason",
        "submission_at",
        "submission_log_seq",
        "receipt_sha256",
    ]);
    columns.extend((0..exam.question_ids.len()).map(|n| question_column(n, "sha256")));
    columns
}

/// One row per attempt, by the student's e-mail.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn attempts(conn: &Connection, exam: &Exam, format: Format, sink: Sink) -> Result<u64, Stop> {
    let mut sheet = Sheet::open(format, attempt_columns(exam), sink)?;
    exports::attempts(conn, exam.id, |row: AttemptRow| {
        let student = &row.student;
        let receipt = row.receipt.as_ref();
        let mut cells = vec![
            Cell::show(student.attempt),
            Cell::show(student.user),
            Cell::text(&student.name),
            Cell::text(&student.email),
            Cell::maybe(student.student_number.as_deref()),
            Cell::Bool(Some(student.candidate)),
            Cell::Text(student.section.as_ref().map(|(id, _)| id.to_string().into())),
            Cell::maybe(student.section.as_ref().map(|(_, name)| name.as_str())),
            Cell::Time(Some(row.started_at)),
            Cell::Time(Some(row.deadline_at)),
            Cell::Int(Some(i64::from(row.extra_minutes))),
            Cell::Time(row.submitted_at),
            Cell::maybe(row.submit_reason.as_deref()),
            Cell::Time(row.reopened_until),
            Cell::Int(Some(row.acked_seq)),
            Cell::maybe(receipt.map(|(r, _)| r.submission_id.as_str())),
            Cell::Int(receipt.map(|(r, _)| i64::from(r.number))),
            Cell::maybe(receipt.map(|(r, _)| r.reason.as_str())),
            // The receipt's own text: the time it records, as it was written.
            Cell::maybe(receipt.map(|(r, _)| r.submitted_at.as_str())),
            Cell::Int(receipt.map(|(r, _)| r.log_seq)),
            Cell::maybe(receipt.map(|(_, sha256)| sha256.as_str())),
        ];
        for question in &exam.question_ids {
            let line = receipt.and_then(|(r, _)| r.answers.iter().find(|a| a.question_id == *question));
            cells.push(Cell::maybe(line.map(|l| l.sha256.as_str())));
        }
        sheet.row(&cells)
    })?;
    sheet.finish()
}

/// One row per item of every attempt's log: attempts by the student's
/// e-mail, each attempt's items in order.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn events(conn: &Connection, exam: &Exam, format: Format, sink: Sink) -> Result<u64, Stop> {
    let columns = names(&[
        "attempt_id",
        "student_id",
        "student_email",
        "seq",
        "kind",
        "question_id",
        "client_at",
        "server_at",
        "applied",
        "chain_sha256",
        "details",
    ]);
    let mut sheet = Sheet::open(format, columns, sink)?;
    for student in exports::students(conn, exam.id)? {
        let (attempt, user) = (student.attempt.to_string(), student.user.to_string());
        exports::log(conn, student.attempt, |item| {
            sheet.row(&[
                Cell::text(&attempt),
                Cell::text(&user),
                Cell::text(&student.email),
                Cell::Int(Some(item.seq)),
                Cell::text(&item.kind),
                Cell::Text(item.question.map(|q| q.to_string().into())),
                Cell::Time(Some(item.client_at)),
                Cell::Time(Some(item.server_at)),
                Cell::Bool(item.applied),
                Cell::Text(item.chain.as_deref().map(|chain| hex::encode(chain).into())),
                Cell::Json(Some(&item.payload)),
            ])
        })?;
    }
    sheet.finish()
}

/// The review columns that end the signals' and the pairs' rows.
pub(super) const REVIEW_COLUMNS: [&str; 5] =
    ["review_decision", "review_comment", "reviewed_by_id", "reviewed_by_name", "reviewed_at"];

/// A review's cells, or empty ones for a row without a review.
pub(super) fn review_cells<'a>(
    decision: Option<&'static str>,
    comment: Option<&'a str>,
    by: Option<(String, &'a str)>,
    at: Option<Timestamp>,
) -> [Cell<'a>; 5] {
    let (by_id, by_name) = by.map_or((None, None), |(id, name)| (Some(id), Some(name)));
    [
        Cell::maybe(decision),
        Cell::maybe(comment),
        Cell::Text(by_id.map(Into::into)),
        Cell::maybe(by_name),
        Cell::Time(at),
    ]
}

/// One row per signal and decision on it, oldest decision first (one row
/// with empty review columns for a signal nobody decided on yet), attempt
/// by attempt; then the decisions on signals the log no longer raises.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn signals(conn: &Connection, exam: &Exam, format: Format, sink: Sink) -> Result<u64, Stop> {
    let mut columns = names(&[
        "attempt_id",
        "student_id",
        "student_name",
        "student_email",
        "signal",
        "kind",
        "severity",
        "question_id",
        "summary",
        "evidence_seqs",
        "first_server_at",
        "last_server_at",
        "derived",
    ]);
    columns.extend(names(&REVIEW_COLUMNS));
    let mut sheet = Sheet::open(format, columns, sink)?;
    let policy = ExamPolicy::of(exam, exam_policies::get(conn, exam.id)?);
    for student in exports::students(conn, exam.id)? {
        // One attempt's log at a time: the signals are derived from all of it.
        let (found, _) = review::derive_in(conn, exam, &policy, student.attempt)?;
        let mut decisions = reviews::list(conn, student.attempt)?;
        decisions.reverse();
        for signal in &found {
            let key = signal.key();
            let mut on_it = decisions.iter().filter(|r| r.signal == key).peekable();
            if on_it.peek().is_none() {
                sheet.row(&signal_row(&student, &key, Some(signal), None))?;
            }
            for decision in on_it {
                sheet.row(&signal_row(&student, &key, Some(signal), Some(decision)))?;
            }
        }
        for decision in decisions.iter().filter(|r| !found.iter().any(|s| s.key() == r.signal)) {
            sheet.row(&signal_row(&student, &decision.signal, None, Some(decision)))?;
        }
    }
    sheet.finish()
}

fn signal_row<'a>(
    student: &'a Student,
    key: &'a str,
    signal: Option<&'a Signal>,
    review: Option<&'a Review>,
) -> Vec<Cell<'a>> {
    let evidence = signal.map(|s| &s.evidence);
    let seqs = evidence.map(|e| e.iter().map(|e| e.seq.to_string()).collect::<Vec<_>>().join(" "));
    // A key is the kind and its first evidence item (`large_paste:12`), or the kind alone.
    let kind = signal.map_or_else(|| key.split(':').next().unwrap_or(key), |s| s.kind.as_str());
    let mut cells = vec![
        Cell::show(student.attempt),
        Cell::show(student.user),
        Cell::text(&student.name),
        Cell::text(&student.email),
        Cell::text(key),
        Cell::text(kind),
        Cell::maybe(signal.map(|s| s.severity.as_str())),
        Cell::Text(signal.and_then(|s| s.question_id).map(|q| q.to_string().into())),
        Cell::maybe(signal.map(|s| s.summary.as_str())),
        Cell::Text(seqs.map(Into::into)),
        Cell::Time(evidence.and_then(|e| e.first()).map(|e| Timestamp::from_time(e.server_at))),
        Cell::Time(evidence.and_then(|e| e.last()).map(|e| Timestamp::from_time(e.server_at))),
        Cell::Bool(Some(signal.is_some())),
    ];
    cells.extend(review_cells(
        review.map(|r| r.decision.as_str()),
        review.map(|r| r.comment.as_str()),
        review.map(|r| (r.made_by.to_string(), r.made_by_name.as_str())),
        review.map(|r| r.made_at),
    ));
    cells
}
