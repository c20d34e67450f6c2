//! A candidate who closed the browser before submitting gets back in: staff
//! issue their link again, the old link and browser stop working, and the
//! new browser takes the same attempt over through the device binding
//! every move uses, continuing where the server stands.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use serde_json::{Value, json};

use super::{issue_one, signed_in, token_path};
use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, TestApp, spawn_app, spawn_app_with_clock};
use crate::people::{Caller, World, world};

/// Issues `link` again, as `caller` (the world's open exam).
async fn reissue(app: &TestApp, w: &World, caller: &Caller, link: &Value) -> reqwest::Response {
    app.as_(caller).reissue_candidate(w.course, w.open_exam, link["id"].as_str().unwrap()).await
}

/// Each link's label and status, oldest first.
async fn statuses(app: &TestApp, w: &World) -> Vec<(String, String)> {
    let listed: Value = app.as_(&w.instructor).candidates(w.course, w.open_exam).await.json().await.unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["label"].as_str().unwrap().to_owned(), l["status"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_link_issued_again_lets_the_candidate_continue_the_same_attempt_on_a_new_browser() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let first_link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let (first_browser, candidate_id) = signed_in(&app, &first_link).await;
    let mut first = ExamClient::start(&app, &first_browser, &w.open_exam.to_string()).await;
    let question = first.question(0);
    first.type_text(&question, "abc");
    first.flush(&app).await;

    assert_eq!(reissue(&app, &w, &w.reviewer, &first_link).await.status(), 404, "instructors only");
    let response = reissue(&app, &w, &w.instructor, &first_link).await;
    assert_eq!(response.status(), 201);
    let second_link: Value = response.json().await.unwrap();
    assert_ne!(second_link["link"], first_link["link"]);
    assert_eq!(
        (&second_link["label"], &second_link["valid_from"], &second_link["valid_until"]),
        (&first_link["label"], &first_link["valid_from"], &first_link["valid_until"]),
        "the same candidate and window"
    );
    assert!(!app.alive(&first_browser).await, "the old browser is signed out");
    assert_eq!(first.post_raw(&app, &[], Some(first.commitment())).await.status(), 401);
    assert_eq!(
        statuses(&app, &w).await,
        [("Ada Guest".to_owned(), "replaced".to_owned()), ("Ada Guest".to_owned(), "active".to_owned())]
    );
    assert_eq!(reissue(&app, &w, &w.instructor, &first_link).await.status(), 409, "replaced already");

    let (second_browser, same_account) = signed_in(&app, &second_link).await;
    assert_eq!(same_account, candidate_id, "the new link signs in the same candidate");
    let landing: Value = app.json_of(&second_browser, &format!("/api/v1/me/exams/{}", w.open_exam)).await;
    assert_eq!(
        (&landing["attempt"]["id"], &landing["attempt"]["move_allowed"]),
        (&first.view["attempt"]["id"], &Value::Bool(true))
    );
    let mut second = ExamClient::start(&app, &second_browser, &w.open_exam.to_string()).await;
    assert_eq!(second.attempt, first.attempt, "the same attempt, not a new one");
    assert_eq!(second.view["binding"]["next_seq"], 4, "continuing the sequence where the server stands");
    assert_eq!(second.codes[&question], "def add(a, b):\n    pass\nabc", "with everything saved so far");
    second.type_text(&question, "d");
    assert_eq!(second.flush(&app).await["acked_seq"], 4);
    let receipt: Value = second.submit(&app).await.json().await.unwrap();
    assert_eq!(receipt["receipt"]["log_seq"], 4);

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=candidate_link.reissue").await;
    let entry = &audit.as_array().unwrap()[0];
    assert_eq!(
        (&entry["target"], &entry["actor_label"]),
        (&second_link["id"], &Value::from("instructor@physics.example"))
    );
    assert_eq!(
        (&entry["details"]["replaces"], &entry["details"]["attempt_moved"]),
        (&first_link["id"], &first.view["attempt"]["id"])
    );
    let moves: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.allow_move").await;
    assert_eq!(moves[0]["target"], first.view["attempt"]["id"], "the move is the attempt's own entry too: {moves}");

    let refused = reissue(&app, &w, &w.instructor, &second_link).await;
    assert_eq!(refused.status(), 409, "nothing to continue once submitted");
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("Ada Guest has submitted"), "{problem}");
    app.stop().await;
}

#[tokio::test]
async fn an_unused_link_issued_again_stops_working_and_the_new_one_starts_the_exam() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let lost = issue_one(&app, &w, w.open_exam, "Bo Guest", "2026-06-01T16:00:00Z").await;
    let response = reissue(&app, &w, &w.instructor, &lost).await;
    assert_eq!(response.status(), 201);
    let new_link: Value = response.json().await.unwrap();
    let old = super::redeem(&app, &lost).await;
    assert_eq!(old.status(), 404, "the lost paper opens nothing");
    assert_eq!(app.get(&token_path(&lost)).await.status(), 404);
    let (browser, _) = signed_in(&app, &new_link).await;
    let client = ExamClient::start(&app, &browser, &w.open_exam.to_string()).await;
    assert_eq!(client.view["binding"]["next_seq"], 1, "a new attempt, as with any first link");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=candidate_link.reissue").await;
    assert_eq!(audit[0]["details"]["attempt_moved"], Value::Null, "there was no attempt to move");
    app.stop().await;
}

#[tokio::test]
async fn a_reopened_candidate_signs_in_with_a_link_issued_again_even_after_their_window_ended() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    // The link's own window ends at 10:00, before the exam closes.
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T10:00:00Z").await;
    let (first_browser, candidate_id) = signed_in(&app, &link).await;
    let mut first = ExamClient::start(&app, &first_browser, &w.open_exam.to_string()).await;
    let question = first.question(0);
    first.type_text(&question, "abc");
    first.flush(&app).await;
    assert_eq!(first.submit(&app).await.status(), 200, "submitted by mistake");
    assert!(!app.alive(&first_browser).await);

    // 10:15: the window has ended; the instructor reopens the attempt for 20 minutes.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(25 * 60));
        for caller in [&w.instructor, &w.admin] {
            assert_eq!(app.as_(caller).session().await.status(), 200);
        }
    }
    let rows: Value = app.as_(&w.instructor).exam_attempts(w.course, w.open_exam).await.json().await.unwrap();
    let candidate_of = |rows: &Value, id: &str| {
        rows.as_array().unwrap().iter().find(|r| r["user_id"] == id).map(|r| r["candidate"].clone())
    };
    assert_eq!(candidate_of(&rows, &candidate_id), Some(json!(true)), "staff see who signs in with a link");
    assert_eq!(candidate_of(&rows, &w.student_user.to_string()), Some(json!(false)));
    let reopened = app.as_(&w.instructor).reopen(w.course, w.open_exam, first.attempt.clone(), 20, "fire alarm").await;
    assert_eq!(reopened.status(), 200);
    assert!(!app.alive(&first_browser).await, "the session the submission ended stays ended");
    let listed: Value = app.as_(&w.instructor).candidates(w.course, w.open_exam).await.json().await.unwrap();
    assert_eq!(listed[0]["valid_until"], "2026-06-01T10:35:00.000Z", "the window lasts as long as the attempt");

    let response = reissue(&app, &w, &w.instructor, &link).await;
    assert_eq!(response.status(), 201, "a new link can be issued after the old window ended");
    let second_link: Value = response.json().await.unwrap();
    assert_eq!(second_link["valid_until"], "2026-06-01T10:35:00.000Z");
    let (second_browser, same_account) = signed_in(&app, &second_link).await;
    assert_eq!(same_account, candidate_id);
    let mut second = ExamClient::start(&app, &second_browser, &w.open_exam.to_string()).await;
    assert_eq!(second.attempt, first.attempt, "the same attempt");
    assert_eq!(second.codes[&question], "def add(a, b):\n    pass\nabc", "with everything the server holds");
    second.type_text(&question, "d");
    second.flush(&app).await;
    let receipt: Value = second.submit(&app).await.json().await.unwrap();
    assert_eq!(receipt["receipt"]["number"], 2, "{receipt}");
    assert!(!app.alive(&second_browser).await, "and the submission signs them out again");

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.reopen").await;
    assert_eq!(audit[0]["details"]["candidate_signed_out"], true, "{audit}");
    app.stop().await;
}
