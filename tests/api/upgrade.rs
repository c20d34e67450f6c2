//! Upgrading a database of the previous schema: every row survives, and
//! every stored time ends up in the one fixed-width form that orders as
//! text the way it does in time.

use examhall::domain::{DisplayName, Email, ExamSpec, Role};
use examhall::store::accounts::users::{self, NewUser};
use examhall::store::courses::{self, GrantTarget};
use examhall::store::keys::DatabaseKey;
use examhall::store::{attempts, connection, exams, migrations};
use rusqlite::Connection;
use serde_json::json;

const NOW: time::OffsetDateTime = crate::helpers::EXAM_DAY;

/// A course with one section, a student of it, and a draft exam of one
/// question open from `window.0` to `window.1`, made by the store's own
/// functions on a database of any schema since exams: (the course, the
/// student, the exam).
pub fn a_student_and_an_exam(
    conn: &Connection,
    now: time::OffsetDateTime,
    window: (&str, &str),
) -> (examhall::domain::CourseId, users::User, examhall::domain::ExamId) {
    let course = courses::create_course(conn, "PHYS101", "Mechanics", now).unwrap();
    let section = courses::create_section(conn, course.id, "A", now).unwrap();
    let email = Email::parse("student@physics.example").unwrap();
    let name = DisplayName::parse("Student").unwrap();
    let new = NewUser { email: &email, display_name: &name, student_number: None, password_hash: None };
    let user = users::create(conn, &new, now).unwrap();
    courses::grant(conn, user.id, Role::Student, GrantTarget::Section(section.id), now).unwrap();
    let spec: ExamSpec = serde_json::from_value(json!({
        "title": "Midterm", "opens_at": window.0, "closes_at": window.1,
        "duration_minutes": 90, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": [section.id],
        "questions": [{ "title": "Add", "prompt": "p", "starter_code": "", "model_solution": "x = 1", "points": 1, "tests": [] }]
    }))
    .unwrap();
    let exam = exams::create(conn, course.id, &spec, now).unwrap();
    (course.id, user, exam)
}

/// Rows per table that holds times (the audit log and frozen submissions are kept as written).
fn counts(conn: &Connection) -> Vec<(String, i64)> {
    ["users", "courses", "sections", "grants", "exams", "exam_sessions", "session_log", "late_items", "extra_time"]
        .iter()
        .map(|t| ((*t).to_owned(), conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()))
        .collect()
}

#[test]
fn a_database_of_the_previous_schema_keeps_every_row_and_gets_fixed_width_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.db");
    let mut conn = connection::open(&path, &DatabaseKey::generate(), true).unwrap();
    // The schema before every time was written in one fixed width.
    let previous = migrations::ORG.iter().position(|m| m.name == "every stored time in one fixed-width form").unwrap();
    migrations::run(&mut conn, &path, &migrations::ORG[..previous]).unwrap();

    // Real rows, made by the store's own functions...
    let (course, user, exam_id) = a_student_and_an_exam(&conn, NOW, ("2026-06-01T08:00:00Z", "2026-06-01T12:00:00Z"));
    exams::publish(&conn, exam_id, NOW).unwrap();
    let exam = exams::get(&conn, course, exam_id, NOW).unwrap().unwrap();
    let (attempt, _) = attempts::start(&conn, &exam, user.id, NOW).unwrap();
    // Extra time as that schema held it (today's store functions write columns it lacks).
    conn.execute(
        "INSERT INTO extra_time (exam_id, user_id, minutes, label, granted_at) VALUES (?1, ?2, 15, 'accommodation', ?3)",
        rusqlite::params![exam_id, user.id, "2026-06-01T09:00:00.000Z"],
    )
    .unwrap();
    // ...then written back in the forms earlier versions stored: no
    // fraction, a trimmed fraction, and a client's own offset.
    conn.execute_batch(&format!(
        "UPDATE exam_sessions SET started_at = '2026-06-01T09:00:00Z', deadline_at = '2026-06-01T10:45:00.5Z';
         UPDATE exams SET opens_at = '2026-06-01T08:00:00Z', closes_at = '2026-06-01T12:00:00Z';
         INSERT INTO session_log (session_id, seq, kind, question_id, client_at, server_at, payload, chain)
             VALUES ('{a}', 1, 'focus_lost', NULL, '2026-06-01T11:30:00+02:00', '2026-06-01T09:30:00.25Z', '{{}}', x'00'),
                    ('{a}', 2, 'focus_returned', NULL, '2026-06-01T09:31:00Z', '2026-06-01T09:31:00Z', '{{}}', x'01');
         INSERT INTO late_items (session_id, seq, kind, question_id, client_at, server_at, status, chain, payload)
             VALUES ('{a}', 3, 'reload', NULL, '2026-06-01T10:44:59.9Z', '2026-06-01T10:46:00Z', 'pending', x'02', '{{}}');",
        a = attempt.id
    ))
    .unwrap();
    let before = counts(&conn);

    migrations::run(&mut conn, &path, migrations::ORG).unwrap();

    assert_eq!(counts(&conn), before, "every row survives");
    let times: Vec<String> = conn
        .prepare(
            "SELECT started_at FROM exam_sessions UNION ALL SELECT deadline_at FROM exam_sessions
             UNION ALL SELECT client_at FROM session_log UNION ALL SELECT server_at FROM session_log
             UNION ALL SELECT client_at FROM late_items UNION ALL SELECT opens_at FROM exams
             UNION ALL SELECT granted_at FROM extra_time UNION ALL SELECT created_at FROM users",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for time in &times {
        let parsed = examhall::domain::Timestamp::parse(time).unwrap();
        assert_eq!(&parsed.to_string(), time, "one fixed width");
    }
    let row = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(row("SELECT deadline_at FROM exam_sessions"), "2026-06-01T10:45:00.500Z");
    assert_eq!(row("SELECT client_at FROM session_log WHERE seq = 1"), "2026-06-01T09:30:00.000Z", "in UTC");
    assert_eq!(row("SELECT server_at FROM session_log WHERE seq = 1"), "2026-06-01T09:30:00.250Z");
    // Text order is time order now: 10:45:00.5 is after 10:45:00, which the
    // old text ("…00.5Z" < "…00Z") had the wrong way round.
    let overdue = |at: &str| -> bool {
        let sql = "SELECT count(*) > 0 FROM exam_sessions WHERE submitted_at IS NULL AND deadline_at < ?1";
        conn.query_row(sql, [at], |r| r.get(0)).unwrap()
    };
    assert!(!overdue("2026-06-01T10:45:00.000Z"));
    assert!(overdue("2026-06-01T10:45:00.501Z"));
}
