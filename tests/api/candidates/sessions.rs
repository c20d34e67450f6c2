//! A candidate's session ends, on the server, when the link's window ends
//! or the attempt is over: at once when the candidate submits; after the
//! late window when the server submitted at the deadline (the browser may
//! still hand in changes it can prove it queued in time, and read its
//! receipt), even when the window ended with the deadline. A student's
//! session is not touched by either.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::ExamId;
use serde_json::{Value, json};

use super::{issue_one, signed_in};
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app_with_clock};
use crate::people::{Caller, world};

const MINUTE: Duration = Duration::from_secs(60);

fn nine_o_clock() -> ManualClock {
    ManualClock::new(crate::helpers::EXAM_DAY)
}

/// What the server answers `caller` on their home page and on `exam`'s landing page.
async fn answers(app: &TestApp, caller: &Caller, exam: ExamId) -> (u16, u16) {
    let home = app.as_(caller).my_exams().await.status().as_u16();
    let landing = app.as_(caller).my_exam(exam).await;
    (home, landing.status().as_u16())
}

#[tokio::test]
async fn a_candidate_session_ends_when_the_link_window_ends_even_during_the_attempt() {
    let clock = nine_o_clock();
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T10:00:00Z").await;
    let (candidate, _) = signed_in(&app, &link).await;
    let mut client = ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;
    let question = client.question(0);
    clock.advance(30 * MINUTE);
    client.type_text(&question, "ab");
    client.flush(&app).await;
    clock.advance(29 * MINUTE);
    assert!(app.alive(&candidate).await, "one minute before the window ends");
    client.type_text(&question, "c");
    client.flush(&app).await;

    clock.advance(MINUTE);
    assert!(!app.alive(&candidate).await, "the window has ended (the attempt's deadline is 10:30)");
    client.type_text(&question, "d");
    let refused = client.post_raw(&app, &[client.queue[0].1.clone()], Some(client.commitment())).await;
    assert_eq!(refused.status(), 401, "the server refuses the session, not only the page");
    assert_eq!(answers(&app, &candidate, w.open_exam).await, (401, 401));
    assert_eq!(answers(&app, &w.student, w.open_exam).await, (200, 200), "students are not affected");
    app.stop().await;
}

#[tokio::test]
async fn a_candidate_session_ends_when_the_candidate_submits() {
    let app = spawn_app_with_clock(Arc::new(nine_o_clock())).await;
    let w = world(&app).await;
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let (candidate, _) = signed_in(&app, &link).await;
    let mut client = ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;
    let question = client.question(0);
    client.type_text(&question, "x");
    client.flush(&app).await;
    let submitted = client.submit(&app).await;
    assert_eq!(submitted.status(), 200, "the submission answers with the receipt");
    let receipt: Value = submitted.json().await.unwrap();
    assert_eq!(receipt["receipt"]["reason"], "student");

    assert!(!app.alive(&candidate).await, "the candidate is signed out by the submission");
    assert_eq!(answers(&app, &candidate, w.open_exam).await, (401, 401));
    assert_eq!(client.submit(&app).await.status(), 401, "not even the same call again");

    let mut student = ExamClient::student(&app, &w).await;
    student.type_text(&question, "y");
    student.flush(&app).await;
    assert_eq!(student.submit(&app).await.status(), 200);
    assert!(app.alive(&w.student).await, "a student stays signed in after submitting");
    app.stop().await;
}

#[tokio::test]
async fn a_candidate_session_ends_after_the_deadline_submission_and_its_late_window() {
    let clock = nine_o_clock();
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let (candidate, _) = signed_in(&app, &link).await;
    let mut client = ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;
    let question = client.question(0);
    client.type_text(&question, "ab");
    client.flush(&app).await;
    clock.advance(60 * MINUTE);
    assert!(app.alive(&candidate).await);
    client.type_text(&question, "c");
    client.flush(&app).await;

    // 10:31: the attempt's deadline (10:30) has passed and the sweeper
    // submits it, with no request of anyone.
    let mut notices = app.state.notices().subscribe(w.physics, w.open_exam);
    clock.advance(31 * MINUTE);
    let submitted = crate::helpers::submitted_at_deadline(&mut notices).await;
    assert_eq!(submitted.to_string(), client.attempt);
    let receipt = app.as_(&candidate).receipt(w.open_exam).await;
    assert_eq!(receipt.status(), 200, "inside the late window the candidate can read the receipt");
    assert_eq!(receipt.json::<Value>().await.unwrap()["receipt"]["reason"], "deadline");
    let heartbeat = client.post_raw(&app, &[], Some(client.commitment())).await;
    assert_eq!(heartbeat.status(), 200, "and the browser can still hand in what it queued in time");

    // 10:40: deadline plus the late window (10 minutes).
    clock.advance(9 * MINUTE);
    assert!(!app.alive(&candidate).await, "the session ends with the late window");
    assert_eq!(client.post_raw(&app, &[], Some(client.commitment())).await.status(), 401);
    assert_eq!(answers(&app, &candidate, w.open_exam).await, (401, 401));
    app.stop().await;
}

#[tokio::test]
async fn a_link_window_ending_with_the_deadline_still_leaves_the_late_window() {
    let clock = nine_o_clock();
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    // The window ends when the attempt's time is up (09:00 + 90 minutes).
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T10:30:00Z").await;
    let (candidate, _) = signed_in(&app, &link).await;
    let mut client = ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;
    let question = client.question(0);
    client.type_text(&question, "ab");
    client.flush(&app).await;

    // 10:31: past the window and the deadline, inside the late window.
    clock.advance(91 * MINUTE);
    assert!(app.alive(&candidate).await, "the late window after the deadline is the candidate's too");
    let heartbeat = client.post_raw(&app, &[], Some(client.commitment())).await;
    assert_eq!(heartbeat.status(), 200, "the browser can hand in what it queued in time");

    // 10:40: deadline plus the late window (10 minutes).
    clock.advance(9 * MINUTE);
    assert!(!app.alive(&candidate).await, "then the session ends");
    app.stop().await;
}

#[tokio::test]
async fn extending_the_exam_extends_the_links_that_ended_with_it() {
    let app = spawn_app_with_clock(Arc::new(nine_o_clock())).await;
    let w = world(&app).await;
    let exam = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let closes_at = app.json_of(&w.instructor, &exam).await["closes_at"].as_str().unwrap().to_owned();
    issue_one(&app, &w, w.open_exam, "With the exam", &closes_at).await;
    issue_one(&app, &w, w.open_exam, "Own window", "2026-06-01T11:00:00Z").await;
    let later = "2026-06-01T18:00:00Z";
    let extended = app.as_(&w.instructor).set_window(w.course, w.open_exam, json!({"closes_at": later})).await;
    assert_eq!(extended.status(), 200);
    let links: Value = app.json_of(&w.instructor, &format!("{exam}/candidates")).await;
    let until = |label: &str| {
        links.as_array().unwrap().iter().find(|l| l["label"] == label).unwrap()["valid_until"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(until("With the exam"), "2026-06-01T18:00:00.000Z", "a link that ended with the exam moves with it");
    assert_eq!(until("Own window"), "2026-06-01T11:00:00.000Z", "a window of its own stays");
    app.stop().await;
}
