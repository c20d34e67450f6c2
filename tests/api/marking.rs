//! Marking beside the tests: a question's scheme (test weights, rubric),
//! graders' marks (rubric items, overrides, feedback) with their history,
//! anonymous marking, a second marker, and releasing results to students,
//! who then see their own points and never a hidden test.

use serde_json::{Value, json};
use sha2::Digest as _;

use crate::grading::submitted;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};

async fn grading(app: &TestApp, caller: &Caller, w: &World) -> Value {
    let response = app.as_(caller).grading(w.course, w.open_exam).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Both tests of the submitted answer graded: the visible one passed, the hidden one failed.
async fn graded(app: &TestApp, w: &World) -> (String, String, Value) {
    let question = submitted(app, w).await;
    let before = grading(app, &w.reviewer, w).await;
    let submission = before["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let tests = before["questions"][0]["tests"].clone();
    let result = |test: &Value, outcome: &str| {
        json!({"question_id": question, "test_sha256": test["sha256"], "outcome": outcome,
               "expected": test["expected"], "actual": "3", "stdout": "", "stderr": "", "duration_ms": 3})
    };
    let report = json!([result(&tests[0], "passed"), result(&tests[1], "failed")]);
    let response = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, report).await;
    assert_eq!(response.status(), 200);
    (question, submission, tests)
}

async fn count(app: &TestApp, w: &World, sql: &'static str) -> i64 {
    let db = app.state.registry().org(w.physics).await.unwrap();
    db.read(move |conn| Ok(conn.query_row(sql, [], |r| r.get(0))?)).await.unwrap()
}

async fn close(app: &TestApp, w: &World) {
    let response = app.as_(&w.instructor).set_window(w.course, w.open_exam, json!({})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_scheme_a_rubric_and_an_override_give_the_points_and_every_mark_stays_in_the_history() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (question, submission, _) = graded(&app, &w).await;
    let score = |g: &Value| g["submissions"][0]["scores"][0].clone();
    assert_eq!(score(&grading(&app, &w.reviewer, &w).await)["points"], 2.5, "equal weights: one test of two");

    // Test 2 weighs three times test 1, and a rubric item takes 1 of the 5 points.
    let scheme = json!({"test_weights": [1, 3], "rubric": [{"description": "Names say what they hold", "points": 1}]});
    let refused = app.as_(&w.reviewer).set_scheme(w.course, w.open_exam, &question, scheme.clone()).await;
    assert_eq!(refused.status(), 404, "only instructors set schemes");
    let set = app.as_(&w.instructor).set_scheme(w.course, w.open_exam, &question, scheme).await;
    assert_eq!(set.status(), 204, "{}", set.text().await.unwrap());
    let now = score(&grading(&app, &w.reviewer, &w).await);
    assert_eq!(now["test_points"], 1.0, "the tests share 4 points, test 1 a quarter of them");
    assert!(now["points"].is_null(), "the rubric waits for a grader");

    let mark = json!({"question_id": question, "rubric": [0], "feedback": "Clear names.\nGood."});
    let given = app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, mark).await;
    assert_eq!(given.status(), 204, "{}", given.text().await.unwrap());
    let now = score(&grading(&app, &w.reviewer, &w).await);
    assert_eq!((now["points"].as_f64(), now["source"].as_str()), (Some(2.0), Some("computed")));
    assert_eq!(now["feedback"], true);

    let overridden = json!({"question_id": question, "rubric": [0], "points": 4.5, "feedback": "Regraded by hand."});
    assert_eq!(app.as_(&w.instructor).mark(w.course, w.open_exam, &submission, overridden).await.status(), 204);
    let after = grading(&app, &w.instructor, &w).await;
    assert_eq!((score(&after)["points"].as_f64(), score(&after)["source"].as_str()), (Some(4.5), Some("override")));
    assert_eq!(after["submissions"][0]["total"], 4.5);

    let work: Value = app.as_(&w.reviewer).grading_work(w.course, w.open_exam, &submission).await.json().await.unwrap();
    let marks = work["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 2, "the earlier mark stays in the history");

    // The rubric's item is reworded: its award waits for a grader again (an
    // award never lands on an item it was not given for).
    let reworded = json!({"test_weights": [1, 3], "rubric": [{"description": "Names say what they do", "points": 1}]});
    assert_eq!(app.as_(&w.instructor).set_scheme(w.course, w.open_exam, &question, reworded).await.status(), 204);
    let stale = score(&grading(&app, &w.instructor, &w).await);
    assert_eq!(
        (stale["rubric_points"].clone(), stale["points"].as_f64()),
        (Value::Null, Some(4.5)),
        "the override stands"
    );
    assert_eq!((marks[0]["marked_by_name"].as_str().is_some(), marks[1]["points"].as_f64()), (true, Some(4.5)));
    assert_eq!(count(&app, &w, "SELECT count(*) FROM audit_log WHERE action = 'grading.mark'").await, 2);
    assert_eq!(count(&app, &w, "SELECT count(*) FROM audit_log WHERE action = 'grading.scheme'").await, 2);
    let words = "SELECT count(*) FROM audit_log WHERE details LIKE '%Names say%'";
    assert_eq!(count(&app, &w, words).await, 0, "the audit names the rubric by hash, not its words");
    app.stop().await;
}

#[tokio::test]
async fn marks_and_schemes_that_do_not_fit_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (question, submission, _) = graded(&app, &w).await;
    let bad_marks = [
        json!({"question_id": question, "rubric": [0]}),
        json!({"question_id": question, "points": 5.01}),
        json!({"question_id": question, "points": 1.005}),
        json!({"question_id": question, "feedback": "x".repeat(4001)}),
        json!({"question_id": question, "marker": "second", "points": 1}),
        json!({"question_id": question, "points": 1, "graded_by": "someone else"}),
    ];
    for mark in bad_marks {
        let response = app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, mark.clone()).await;
        assert_eq!(response.status(), 422, "{mark}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let unknown = json!({"question_id": "00000000-0000-7000-8000-000000000000", "points": 1});
    assert_eq!(app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, unknown).await.status(), 404);
    let bad_schemes = [
        json!({"test_weights": [1], "rubric": []}),
        json!({"test_weights": [1, 1], "rubric": [{"description": "Everything", "points": 6}]}),
        json!({"test_weights": [0, 0], "rubric": [{"description": "Half", "points": 2}]}),
        json!({"test_weights": [1, 101], "rubric": []}),
        json!({"test_weights": [1, 1], "rubric": [{"description": "", "points": 1}]}),
    ];
    for scheme in bad_schemes {
        let response = app.as_(&w.instructor).set_scheme(w.course, w.open_exam, &question, scheme.clone()).await;
        assert_eq!(response.status(), 422, "{scheme}");
    }
    assert_eq!(count(&app, &w, "SELECT count(*) FROM grading_marks").await, 0);
    assert_eq!(count(&app, &w, "SELECT count(*) FROM question_schemes").await, 0);
    assert_eq!(count(&app, &w, "SELECT count(*) FROM audit_log WHERE action LIKE 'grading.%'").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn released_results_show_the_student_their_points_and_feedback_and_never_a_hidden_test() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (question, submission, tests) = graded(&app, &w).await;
    let before: Value = app.as_(&w.student).my_results(w.open_exam).await.json().await.unwrap();
    assert_eq!(
        before,
        json!({"released": false, "submitted": false, "released_at": null, "total": null,
                              "max_points": null, "questions": []})
    );
    let mark = json!({"question_id": question, "feedback": "Check negative numbers."});
    app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, mark).await;

    let early = app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await;
    assert_eq!(early.status(), 409, "not before the exam closes");
    close(&app, &w).await;
    assert_eq!(app.as_(&w.reviewer).release_results(w.course, w.open_exam, true).await.status(), 404);
    let released = app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await;
    assert_eq!(released.status(), 204, "{}", released.text().await.unwrap());
    assert_eq!(app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await.status(), 409);
    // Nothing the students see changes while released: withdraw first.
    let reopen = json!({"closes_at": "2026-06-01T16:30:00Z"});
    assert_eq!(app.as_(&w.instructor).set_window(w.course, w.open_exam, reopen).await.status(), 409);
    let late = json!({"question_id": question, "points": 5});
    assert_eq!(app.as_(&w.instructor).mark(w.course, w.open_exam, &submission, late).await.status(), 409);
    let scheme = json!({"test_weights": [1, 1], "rubric": []});
    assert_eq!(app.as_(&w.instructor).set_scheme(w.course, w.open_exam, &question, scheme).await.status(), 409);

    let response = app.as_(&w.student).my_results(w.open_exam).await;
    let text = response.text().await.unwrap();
    let mine: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (mine["released"].as_bool(), mine["total"].as_f64(), mine["max_points"].as_u64()),
        (Some(true), Some(2.5), Some(5))
    );
    let q = &mine["questions"][0];
    assert_eq!(q["feedback"], "Check negative numbers.");
    assert_eq!(q["visible_tests"].as_array().unwrap().len(), 1);
    assert_eq!(q["visible_tests"][0]["outcome"], "passed");
    assert!(q["hidden_tests"].is_null(), "hidden counts are off by default");
    let hidden = tests[1]["expression"].as_str().unwrap();
    assert!(!text.contains(hidden), "the hidden test's code never reaches the student: {text}");
    assert!(!text.contains(tests[1]["sha256"].as_str().unwrap()));

    let options = json!({"anonymous": false, "second_marker": false, "hidden_counts": true});
    assert_eq!(app.as_(&w.instructor).marking_options(w.course, w.open_exam, options).await.status(), 204);
    let counted: Value = app.as_(&w.student).my_results(w.open_exam).await.json().await.unwrap();
    assert_eq!(counted["questions"][0]["hidden_tests"], json!({"passed": 0, "total": 1}));

    // Another section's student cannot see this exam at all.
    assert_eq!(app.as_(&w.other_student).my_results(w.open_exam).await.status(), 404);

    assert_eq!(app.as_(&w.instructor).release_results(w.course, w.open_exam, false).await.status(), 204);
    let withdrawn: Value = app.as_(&w.student).my_results(w.open_exam).await.json().await.unwrap();
    assert_eq!(
        (withdrawn["released"].as_bool(), withdrawn["questions"].as_array().map(Vec::len)),
        (Some(false), Some(0))
    );
    let audited = "SELECT count(*) FROM audit_log WHERE action IN ('grading.release', 'grading.withdraw')";
    assert_eq!(count(&app, &w, audited).await, 2);
    app.stop().await;
}

#[tokio::test]
async fn release_waits_for_every_submission_to_have_points() {
    let app = spawn_app().await;
    let w = world(&app).await;
    submitted(&app, &w).await;
    close(&app, &w).await;
    let refused = app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("1 submission(s) have no points yet"));
    assert_eq!(count(&app, &w, "SELECT count(*) FROM result_releases").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn anonymous_marking_hides_names_from_graders_until_release() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (question, submission, _) = graded(&app, &w).await;
    let options = json!({"anonymous": true, "second_marker": true, "hidden_counts": false});
    assert_eq!(app.as_(&w.reviewer).marking_options(w.course, w.open_exam, options.clone()).await.status(), 404);
    assert_eq!(app.as_(&w.instructor).marking_options(w.course, w.open_exam, options.clone()).await.status(), 204);

    for caller in [&w.reviewer, &w.instructor] {
        let text = app.as_(caller).grading(w.course, w.open_exam).await.text().await.unwrap();
        assert!(!text.contains("student@physics.example"), "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        let row = &body["submissions"][0];
        assert!(row["name"].as_str().unwrap().starts_with("Candidate "));
        assert!(row["user_id"].is_null() && row["email"].is_null());
        assert!(row["attempt_id"].is_null() && row["submitted_at"].is_null(), "the attempt's pages name the student");
        let work = app.as_(caller).grading_work(w.course, w.open_exam, &submission).await.text().await.unwrap();
        assert!(!work.contains("student@physics.example"), "{work}");
        let work: Value = serde_json::from_str(&work).unwrap();
        assert!(work["attempt_id"].is_null() && work["name"] == row["name"]);
    }
    // The label is keyed with the exam's secret: not the plain hash of the attempt.
    let attempt: String = {
        let db = app.state.registry().org(w.physics).await.unwrap();
        db.read(|conn| Ok(conn.query_row("SELECT id FROM exam_sessions LIMIT 1", [], |r| r.get(0))?)).await.unwrap()
    };
    let label = grading(&app, &w.reviewer, &w).await["submissions"][0]["name"].as_str().unwrap().to_owned();
    let plain = hex::encode(sha2::Sha256::digest(format!("{}:{attempt}", w.open_exam).as_bytes()));
    assert!(!label.to_lowercase().ends_with(&plain[..6]) && label.len() == "Candidate ".len() + 8, "{label}");
    // Grades cannot be exported under a label either.
    assert_eq!(app.as_(&w.instructor).export(w.course, w.open_exam, "grades.csv").await.status(), 409);

    // A second marker's points stand beside the first's, the difference listed.
    let first = json!({"question_id": question, "points": 3});
    let second = json!({"question_id": question, "marker": "second", "points": 4});
    assert_eq!(app.as_(&w.instructor).mark(w.course, w.open_exam, &submission, first).await.status(), 204);
    let own = app.as_(&w.instructor).mark(w.course, w.open_exam, &submission, second.clone()).await;
    assert_eq!(own.status(), 422, "a second opinion needs a second person");
    assert_eq!(app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, second).await.status(), 204);
    let score = grading(&app, &w.instructor, &w).await["submissions"][0]["scores"][0].clone();
    assert_eq!((score["points"].as_f64(), score["second_points"].as_f64()), (Some(3.0), Some(4.0)));
    assert_eq!(score["markers_differ"], true);

    close(&app, &w).await;
    assert_eq!(app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await.status(), 204);
    let named = grading(&app, &w.reviewer, &w).await;
    assert_eq!(named["submissions"][0]["email"], "student@physics.example", "names return with the release");
    let off = json!({"anonymous": false, "second_marker": true, "hidden_counts": false});
    assert_eq!(app.as_(&w.instructor).marking_options(w.course, w.open_exam, off).await.status(), 204);
    let late = app.as_(&w.instructor).marking_options(w.course, w.open_exam, options).await;
    assert_eq!(late.status(), 409, "the names were seen: anonymity cannot come back");
    app.stop().await;
}
