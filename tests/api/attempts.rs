//! Students taking an exam: start, idempotent saves, the deadline the
//! server owns, late-arriving edits, submission and receipts.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, spawn_app, spawn_app_with_clock};
use crate::people::{Caller, PASSWORD, World, world};

const HIDDEN: &str = "add(-1, 1)";

/// Sends `path` as `caller` with the attempt secret.
async fn with_secret(
    app: &TestApp,
    caller: &Caller,
    secret: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("cookie", &caller.cookie)
        .header("x-csrf-token", &caller.csrf)
        .header("x-exam-secret", secret);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn edit(seq: i64, question: &str, code: &str, at: &str) -> Value {
    json!({ "seq": seq, "kind": "edit", "question_id": question, "client_at": at, "code": code,
            "data": { "changes": [[0, 0, code]] } })
}

async fn start(app: &TestApp, w: &World, caller: &Caller) -> (Value, String) {
    let response = app.call(Some(caller), Method::POST, &format!("/api/v1/me/exams/{}/start", w.open_exam), None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let secret = body["secret"].as_str().unwrap().to_owned();
    (body, secret)
}

#[tokio::test]
async fn a_student_starts_saves_idempotently_resumes_and_submits_with_a_matching_receipt() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let base = format!("/api/v1/me/exams/{}", w.open_exam);
    let mut seen = Vec::new();
    let listed = app.call(Some(&w.student), Method::GET, "/api/v1/me/exams", None).await.text().await.unwrap();
    seen.push(listed.clone());
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "drafts are invisible: {listed}");
    let landing = app.call(Some(&w.student), Method::GET, &base, None).await.text().await.unwrap();
    assert!(!landing.contains("def add"), "no questions before the start");
    seen.push(landing);

    let (started, secret) = start(&app, &w, &w.student).await;
    seen.push(started.to_string());
    let question = started["questions"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["questions"][0]["tests"].as_array().unwrap().len(), 1, "visible tests only");
    let again = app.call(Some(&w.student), Method::POST, &format!("{base}/start"), None).await;
    assert_eq!(again.status(), 409, "a second start (another device) is refused");

    let now = "2026-06-01T10:00:00Z";
    let batch = json!({ "items": [edit(1, &question, "def add(a, b):\n    r", now), edit(2, &question, "def add(a, b):\n    re", now),
                                  { "seq": 3, "kind": "paste", "question_id": question, "client_at": now, "data": { "length": 120 } }] });
    let saved: Value = with_secret(&app, &w.student, &secret, &format!("{base}/saves"), Some(batch.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["acked_seq"], 3);
    let resent: Value =
        with_secret(&app, &w.student, &secret, &format!("{base}/saves"), Some(batch)).await.json().await.unwrap();
    assert_eq!(resent["acked_seq"], 3, "a resent batch is not stored twice");
    let gap = json!({ "items": [edit(5, &question, "def add(a, b):\n    return a + b\n", now)] });
    let saved: Value =
        with_secret(&app, &w.student, &secret, &format!("{base}/saves"), Some(gap)).await.json().await.unwrap();
    assert_eq!(saved["acked_seq"], 3, "acknowledged only up to the first gap");
    let fill = json!({ "items": [edit(4, &question, "def add(a, b):\n    ret", now)] });
    let saved: Value =
        with_secret(&app, &w.student, &secret, &format!("{base}/saves"), Some(fill)).await.json().await.unwrap();
    assert_eq!(saved["acked_seq"], 5);

    let resumed = with_secret(&app, &w.student, &secret, &format!("{base}/resume"), None).await.text().await.unwrap();
    seen.push(resumed.clone());
    let resumed: Value = serde_json::from_str(&resumed).unwrap();
    let final_code = "def add(a, b):\n    return a + b\n";
    assert_eq!(resumed["answers"][0]["code"], final_code, "the highest sequence wins");
    assert_eq!(resumed["acked_seq"], 5);
    assert!(resumed.get("secret").is_none(), "the secret is shown once");

    let wrong = with_secret(&app, &w.student, &"0".repeat(64), &format!("{base}/resume"), None).await;
    assert_eq!(wrong.status(), 403);
    app.add_person(w.physics, "classmate@physics.example", Role::Student, GrantTarget::Section(w.section)).await;
    let classmate = app.sign_in(Some("physics"), "classmate@physics.example", PASSWORD).await;
    start(&app, &w, &classmate).await;
    let stolen = with_secret(&app, &classmate, &secret, &format!("{base}/saves"), Some(json!({"items": []}))).await;
    assert_eq!(stolen.status(), 403, "another student's secret opens nothing");

    let receipt = with_secret(&app, &w.student, &secret, &format!("{base}/submit"), None).await.text().await.unwrap();
    seen.push(receipt.clone());
    let receipt: Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(receipt["answers"][0]["sha256"], hex::encode(Sha256::digest(final_code.as_bytes())));
    assert!(receipt["submitted_at"].is_string());
    let later = json!({ "items": [edit(6, &question, "changed", now)] });
    assert_eq!(with_secret(&app, &w.student, &secret, &format!("{base}/saves"), Some(later)).await.status(), 409);
    let fetched: Value = app.json_of(&w.student, &format!("{base}/receipt")).await;
    assert_eq!(fetched, receipt);
    let staff: Value =
        app.json_of(&w.instructor, &format!("/api/v1/courses/{}/exams/{}/attempts", w.course, w.open_exam)).await;
    let row = staff.as_array().unwrap().iter().find(|r| r["email"] == "student@physics.example").unwrap();
    assert_eq!(row["receipt"], receipt, "staff see the same receipt");
    for body in seen {
        assert!(!body.contains(HIDDEN), "a hidden test reached a student: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_server_owns_the_deadline_with_extra_time_and_late_arriving_queued_edits() {
    let start_at = time::macros::datetime!(2026-06-01 09:00 UTC);
    let clock = ManualClock::new(start_at);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let base = format!("/api/v1/me/exams/{}", w.open_exam);
    let extra = json!({ "user_ids": [w.student_user], "minutes": 30, "label": "25% extra" });
    let path = format!("/api/v1/courses/{}/exams/{}/extra-time", w.course, w.open_exam);
    assert_eq!(app.call(Some(&w.instructor), Method::PUT, &path, Some(extra)).await.status(), 204);
    let (started, secret) = start(&app, &w, &w.student).await;
    assert_eq!(started["attempt"]["deadline_at"], "2026-06-01T11:00:00Z", "90 minutes + 30 extra");
    let question = started["questions"][0]["id"].as_str().unwrap().to_owned();

    let saves = format!("{base}/saves");
    let on_time = json!({ "items": [edit(1, &question, "x = 1", "2026-06-01T10:59:00Z")] });
    assert_eq!(with_secret(&app, &w.student, &secret, &saves, Some(on_time)).await.status(), 200);
    clock.advance(Duration::from_secs(2 * 3600 + 60));
    let queued = json!({ "items": [edit(2, &question, "x = 2", "2026-06-01T10:59:30Z")] });
    let outcome: Value = with_secret(&app, &w.student, &secret, &saves, Some(queued)).await.json().await.unwrap();
    assert_eq!(
        (outcome["acked_seq"].as_i64(), outcome["late"].as_i64()),
        (Some(2), Some(1)),
        "queued before the deadline, accepted late"
    );
    let after = json!({ "items": [edit(3, &question, "x = 3", "2026-06-01T11:00:30Z")] });
    let refused = with_secret(&app, &w.student, &secret, &saves, Some(after)).await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("time is over"), "{problem}");
    let receipt: Value = app.json_of(&w.student, &format!("{base}/receipt")).await;
    assert_eq!(receipt["submitted_at"], "2026-06-01T11:00:00Z", "submitted automatically at the deadline");
    assert_eq!(receipt["answers"][0]["sha256"], hex::encode(Sha256::digest(b"x = 2")));
    // Two hours on, the instructor's session has idled out: sign in again.
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let staff: Value =
        app.json_of(&instructor, &format!("/api/v1/courses/{}/exams/{}/attempts", w.course, w.open_exam)).await;
    let row = staff.as_array().unwrap().iter().find(|r| r["email"] == "student@physics.example").unwrap();
    assert_eq!(row["late_items"], 1, "staff see the late-arriving edit: {row}");
    assert_eq!((&row["extra_minutes"], &row["extra_label"]), (&json!(30), &json!("25% extra")));
    assert_eq!(row["attempt"]["submit_reason"], "deadline");
    assert_eq!(row["section_id"], w.section.to_string());
    app.stop().await;
}

/// The deadline as the student's heartbeat (an empty batch) reports it.
async fn heartbeat_deadline(app: &TestApp, w: &World, secret: &str) -> Value {
    let path = format!("/api/v1/me/exams/{}/saves", w.open_exam);
    let answer: Value =
        with_secret(app, &w.student, secret, &path, Some(json!({ "items": [] }))).await.json().await.unwrap();
    answer["deadline_at"].clone()
}

#[tokio::test]
async fn extra_time_closing_early_and_extending_move_a_running_deadline_and_the_heartbeat_reports_it() {
    let start_at = time::macros::datetime!(2026-06-01 09:00 UTC);
    let clock = ManualClock::new(start_at);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let (_, secret) = start(&app, &w, &w.student).await;
    let exam = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let answer: Value = with_secret(
        &app,
        &w.student,
        &secret,
        &format!("/api/v1/me/exams/{}/saves", w.open_exam),
        Some(json!({ "items": [] })),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (answer["deadline_at"].as_str(), answer["server_now"].as_str()),
        (Some("2026-06-01T10:30:00Z"), Some("2026-06-01T09:00:00Z"))
    );

    let extra = json!({ "user_ids": [w.student_user], "minutes": 23, "label": "25% extra" });
    assert_eq!(
        app.call(Some(&w.instructor), Method::PUT, &format!("{exam}/extra-time"), Some(extra)).await.status(),
        204
    );
    assert_eq!(
        heartbeat_deadline(&app, &w, &secret).await,
        "2026-06-01T10:53:00Z",
        "extra time reaches a running attempt"
    );

    let close = |at: &str| json!({ "closes_at": at });
    let window = format!("{exam}/window");
    assert_eq!(
        app.call(Some(&w.instructor), Method::POST, &window, Some(close("2026-06-01T10:00:00Z"))).await.status(),
        200
    );
    assert_eq!(
        heartbeat_deadline(&app, &w, &secret).await,
        "2026-06-01T10:00:00Z",
        "an earlier close cuts the attempt"
    );
    assert_eq!(
        app.call(Some(&w.instructor), Method::POST, &window, Some(close("2026-06-01T12:00:00Z"))).await.status(),
        200
    );
    assert_eq!(heartbeat_deadline(&app, &w, &secret).await, "2026-06-01T10:53:00Z", "extending gives the time back");

    clock.advance(Duration::from_secs(10 * 60));
    assert_eq!(app.call(Some(&w.instructor), Method::POST, &window, Some(json!({}))).await.status(), 200, "close now");
    clock.advance(Duration::from_secs(1));
    let receipt: Value = app.json_of(&w.student, &format!("/api/v1/me/exams/{}/receipt", w.open_exam)).await;
    assert_eq!(receipt["submitted_at"], "2026-06-01T09:10:00Z", "submitted at the early close");
    app.stop().await;
}

#[tokio::test]
async fn overdue_attempts_are_submitted_at_their_deadline_without_anyone_looking() {
    let start_at = time::macros::datetime!(2026-06-01 09:00 UTC);
    let clock = ManualClock::new(start_at);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    start(&app, &w, &w.student).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let now = start_at + Duration::from_secs(89 * 60);
    assert_eq!(db.write(move |conn| examhall::store::attempts::submit_overdue(conn, now)).await.unwrap(), 0);
    let later = start_at + Duration::from_secs(91 * 60);
    assert_eq!(db.write(move |conn| examhall::store::attempts::submit_overdue(conn, later)).await.unwrap(), 1);
    let submitted: String =
        db.read(|conn| Ok(conn.query_row("SELECT submitted_at FROM exam_sessions", [], |r| r.get(0))?)).await.unwrap();
    assert_eq!(submitted, "2026-06-01T10:30:00Z");
    app.stop().await;
}

#[tokio::test]
async fn staff_see_each_student_of_the_exam_sections_once_and_overdue_attempts_submitted() {
    use examhall::domain::ExamSpec;
    use examhall::store::{courses, exams};
    let clock = ManualClock::new(time::macros::datetime!(2026-06-01 09:00 UTC));
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let (course, section_a, student) = (w.course, w.section, w.student_user);
    let mut body = crate::access::exam_body(&w);
    // An exam for sections A and D; the student is in both.
    let (exam, section_d) = db
        .write(move |conn| {
            let now = time::OffsetDateTime::UNIX_EPOCH;
            let d = courses::create_section(conn, course, "D", now)?;
            courses::grant(conn, student, Role::Student, GrantTarget::Section(d.id), now)?;
            body["section_ids"] = json!([section_a, d.id]);
            let spec: ExamSpec = serde_json::from_value(body).unwrap();
            let exam = exams::create(conn, course, &spec, now)?;
            exams::publish(conn, exam, now)?;
            Ok((exam, d.id))
        })
        .await
        .unwrap();
    app.add_person(w.physics, "d-only@physics.example", Role::Student, GrantTarget::Section(section_d)).await;
    app.add_person(w.physics, "idle@physics.example", Role::Student, GrantTarget::Section(section_a)).await;
    let started = app.call(Some(&w.student), Method::POST, &format!("/api/v1/me/exams/{exam}/start"), None).await;
    assert_eq!(started.status(), 201);
    clock.advance(Duration::from_secs(91 * 60));

    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let rows: Value = app.json_of(&instructor, &format!("/api/v1/courses/{course}/exams/{exam}/attempts")).await;
    let rows = rows.as_array().unwrap();
    let emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["d-only@physics.example", "idle@physics.example", "student@physics.example"],
        "each student of sections A and D once, by e-mail; nobody of section B or another course"
    );
    let taker = &rows[2];
    assert!([section_a.to_string(), section_d.to_string()].contains(&taker["section_id"].as_str().unwrap().to_owned()));
    assert_eq!(
        taker["attempt"]["submit_reason"], "deadline",
        "an overdue attempt shows as submitted at its deadline: {taker}"
    );
    assert_eq!(taker["receipt"]["submitted_at"], "2026-06-01T10:30:00Z");
    let starter_hash = hex::encode(Sha256::digest(b"def add(a, b):\n    pass\n"));
    assert_eq!(taker["receipt"]["answers"][0]["sha256"], starter_hash, "nothing typed: the starter code is submitted");
    assert_eq!(
        (&rows[1]["attempt"], &rows[1]["receipt"], &rows[1]["late_items"]),
        (&Value::Null, &Value::Null, &json!(0))
    );
    assert_eq!(rows[0]["section_id"], section_d.to_string());
    app.stop().await;
}
