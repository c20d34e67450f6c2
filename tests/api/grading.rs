//! Grading: the tests and submissions a grader's browser runs, the results it
//! stores per submission, question and test (tied to the code's and the
//! test's SHA-256), the points they give, and what is refused.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exam_client::ExamClient;
use crate::exams::as_sent;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};

const ANSWER: &str = "def add(a, b):\n    return a + b\n";

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The student's answer to the open exam's first question, submitted; returns the question.
pub async fn submitted(app: &TestApp, w: &World) -> String {
    let mut client = ExamClient::student(app, w).await;
    let question = client.question(0);
    client.edit_to(&question, ANSWER);
    client.flush(app).await;
    assert_eq!(client.submit(app).await.status(), 200);
    question
}

async fn grading(app: &TestApp, caller: &Caller, w: &World) -> Value {
    let response = app.as_(caller).grading(w.course, w.open_exam).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn stored_results(app: &TestApp, w: &World) -> i64 {
    let db = app.state.registry().org(w.physics).await.unwrap();
    db.read(|conn| Ok(conn.query_row("SELECT count(*) FROM grading_results", [], |r| r.get(0))?)).await.unwrap()
}

fn result(question: &str, test: &Value, outcome: &str) -> Value {
    json!({
        "question_id": question, "test_sha256": test["sha256"], "outcome": outcome,
        "expected": test["expected"], "actual": if outcome == "passed" { test["expected"].clone() } else { json!("-1") },
        "stdout": "", "stderr": "", "duration_ms": 12,
    })
}

#[tokio::test]
async fn results_are_stored_once_per_code_and_test_and_give_the_share_of_points() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let question = submitted(&app, &w).await;

    let before = grading(&app, &w.reviewer, &w).await;
    assert_eq!(before["max_points"], 5);
    let tests = before["questions"][0]["tests"].as_array().unwrap().clone();
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[1]["visibility"], "hidden");
    assert_eq!(tests[1]["expected"], "0", "graders get the hidden tests");
    let row = &before["submissions"][0];
    assert_eq!(row["email"], "student@physics.example");
    assert_eq!(row["scores"][0]["graded"], 0);
    assert!(row["total"].is_null(), "no total before every test has a result");
    let submission = row["submission_id"].as_str().unwrap().to_owned();

    let work: Value = app.as_(&w.reviewer).grading_work(w.course, w.open_exam, &submission).await.json().await.unwrap();
    assert_eq!(work["answers"][0]["code"], ANSWER);

    let report = json!([result(&question, &tests[0], "passed"), result(&question, &tests[1], "failed")]);
    let response = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, report.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["stored"], 2);
    // A closed tab sends its last results again: nothing is stored twice.
    let again = app.as_(&w.instructor).record_results(w.course, w.open_exam, &submission, report).await;
    assert_eq!(again.json::<Value>().await.unwrap()["stored"], 0);
    assert_eq!(stored_results(&app, &w).await, 2);

    let after = grading(&app, &w.instructor, &w).await;
    let score = &after["submissions"][0]["scores"][0];
    assert_eq!((score["graded"].as_u64(), score["passed"].as_u64()), (Some(2), Some(1)));
    assert_eq!(score["points"], 2.5, "5 points, one test of two passed");
    assert_eq!(after["submissions"][0]["total"], 2.5);
    let work: Value = app.as_(&w.reviewer).grading_work(w.course, w.open_exam, &submission).await.json().await.unwrap();
    let stored = &work["results"][0];
    assert_eq!(stored["code_sha256"], sha256(ANSWER));
    assert_eq!(stored["graded_by_name"].as_str().map(str::is_empty), Some(false), "who graded it");
    app.stop().await;
}

#[tokio::test]
async fn a_changed_test_is_graded_again_and_its_old_result_stays_beside_the_new() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let question = submitted(&app, &w).await;
    let before = grading(&app, &w.reviewer, &w).await;
    let submission = before["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let old = before["questions"][0]["tests"].as_array().unwrap().clone();
    let report = json!([result(&question, &old[0], "passed"), result(&question, &old[1], "passed")]);
    app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, report).await;
    assert_eq!(grading(&app, &w.reviewer, &w).await["submissions"][0]["total"], 5.0);

    // The instructor corrects the hidden test's expected value.
    let path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let mut edited = as_sent(&app.json_of(&w.instructor, &path).await);
    edited["questions"][0]["tests"][1]["expression"] = "add(-1, 2)".into();
    edited["questions"][0]["tests"][1]["expected"] = "1".into();
    let response = app.as_(&w.instructor).update_exam(w.course, w.open_exam, edited).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    let after = grading(&app, &w.reviewer, &w).await;
    let new = after["questions"][0]["tests"].as_array().unwrap().clone();
    assert_eq!(new[0]["sha256"], old[0]["sha256"], "an unchanged test keeps its results");
    assert_ne!(new[1]["sha256"], old[1]["sha256"]);
    assert_eq!(after["submissions"][0]["scores"][0]["graded"], 1, "the changed test waits to be graded again");
    assert!(after["submissions"][0]["total"].is_null());

    // The old test's result can no longer be sent; the new one can.
    let stale = json!([result(&question, &old[1], "passed")]);
    let refused = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, stale).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let fresh = json!([result(&question, &new[1], "failed")]);
    app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, fresh).await;
    let graded = grading(&app, &w.reviewer, &w).await;
    assert_eq!(graded["submissions"][0]["total"], 2.5);
    let work: Value = app.as_(&w.reviewer).grading_work(w.course, w.open_exam, &submission).await.json().await.unwrap();
    let shas: Vec<&str> =
        work["results"].as_array().unwrap().iter().map(|r| r["test_sha256"].as_str().unwrap()).collect();
    assert_eq!(shas.len(), 3, "the old result stays visible beside the new one");
    assert!(shas.contains(&old[1]["sha256"].as_str().unwrap()) && shas.contains(&new[1]["sha256"].as_str().unwrap()));
    app.stop().await;
}

#[tokio::test]
async fn bad_results_are_refused_whole_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let question = submitted(&app, &w).await;
    let before = grading(&app, &w.reviewer, &w).await;
    let submission = before["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let tests = before["questions"][0]["tests"].as_array().unwrap().clone();
    let good = result(&question, &tests[0], "passed");

    let mut long = result(&question, &tests[1], "failed");
    long["actual"] = "x".repeat(4001).into();
    let mut slow = result(&question, &tests[1], "timed_out");
    slow["duration_ms"] = 600_001.into();
    let mut odd = result(&question, &tests[1], "passed");
    odd["outcome"] = "probably".into();
    let too_many = Value::Array(vec![good.clone(); 3]);
    for (report, status) in [
        (json!([good.clone(), long]), 422),
        (json!([good.clone(), slow]), 422),
        (json!([good.clone(), odd]), 422),
        (too_many, 422),
    ] {
        let response = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, report).await;
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    // A submission that is not this exam's latest one.
    let elsewhere = "0190f3c2-a8e0-7c3e-8a6b-1d2f3e4a5b6c";
    let response = app.as_(&w.reviewer).record_results(w.course, w.open_exam, elsewhere, json!([good])).await;
    assert_eq!(response.status(), 404);
    assert_eq!(stored_results(&app, &w).await, 0, "nothing of a refused report is stored");
    app.stop().await;
}

#[tokio::test]
async fn a_submission_replaced_after_a_reopening_is_no_longer_graded() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let question = submitted(&app, &w).await;
    let first = grading(&app, &w.reviewer, &w).await;
    let replaced = first["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let attempt = first["submissions"][0]["attempt_id"].as_str().unwrap().to_owned();
    let tests = first["questions"][0]["tests"].as_array().unwrap().clone();

    let reopened = app.as_(&w.instructor).reopen(w.course, w.open_exam, attempt, 10, "submitted by mistake").await;
    assert_eq!(reopened.status(), 200);
    let mut again = ExamClient::student(&app, &w).await;
    again.edit_to(&question, "def add(a, b):\n    return b + a\n");
    again.flush(&app).await;
    assert_eq!(again.submit(&app).await.status(), 200);

    let after = grading(&app, &w.reviewer, &w).await;
    assert_eq!(after["submissions"].as_array().unwrap().len(), 1, "one row per attempt");
    let latest = after["submissions"][0]["submission_id"].as_str().unwrap();
    assert_ne!(latest, replaced, "the row is the new submission");
    assert_eq!(app.as_(&w.reviewer).grading_work(w.course, w.open_exam, &replaced).await.status(), 404);
    let report = json!([result(&question, &tests[0], "passed")]);
    let refused = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &replaced, report).await;
    assert_eq!(refused.status(), 404, "the replaced submission's grade would count for nothing");
    assert_eq!(stored_results(&app, &w).await, 0);
    app.stop().await;
}
