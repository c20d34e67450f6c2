//! A case file: everything examhall holds about one student's attempt that
//! an exam board needs, in one place, for a person to hand over. The
//! timeline, the signals with their evidence and every decision on them,
//! the similar pairs with their matched fragments side by side and the
//! decisions on them, every submission with its exact receipt, and the
//! submitted code. Generating one is audited: it gathers a student's work
//! for people outside the exam. It decides nothing.

use std::collections::BTreeMap;

use serde::Deserialize;
use time::OffsetDateTime;

use super::AttemptStaff;
use super::review::{self, ServerFacts};
use crate::domain::{AttemptId, QuestionId};
use crate::integrity::signals::Signal;
use crate::state::AppState;
use crate::store::accounts::users::{self, User};
use crate::store::attempts::log::LoggedItem;
use crate::store::attempts::reviews::Review;
use crate::store::attempts::submissions::StoredReceipt;
use crate::store::similarity::{self as runs, PairReview};
use crate::store::{StoreError, audit};

/// One similar pair the attempt is part of, in one question's latest run.
pub struct CasePair {
    /// The question.
    pub question_id: QuestionId,
    /// Its title.
    pub question_title: String,
    /// The other submission's attempt.
    pub other: AttemptId,
    /// Its student, as the run labelled them.
    pub other_label: String,
    /// The run's score (a share of matched code; never a verdict).
    pub score: f64,
    /// Each matched fragment: this attempt's lines and the other's.
    pub fragments: Vec<(String, String)>,
    /// Decisions on the pair, newest first.
    pub reviews: Vec<PairReview>,
}

/// Everything in a case file.
pub struct CaseFile {
    /// When it was generated (the server's clock).
    pub generated_at: OffsetDateTime,
    /// Who generated it, by name.
    pub generated_by: String,
    /// The exam's title.
    pub exam_title: String,
    /// The student.
    pub student: User,
    /// The attempt.
    pub attempt: crate::store::attempts::Attempt,
    /// Every submission, oldest first, with its exact receipt.
    pub submissions: Vec<StoredReceipt>,
    /// Each question's title and its code as the server holds it now (once
    /// submitted, what the receipts' SHA-256 values prove).
    pub answers: Vec<(QuestionId, String, String)>,
    /// The signals, with their evidence.
    pub signals: Vec<Signal>,
    /// Every decision on them, newest first.
    pub decisions: Vec<Review>,
    /// The log, for the timeline.
    pub log: Vec<LoggedItem>,
    /// What the server recorded itself, and the incident notes.
    pub facts: ServerFacts,
    /// The similar pairs the attempt is part of.
    pub pairs: Vec<CasePair>,
}

/// The part of a stored similarity report a case file reads.
#[derive(Deserialize)]
struct Report {
    pairs: Vec<ReportPair>,
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct ReportPair {
    a: String,
    b: String,
    score: f64,
    matches: Vec<ReportMatch>,
}

#[derive(Deserialize)]
struct ReportMatch {
    a: Lines,
    b: Lines,
}

#[derive(Deserialize)]
struct Lines {
    start_line: usize,
    end_line: usize,
}

/// The lines `lines` names of `text`.
fn excerpt(text: &str, lines: &Lines) -> String {
    let count = lines.end_line.saturating_sub(lines.start_line) + 1;
    text.lines().skip(lines.start_line.saturating_sub(1)).take(count).collect::<Vec<_>>().join("\n")
}

/// The pairs of `report` (a run of `question`, titled `title`) that hold
/// `attempt`, with their fragments and those of `reviews` made on them.
fn pairs_of(
    report: &str,
    attempt: AttemptId,
    question: QuestionId,
    title: &str,
    reviews: &[PairReview],
) -> Vec<CasePair> {
    let Ok(report) = serde_json::from_str::<Report>(report) else { return Vec::new() };
    let me = attempt.to_string();
    report
        .pairs
        .iter()
        .filter(|p| p.a == me || p.b == me)
        .filter_map(|pair| {
            let mine_is_a = pair.a == me;
            let other = if mine_is_a { &pair.b } else { &pair.a };
            let other_id = AttemptId::parse(other).ok()?;
            let (mine_text, other_text) = (report.sources.get(&me)?, report.sources.get(other)?);
            let fragments = pair
                .matches
                .iter()
                .map(|m| {
                    let (mine, theirs) = if mine_is_a { (&m.a, &m.b) } else { (&m.b, &m.a) };
                    (excerpt(mine_text, mine), excerpt(other_text, theirs))
                })
                .collect();
            let other_label = report.labels.get(other).cloned().unwrap_or_else(|| other.clone());
            let on_pair = |r: &&PairReview| r.attempts == (attempt.min(other_id), attempt.max(other_id));
            Some(CasePair {
                question_id: question,
                question_title: title.to_owned(),
                other: other_id,
                other_label,
                score: pair.score,
                fragments,
                reviews: reviews.iter().filter(on_pair).cloned().collect(),
            })
        })
        .collect()
}

/// Gathers the attempt's case file; audited as `case_file.generate`.
///
/// # Errors
/// Storage errors.
pub async fn generate(state: &AppState, of: &AttemptStaff) -> Result<CaseFile, StoreError> {
    let (signals, log) = review::derive(&of.on.staff.db, &of.on.exam, of.attempt.id).await?;
    let decisions = review::decisions(of).await?;
    let facts = review::facts(of).await?;
    let (submissions, _) = review::history(of).await?;
    let (exam, attempt, student_id, by) = (of.on.exam.clone(), of.attempt.id, of.attempt.user_id, of.on.staff.user);
    let now = state.clock().now();
    let event = of.on.staff.actor.event("case_file.generate").target(attempt.to_string());
    let (student, generated_by, answers, pairs) = of
        .on
        .staff
        .db
        .write(move |conn| {
            let student = users::by_id(conn, student_id)?.ok_or_else(|| StoreError::NotFound("student".to_owned()))?;
            let generated_by = users::by_id(conn, by)?.map_or_else(String::new, |u| u.display_name);
            let answers = crate::store::attempts::answers(conn, attempt, &exam)?;
            let mut pairs = Vec::new();
            for (question, spec) in exam.question_ids.iter().zip(&exam.spec.questions) {
                let Some(run) = runs::latest(conn, exam.id, *question)? else { continue };
                let reviews = runs::reviews(conn, exam.id, *question)?;
                pairs.extend(pairs_of(&run.report, attempt, *question, &spec.title, &reviews));
            }
            audit::append(conn, &event, now)?;
            Ok((student, generated_by, answers, pairs))
        })
        .await?;
    let titles = of.on.exam.question_ids.iter().zip(&of.on.exam.spec.questions);
    let answers = titles
        .map(|(id, spec)| {
            let now_code = answers.iter().find(|(q, _)| q == id).map(|(_, code)| code.clone()).unwrap_or_default();
            (*id, spec.title.clone(), now_code)
        })
        .collect();
    Ok(CaseFile {
        generated_at: now,
        generated_by,
        exam_title: of.on.exam.spec.title.clone(),
        student,
        attempt: of.attempt.clone(),
        submissions,
        answers,
        signals,
        decisions,
        log,
        facts,
        pairs,
    })
}
