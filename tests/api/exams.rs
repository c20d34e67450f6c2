//! Writing, publishing and scheduling exams.

use examhall::domain::QuestionId;
use serde_json::{Value, json};

use crate::access::exam_body;
use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn an_instructor_writes_publishes_and_reschedules_an_exam() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let instructor = app.as_(&w.instructor);
    let response = instructor.create_exam(w.course, exam_body(&w)).await;
    assert_eq!(response.status(), 201);
    let exam: Value = response.json().await.unwrap();
    assert_eq!(exam["phase"], "draft");
    assert_eq!(exam["questions"][0]["tests"][1]["visibility"], "hidden", "staff see hidden tests");
    let id = exam["id"].as_str().unwrap().to_owned();

    let mut edited = exam_body(&w);
    edited["title"] = "Midterm (revised)".into();
    let response = instructor.update_exam(w.course, &id, edited.clone()).await;
    assert_eq!(response.json::<Value>().await.unwrap()["title"], "Midterm (revised)");

    let short = json!({"tests_run": 1, "tests_failed": 0});
    let response = instructor.publish(w.course, &id, short).await;
    assert_eq!(response.status(), 422, "every test must run on the model solution");
    let failing = json!({"tests_run": 2, "tests_failed": 1});
    assert_eq!(instructor.publish(w.course, &id, failing).await.status(), 422);
    let passing = json!({"tests_run": 2, "tests_failed": 0});
    let published: Value = instructor.publish(w.course, &id, passing.clone()).await.json().await.unwrap();
    assert_eq!(published["phase"], "open", "published inside its window");
    assert_eq!(instructor.publish(w.course, &id, passing).await.status(), 409);
    assert_eq!(instructor.delete_exam(w.course, &id).await.status(), 409, "published exams stay");

    edited["duration_minutes"] = 100.into();
    assert_eq!(instructor.update_exam(w.course, &id, edited).await.status(), 200);
    let extended = json!({"closes_at": "2026-06-01T18:00:00Z"});
    let exam: Value = instructor.set_window(w.course, &id, extended).await.json().await.unwrap();
    assert_eq!(exam["closes_at"], "2026-06-01T18:00:00.000Z");
    let closed: Value = instructor.set_window(w.course, &id, json!({})).await.json().await.unwrap();
    assert_eq!(closed["phase"], "closed", "closed early");

    let log: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=exam.").await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in
        ["exam.create", "exam.update", "exam.publish", "exam.update_after_publish", "exam.extend", "exam.close_early"]
    {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let reviewer_view = app.as_(&w.reviewer).exam(w.course, &id).await;
    assert_eq!(reviewer_view.status(), 200, "reviewers read exams");
    app.stop().await;
}

#[tokio::test]
async fn drafts_can_be_duplicated_and_deleted_and_bad_specs_are_named() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let instructor = app.as_(&w.instructor);
    let copy: Value = instructor.duplicate_exam(w.course, w.exam).await.json().await.unwrap();
    assert_eq!(copy["title"], "Copy of Midterm");
    let without_ids = |questions: &Value| {
        let mut questions = questions.clone();
        questions.as_array_mut().unwrap().iter_mut().for_each(|q| drop(q.as_object_mut().unwrap().remove("id")));
        questions
    };
    let original: Value = instructor.exam(w.course, w.exam).await.json().await.unwrap();
    assert_eq!(without_ids(&copy["questions"]), without_ids(&original["questions"]));
    assert_ne!(copy["question_ids"], original["question_ids"], "the copy's questions are its own");
    assert_eq!(instructor.delete_exam(w.course, w.exam).await.status(), 204);
    assert_eq!(instructor.exam(w.course, w.exam).await.status(), 404);

    let mut bad = exam_body(&w);
    bad["closes_at"] = "2020-01-01T00:00:00Z".into();
    let response = instructor.create_exam(w.course, bad).await;
    assert_eq!(response.status(), 422);
    assert!(response.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("closes_at"));
    let mut foreign = exam_body(&w);
    foreign["section_ids"] = json!([examhall::domain::SectionId::generate()]);
    assert_eq!(instructor.create_exam(w.course, foreign).await.status(), 422);
    let listed: Value = app.json_of(&w.instructor, &format!("/api/v1/courses/{}/exams", w.course)).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "the copy and the world's open exam remain");
    app.stop().await;
}

#[tokio::test]
async fn an_exam_is_reachable_only_through_its_own_course() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let other_course: String = db
        .read(|conn| Ok(conn.query_row("SELECT id FROM courses WHERE code = 'PHYS201'", [], |r| r.get(0))?))
        .await
        .unwrap();
    let sideways = app.as_(&w.other_instructor);
    assert_eq!(sideways.exam(&other_course, w.exam).await.status(), 404);
    assert_eq!(sideways.delete_exam(&other_course, w.exam).await.status(), 404);
    assert_eq!(app.as_(&w.instructor).exam(w.course, w.exam).await.status(), 200);
    app.stop().await;
}

/// Sends a batch of saves to `exam` as `caller` with the attempt's secret.
/// The exam as its editor sends it back: the spec fields, each question with its id.
pub fn as_sent(exam: &Value) -> Value {
    let mut spec = exam.clone();
    let object = spec.as_object_mut().unwrap();
    for server_owned in ["id", "course_id", "phase", "published_at", "question_ids"] {
        object.remove(server_owned);
    }
    spec
}

#[tokio::test]
async fn editing_an_open_exam_keeps_question_ids_and_refuses_to_orphan_students_work() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let exam = app.json_of(&w.instructor, &path).await;
    let first = exam["question_ids"][0].as_str().unwrap().to_owned();
    assert_eq!(exam["questions"][0]["id"], first.as_str(), "each question carries its id");

    let mut client = ExamClient::student(&app, &w).await;
    client.edit_to(&first, "def add(a, b):\n    return a + b\n");
    client.flush(&app).await;

    // A fix to the question's text and a new question, while the student works.
    let mut edited = as_sent(&exam);
    edited["questions"][0]["prompt"] = "Write `add(a, b)`, returning the sum.".into();
    let mut added = edited["questions"][0].clone();
    added.as_object_mut().unwrap().remove("id");
    added["title"] = "Subtract".into();
    edited["questions"].as_array_mut().unwrap().push(added);
    let response = app.as_(&w.instructor).update_exam(w.course, w.open_exam, edited.clone()).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let after = app.json_of(&w.instructor, &path).await;
    assert_eq!(after["question_ids"][0], first.as_str(), "the edited question keeps its id");
    assert_eq!(after["questions"][0]["prompt"], "Write `add(a, b)`, returning the sum.");
    let second = after["question_ids"][1].as_str().unwrap().to_owned();
    assert_ne!(second, first, "a new question gets a new id");

    let resumed: Value = client.post(&app, "resume", String::new()).await.json().await.unwrap();
    assert_eq!(resumed["answers"][0]["question_id"], first.as_str(), "the student's answer stays attached");
    assert_eq!(resumed["questions"][0]["prompt"], "Write `add(a, b)`, returning the sum.");

    // Reordering keeps both ids; removing the answered question is refused.
    let mut reordered = as_sent(&after);
    reordered["questions"].as_array_mut().unwrap().reverse();
    assert_eq!(app.as_(&w.instructor).update_exam(w.course, w.open_exam, reordered).await.status(), 200);
    let now_order = app.json_of(&w.instructor, &path).await;
    assert_eq!(now_order["question_ids"], json!([second, first]));
    let mut without_answered = as_sent(&now_order);
    without_answered["questions"].as_array_mut().unwrap().remove(1);
    let refused = app.as_(&w.instructor).update_exam(w.course, w.open_exam, without_answered).await;
    assert_eq!(refused.status(), 409);
    let detail = refused.json::<Value>().await.unwrap()["detail"].as_str().unwrap().to_owned();
    assert_eq!(
        detail,
        "the question \"Add\" cannot be removed: students have saved work on it; keep it (its text may change)"
    );
    assert_eq!(app.json_of(&w.instructor, &path).await, now_order, "a refused edit changes nothing");

    // A question nobody has worked on can go; an id of no question of this exam is refused.
    let mut without_new = as_sent(&now_order);
    without_new["questions"].as_array_mut().unwrap().remove(0);
    assert_eq!(app.as_(&w.instructor).update_exam(w.course, w.open_exam, without_new.clone()).await.status(), 200);
    assert_eq!(app.json_of(&w.instructor, &path).await["question_ids"], json!([first]));
    without_new["questions"][0]["id"] = QuestionId::generate().to_string().into();
    let stranger = app.as_(&w.instructor).update_exam(w.course, w.open_exam, without_new).await;
    assert_eq!(stranger.status(), 409);
    app.stop().await;
}

#[tokio::test]
async fn each_conflict_is_explained_in_one_sentence() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let refused = app.as_(&w.instructor).delete_exam(w.course, w.open_exam).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(refused.json::<Value>().await.unwrap()["detail"], "a published exam cannot be deleted");
    let taken = json!({"code": "PHYS101", "title": "Again"});
    let refused = app.as_(&w.admin).create_course(taken).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(refused.json::<Value>().await.unwrap()["detail"], "the course code PHYS101 is already taken");
    app.stop().await;
}

#[tokio::test]
async fn an_attempt_is_submitted_at_its_deadline_with_nobody_watching() {
    use examhall::clock::ManualClock;
    let clock = ManualClock::new(crate::helpers::EXAM_DAY);
    let app = crate::helpers::spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.edit_to(&question, "def add(a, b):\n    return a + b\n");
    client.flush(&app).await;

    // Past the 90 minutes, nobody calls the server: only the sweeper can submit.
    let mut notices = app.state.notices().subscribe(w.physics, w.open_exam);
    clock.advance(std::time::Duration::from_secs(91 * 60));
    let attempt = crate::helpers::submitted_at_deadline(&mut notices).await;
    assert_eq!(attempt.to_string(), client.attempt);
    let on = w.teaching(&app, w.open_exam).await;
    let submitted = examhall::service::review::find(&on, attempt).await.unwrap().unwrap();
    let (at, reason) =
        (submitted.submitted_at.map(examhall::domain::Timestamp::time), submitted.submit_reason.unwrap_or_default());
    let deadline = Some(submitted.deadline_at);
    assert_eq!(reason, "deadline", "submitted by the sweeper");
    assert_eq!(at, deadline, "stamped at the deadline, not at the sweep");
    app.stop().await;
}
