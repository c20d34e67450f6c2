//! The submission receipt: a versioned document that says what the server
//! holds of a submission, made once when the submission is frozen and never
//! changed. The student keeps it; staff see the same one. Its SHA-256 is
//! taken over the exact text stored and served, so anyone can check a copy.
//!
//! Format `examhall-receipt/1` (fields in this order, compact JSON):
//! `format`, `submission_id`, `number` (1 for the first submission of the
//! attempt), `previous_submission_id` (the one it replaces, or null),
//! `reason` (`student`, `deadline`, `late_items`, `reopened`), `exam`
//! (`id`, `title`), `student` (`id`, `email`), `attempt_id`, `submitted_at`
//! (the server's time, RFC 3339), `log_seq` (the answers are the log up to
//! this sequence number), and `answers` (per question in exam order: `question_id`,
//! `title`, `sha256` of the UTF-8 code). Later versions may add fields after
//! these; a signature travels beside the document, never inside it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AttemptId, ExamId, QuestionId, UserId};

/// The format name written into every receipt of this shape.
pub const FORMAT: &str = "examhall-receipt/1";

/// Why a submission was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionReason {
    /// The student handed it in.
    Student,
    /// The server did, at the deadline.
    Deadline,
    /// An instructor applied items that arrived after the deadline.
    LateItems,
    /// Staff reopened the attempt and it was submitted again.
    Reopened,
}

impl SubmissionReason {
    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Deadline => "deadline",
            Self::LateItems => "late_items",
            Self::Reopened => "reopened",
        }
    }
}

/// The exam a receipt is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptExam {
    /// Identifier.
    pub id: ExamId,
    /// Title at submission.
    pub title: String,
}

/// The student a receipt is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptStudent {
    /// Identifier.
    pub id: UserId,
    /// Sign-in e-mail at submission.
    pub email: String,
}

/// One answer on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// The question.
    pub question_id: QuestionId,
    /// Its title at submission.
    pub title: String,
    /// SHA-256 of the UTF-8 code, lowercase hex.
    pub sha256: String,
}

/// A receipt document, in format [`FORMAT`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always [`FORMAT`] for this shape.
    pub format: String,
    /// The submission.
    pub submission_id: String,
    /// 1 for the attempt's first submission, then 2, 3, ...
    pub number: u32,
    /// The submission this one replaces.
    pub previous_submission_id: Option<String>,
    /// Why it was made.
    pub reason: SubmissionReason,
    /// The exam.
    pub exam: ReceiptExam,
    /// The student.
    pub student: ReceiptStudent,
    /// The attempt.
    pub attempt_id: AttemptId,
    /// When the server made the submission (RFC 3339).
    pub submitted_at: String,
    /// The answers are the attempt's log up to this sequence number.
    pub log_seq: i64,
    /// Per question, in exam order.
    pub answers: Vec<ReceiptLine>,
}

impl Receipt {
    /// The exact text stored and served.
    #[must_use]
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// SHA-256 of `text`, lowercase hex.
#[must_use]
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_keeps_the_documented_field_order() {
        let receipt = Receipt {
            format: FORMAT.to_owned(),
            submission_id: "s".to_owned(),
            number: 1,
            previous_submission_id: None,
            reason: SubmissionReason::Deadline,
            exam: ReceiptExam { id: ExamId::generate(), title: "T".to_owned() },
            student: ReceiptStudent { id: UserId::generate(), email: "a@b.c".to_owned() },
            attempt_id: AttemptId::generate(),
            submitted_at: "2026-06-01T10:00:00Z".to_owned(),
            log_seq: 7,
            answers: vec![],
        };
        let text = receipt.to_text();
        let order = [
            "\"format\"",
            "\"submission_id\"",
            "\"number\"",
            "\"previous_submission_id\"",
            "\"reason\"",
            "\"exam\"",
            "\"student\"",
            "\"attempt_id\"",
            "\"submitted_at\"",
            "\"log_seq\"",
            "\"answers\"",
        ];
        let positions: Vec<usize> = order.iter().map(|key| text.find(key).expect(key)).collect();
        assert!(positions.is_sorted(), "{text}");
        assert!(text.starts_with("{\"format\":\"examhall-receipt/1\""));
        assert_eq!(serde_json::from_str::<Receipt>(&text).expect("parses back"), receipt);
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
