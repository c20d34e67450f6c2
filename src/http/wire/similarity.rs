//! A question's similarity as staff read it: its latest stored run (the
//! report viewer's JSON as stored, with when and why it ran) and every
//! decision people made on its pairs, newest first.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::domain::{AttemptId, QuestionId, Timestamp, UserId};
use crate::error::AppError;
use crate::service::similarity::{self, QuestionSimilarity};
use crate::store::similarity::{PairReview, Run};

/// `GET .../similarity?question=ID`, and the answer to a run on demand.
#[derive(Serialize)]
pub struct Similarity {
    question_id: QuestionId,
    /// What every report says: a score is evidence, never a verdict.
    notice: &'static str,
    /// `null` until the question has a run.
    run: Option<RunBody>,
    reviews: Vec<Review>,
}

#[derive(Serialize)]
struct RunBody {
    id: String,
    ran_at: Timestamp,
    /// `exam_closed` or `on_demand`.
    reason: &'static str,
    requested_by: Option<UserId>,
    requested_by_name: Option<String>,
    /// `examhall-similarity/1` with `sources` and `labels`; files are named by attempt id.
    report: Box<RawValue>,
}

/// One decision on a pair.
#[derive(Serialize)]
pub struct Review {
    /// The pair's attempts, the smaller id first.
    attempts: [AttemptId; 2],
    decision: &'static str,
    comment: String,
    made_by: UserId,
    made_by_name: String,
    made_at: Timestamp,
}

impl From<PairReview> for Review {
    fn from(r: PairReview) -> Self {
        Self {
            attempts: [r.attempts.0, r.attempts.1],
            decision: r.decision.as_str(),
            comment: r.comment,
            made_by: r.made_by,
            made_by_name: r.made_by_name,
            made_at: r.made_at,
        }
    }
}

impl RunBody {
    fn of(run: Run) -> Result<Self, AppError> {
        let report = RawValue::from_string(run.report).map_err(|e| AppError::Internal(Box::new(e)))?;
        let (requested_by, requested_by_name) = run.requested_by.unzip();
        Ok(Self {
            id: run.id,
            ran_at: run.ran_at,
            reason: run.reason.as_str(),
            requested_by,
            requested_by_name,
            report,
        })
    }
}

impl Similarity {
    /// The body of `found`.
    ///
    /// # Errors
    /// An internal error if the stored report is not JSON.
    pub fn of(found: QuestionSimilarity) -> Result<Self, AppError> {
        Ok(Self {
            question_id: found.question,
            notice: similarity::NOTICE,
            run: found.run.map(RunBody::of).transpose()?,
            reviews: found.reviews.into_iter().map(Review::from).collect(),
        })
    }
}
