//! The read-back: once every student is done, the admin reads every
//! attempt through the staff API (the exam's roster with each receipt, and
//! each attempt's code) and checks, student by student, that the server
//! kept everything it acknowledged: the submission covers the last
//! acknowledged item, and its code is exactly what the student had typed
//! at that item.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::api::Tls;
use super::saver::code_hash;
use super::sitting::Outcome;
use super::staff::Staff;
use super::{Credentials, Shared};
use crate::domain::receipt::{Receipt, SubmissionReason};

/// How long after the deadline the read-back waits for the automatic
/// submissions (the server sweeps every 15 s).
const SWEEP_WAIT: Duration = Duration::from_secs(45);
/// Attempts whose code is read at once.
const READERS: usize = 8;
/// How long the whole read-back may take (a server gone for good does not hold the drill forever).
const READ_BACK_LIMIT: Duration = Duration::from_secs(10 * 60);
/// How many lost students the report describes.
const SAMPLES: usize = 5;

/// What the read-back found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Students whose attempt the server holds submitted.
    pub submitted: usize,
    /// Of those, handed in by the student.
    pub submitted_by_student: usize,
    /// Of those, submitted by the server at the deadline.
    pub submitted_at_deadline: usize,
    /// Students without a submission (never started, or never submitted).
    pub unsubmitted: usize,
    /// Students whose acknowledged work the server does not hold as typed.
    pub lost: usize,
    /// Acknowledged items missing from those students' submissions.
    pub lost_items: i64,
    /// Submitted attempts whose code could not be read back.
    pub unverified: usize,
    /// A few of the lost, described.
    pub lost_samples: Vec<String>,
    /// Why the read-back could not run, if it could not.
    pub failed: Option<String>,
}

/// What the server holds of one student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// No submission.
    Unsubmitted,
    /// Submitted, and everything acknowledged is there as typed.
    Kept,
    /// Submitted, but the code could not be read back.
    Unread,
    /// Acknowledged work missing or different: how many acknowledged items are missing, and what.
    Lost(i64, String),
}

/// Judges one student: their `outcome`, the server's `receipt` for them and
/// the code it holds now (`code`), for question `question`.
#[must_use]
pub fn judge(outcome: &Outcome, receipt: Option<&Receipt>, question: &str, code: Option<&str>) -> Judgement {
    let Some(receipt) = receipt else { return Judgement::Unsubmitted };
    if receipt.log_seq < outcome.acked {
        let missing = outcome.acked - receipt.log_seq;
        return Judgement::Lost(
            missing,
            format!("acknowledged up to item {}, submitted up to {}", outcome.acked, receipt.log_seq),
        );
    }
    let Some(&(_, typed)) = outcome.history.iter().find(|(seq, _)| *seq == receipt.log_seq) else {
        return Judgement::Lost(
            0,
            format!("submitted up to item {}, which this student never queued", receipt.log_seq),
        );
    };
    let typed_hex = hex::encode(typed);
    let receipted = receipt.answers.iter().find(|a| a.question_id.to_string() == question).map(|a| a.sha256.as_str());
    if receipted != Some(typed_hex.as_str()) {
        return Judgement::Lost(0, format!("the receipt's code (item {}) is not what was typed", receipt.log_seq));
    }
    match code {
        None => Judgement::Unread,
        Some(code) if code_hash(code) == typed => Judgement::Kept,
        Some(_) => Judgement::Lost(0, format!("the code read back (item {}) is not what was typed", receipt.log_seq)),
    }
}

/// Reads every attempt back and judges every student; gives up after
/// [`READ_BACK_LIMIT`].
pub async fn read_back(shared: &Shared, tls: &Tls, credentials: &Credentials, outcomes: &[Outcome]) -> Verification {
    let failed =
        |why: String| Verification { unsubmitted: outcomes.len(), failed: Some(why), ..Verification::default() };
    match tokio::time::timeout(READ_BACK_LIMIT, read(shared, tls, credentials, outcomes)).await {
        Ok(Ok(verification)) => verification,
        Ok(Err(error)) => failed(error.message),
        Err(_) => {
            failed(format!("reading every attempt back took longer than {} minutes", READ_BACK_LIMIT.as_secs() / 60))
        }
    }
}

async fn read(
    shared: &Shared,
    tls: &Tls,
    credentials: &Credentials,
    outcomes: &[Outcome],
) -> Result<Verification, super::DrillError> {
    // A fresh session: the set-up's may have idled out during a long drill.
    let staff = Staff::sign_in(&shared.plan, tls, credentials, Arc::clone(&shared.stats)).await?.on(&shared.exam);
    let started = outcomes.iter().filter(|o| o.attempt.is_some()).count();
    let give_up = (shared.deadline + SWEEP_WAIT).max(Instant::now()).min(shared.hard_stop + Duration::from_secs(60));
    let mut roster = staff.roster().await?;
    loop {
        let submitted = roster.iter().filter(|row| row["receipt"].is_object()).count();
        if submitted >= started || Instant::now() >= give_up {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        roster = staff.roster().await?;
    }
    let receipts: HashMap<String, Receipt> = roster
        .iter()
        .filter_map(|row| {
            let user = row["user_id"].as_str()?.to_owned();
            Some((user, serde_json::from_value(row["receipt"].clone()).ok()?))
        })
        .collect();
    let codes = read_codes(&staff, outcomes, &receipts).await;
    let question = &shared.exam.question;
    let mut verification = Verification::default();
    for (outcome, code) in outcomes.iter().zip(codes) {
        let receipt = outcome.user.as_ref().and_then(|user| receipts.get(user));
        if let Some(receipt) = receipt {
            verification.submitted += 1;
            match receipt.reason {
                SubmissionReason::Student => verification.submitted_by_student += 1,
                _ => verification.submitted_at_deadline += 1,
            }
        }
        match judge(outcome, receipt, question, code.as_deref()) {
            Judgement::Unsubmitted => verification.unsubmitted += 1,
            Judgement::Kept => {}
            Judgement::Unread => verification.unverified += 1,
            Judgement::Lost(items, why) => {
                verification.lost += 1;
                verification.lost_items += items;
                if verification.lost_samples.len() < SAMPLES {
                    verification
                        .lost_samples
                        .push(format!("attempt {}: {why}", outcome.attempt.as_deref().unwrap_or("?")));
                }
            }
        }
    }
    Ok(verification)
}

/// Each submitted attempt's code for the drill's question, a few at a time.
async fn read_codes(staff: &Staff, outcomes: &[Outcome], receipts: &HashMap<String, Receipt>) -> Vec<Option<String>> {
    let wanted: Vec<Option<String>> = outcomes
        .iter()
        .map(|o| o.user.as_ref().filter(|user| receipts.contains_key(*user)).and(o.attempt.clone()))
        .collect();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let wanted = Arc::new(wanted);
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (staff, next, wanted) = (staff.clone(), Arc::clone(&next), Arc::clone(&wanted));
        readers.push(tokio::spawn(async move {
            let mut read = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(slot) = wanted.get(i) else { return read };
                if let Some(attempt) = slot {
                    read.push((i, staff.code(attempt).await.ok()));
                }
            }
        }));
    }
    let mut codes: Vec<Option<Value>> = vec![None; outcomes.len()];
    for reader in readers {
        for (i, code) in reader.await.unwrap_or_default() {
            codes[i] = code;
        }
    }
    let question = staff.question().to_owned();
    codes
        .into_iter()
        .map(|code| {
            let answers = code?["answers"].as_array()?.clone();
            answers.iter().find(|a| a["question_id"] == question.as_str())?["code"].as_str().map(str::to_owned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::receipt::{ReceiptExam, ReceiptLine, ReceiptStudent};
    use crate::domain::{AttemptId, ExamId, QuestionId, UserId};

    fn receipt(question: QuestionId, log_seq: i64, code: &str) -> Receipt {
        Receipt {
            format: "examhall-receipt/1".to_owned(),
            submission_id: "s".to_owned(),
            number: 1,
            previous_submission_id: None,
            reason: SubmissionReason::Deadline,
            exam: ReceiptExam { id: ExamId::generate(), title: "Drill".to_owned() },
            student: ReceiptStudent { id: UserId::generate(), email: "s@drill.invalid".to_owned() },
            attempt_id: AttemptId::generate(),
            submitted_at: "2026-06-01T10:00:00.000Z".to_owned(),
            log_seq,
            answers: vec![ReceiptLine {
                question_id: question,
                title: "Q".to_owned(),
                sha256: hex::encode(code_hash(code)),
            }],
        }
    }

    fn outcome(acked: i64, history: &[(i64, &str)]) -> Outcome {
        Outcome {
            acked,
            history: history.iter().map(|(seq, code)| (*seq, code_hash(code))).collect(),
            attempt: Some("a".to_owned()),
            ..Outcome::default()
        }
    }

    #[test]
    fn a_submission_with_everything_acknowledged_as_typed_is_kept() {
        let q = QuestionId::generate();
        let student = outcome(5, &[(5, "ab"), (6, "abc")]);
        assert_eq!(judge(&student, Some(&receipt(q, 5, "ab")), &q.to_string(), Some("ab")), Judgement::Kept);
        // Item 6 reached the server, its answer did not reach the student.
        assert_eq!(judge(&student, Some(&receipt(q, 6, "abc")), &q.to_string(), Some("abc")), Judgement::Kept);
        assert_eq!(judge(&student, Some(&receipt(q, 6, "abc")), &q.to_string(), None), Judgement::Unread);
        assert_eq!(judge(&student, None, &q.to_string(), None), Judgement::Unsubmitted);
    }

    #[test]
    fn acknowledged_items_missing_or_code_not_as_typed_are_lost() {
        let q = QuestionId::generate();
        let student = outcome(5, &[(5, "ab"), (6, "abc")]);
        let missing = judge(&student, Some(&receipt(q, 3, "a")), &q.to_string(), Some("a"));
        assert!(matches!(missing, Judgement::Lost(2, _)), "{missing:?}");
        let other = judge(&student, Some(&receipt(q, 5, "xy")), &q.to_string(), Some("xy"));
        assert!(matches!(other, Judgement::Lost(0, _)), "{other:?}");
        let changed = judge(&student, Some(&receipt(q, 5, "ab")), &q.to_string(), Some("abX"));
        assert!(matches!(changed, Judgement::Lost(0, _)), "{changed:?}");
        let unknown = judge(&student, Some(&receipt(q, 9, "abc")), &q.to_string(), Some("abc"));
        assert!(matches!(unknown, Judgement::Lost(0, _)), "{unknown:?}");
    }
}
