//! Similarity between the submissions of an exam, per question, for its
//! instructors and reviewers: the engine of [`crate::integrity::similarity`]
//! over every submitted student's code, with the question's starter code as
//! the base (what everyone was given counts for nothing). Evidence for a
//! person; a score is never a verdict, and no decision changes a score,
//! a submission or a grade.
//!
//! Runs are stored per question ([`crate::store::similarity`]): one by
//! itself once the exam has closed ([`run_at_close_every`], derived from
//! the table, so a restart loses nothing), more on demand. Every run is
//! audited, by the person who asked or by the system.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::ExamStaff;
use crate::domain::{AttemptId, QuestionId};
use crate::integrity::similarity::{self, Language, Settings, Source};
use crate::state::AppState;
use crate::store::attempts::reviews::Decision;
use crate::store::audit::{self, AuditEvent};
use crate::store::exams::Exam;
use crate::store::similarity::{self as runs, NewPairReview, NewRun, PairReview, Reason, Run};
use crate::store::{Database, StoreError};

/// The most pairs a report shows (the best-scoring).
pub const MAX_PAIRS: usize = 200;

/// What every report says: a score is evidence, never a verdict.
pub const NOTICE: &str = similarity::NOTICE;

/// A question's similarity as staff see it.
pub struct QuestionSimilarity {
    /// The question.
    pub question: QuestionId,
    /// Its latest run, if it has one.
    pub run: Option<Run>,
    /// Every decision on its pairs, newest first.
    pub reviews: Vec<PairReview>,
}

/// The position of `question` in the exam, or [`StoreError::NotFound`].
fn position(exam: &Exam, question: QuestionId) -> Result<usize, StoreError> {
    exam.question_ids.iter().position(|q| *q == question).ok_or_else(|| StoreError::NotFound("question".to_owned()))
}

/// The latest run of `question` and the decisions on its pairs.
///
/// # Errors
/// [`StoreError::NotFound`] for a question not of this exam; storage errors.
pub async fn latest(on: &ExamStaff, question: QuestionId) -> Result<QuestionSimilarity, StoreError> {
    position(&on.exam, question)?;
    let exam = on.exam.id;
    on.staff
        .db
        .read(move |conn| {
            Ok(QuestionSimilarity {
                question,
                run: runs::latest(conn, exam, question)?,
                reviews: runs::reviews(conn, exam, question)?,
            })
        })
        .await
}

/// Runs `question` now for the person of `on`, stores the run and audits
/// it, and answers with the question's similarity and whether this request
/// made the run. A request that waited its turn while another run of the
/// same question began is answered with that run instead (it reflects
/// every submission this request could have seen), so many clicks cost
/// one run, not many. The run is a task of its own: a request that times
/// out or is dropped while it waits or runs still leaves its run stored.
///
/// # Errors
/// [`StoreError::NotFound`] for a question not of this exam; storage errors.
pub async fn run_on_demand(
    state: &AppState,
    on: &ExamStaff,
    question: QuestionId,
) -> Result<(QuestionSimilarity, bool), StoreError> {
    position(&on.exam, question)?;
    let asked = Asked {
        reason: Reason::OnDemand,
        by: Some(on.staff.user),
        at: state.clock().now(),
        event: on.staff.actor.event("similarity.run"),
    };
    let (task_state, db, exam) = (state.clone(), on.staff.db.clone(), on.exam.clone());
    let made = tokio::spawn(async move { run_and_store(&task_state, &db, &exam, question, asked).await })
        .await
        .map_err(|_| StoreError::JobPanicked)??;
    Ok((latest(on, question).await?, made))
}

/// Who asked for a run, when, and the audit entry it gets.
struct Asked {
    reason: Reason,
    by: Option<crate::domain::UserId>,
    at: OffsetDateTime,
    event: AuditEvent,
}

/// Runs the engine over the question's submissions in its turn (one run at
/// a time per server, [`AppState::similarity_runs`]: it uses every core)
/// and stores the report with its audit entry in one transaction. Returns
/// false, running nothing, when a run of the question began at or after
/// `asked.at` while this one waited.
async fn run_and_store(
    state: &AppState,
    db: &Database,
    exam: &Exam,
    question: QuestionId,
    asked: Asked,
) -> Result<bool, StoreError> {
    let index = position(exam, question)?;
    let starter = crate::domain::changeset::normalise_line_breaks(&exam.spec.questions[index].starter_code);
    let exam_id = exam.id;
    let _turn = Arc::clone(state.similarity_runs()).acquire_owned().await.map_err(|_| StoreError::Closed)?;
    if asked.reason == Reason::OnDemand {
        let began = db.read(move |conn| runs::latest_ran_at(conn, exam_id, question)).await?;
        if began.is_some_and(|began| began.time() >= asked.at) {
            return Ok(false);
        }
    }
    // The submissions are read in the turn, not before: a queued request holds no code.
    let ran_at = state.clock().now();
    let submitted = db.read(move |conn| runs::submitted(conn, exam_id, question)).await?;
    let files = submitted.len();
    let (report, pairs) =
        tokio::task::spawn_blocking(move || compare(submitted, starter)).await.map_err(|_| StoreError::JobPanicked)?;
    let details = serde_json::json!({
        "question": question,
        "reason": asked.reason.as_str(),
        "submissions": files,
        "pairs": pairs,
    });
    let event = asked.event.target(exam_id.to_string()).details(details);
    let (reason, by, now) = (asked.reason, asked.by, state.clock().now());
    db.write(move |conn| {
        runs::insert(conn, &NewRun { exam: exam_id, question, reason, requested_by: by, ran_at, report: &report })?;
        audit::append(conn, &event, now)?;
        Ok(())
    })
    .await?;
    Ok(true)
}

/// The labelled report of `submitted` (each named by its attempt) with
/// `starter` as the base, and how many pairs it holds.
fn compare(submitted: Vec<runs::Submitted>, starter: String) -> (String, usize) {
    let labels = submitted.iter().map(|s| (s.attempt.to_string(), format!("{} <{}>", s.name, s.email))).collect();
    let sources =
        submitted.into_iter().map(|s| Source { name: s.attempt.to_string(), text: s.code, tsx: false }).collect();
    let bases = [Source { name: "starter code".to_owned(), text: starter, tsx: false }];
    let analysis = similarity::analyze(Language::Python, sources, &bases, &Settings::default(), &|_| {});
    let base_files = ["starter code".to_owned()];
    let header =
        similarity::report::Header { language: Language::Python.name(), base_files: &base_files, warnings: &[] };
    let selection = similarity::report::Selection { min_score: 0.0, top: Some(MAX_PAIRS) };
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = similarity::report::write_json_labelled(&analysis, &header, selection, &labels, &mut out);
    (String::from_utf8(out).unwrap_or_default(), selection.pairs(&analysis).len())
}

/// The background job: every `every`, in every open organization, runs
/// each question of each exam that has closed ([`runs::closed_without_run`]:
/// the later of its closing time and its last deadline, plus the late
/// window of `exams.late_window_minutes`) and has no run at the close yet,
/// audited as the system. What is due is read from the database each time,
/// so a restart, or a run that failed, is taken up again at the next look.
pub async fn run_at_close_every(state: AppState, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    // A long run delays the next look rather than bunching looks after it.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        for (_, db) in state.registry().open_orgs() {
            match run_closed_exams(&state, &db).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "compared the submissions of closed exams"),
                Err(StoreError::Closed) => return,
                Err(error) => tracing::error!(%error, "could not compare the submissions of a closed exam"),
            }
        }
    }
}

/// Runs every question of `db` that is due a run at its exam's close;
/// returns how many were stored.
async fn run_closed_exams(state: &AppState, db: &Database) -> Result<usize, StoreError> {
    let now = state.clock().now();
    let late_window = state.config().exams.save_rules().late_window;
    let due = db.read(move |conn| runs::closed_without_run(conn, now, late_window)).await?;
    let mut stored = 0;
    for (course, exam, question) in due {
        let Some(exam) = db.read(move |conn| crate::store::exams::get(conn, course, exam, now)).await? else {
            continue;
        };
        let system = super::Actor::audited(audit::Actor::system());
        let asked = Asked { reason: Reason::ExamClosed, by: None, at: now, event: system.event("similarity.run") };
        match run_and_store(state, db, &exam, question, asked).await {
            Ok(_) => stored += 1,
            // Stored by an earlier look that this one did not see.
            Err(StoreError::Taken(_)) => {}
            Err(StoreError::Closed) => return Err(StoreError::Closed),
            // One question that cannot run does not hold back the others.
            Err(error) => {
                tracing::error!(exam = %exam.id, %question, %error, "could not compare a closed exam's submissions");
            }
        }
    }
    Ok(stored)
}

/// The longest comment on a decision, in characters (as on signals).
pub const MAX_COMMENT_CHARS: usize = super::review::MAX_COMMENT_CHARS;

/// Records a reviewer's or instructor's decision on the pair `attempts` of
/// `question` (a pair of its latest run), with the comment; appended, never
/// changed, and audited with the pair and the decision but not the comment.
/// Nothing about either attempt, its submission or its grade changes.
///
/// # Errors
/// [`StoreError::Invalid`] for a comment out of bounds or a pair of one
/// attempt; [`StoreError::NotFound`] for a question not of this exam or a
/// pair its latest run does not hold.
pub async fn decide(
    state: &AppState,
    on: &ExamStaff,
    question: QuestionId,
    attempts: (AttemptId, AttemptId),
    decision: Decision,
    comment: String,
) -> Result<PairReview, StoreError> {
    let comment = super::text::lines("comment", "comment", &comment, 0, MAX_COMMENT_CHARS)?;
    if attempts.0 == attempts.1 {
        return Err(StoreError::invalid("attempts", "attempts: two different attempts".to_owned()));
    }
    position(&on.exam, question)?;
    let exam = on.exam.id;
    let run = on.staff.db.read(move |conn| runs::latest(conn, exam, question)).await?;
    let (a, b) = runs::pair(attempts.0, attempts.1);
    if !run.is_some_and(|run| holds_pair(&run.report, a, b)) {
        return Err(StoreError::NotFound("pair".to_owned()));
    }
    let (by, now) = (on.staff.user, state.clock().now());
    let event = on.staff.actor.event("similarity.review").target(exam.to_string()).details(serde_json::json!({
        "question": question,
        "attempts": [a, b],
        "decision": decision.as_str(),
    }));
    on.staff
        .db
        .write(move |conn| {
            let new = NewPairReview { exam, question, attempts: (a, b), decision, comment: &comment, by };
            let review = runs::append_review(conn, &new, now)?;
            audit::append(conn, &event, now)?;
            Ok(review)
        })
        .await
}

/// Whether the report's pairs include the pair of attempts `a` and `b`.
fn holds_pair(report: &str, a: AttemptId, b: AttemptId) -> bool {
    #[derive(serde::Deserialize)]
    struct Pairs {
        pairs: Vec<Named>,
    }
    #[derive(serde::Deserialize)]
    struct Named {
        a: String,
        b: String,
    }
    let (a, b) = (a.to_string(), b.to_string());
    serde_json::from_str::<Pairs>(report)
        .is_ok_and(|report| report.pairs.iter().any(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a)))
}
