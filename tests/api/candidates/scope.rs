//! A candidate account is for its link's exam only: the list, the landing
//! page and every route of taking an exam know no other exam of the
//! section, and no other exam's staff list it.

use examhall::domain::{ExamId, UserId};
use examhall::store::{attempts, exam_roster};
use reqwest::Method;
use serde_json::{Value, json};

use super::{another_open_exam, issue_one, signed_in};
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};

/// The ids of the exams `caller` lists on their home page.
async fn listed(app: &TestApp, caller: &Caller) -> Vec<String> {
    let exams: Value = app.json_of(caller, "/api/v1/me/exams").await;
    exams.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

/// The user ids in the staff's list of `exam`'s students.
async fn roster(app: &TestApp, w: &World, exam: ExamId) -> Vec<String> {
    let rows: Value = app.as_(&w.instructor).exam_attempts(w.course, exam).await.json().await.unwrap();
    rows.as_array().unwrap().iter().map(|r| r["user_id"].as_str().unwrap().to_owned()).collect()
}

/// Every student route of `exam`, with the secret of the candidate's own attempt.
async fn student_routes(app: &TestApp, caller: &Caller, exam: ExamId, secret: &str) -> Vec<(String, u16)> {
    let base = format!("/api/v1/me/exams/{exam}");
    let routes = [
        (Method::GET, base.clone(), None),
        (Method::POST, format!("{base}/start"), None),
        (Method::POST, format!("{base}/resume"), None),
        (Method::POST, format!("{base}/saves"), Some(json!({"items": []}))),
        (Method::POST, format!("{base}/submit"), Some(json!({"seq": 0}))),
        (Method::GET, format!("{base}/receipt"), None),
    ];
    let mut answers = Vec::new();
    for (method, path, body) in routes {
        let mut request = app
            .client
            .request(method.clone(), app.url(&path))
            .header("cookie", &caller.cookie)
            .header("x-csrf-token", &caller.csrf)
            .header("x-exam-secret", secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answers.push((format!("{method} {path}"), request.send().await.unwrap().status().as_u16()));
    }
    answers
}

#[tokio::test]
async fn a_candidate_sees_opens_and_starts_only_the_exam_of_their_link() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let quiz = another_open_exam(&app, &w).await;
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let (candidate, candidate_id) = signed_in(&app, &link).await;

    let mut students_list = listed(&app, &w.student).await;
    students_list.sort();
    let mut both = vec![w.open_exam.to_string(), quiz.to_string()];
    both.sort();
    assert_eq!(students_list, both, "a student of the section sees both exams");
    assert_eq!(listed(&app, &candidate).await, [w.open_exam.to_string()], "the candidate only their link's");

    let own = ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;
    for (route, status) in student_routes(&app, &candidate, quiz, &own.secret).await {
        assert_eq!(status, 404, "{route}: another exam of the section is unknown to the candidate");
    }
    let resumed = own.post(&app, "resume", String::new()).await;
    assert_eq!(resumed.status(), 200, "their own exam works with the same session and secret");
    let nothing_started = app
        .state
        .registry()
        .org(w.physics)
        .await
        .unwrap()
        .read(move |conn| attempts::find(conn, quiz, UserId::parse(&candidate_id).unwrap()))
        .await
        .unwrap();
    assert!(nothing_started.is_none(), "no attempt at the other exam");
    app.stop().await;
}

#[tokio::test]
async fn staff_of_another_exam_never_list_a_candidate() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let quiz = another_open_exam(&app, &w).await;
    let link = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let (candidate, candidate_id) = signed_in(&app, &link).await;
    ExamClient::start(&app, &candidate, &w.open_exam.to_string()).await;

    assert!(roster(&app, &w, w.open_exam).await.contains(&candidate_id), "the candidate's own exam lists them");
    let quiz_roster = roster(&app, &w, quiz).await;
    assert!(!quiz_roster.contains(&candidate_id), "another exam of the section does not: {quiz_roster:?}");
    assert!(quiz_roster.contains(&w.student_user.to_string()), "its students are listed");

    // The store's list is what every staff view of an exam's students reads.
    let db = app.state.registry().org(w.physics).await.unwrap();
    let now = app.state.clock().now();
    let students = db
        .read(move |conn| {
            let exam = attempts::exam_of(conn, quiz, now)?.unwrap();
            exam_roster::students(conn, &exam, exam_roster::Whose::default())
        })
        .await
        .unwrap();
    assert!(!students.is_empty(), "the section's own student is listed");
    assert!(students.iter().all(|s| s.user_id.to_string() != candidate_id), "{students:?}");
    assert!(students.iter().all(|s| !s.email.ends_with("@candidates.invalid")), "no internal address: {students:?}");
    app.stop().await;
}
