//! Moving a running attempt to another computer: staff (an instructor, or a
//! proctor of the student's section) issue a one-time code, the student
//! types it on the new computer, that browser continues where the server
//! stands and the old one stops saving. The code is bounded: it works once,
//! for its attempt only, for 15 minutes and 5 wrong tries.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use serde_json::Value;

use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, spawn_app_with_clock};
use crate::people::world;

#[tokio::test]
async fn a_move_code_binds_the_new_computer_once_and_the_old_one_stops_saving() {
    let app = spawn_app_with_clock(Arc::new(ManualClock::new(EXAM_DAY))).await;
    let w = world(&app).await;
    let mut first = ExamClient::student(&app, &w).await;
    let question = first.question(0);
    first.type_text(&question, "abc");
    first.flush(&app).await;
    let issue = |caller| app.as_(caller).move_code(w.course, w.open_exam, first.attempt.clone());
    assert_eq!(issue(&w.reviewer).await.status(), 404, "reviewers read, they do not act");
    assert_eq!(issue(&w.other_proctor).await.status(), 404, "a proctor of another section");
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "no code, no move");
    let issued = issue(&w.proctor).await;
    assert_eq!(issued.status(), 201, "the student's proctor");
    let issued: Value = issued.json().await.unwrap();
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!((code.len(), &code[4..5]), (9, "-"), "{code}");
    assert_eq!(issued["expires_at"], "2026-06-01T09:15:00.000Z", "15 minutes");

    let wrong = app.as_(&w.student).start_moving(w.open_exam, "AAAA-AAAA").await;
    assert_eq!(wrong.status(), 409);
    let problem: Value = wrong.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("move code is not right"), "{problem}");
    // Typed as people type it: lower case, with a space instead of the dash.
    let typed = code.to_lowercase().replace('-', " ");
    let mut second = ExamClient::moved(&app, &w.student, &w.open_exam.to_string(), &typed).await;
    assert_eq!(second.attempt, first.attempt);
    assert_eq!(second.view["binding"]["next_seq"], 4, "the sequence continues after the server's");
    assert_eq!(second.codes[&question], "def add(a, b):\n    pass\nabc", "with everything saved so far");
    first.type_text(&question, "d");
    let old = first.post_raw(&app, &[first.queue[0].1.clone()], Some(first.commitment())).await;
    assert_eq!(old.status(), 403, "the old browser's binding is revoked");
    second.type_text(&question, "e");
    assert_eq!(second.flush(&app).await["acked_seq"], 4, "the new browser's first item is no duplicate");
    let again = app.as_(&w.student).start_moving(w.open_exam, &code).await;
    assert_eq!(again.status(), 409, "a code works once");

    let issued: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.move_code").await;
    assert_eq!(issued.as_array().unwrap().len(), 1);
    assert!(!issued.to_string().contains(&code), "the audit log never holds the code");
    let started: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.start").await;
    let moved = started.as_array().unwrap().iter().find(|e| e["details"]["moved"] == true).expect("the move");
    assert_eq!(issued[0]["actor_label"], "proctor@physics.example");
    assert_eq!(moved["details"]["move_code_issued_by"], issued[0]["actor"], "the move names who issued its code");
    app.stop().await;
}

#[tokio::test]
async fn a_move_code_is_void_after_five_wrong_tries_or_fifteen_minutes_and_never_opens_a_submitted_attempt() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let first = ExamClient::student(&app, &w).await;
    let first = &first;
    let issue = || async {
        let issued = app.as_(&w.instructor).move_code(w.course, w.open_exam, first.attempt.clone()).await;
        assert_eq!(issued.status(), 201);
        issued.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned()
    };
    let (app_ref, w) = (&app, &w);
    let try_code =
        |code: String| async move { app_ref.as_(&w.student).start_moving(w.open_exam, &code).await.status() };

    let code = issue().await;
    for _ in 0..5 {
        assert_eq!(try_code("ZZZZ-ZZZZ".into()).await, 409);
    }
    assert_eq!(try_code(code).await, 409, "five wrong tries void the code");

    let code = issue().await;
    clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(try_code(code).await, 409, "fifteen minutes later");

    let long = app.as_(&w.student).start_moving(w.open_exam, &"A".repeat(33)).await;
    assert_eq!(long.status(), 422, "an overlong code is refused unread");
    // The browser sends its JSON media type with an empty body on a plain start.
    let path = format!("/api/v1/me/exams/{}/start", w.open_exam);
    let empty = app.as_(&w.student).raw_text(&path, "application/json", "").await;
    assert_eq!(empty.status(), 409, "an empty body is a plain start (here: a second computer)");
    let text = app.as_(&w.student).raw_text(&path, "text/plain", "ABCD").await;
    assert_eq!(text.status(), 415);

    let code = issue().await;
    assert_eq!(first.submit(&app).await.status(), 200);
    assert_eq!(try_code(code).await, 409, "a submitted attempt moves nowhere");
    let after = app.as_(&w.instructor).move_code(w.course, w.open_exam, first.attempt.clone()).await;
    assert_eq!(after.status(), 409, "and gets no new code");
    app.stop().await;
}
