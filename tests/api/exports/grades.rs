//! The grades export holds the points grading shows, and the Moodle and
//! Canvas files their importers' layouts.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{csv_of, json_of, student_named};
use crate::exam_client::ExamClient;
use crate::grading::submitted;
use crate::helpers::spawn_app;
use crate::people::world;

fn result(question: &str, test: &Value, outcome: &str) -> Value {
    json!({ "question_id": question, "test_sha256": test["sha256"], "outcome": outcome,
            "expected": test["expected"], "actual": "", "stdout": "", "stderr": "", "duration_ms": 3 })
}

#[tokio::test]
async fn the_grades_hold_the_points_grading_shows_and_the_gradebooks_their_importers_layout() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let question = submitted(&app, &w).await;
    // Ada submits too, and is not graded yet.
    let ada = student_named(&app, &w, "ada@physics.example", "Ada Lovelace").await;
    let client = ExamClient::start(&app, &ada, &w.open_exam.to_string()).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    let grading: Value = app.as_(&w.instructor).grading(w.course, w.open_exam).await.json().await.unwrap();
    let tests = grading["questions"][0]["tests"].as_array().unwrap().clone();
    let student = grading["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "student@physics.example")
        .unwrap()["submission_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let report = json!([result(&question, &tests[0], "passed"), result(&question, &tests[1], "failed")]);
    let recorded = app.as_(&w.instructor).record_results(w.course, w.open_exam, &student, report).await;
    assert_eq!(recorded.status(), 200);
    let grading: Value = app.as_(&w.instructor).grading(w.course, w.open_exam).await.json().await.unwrap();
    let shown: BTreeMap<String, Value> = grading["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["email"].as_str().unwrap().to_owned(), s["total"].clone()))
        .collect();
    assert_eq!(shown["student@physics.example"], 2.5);
    assert!(shown["ada@physics.example"].is_null());

    let grades = csv_of(&app, &w, "grades.csv").await;
    assert_eq!(grades.rows.len(), 2, "one row per student who submitted");
    let full = grades.rows_where("student_email", "student@physics.example")[0];
    assert_eq!(full[grades.at("q1_points")], "2.5", "the points grading shows");
    assert_eq!(full[grades.at("total_points")], "2.5");
    assert_eq!(full[grades.at("max_points")], "5");
    let waiting = grades.rows_where("student_email", "ada@physics.example")[0];
    assert_eq!((waiting[grades.at("q1_points")].as_str(), waiting[grades.at("total_points")].as_str()), ("", ""));
    assert_eq!(waiting[grades.at("student_number")], "S-0042");
    let as_json = json_of(&app, &w, "grades.json").await;
    let by_email: BTreeMap<&str, &Value> = as_json.iter().map(|g| (g["student_email"].as_str().unwrap(), g)).collect();
    assert_eq!(by_email["student@physics.example"]["total_points"], shown["student@physics.example"]);
    assert_eq!(by_email["student@physics.example"]["q1_points"], 2.5);
    assert!(by_email["ada@physics.example"]["total_points"].is_null());

    let moodle = csv_of(&app, &w, "moodle.csv").await;
    assert_eq!(moodle.header, ["Full name", "ID number", "Email address", "Midterm"]);
    assert_eq!(moodle.rows_where("Email address", "student@physics.example")[0][3], "2.5");
    assert_eq!(moodle.rows_where("Email address", "ada@physics.example")[0][1], "S-0042");

    let canvas = csv_of(&app, &w, "canvas.csv").await;
    assert_eq!(canvas.header, ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Midterm"]);
    assert_eq!(canvas.rows[0], ["Points Possible", "", "", "", "", "5"], "the row Canvas reads points from");
    let row = canvas.rows_where("SIS Login ID", "student@physics.example")[0];
    assert_eq!((row[4].as_str(), row[5].as_str()), ("A", "2.5"));
    assert_eq!(canvas.rows.len(), 3);
    app.stop().await;
}
