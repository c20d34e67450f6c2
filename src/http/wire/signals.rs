//! Signals as reviewers read them: what was seen, how much attention the
//! exam's policy gives it, and the log items behind it.

use serde::Serialize;

use crate::domain::{QuestionId, Timestamp, UserId};
use crate::integrity::signals;
use crate::store::attempts::reviews;

/// A pattern worth a person's look, with the decisions people made on it.
/// Never a verdict.
#[derive(Serialize)]
pub struct Signal {
    /// What names it across derivations; reviews refer to it.
    key: String,
    kind: &'static str,
    /// `low`, `medium` or `high`, from the exam's policy profile.
    severity: &'static str,
    question_id: Option<QuestionId>,
    /// What was seen, in one sentence.
    summary: String,
    evidence: Vec<Evidence>,
    /// People's decisions on it, newest first.
    reviews: Vec<Review>,
}

/// One decision on a signal.
#[derive(Serialize)]
pub struct Review {
    decision: &'static str,
    comment: String,
    made_by: UserId,
    made_by_name: String,
    made_at: Timestamp,
}

/// One item of the attempt's log a signal rests on.
#[derive(Serialize)]
struct Evidence {
    seq: i64,
    /// When the server received it.
    server_at: Timestamp,
    /// The browser's estimate: shown, never measured on.
    client_at: Timestamp,
}

impl From<&reviews::Review> for Review {
    fn from(r: &reviews::Review) -> Self {
        Self {
            decision: r.decision.as_str(),
            comment: r.comment.clone(),
            made_by: r.made_by,
            made_by_name: r.made_by_name.clone(),
            made_at: r.made_at,
        }
    }
}

impl Signal {
    /// `signal`, with those of `decisions` made on it.
    #[must_use]
    pub fn of(signal: signals::Signal, decisions: &[reviews::Review]) -> Self {
        let key = signal.key();
        let reviews = decisions.iter().filter(|r| r.signal == key).map(Review::from).collect();
        let evidence = signal
            .evidence
            .into_iter()
            .map(|e| Evidence {
                seq: e.seq,
                server_at: Timestamp::from_time(e.server_at),
                client_at: Timestamp::from_time(e.client_at),
            })
            .collect();
        Self {
            key,
            kind: signal.kind.as_str(),
            severity: signal.severity.as_str(),
            question_id: signal.question_id,
            summary: signal.summary,
            evidence,
            reviews,
        }
    }
}
