//! Similarity between the submissions of an exam, per question, for its
//! instructors and reviewers: the engine of [`crate::integrity::similarity`]
//! over every submitted student's code, with the question's starter code as
//! the base (what everyone was given counts for nothing). Evidence for a
//! person; a score is never a verdict.

use std::sync::Arc;

use crate::state::AppState;

use super::ExamStaff;
use crate::domain::QuestionId;
use crate::integrity::similarity::{self, Language, Settings, Source};
use crate::store::StoreError;
use crate::store::attempts::submissions;

/// The most pairs a report shows (the best-scoring).
pub const MAX_PAIRS: usize = 200;

/// The report of `question` of the exam, as the report viewer reads it
/// (the JSON of `examhall similarity --json`, with the sources).
///
/// # Errors
/// [`StoreError::NotFound`] for a question not of this exam; storage errors.
pub async fn report(state: &AppState, on: &ExamStaff, question: QuestionId) -> Result<Vec<u8>, StoreError> {
    let exam = &on.exam;
    let index = exam
        .question_ids
        .iter()
        .position(|q| *q == question)
        .ok_or_else(|| StoreError::NotFound("question".to_owned()))?;
    let starter = crate::domain::changeset::normalise_line_breaks(&exam.spec.questions[index].starter_code);
    let id = exam.id;
    let submitted = on.staff.db.read(move |conn| submissions::submitted_code(conn, id, question)).await?;
    // One run at a time per server ([`AppState::similarity_runs`]): it uses every core.
    let _turn = Arc::clone(state.similarity_runs()).acquire_owned().await.map_err(|_| StoreError::Closed)?;
    tokio::task::spawn_blocking(move || {
        let sources = submitted
            .into_iter()
            .map(|(name, email, text)| Source { name: format!("{name} <{email}>"), text, tsx: false })
            .collect();
        let bases = [Source { name: "starter code".to_owned(), text: starter, tsx: false }];
        let analysis = similarity::analyze(Language::Python, sources, &bases, &Settings::default(), &|_| {});
        let base_files = ["starter code".to_owned()];
        let header =
            similarity::report::Header { language: Language::Python.name(), base_files: &base_files, warnings: &[] };
        let selection = similarity::report::Selection { min_score: 0.0, top: Some(MAX_PAIRS) };
        let mut out = Vec::new();
        // Writing into memory cannot fail.
        let _ = similarity::report::write_json(&analysis, &header, selection, true, &mut out);
        out
    })
    .await
    .map_err(|_| StoreError::JobPanicked)
}
