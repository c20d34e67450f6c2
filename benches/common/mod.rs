//! What the benchmarks share: a published exam, its students, and a
//! student's attempt of many logged items, written straight into an
//! organization database. Each bench includes this file (`#[path =
//! "common/mod.rs"] mod common;`).

use examhall::domain::receipt::SubmissionReason;
use examhall::domain::save_item::SaveItem;
use examhall::domain::{CourseId, DisplayName, Email, ExamSpec, Role, SectionId, UserId};
use examhall::store::StoreError;
use examhall::store::accounts::users::{self, NewUser};
use examhall::store::attempts;
use examhall::store::attempts::log::SaveRules;
use examhall::store::attempts::submissions::{self, Freeze};
use examhall::store::courses::{self, GrantTarget};
use examhall::store::exams::{self, Exam};
use rusqlite::Connection;
use time::OffsetDateTime;

/// A published exam `title` of `minutes` for `section` of `course`, of two
/// small questions without tests, open from 2026 to 2036.
pub fn published_exam(
    conn: &Connection,
    (course, section): (CourseId, SectionId),
    title: &str,
    minutes: u32,
    now: OffsetDateTime,
) -> Result<Exam, StoreError> {
    let spec: ExamSpec = serde_json::from_value(serde_json::json!({
        "title": title, "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2036-01-01T12:00:00Z",
        "duration_minutes": minutes, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": [section],
        "questions": [
            { "title": "One", "prompt": "p", "starter_code": "", "model_solution": "x = 1", "points": 1, "tests": [] },
            { "title": "Two", "prompt": "p", "starter_code": "", "model_solution": "x = 2", "points": 1, "tests": [] }
        ]
    }))
    .expect("a valid exam");
    let id = exams::create(conn, course, &spec, now)?;
    exams::publish(conn, id, now)?;
    Ok(exams::get(conn, course, id, now)?.expect("the exam just made"))
}

/// Student number `index` (`student00042@bench.example`), a student of `section`.
pub fn student(conn: &Connection, index: usize, section: SectionId, now: OffsetDateTime) -> Result<UserId, StoreError> {
    let email = Email::parse(&format!("student{index:05}@bench.example")).expect("a valid e-mail");
    let name = DisplayName::parse(&format!("Student {index}")).expect("a valid name");
    let new = NewUser { email: &email, display_name: &name, student_number: None, password_hash: None };
    let user = users::create(conn, &new, now)?;
    courses::grant(conn, user.id, Role::Student, GrantTarget::Section(section), now)?;
    Ok(user.id)
}

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
