//! The front end's TypeScript API types, checked against what the real
//! server sends: for each response the page reads, every field its
//! interface declares as always there is there. A field renamed or dropped
//! on either side fails here, not in a student's browser.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, world};

/// An interface's required fields, optional fields and the interfaces it extends.
type Declared = (BTreeSet<String>, BTreeSet<String>, Vec<String>);

/// Every `export interface` of the front end's API files: its required and
/// optional fields (`extends` followed), by name.
fn interfaces() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/src/api");
    let mut declared: BTreeMap<String, Declared> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for block in text.split("export interface ").skip(1) {
            let (head, body) = block.split_once('{').unwrap();
            let mut head = head.split_whitespace();
            // `Rule<T>` is checked as `Rule`.
            let name = head.next().unwrap().split('<').next().unwrap().to_owned();
            let parents: Vec<String> = match head.next() {
                Some("extends") => {
                    head.flat_map(|p| p.split(',')).filter(|p| !p.is_empty()).map(str::to_owned).collect()
                }
                _ => Vec::new(),
            };
            let (mut required, mut optional, mut depth) = (BTreeSet::new(), BTreeSet::new(), 1_usize);
            for line in body.lines() {
                let trimmed = line.trim();
                let is_field = depth == 1 && !trimmed.starts_with("/*") && !trimmed.starts_with('*');
                if let Some((field, _)) = trimmed.split_once(':').filter(|_| is_field) {
                    match field.strip_suffix('?') {
                        Some(field) => optional.insert(field.to_owned()),
                        None => required.insert(field.to_owned()),
                    };
                }
                depth += trimmed.matches('{').count();
                depth = depth.saturating_sub(trimmed.matches('}').count());
                if depth == 0 {
                    break;
                }
            }
            declared.insert(name, (required, optional, parents));
        }
    }
    let names: Vec<String> = declared.keys().cloned().collect();
    names
        .into_iter()
        .map(|name| {
            let (mut required, mut optional, mut parents) = declared[&name].clone();
            while let Some(parent) = parents.pop() {
                let (r, o, p) = &declared[&parent];
                required.extend(r.iter().cloned());
                optional.extend(o.iter().cloned());
                parents.extend(p.iter().cloned());
            }
            (name, (required, optional))
        })
        .collect()
}

/// Fails with the fields of `interface` that `value` lacks.
/// Each interface's required and optional fields.
type Interfaces = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

fn conforms(types: &Interfaces, interface: &str, value: &Value, at: &str) {
    let (required, _) = types.get(interface).unwrap_or_else(|| panic!("no interface {interface}"));
    let object = value.as_object().unwrap_or_else(|| panic!("{at}: not an object: {value}"));
    let missing: Vec<&String> = required.iter().filter(|f| !object.contains_key(*f)).collect();
    assert!(missing.is_empty(), "{at} lacks what `{interface}` declares: {missing:?} in {value}");
}

/// The first element of an array `value` (which must not be empty).
fn first<'a>(value: &'a Value, at: &str) -> &'a Value {
    value.as_array().and_then(|a| a.first()).unwrap_or_else(|| panic!("{at}: an empty list proves nothing"))
}

/// The org admin's backup and retention pages.
async fn org_admin_views(app: &TestApp, types: &Interfaces, w: &crate::people::World) {
    let backups = get(app, &w.admin, "/api/v1/org/backups").await;
    conforms(types, "BackupStatus", &backups, "GET /api/v1/org/backups");
    conforms(types, "ExamBackups", first(&backups["exams"], "exams"), "an exam's backups");
    let policy = json!({"evidence_days": 60, "exam_days": 365});
    assert_eq!(app.as_(&w.admin).set_retention(policy).await.status(), 204);
    assert_eq!(app.as_(&w.admin).hold_exam(w.open_exam, "appeal 12").await.status(), 204);
    let retention = get(app, &w.admin, "/api/v1/org/retention").await;
    conforms(types, "RetentionView", &retention, "GET /api/v1/org/retention");
    conforms(types, "LegalHold", first(&retention["holds"], "holds"), "a legal hold");
    conforms(types, "HoldableExam", first(&retention["exams"], "exams"), "an exam to hold");
    conforms(types, "RetentionUpdated", &retention["updated"], "who set the policy");
}

async fn get(app: &TestApp, caller: &Caller, path: &str) -> Value {
    app.json_of(caller, path).await
}

#[tokio::test]
async fn every_response_the_page_reads_has_the_fields_its_typescript_type_declares() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let types = interfaces();
    assert!(types.len() > 30, "the interfaces are read: {:?}", types.keys());

    let session = get(&app, &w.student, "/api/v1/session").await;
    conforms(&types, "SessionView", &session, "GET /api/v1/session");
    conforms(&types, "Grant", first(&session["roles"], "roles"), "a role");
    conforms(&types, "SessionItem", first(&get(&app, &w.student, "/api/v1/sessions").await, "sessions"), "a session");
    conforms(&types, "Org", first(&get(&app, &w.platform, "/api/v1/platform/orgs").await, "orgs"), "an org");
    conforms(&types, "OrgUser", first(&get(&app, &w.admin, "/api/v1/org/users").await, "users"), "a user");
    let courses = get(&app, &w.admin, "/api/v1/org/courses").await;
    conforms(&types, "Course", first(&courses, "courses"), "a course");
    conforms(&types, "Section", first(&first(&courses, "courses")["sections"], "sections"), "a section");
    conforms(&types, "Grant", first(&get(&app, &w.admin, "/api/v1/org/grants").await, "grants"), "a grant");
    conforms(&types, "AuditEntry", first(&get(&app, &w.admin, "/api/v1/org/audit").await, "audit"), "an entry");
    org_admin_views(&app, &types, &w).await;
    conforms(
        &types,
        "MyCourse",
        first(&get(&app, &w.instructor, "/api/v1/me/courses").await, "my courses"),
        "a course",
    );

    let exam_path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let exam = get(&app, &w.instructor, &exam_path).await;
    conforms(&types, "Exam", &exam, "an exam");
    let question = first(&exam["questions"], "questions");
    conforms(&types, "ExamQuestion", question, "a question");
    conforms(&types, "ExamTest", first(&question["tests"], "tests"), "a test");
    conforms(
        &types,
        "Exam",
        first(&get(&app, &w.instructor, &format!("/api/v1/courses/{}/exams", w.course)).await, "exams"),
        "a listed exam",
    );

    let landing = get(&app, &w.student, &format!("/api/v1/me/exams/{}", w.open_exam)).await;
    conforms(&types, "ExamLanding", &landing, "the landing page");
    let mut client = ExamClient::student(&app, &w).await;
    conforms(&types, "AttemptView", &client.view, "the start");
    conforms(&types, "Attempt", &client.view["attempt"], "the attempt");
    conforms(&types, "Binding", &client.view["binding"], "the binding");
    conforms(&types, "AttemptQuestion", first(&client.view["questions"], "questions"), "a question");
    conforms(&types, "VisibleTest", first(&client.view["questions"][0]["tests"], "visible tests"), "a visible test");
    conforms(&types, "MyExam", first(&get(&app, &w.student, "/api/v1/me/exams").await, "my exams"), "a listed exam");
    let question = client.question(0);
    client.type_text(&question, "x");
    let saved = client.flush(&app).await;
    conforms(&types, "SaveAnswer", &saved, "a save");
    conforms(&types, "LateCounts", &saved["late"], "the late counts");
    let receipt: Value = client.submit(&app).await.json().await.unwrap();
    conforms(&types, "SignedReceipt", &receipt, "the receipt");
    conforms(&types, "Receipt", &receipt["receipt"], "the receipt document");
    let rows = get(&app, &w.instructor, &format!("{exam_path}/attempts")).await;
    let row = rows.as_array().unwrap().iter().find(|r| !r["attempt"].is_null()).expect("the student's row");
    conforms(&types, "AttemptRow", row, "a staff row");
    let attempt_path = format!("{exam_path}/attempts/{}", row["attempt"]["id"].as_str().unwrap());
    conforms(&types, "AttemptCode", &get(&app, &w.reviewer, &format!("{attempt_path}/code")).await, "a student's code");
    let timeline = get(&app, &w.reviewer, &format!("{attempt_path}/timeline")).await;
    conforms(&types, "TimelineItem", first(&timeline, "timeline"), "a log item");
    let monitor = get(&app, &w.proctor, &format!("{exam_path}/monitor")).await;
    conforms(&types, "Monitor", &monitor, "the monitor");
    let watched = monitor["rows"].as_array().unwrap().iter().find(|r| !r["attempt"].is_null()).expect("a row");
    conforms(&types, "MonitorRow", watched, "a monitor row");
    conforms(
        &types,
        "WatchedExam",
        first(&get(&app, &w.proctor, "/api/v1/me/watching").await, "watching"),
        "a watched exam",
    );
    let policy = get(&app, &w.proctor, &format!("{exam_path}/policy")).await;
    conforms(&types, "ExamPolicy", &policy, "the policy");
    let thresholds = &policy["thresholds"];
    conforms(&types, "Thresholds", thresholds, "the thresholds");
    conforms(&types, "Thresholds", &policy["profile_thresholds"], "the profile's thresholds");
    conforms(&types, "Rule", &thresholds["large_paste"], "a rule");
    conforms(&types, "Burst", &thresholds["typing_burst"]["at"], "a typing burst");
    conforms(&types, "Away", &thresholds["time_away"]["at"], "time away");

    conforms(&types, "MonitorCan", &monitor["can"], "what the watcher may do");
    conforms(&types, "QuestionTitle", first(&monitor["question_titles"], "question titles"), "a question title");

    let note = serde_json::json!({ "section_id": w.section, "body": "Question 1: integers only." });
    assert_eq!(app.as_(&w.instructor).announce(w.course, w.open_exam, note).await.status(), 201);
    let sent = get(&app, &w.proctor, &format!("{exam_path}/announcements")).await;
    conforms(&types, "SentAnnouncement", first(&sent, "announcements"), "a sent announcement");
    let received = get(&app, &w.student, &format!("/api/v1/me/exams/{}/announcements", w.open_exam)).await;
    conforms(&types, "ReceivedAnnouncement", first(&received, "announcements"), "a received announcement");

    let question = first(&monitor["question_titles"], "question titles")["id"].as_str().unwrap().to_owned();
    let ran = app.as_(&w.reviewer).run_similarity(w.course, w.open_exam, &question).await;
    assert_eq!(ran.status(), 201);
    let similarity = get(&app, &w.reviewer, &format!("{exam_path}/similarity?question={question}")).await;
    conforms(&types, "QuestionSimilarity", &similarity, "a question's similarity");
    conforms(&types, "SimilarityRun", &similarity["run"], "a similarity run");

    let candidate = crate::candidates::issue_one(&app, &w, w.open_exam, "Guest", "2026-06-01T16:00:00Z").await;
    conforms(&types, "IssuedCandidate", &candidate, "an issued candidate link");
    let listed = get(&app, &w.instructor, &format!("{exam_path}/candidates")).await;
    conforms(&types, "Candidate", first(&listed, "candidates"), "a candidate link");
    app.stop().await;
}

#[tokio::test]
async fn the_grading_pages_types_match_what_the_server_sends() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let types = interfaces();
    let question = crate::grading::submitted(&app, &w).await;
    let exam_path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let grading = get(&app, &w.reviewer, &format!("{exam_path}/grading")).await;
    conforms(&types, "Grading", &grading, "an exam's grading");
    let row = first(&grading["submissions"], "submissions");
    conforms(&types, "GradingRow", row, "a gradebook row");
    conforms(&types, "QuestionScore", first(&row["scores"], "scores"), "a question's score");
    let asked = first(&grading["questions"], "questions");
    conforms(&types, "GradingQuestion", asked, "a question to grade");
    let test = first(&asked["tests"], "tests");
    conforms(&types, "GradingTest", test, "a test to run");

    let submission = row["submission_id"].as_str().unwrap().to_owned();
    let result = serde_json::json!([{ "question_id": question, "test_sha256": test["sha256"], "outcome": "passed",
        "expected": "3", "actual": "3", "stdout": "", "stderr": "", "duration_ms": 3 }]);
    let stored = app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, result).await;
    assert_eq!(stored.status(), 200);
    let work = get(&app, &w.reviewer, &format!("{exam_path}/grading/submissions/{submission}")).await;
    conforms(&types, "SubmissionWork", &work, "a submission to grade");
    conforms(&types, "GradingAnswer", first(&work["answers"], "answers"), "an answer to grade");
    conforms(&types, "StoredResult", first(&work["results"], "results"), "a stored result");
    marked_and_released(&app, &types, &w, &question, &grading).await;
    app.stop().await;
}

/// The marking and the student's results, with every part present: a
/// rubric, a mark, a release and the hidden tests' counts.
async fn marked_and_released(
    app: &TestApp,
    types: &Interfaces,
    w: &crate::people::World,
    question: &str,
    grading: &Value,
) {
    let exam_path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let submission = grading["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let hidden = &grading["questions"][0]["tests"][1];
    let result = json!([{ "question_id": question, "test_sha256": hidden["sha256"], "outcome": "failed",
        "expected": "0", "actual": "1", "stdout": "", "stderr": "", "duration_ms": 3 }]);
    app.as_(&w.reviewer).record_results(w.course, w.open_exam, &submission, result).await;
    let scheme = json!({"test_weights": [1, 1], "rubric": [{"description": "Readable", "points": 1}]});
    assert_eq!(app.as_(&w.instructor).set_scheme(w.course, w.open_exam, question, scheme).await.status(), 204);
    let options = json!({"anonymous": false, "second_marker": false, "hidden_counts": true});
    assert_eq!(app.as_(&w.instructor).marking_options(w.course, w.open_exam, options).await.status(), 204);
    let mark = json!({"question_id": question, "rubric": [0], "feedback": "Good."});
    assert_eq!(app.as_(&w.reviewer).mark(w.course, w.open_exam, &submission, mark).await.status(), 204);
    app.as_(&w.instructor).set_window(w.course, w.open_exam, json!({})).await;
    assert_eq!(app.as_(&w.instructor).release_results(w.course, w.open_exam, true).await.status(), 204);

    let grading = get(app, &w.instructor, &format!("{exam_path}/grading")).await;
    conforms(types, "MarkingOptions", &grading["options"], "marking options");
    conforms(types, "Release", &grading["release"], "a release");
    let scheme = &grading["questions"][0]["scheme"];
    conforms(types, "Scheme", scheme, "a scheme");
    conforms(types, "RubricItem", first(&scheme["rubric"], "rubric"), "a rubric item");
    let work = get(app, &w.reviewer, &format!("{exam_path}/grading/submissions/{submission}")).await;
    conforms(types, "StoredMark", first(&work["marks"], "marks"), "a stored mark");

    let mine = get(app, &w.student, &format!("/api/v1/me/exams/{}/results", w.open_exam)).await;
    conforms(types, "StudentResults", &mine, "a student's results");
    let asked = first(&mine["questions"], "questions");
    conforms(types, "QuestionResult", asked, "a question's result");
    conforms(types, "RubricLine", first(&asked["rubric"], "rubric"), "a rubric line");
    conforms(types, "VisibleTestResult", first(&asked["visible_tests"], "visible tests"), "a visible test's result");
    assert!(asked["hidden_tests"].is_object(), "hidden counts shown: {asked}");
}
