//! The similarity export: the pairs of each question's latest run with
//! every decision on them ([`crate::store::similarity`]), one run's report
//! at a time (at most 200 pairs), inside the export's one read transaction.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Deserialize;

use super::records::{REVIEW_COLUMNS, names, review_cells};
use super::sheet::{Cell, Format, Sheet, Sink, Stop};
use crate::domain::AttemptId;
use crate::store::StoreError;
use crate::store::exams::Exam;
use crate::store::exports::{self, Student};
use crate::store::similarity::{self as runs, PairReview};

/// What the similarity export reads of a stored run's report.
#[derive(Deserialize)]
struct Report {
    pairs: Vec<ReportPair>,
}

#[derive(Deserialize)]
struct ReportPair {
    a: String,
    b: String,
    score: f64,
    method: String,
    shared_tokens: Option<u32>,
    longest_match: Option<u32>,
    shared_fingerprints: u32,
}

/// One row per pair of each question's latest run and decision on it,
/// oldest decision first (one row with empty review columns for a pair
/// nobody decided on), best score first; then the decisions on pairs the
/// latest run no longer holds. Questions in exam order.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn similarity(conn: &Connection, exam: &Exam, format: Format, sink: Sink) -> Result<u64, Stop> {
    let mut columns = names(&[
        "question_id",
        "question_number",
        "question_title",
        "run_id",
        "run_reason",
        "ran_at",
        "rank",
        "attempt_a",
        "student_a_id",
        "student_a_name",
        "student_a_email",
        "attempt_b",
        "student_b_id",
        "student_b_name",
        "student_b_email",
        "score",
        "method",
        "shared_tokens",
        "longest_match",
        "shared_fingerprints",
        "in_latest_run",
    ]);
    columns.extend(names(&REVIEW_COLUMNS));
    let mut sheet = Sheet::open(format, columns, sink)?;
    let students: HashMap<String, Student> =
        exports::students(conn, exam.id)?.into_iter().map(|s| (s.attempt.to_string(), s)).collect();
    for (number, (question, spec)) in exam.question_ids.iter().zip(&exam.spec.questions).enumerate() {
        let run = runs::latest(conn, exam.id, *question)?;
        let pairs = match &run {
            // One report at a time (at most 200 pairs).
            Some(run) => {
                serde_json::from_str::<Report>(&run.report)
                    .map_err(|e| StoreError::Io {
                        action: "read",
                        path: "a similarity report".into(),
                        source: e.into(),
                    })?
                    .pairs
            }
            None => Vec::new(),
        };
        let mut decisions: BTreeMap<(String, String), Vec<PairReview>> = BTreeMap::new();
        for decision in runs::reviews(conn, exam.id, *question)?.into_iter().rev() {
            let (a, b) = decision.attempts;
            decisions.entry((a.to_string(), b.to_string())).or_default().push(decision);
        }
        let context = Context { question: question.to_string(), number, title: &spec.title, run: run.as_ref() };
        for (rank, pair) in pairs.iter().enumerate() {
            let key = ordered(&pair.a, &pair.b);
            let found = decisions.remove(&key).unwrap_or_default();
            let listed = Listed { rank: rank + 1, pair };
            if found.is_empty() {
                sheet.row(&pair_row(&context, &students, &key, Some(&listed), None))?;
            }
            for decision in &found {
                sheet.row(&pair_row(&context, &students, &key, Some(&listed), Some(decision)))?;
            }
        }
        for (key, found) in &decisions {
            for decision in found {
                sheet.row(&pair_row(&context, &students, key, None, Some(decision)))?;
            }
        }
    }
    sheet.finish()
}

/// A pair's attempts as pairs are stored: the smaller id first.
fn ordered(a: &str, b: &str) -> (String, String) {
    match (AttemptId::parse(a), AttemptId::parse(b)) {
        (Ok(x), Ok(y)) => {
            let (x, y) = runs::pair(x, y);
            (x.to_string(), y.to_string())
        }
        _ if a <= b => (a.to_owned(), b.to_owned()),
        _ => (b.to_owned(), a.to_owned()),
    }
}

/// The question a pair row is about, and its latest run.
struct Context<'a> {
    question: String,
    number: usize,
    title: &'a str,
    run: Option<&'a runs::Run>,
}

/// A pair as the latest run lists it.
struct Listed<'a> {
    rank: usize,
    pair: &'a ReportPair,
}

fn pair_row<'a>(
    context: &'a Context<'a>,
    students: &'a HashMap<String, Student>,
    key: &'a (String, String),
    listed: Option<&'a Listed<'a>>,
    review: Option<&'a PairReview>,
) -> Vec<Cell<'a>> {
    let run = context.run;
    let (a, b) = listed.map_or((key.0.as_str(), key.1.as_str()), |l| (l.pair.a.as_str(), l.pair.b.as_str()));
    let pair = listed.map(|l| l.pair);
    let mut cells = vec![
        Cell::text(&context.question),
        Cell::Int(i64::try_from(context.number + 1).ok()),
        Cell::text(context.title),
        Cell::maybe(run.filter(|_| listed.is_some()).map(|r| r.id.as_str())),
        Cell::maybe(run.filter(|_| listed.is_some()).map(|r| r.reason.as_str())),
        Cell::Time(run.filter(|_| listed.is_some()).map(|r| r.ran_at)),
        Cell::Int(listed.and_then(|l| i64::try_from(l.rank).ok())),
    ];
    for attempt in [a, b] {
        let student = students.get(attempt);
        cells.extend([
            Cell::text(attempt),
            Cell::Text(student.map(|s| s.user.to_string().into())),
            Cell::maybe(student.map(|s| s.name.as_str())),
            Cell::maybe(student.map(|s| s.email.as_str())),
        ]);
    }
    cells.extend([
        Cell::Real(pair.map(|p| p.score)),
        Cell::maybe(pair.map(|p| p.method.as_str())),
        Cell::Int(pair.and_then(|p| p.shared_tokens).map(i64::from)),
        Cell::Int(pair.and_then(|p| p.longest_match).map(i64::from)),
        Cell::Int(pair.map(|p| i64::from(p.shared_fingerprints))),
        Cell::Bool(Some(listed.is_some())),
    ]);
    cells.extend(review_cells(
        review.map(|r| r.decision.as_str()),
        review.map(|r| r.comment.as_str()),
        review.map(|r| (r.made_by.to_string(), r.made_by_name.as_str())),
        review.map(|r| r.made_at),
    ));
    cells
}
