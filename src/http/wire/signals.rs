//! Signals as reviewers read them: what was seen, how much attention the
//! exam's policy gives it, and the log items behind it.

use serde::Serialize;

use crate::domain::{QuestionId, Timestamp};
use crate::integrity::signals;

/// A pattern worth a person's look. Never a verdict.
#[derive(Serialize)]
pub struct Signal {
    kind: &'static str,
    /// `low`, `medium` or `high`, from the exam's policy profile.
    severity: &'static str,
    question_id: Option<QuestionId>,
    /// What was seen, in one sentence.
    summary: String,
    evidence: Vec<Evidence>,
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

impl From<signals::Signal> for Signal {
    fn from(signal: signals::Signal) -> Self {
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
            kind: signal.kind.as_str(),
            severity: signal.severity.as_str(),
            question_id: signal.question_id,
            summary: signal.summary,
            evidence,
        }
    }
}
