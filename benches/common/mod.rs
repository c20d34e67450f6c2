//! What the benchmarks share: a student's attempt of many logged items,
//! written straight into an organization database. Each bench includes
//! this file (`#[path = "common/mod.rs"] mod common;`).

use examhall::domain::UserId;
use examhall::domain::receipt::SubmissionReason;
use examhall::domain::save_item::SaveItem;
use examhall::store::StoreError;
use examhall::store::attempts;
use examhall::store::attempts::log::SaveRules;
use examhall::store::attempts::submissions::{self, Freeze};
use examhall::store::exams::Exam;
use rusqlite::Connection;
use time::OffsetDateTime;

/// Starts, saves `items` items (typing, as snapshots of a growing line, and focus events), and submits.
pub fn take(conn: &Connection, exam: &Exam, user: UserId, items: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    let (attempt, _binding) = attempts::start(conn, exam, user, now)?;
    let rules = SaveRules { late_window: time::Duration::minutes(10), quota_bytes: u64::MAX };
    for batch in (1..=items).collect::<Vec<_>>().chunks(500) {
        let items: Vec<SaveItem> = batch
            .iter()
            .map(|&seq| {
                let question = exam.question_ids[usize::try_from(seq).unwrap_or(0) % 2];
                let raw = if seq % 10 == 0 {
                    format!(r#"{{"seq":{seq},"kind":"focus_lost","client_at":"2026-06-01T09:00:00Z","data":{{}}}}"#)
                } else {
                    format!(
                        r#"{{"seq":{seq},"kind":"snapshot","question_id":"{question}","client_at":"2026-06-01T09:00:00Z","code":"total = {seq} + sum(range({seq}))\n"}}"#
                    )
                };
                SaveItem::parse(&raw, &exam.question_ids).expect("a valid item")
            })
            .collect();
        attempts::log::save(conn, &attempt, exam, &items, None, now, rules)?.expect("a contiguous batch");
    }
    submissions::freeze(conn, &attempt, exam, Freeze::first(SubmissionReason::Student, now)).map(|_| ())
}
