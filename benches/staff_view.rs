//! How long the staff's page of an exam takes to read every student's
//! attempt (`GET .../attempts`), as the number of students grows:
//! `cargo bench --bench staff_view` prints the Markdown table of
//! `docs/benchmarks.md`, "Staff view of an exam".
//!
//! Each size gets an organization database in a temporary directory, opened
//! and migrated as the server opens it, with the exam's students in one
//! section, twice as many students of another course, and for every
//! student of the exam a submitted attempt of [`LOG_ITEMS`] saved items (one
//! in twenty late-arriving) and two answers. The baseline is how the page
//! read them before: every account and grant, then a few queries per student.

#[path = "common/mod.rs"]
#[allow(dead_code, reason = "this bench takes its attempts its own way, with late items")]
mod common;

use std::time::{Duration, Instant};

use examhall::domain::receipt::SubmissionReason;
use examhall::domain::save_item::SaveItem;
use examhall::domain::{Role, UserId};
use examhall::store::accounts::users;
use examhall::store::attempts;
use examhall::store::attempts::log::SaveRules;
use examhall::store::attempts::submissions::{self, Freeze};
use examhall::store::courses;
use examhall::store::exams::Exam;
use examhall::store::{StoreError, connection, exam_roster, keys::DatabaseKey, migrations};
use rusqlite::{Connection, OptionalExtension};
use time::OffsetDateTime;

/// Students of the exam, per scenario.
const SIZES: [usize; 3] = [30, 300, 2_000];
/// Items in each attempt's log (edits and integrity events).
const LOG_ITEMS: i64 = 200;
/// Timed reads per way and size; the median is reported.
const REPEATS: usize = 7;

fn main() {
    println!(
        "| students | items in the logs | one query per page (median) | per student, before (median) | before / now |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for students in SIZES {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key = DatabaseKey::generate();
        let path = dir.path().join("org.db");
        let mut conn = connection::open(&path, &key, true).expect("open the database");
        migrations::run(&mut conn, &path, migrations::ORG).expect("migrate");
        let exam = populate(&mut conn, students).expect("fill the database");
        let now = median(REPEATS, || {
            let rows = exam_roster::students(&conn, &exam, exam_roster::Whose::default()).expect("read the page");
            assert_eq!(rows.len(), students);
        });
        let before = median(REPEATS, || {
            assert_eq!(per_student(&conn, &exam).expect("read the page"), students);
        });
        println!(
            "| {students} | {} | {:.1} ms | {:.1} ms | {:.1}x |",
            students * usize::try_from(LOG_ITEMS).expect("a small count"),
            ms(now),
            ms(before),
            before.as_secs_f64() / now.as_secs_f64()
        );
    }
}

fn median(repeats: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..repeats)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A course with the exam's section, another course with twice as many
/// students, and a submitted attempt for each student of the exam.
fn populate(conn: &mut Connection, students: usize) -> Result<Exam, StoreError> {
    // Inside the exam's window; the attempts are submitted, so the clock stops mattering.
    let now = time::macros::datetime!(2026-06-01 09:00 UTC);
    let tx = conn.transaction()?;
    let course = courses::create_course(&tx, "CS101", "Programming", now)?;
    let section = courses::create_section(&tx, course.id, "A", now)?;
    let other = courses::create_course(&tx, "CS201", "Algorithms", now)?;
    let other_section = courses::create_section(&tx, other.id, "B", now)?;
    let exam = common::published_exam(&tx, (course.id, section.id), "Midterm", 90, now)?;
    for index in 0..students * 3 {
        let in_exam = index % 3 == 0;
        let user = common::student(&tx, index, if in_exam { section.id } else { other_section.id }, now)?;
        if in_exam {
            take(&tx, &exam, user, now)?;
        }
    }
    // One item in twenty arrived after the deadline and waits beside the submission.
    tx.execute(
        "INSERT INTO late_items (session_id, seq, kind, client_at, server_at, status, chain, payload)
         SELECT session_id, seq + 100000, kind, client_at, server_at, 'accepted', x'00', payload
         FROM session_log WHERE seq % 20 = 0",
        [],
    )?;
    tx.commit()?;
    Ok(exam)
}

/// Starts, saves [`LOG_ITEMS`] items across both questions, and submits.
fn take(conn: &Connection, exam: &Exam, user: UserId, now: OffsetDateTime) -> Result<(), StoreError> {
    let (attempt, _binding) = attempts::start(conn, exam, user, now)?;
    let items: Vec<SaveItem> = (1..=LOG_ITEMS)
        .map(|seq| {
            let question = exam.question_ids[usize::try_from(seq).unwrap_or(0) % 2];
            let raw = if seq % 4 == 0 {
                format!(r#"{{"seq":{seq},"kind":"focus_lost","client_at":"2026-06-01T09:00:00Z","data":{{}}}}"#)
            } else {
                format!(r#"{{"seq":{seq},"kind":"snapshot","question_id":"{question}","client_at":"2026-06-01T09:00:00Z","code":"x = {seq}\n"}}"#)
            };
            SaveItem::parse(&raw, &exam.question_ids).expect("a valid item")
        })
        .collect();
    let rules = SaveRules { late_window: time::Duration::minutes(10), quota_bytes: u64::MAX };
    attempts::log::save(conn, &attempt, exam, &items, None, now, rules)?.expect("a contiguous batch");
    submissions::freeze(conn, &attempt, exam, Freeze::first(SubmissionReason::Student, now)).map(|_| ())
}

/// How the page read the students before: every account and grant, then
/// the attempt, extra time, late items and receipt of each student alone.
fn per_student(conn: &Connection, exam: &Exam) -> Result<usize, StoreError> {
    let grants = courses::all_grants(conn)?;
    let mut rows = 0;
    for user in users::list(conn)? {
        let takes_exam = grants.iter().any(|g| {
            g.user_id == user.id
                && g.role == Role::Student
                && g.section_id.is_some_and(|s| exam.spec.section_ids.contains(&s))
        });
        if !takes_exam {
            continue;
        }
        let attempt = attempts::find(conn, exam.id, user.id)?;
        if let Some(found) = &attempt {
            submissions::latest(conn, found.id)?;
            let _late: u32 = conn.query_row(
                "SELECT count(*) FROM late_items WHERE session_id = ?1 AND status = 'accepted'",
                [found.id],
                |r| r.get(0),
            )?;
        }
        let _extra: Option<(u32, String)> = conn
            .query_row(
                "SELECT minutes, label FROM extra_time WHERE exam_id = ?1 AND user_id = ?2",
                rusqlite::params![exam.id, user.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        rows += 1;
    }
    Ok(rows)
}
