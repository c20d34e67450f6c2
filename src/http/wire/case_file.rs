//! A case file as it leaves the server: one JSON document
//! (`examhall-case-file/1`), the printable HTML page made from it (no
//! script, nothing fetched: it opens anywhere, years later), and the
//! archive that holds both with every receipt's exact text and the code.

use serde_json::{Value, json};

use super::ReceiptBody;
use super::attempts::Attempt;
use super::review::TimelineItem;
use super::signals::Signal;
use super::similarity::Review as PairReviewBody;
use crate::error::AppError;
use crate::service::case_file::CaseFile;

/// The format named in the document.
pub const FORMAT: &str = "examhall-case-file/1";

/// What every case file says first.
pub const NOTICE: &str = "Evidence gathered for people to weigh. examhall decides nothing: no signal, score or \
                          pattern here is a finding of misconduct, and nothing here changed a submission or a grade.";

/// The case file as JSON, and the exact receipts and code it holds.
pub struct CaseFileDocument {
    /// The document.
    pub json: Value,
    /// Each submission's number and exact receipt text.
    pub receipts: Vec<(u32, String)>,
    /// Each question's position, title and code.
    pub code: Vec<(usize, String, String)>,
}

impl CaseFileDocument {
    /// The document of `file`.
    ///
    /// # Errors
    /// A stored receipt that no longer reads.
    pub fn of(file: CaseFile) -> Result<Self, AppError> {
        let receipts = file.submissions.iter().map(|s| (s.receipt.number, s.text.clone())).collect();
        let submissions = file.submissions.iter().map(ReceiptBody::of).collect::<Result<Vec<_>, _>>()?;
        let signals: Vec<Signal> = file.signals.into_iter().map(|s| Signal::of(s, &file.decisions)).collect();
        let code: Vec<(usize, String, String)> =
            file.answers.iter().enumerate().map(|(i, (_, title, code))| (i + 1, title.clone(), code.clone())).collect();
        let pairs: Vec<Value> = file
            .pairs
            .into_iter()
            .map(|pair| {
                let fragments: Vec<Value> =
                    pair.fragments.into_iter().map(|(this, other)| json!({ "this": this, "other": other })).collect();
                let reviews: Vec<PairReviewBody> = pair.reviews.into_iter().map(PairReviewBody::from).collect();
                json!({
                    "question_id": pair.question_id, "question_title": pair.question_title,
                    "other_attempt": pair.other, "other_student": pair.other_label, "score": pair.score,
                    "fragments": fragments, "reviews": reviews,
                })
            })
            .collect();
        let json = json!({
            "format": FORMAT,
            "notice": NOTICE,
            "generated_at": crate::clock::rfc3339(file.generated_at),
            "generated_by": file.generated_by,
            "exam": { "id": file.attempt.exam_id, "title": file.exam_title },
            "student": { "id": file.student.id, "name": file.student.display_name, "email": file.student.email },
            "attempt": Attempt::from(file.attempt),
            "submissions": submissions,
            "answers": file.answers.iter().map(|(id, title, code)| json!({ "question_id": id, "title": title, "code": code })).collect::<Vec<_>>(),
            "signals": signals,
            "similar_pairs": pairs,
            "timeline": TimelineItem::merged(&file.log, file.facts),
        });
        Ok(Self { json, receipts, code })
    }

    /// The printable page: the same facts, for people.
    #[must_use]
    pub fn html(&self) -> String {
        super::case_file_html::render(&self.json)
    }
}
