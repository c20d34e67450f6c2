//! The worker that derives what the live monitor shows of each attempt's
//! log ([`crate::summaries`]): one attempt at a time, off every request's
//! path, so however many monitors are open and however fast students save,
//! the cost is bounded by one worker's pace. Each new summary is told on the
//! bus, and every monitor showing the student sends their row again.

use crate::integrity::signals::Severity;
use crate::integrity::signals::activity;
use crate::notices::{ExamEvent, Notice};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::attempts;
use crate::summaries::{ACTIVITY_MINUTES, Counts, Job, Summary, TestsRun};

/// Runs the worker until the server stops.
pub async fn run(state: AppState) {
    let Some(mut jobs) = state.summaries().jobs() else { return };
    while let Some(job) = jobs.recv().await {
        match summarise(&state, job).await {
            Ok(summary) => {
                state.summaries().keep(job.attempt, summary);
                let event = ExamEvent::Summarized { attempt: job.attempt, student: job.student };
                state.notices().publish(Notice { org: job.org, exam: job.exam, event });
            }
            Err(error) => {
                tracing::debug!(attempt = %job.attempt, %error, "no monitor summary for the attempt");
                state.summaries().give_up(job.attempt);
            }
        }
    }
}

/// Derives one attempt's summary now.
///
/// # Errors
/// Storage errors; [`StoreError::NotFound`] for an exam gone since.
pub async fn summarise(state: &AppState, job: Job) -> Result<Summary, StoreError> {
    let db = state.registry().org(job.org).await?;
    let now = state.clock().now();
    let exam = db
        .read(move |conn| attempts::exam_of(conn, job.exam, now))
        .await?
        .ok_or_else(|| StoreError::NotFound("exam".to_owned()))?;
    let (signals, logged) = super::review::derive(&db, &exam, job.attempt).await?;
    let mut counts = Counts::default();
    for signal in &signals {
        match signal.severity {
            Severity::Low => counts.low += 1,
            Severity::Medium => counts.medium += 1,
            Severity::High => counts.high += 1,
        }
    }
    let entries = super::review::entries(&logged);
    let tests = activity::latest_tests(&entries).map(|(passed, total)| TestsRun { passed, total });
    Ok(Summary { at: now, signals: counts, tests, activity: activity::per_minute(&entries, now, ACTIVITY_MINUTES) })
}
