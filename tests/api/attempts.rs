//! Students taking an exam: start, the binding, resume, submission and the
//! frozen receipt; staff's view of every attempt.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app, spawn_app_with_clock};
use crate::people::{PASSWORD, World, world};

const HIDDEN: &str = "add(-1, 1)";

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The receipt document's text as received in `{"receipt":…,"sha256":"…"}`.
pub fn exact_receipt_text(body: &str) -> &str {
    let inner = body.strip_prefix("{\"receipt\":").unwrap();
    &inner[..inner.rfind(",\"sha256\":").unwrap()]
}

#[tokio::test]
async fn a_student_starts_saves_resumes_and_submits_with_a_frozen_receipt_staff_see_too() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut seen = Vec::new();
    let listed = app.as_(&w.student).my_exams().await.text().await.unwrap();
    let listed_json: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed_json.as_array().unwrap().len(), 1, "drafts are invisible: {listed}");
    seen.push(listed);
    let landing = app.as_(&w.student).my_exam(w.open_exam).await.text().await.unwrap();
    assert!(!landing.contains("def add"), "no questions before the start");
    seen.push(landing);

    let mut client = ExamClient::student(&app, &w).await;
    seen.push(client.view.to_string());
    assert_eq!(client.view["binding"]["next_seq"], 1, "a new attempt's sequence starts at 1");
    assert_eq!(client.view["questions"][0]["tests"].as_array().unwrap().len(), 1, "visible tests only");
    for _ in 0..5 {
        let again = app.as_(&w.student).start(w.open_exam).await;
        assert_eq!(again.status(), 409, "a second start (another browser) is refused");
    }
    app.state.refusals().flush(app.state.clock().now()).await;
    let refused: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.start").await;
    let denied: Vec<&Value> = refused.as_array().unwrap().iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 1, "five refused starts, told once: {refused}");
    assert_eq!(denied[0]["details"]["count"], 5);

    let question = client.question(0);
    let final_code = "def add(a, b):\n    return a + b\n";
    client.edit_to(&question, final_code);
    client.event("paste", &json!({ "size": 12, "text": "return a + b" }));
    client.snapshot(&question);
    let saved = client.flush(&app).await;
    assert_eq!((saved["acked_seq"].as_i64(), saved["phase"].as_str()), (Some(3), Some("open")));

    let resumed = client.post(&app, "resume", String::new()).await.text().await.unwrap();
    seen.push(resumed.clone());
    let resumed: Value = serde_json::from_str(&resumed).unwrap();
    assert_eq!(resumed["answers"][0]["code"], final_code, "the server rebuilt the code from the change set");
    assert_eq!(resumed["acked_seq"], 3);
    assert_eq!(resumed["chain"], hex::encode(client.chain), "the server's chain is the browser's");
    assert!(resumed.get("binding").is_none(), "the secret is shown once");

    let submitted = client.submit(&app).await;
    assert_eq!(submitted.status(), 200);
    let receipt_text = submitted.text().await.unwrap();
    seen.push(receipt_text.clone());
    let receipt: Value = serde_json::from_str(&receipt_text).unwrap();
    let document = &receipt["receipt"];
    assert_eq!(document["format"], "examhall-receipt/1");
    assert_eq!((document["number"].as_i64(), document["reason"].as_str()), (Some(1), Some("student")));
    assert_eq!(document["answers"][0]["sha256"], sha256(final_code));
    assert_eq!(document["log_seq"], 3);
    assert_eq!(document["student"]["email"], "student@physics.example");
    assert_eq!(receipt["sha256"], sha256(exact_receipt_text(&receipt_text)), "the hash of the exact text received");
    assert_eq!(client.submit(&app).await.json::<Value>().await.unwrap(), receipt, "submitting again changes nothing");
    let fetched: Value = app.as_(&w.student).receipt(w.open_exam).await.json().await.unwrap();
    assert_eq!(fetched, receipt);
    let staff: Value = app.as_(&w.instructor).exam_attempts(w.course, w.open_exam).await.json().await.unwrap();
    let row = staff.as_array().unwrap().iter().find(|r| r["email"] == "student@physics.example").unwrap();
    assert_eq!((&row["receipt"], &row["receipt_sha256"]), (document, &receipt["sha256"]), "staff see the same receipt");
    for body in seen {
        assert!(!body.contains(HIDDEN), "a hidden test reached a student: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_secret_opens_nothing_and_says_so_with_its_own_problem_type() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    app.add_person(w.physics, "classmate@physics.example", Role::Student, GrantTarget::Section(w.section)).await;
    let classmate = app.sign_in(Some("physics"), "classmate@physics.example", PASSWORD).await;
    let mut theirs = ExamClient::start(&app, &classmate, &w.open_exam.to_string()).await;
    theirs.secret.clone_from(&client.secret);
    let stolen = theirs.post_raw(&app, &[], None).await;
    assert_eq!(stolen.status(), 403, "another student's secret opens nothing");
    let problem: Value = stolen.json().await.unwrap();
    assert_eq!(problem["type"], "urn:examhall:problem:other-device", "{problem}");
    let without_secret = format!("/api/v1/me/exams/{}/resume", w.open_exam);
    let missing = app.as_(&w.student).raw(Method::POST, &without_secret, None).await;
    assert_eq!(missing.status(), 403);
    let problem: Value = missing.json().await.unwrap();
    assert_eq!(problem["type"], "urn:examhall:problem:other-device", "not a CSRF problem: {problem}");
    for _ in 0..20 {
        assert_eq!(theirs.post_raw(&app, &[], None).await.status(), 403);
    }
    app.state.refusals().flush(app.state.clock().now()).await;
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.secret_refused").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 1, "21 refusals of one person at one attempt, told once: {audit}");
    assert_eq!(entries[0]["details"]["count"], 21, "every refusal counted: {audit}");
    assert_eq!(entries[0]["actor_label"], "classmate@physics.example");
    app.stop().await;
}

#[tokio::test]
async fn a_submission_waits_until_the_server_holds_everything_the_browser_queued() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.edit_to(&question, "x = 1\n");
    client.flush(&app).await;
    client.edit_to(&question, "x = 2\n");
    let early = client.submit(&app).await;
    assert_eq!(early.status(), 409, "item 2 is queued but not sent");
    client.flush(&app).await;
    let receipt: Value = client.submit(&app).await.json().await.unwrap();
    assert_eq!(receipt["receipt"]["answers"][0]["sha256"], sha256("x = 2\n"));
    app.stop().await;
}

#[tokio::test]
async fn extra_time_closing_early_and_extending_move_a_running_deadline_and_the_heartbeat_reports_it() {
    let start_at = crate::helpers::EXAM_DAY;
    let clock = ManualClock::new(start_at);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    let heartbeat =
        || async { client.post_raw(&app, &[], Some(client.commitment())).await.json::<Value>().await.unwrap() };
    let answer = heartbeat().await;
    assert_eq!(
        (answer["deadline_at"].as_str(), answer["server_now"].as_str()),
        (Some("2026-06-01T10:30:00.000Z"), Some("2026-06-01T09:00:00.000Z"))
    );
    let instructor = app.as_(&w.instructor);
    let extra = json!({ "user_ids": [w.student_user], "minutes": 23, "label": "25% extra" });
    assert_eq!(instructor.extra_time(w.course, w.open_exam, extra).await.status(), 204);
    assert_eq!(heartbeat().await["deadline_at"], "2026-06-01T10:53:00.000Z", "extra time reaches a running attempt");
    let close = |at: &str| json!({ "closes_at": at });
    let moved = instructor.set_window(w.course, w.open_exam, close("2026-06-01T10:00:00Z")).await;
    assert_eq!(moved.status(), 200);
    assert_eq!(heartbeat().await["deadline_at"], "2026-06-01T10:00:00.000Z", "an earlier close cuts the attempt");
    let moved = instructor.set_window(w.course, w.open_exam, close("2026-06-01T12:00:00Z")).await;
    assert_eq!(moved.status(), 200);
    assert_eq!(heartbeat().await["deadline_at"], "2026-06-01T10:53:00.000Z", "extending gives the time back");
    clock.advance(Duration::from_secs(10 * 60));
    assert_eq!(instructor.set_window(w.course, w.open_exam, json!({})).await.status(), 200, "close now");
    clock.advance(Duration::from_secs(1));
    let receipt: Value = app.json_of(&w.student, &format!("/api/v1/me/exams/{}/receipt", w.open_exam)).await;
    assert_eq!(receipt["receipt"]["submitted_at"], "2026-06-01T09:10:00.000Z", "submitted at the early close");
    assert_eq!(receipt["receipt"]["reason"], "deadline");
    app.stop().await;
}

#[tokio::test]
async fn overdue_attempts_are_frozen_at_their_deadline_by_the_sweep() {
    let start_at = crate::helpers::EXAM_DAY;
    let clock = ManualClock::new(start_at);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    ExamClient::student(&app, &w).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let window = time::Duration::minutes(10);
    let sweep = |at| {
        let db = db.clone();
        async move { db.write(move |conn| examhall::store::attempts::sweep(conn, at, window)).await.unwrap().len() }
    };
    assert_eq!(sweep(start_at + Duration::from_secs(89 * 60)).await, 0);
    assert_eq!(sweep(start_at + Duration::from_secs(91 * 60)).await, 1);
    assert_eq!(sweep(start_at + Duration::from_secs(92 * 60)).await, 0, "frozen once");
    let (submitted, receipts): (String, i64) = db
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT submitted_at, (SELECT count(*) FROM submissions) FROM exam_sessions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((submitted.as_str(), receipts), ("2026-06-01T10:30:00.000Z", 1));
    let (actor, details): (String, String) = db
        .read(|conn| {
            Ok(conn.query_row("SELECT actor, details FROM audit_log WHERE action = 'attempt.submit'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!(actor, "system", "the server submitted it, and says so in the audit log");
    assert!(details.contains("\"reason\":\"deadline\"") && details.contains("receipt_sha256"), "{details}");
    app.stop().await;
}

async fn rows_of(app: &TestApp, w: &World, exam: &str) -> Vec<Value> {
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let rows: Value = app.as_(&instructor).exam_attempts(w.course, exam).await.json().await.unwrap();
    rows.as_array().unwrap().clone()
}

#[tokio::test]
async fn staff_see_each_student_of_the_exam_sections_once_and_overdue_attempts_submitted() {
    use examhall::domain::ExamSpec;
    use examhall::store::{courses, exams};
    let clock = ManualClock::new(crate::helpers::EXAM_DAY);
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
    ExamClient::start(&app, &w.student, &exam.to_string()).await;
    clock.advance(Duration::from_secs(91 * 60));

    let rows = rows_of(&app, &w, &exam.to_string()).await;
    let emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["d-only@physics.example", "idle@physics.example", "student@physics.example"],
        "each student of sections A and D once, by e-mail; nobody of section B or another course"
    );
    let taker = &rows[2];
    assert!([section_a.to_string(), section_d.to_string()].contains(&taker["section_id"].as_str().unwrap().to_owned()));
    assert_eq!(taker["attempt"]["submit_reason"], "deadline", "an overdue attempt shows as submitted: {taker}");
    assert_eq!(taker["receipt"]["submitted_at"], "2026-06-01T10:30:00.000Z");
    assert_eq!(
        taker["receipt"]["answers"][0]["sha256"],
        sha256("def add(a, b):\n    pass\n"),
        "nothing typed: the starter code is submitted"
    );
    let none = json!({ "accepted": 0, "pending": 0, "refused": 0, "applied": 0 });
    assert_eq!((&rows[1]["attempt"], &rows[1]["receipt"], &rows[1]["late_items"]), (&Value::Null, &Value::Null, &none));
    assert_eq!(rows[0]["section_id"], section_d.to_string());
    app.stop().await;
}

#[tokio::test]
async fn a_students_exams_name_their_course_in_the_list_and_on_the_landing_page() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let listed: Value = app.json_of(&w.student, "/api/v1/me/exams").await;
    let open = listed.as_array().unwrap().iter().find(|exam| exam["id"] == w.open_exam.to_string()).unwrap();
    assert_eq!(open["course"], json!({ "code": "PHYS101", "title": "Mechanics" }), "{listed}");
    let landing: Value = app.json_of(&w.student, &format!("/api/v1/me/exams/{}", w.open_exam)).await;
    assert_eq!(landing["course"], open["course"]);
    app.stop().await;
}
