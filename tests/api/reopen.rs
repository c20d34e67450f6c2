//! Reopening a submitted attempt: an instructor, with a reason, for some
//! minutes; the student continues on any browser of theirs with everything
//! the server holds, even after the exam closed; the first submission stays
//! as it was and the next one names it.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, spawn_app_with_clock, submitted_at_deadline};
use crate::people::world;

#[tokio::test]
async fn an_instructor_reopens_a_submitted_attempt_and_its_next_submission_names_the_first() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let mut first = ExamClient::student(&app, &w).await;
    let question = first.question(0);
    first.type_text(&question, "a");
    first.flush(&app).await;
    let attempt = first.attempt.clone();
    let reopen = |caller, minutes, reason: &'static str| {
        app.as_(caller).reopen(w.course, w.open_exam, attempt.clone(), minutes, reason)
    };
    assert_eq!(reopen(&w.instructor, 10, "submitted by mistake").await.status(), 409, "not submitted yet");
    let receipt: Value = first.submit(&app).await.json().await.unwrap();
    let first_id = receipt["receipt"]["submission_id"].as_str().unwrap().to_owned();
    // Later, past the student's own deadline (10:30), the exam closes: reopening is still the instructor's call.
    for _ in 0..4 {
        clock.advance(Duration::from_secs(25 * 60));
        // Staff sessions end after 30 idle minutes: everyone the test needs keeps theirs.
        for caller in [&w.instructor, &w.reviewer, &w.proctor, &w.admin] {
            assert_eq!(app.as_(caller).session().await.status(), 200);
        }
    }
    assert_eq!(app.as_(&w.instructor).set_window(w.course, w.open_exam, json!({})).await.status(), 200);

    assert_eq!(reopen(&w.reviewer, 10, "x").await.status(), 404, "instructors only");
    assert_eq!(reopen(&w.proctor, 10, "x").await.status(), 404);
    assert_eq!(reopen(&w.instructor, 0, "x").await.status(), 422);
    assert_eq!(reopen(&w.instructor, 241, "x").await.status(), 422);
    assert_eq!(reopen(&w.instructor, 10, "  ").await.status(), 422, "a reason is required");
    let reopened = reopen(&w.instructor, 10, "fire alarm: the student left mid-exam").await;
    assert_eq!(reopened.status(), 200);
    let reopened: Value = reopened.json().await.unwrap();
    assert_eq!(
        (reopened["submitted_at"].clone(), reopened["deadline_at"].clone()),
        (Value::Null, json!("2026-06-01T10:50:00.000Z"))
    );
    assert_eq!(reopen(&w.instructor, 10, "again").await.status(), 409, "open already");
    // A later recomputation (extra time, here) keeps the reopened time: it never cuts it back to the close.
    let more = json!({ "minutes": 5, "reason": "a slow computer" });
    assert_eq!(app.as_(&w.instructor).give_extra_time(w.course, w.open_exam, w.student_user, more).await.status(), 200);
    let rows: Value = app.as_(&w.instructor).exam_attempts(w.course, w.open_exam).await.json().await.unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["email"] == "student@physics.example").unwrap();
    assert_eq!(row["attempt"]["deadline_at"], "2026-06-01T10:50:00.000Z", "not cut back to 10:35: {row}");

    // The browser that submitted forgot the attempt: the student starts again and continues.
    let mut again = ExamClient::start(&app, &w.student, &w.open_exam.to_string()).await;
    assert_eq!(again.attempt, attempt);
    assert_eq!(again.codes[&question], "def add(a, b):\n    pass\na", "everything the server holds");
    again.type_text(&question, "b");
    again.flush(&app).await;
    let mut notices = app.state.notices().subscribe(w.physics, w.open_exam);
    clock.advance(Duration::from_secs(11 * 60));
    assert_eq!(submitted_at_deadline(&mut notices).await.to_string(), attempt, "submitted at its new deadline");

    let detail: Value = app
        .json_of(&w.instructor, &format!("/api/v1/courses/{}/exams/{}/attempts/{attempt}", w.course, w.open_exam))
        .await;
    let submissions = detail["submissions"].as_array().unwrap();
    assert_eq!(submissions.len(), 2, "{detail}");
    assert_eq!(submissions[0]["receipt"]["submission_id"], first_id.as_str(), "the first stays as it was");
    let second = &submissions[1]["receipt"];
    assert_eq!((second["number"].clone(), second["reason"].clone()), (json!(2), json!("reopened")));
    assert_eq!(second["previous_submission_id"], first_id.as_str());
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.reopen").await;
    assert_eq!(audit[0]["details"]["reason"], "fire alarm: the student left mid-exam");
    let timeline: Value =
        app.as_(&w.reviewer).timeline(w.course, w.open_exam, attempt.clone()).await.json().await.unwrap();
    assert!(
        timeline.as_array().unwrap().iter().any(|i| i["kind"] == "attempt.reopen"),
        "the reopening is on the timeline"
    );
    app.stop().await;
}
