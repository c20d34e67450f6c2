//! Writing, publishing and scheduling exams.

use reqwest::Method;
use serde_json::{Value, json};

use crate::access::exam_body;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn an_instructor_writes_publishes_and_reschedules_an_exam() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let base = format!("/api/v1/courses/{}/exams", w.course);
    let response = app.call(Some(&w.instructor), Method::POST, &base, Some(exam_body(&w))).await;
    assert_eq!(response.status(), 201);
    let exam: Value = response.json().await.unwrap();
    assert_eq!(exam["phase"], "draft");
    assert_eq!(exam["questions"][0]["tests"][1]["visibility"], "hidden", "staff see hidden tests");
    let path = format!("{base}/{}", exam["id"].as_str().unwrap());

    let mut edited = exam_body(&w);
    edited["title"] = "Midterm (revised)".into();
    let response = app.call(Some(&w.instructor), Method::PUT, &path, Some(edited.clone())).await;
    assert_eq!(response.json::<Value>().await.unwrap()["title"], "Midterm (revised)");

    let short = json!({"tests_run": 1, "tests_failed": 0});
    let response = app.call(Some(&w.instructor), Method::POST, &format!("{path}/publish"), Some(short)).await;
    assert_eq!(response.status(), 422, "every test must run on the model solution");
    let failing = json!({"tests_run": 2, "tests_failed": 1});
    assert_eq!(
        app.call(Some(&w.instructor), Method::POST, &format!("{path}/publish"), Some(failing)).await.status(),
        422
    );
    let passing = json!({"tests_run": 2, "tests_failed": 0});
    let published: Value = app
        .call(Some(&w.instructor), Method::POST, &format!("{path}/publish"), Some(passing.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["phase"], "open", "published inside its window");
    assert_eq!(
        app.call(Some(&w.instructor), Method::POST, &format!("{path}/publish"), Some(passing)).await.status(),
        409
    );
    assert_eq!(app.call(Some(&w.instructor), Method::DELETE, &path, None).await.status(), 409, "published exams stay");

    edited["duration_minutes"] = 100.into();
    assert_eq!(app.call(Some(&w.instructor), Method::PUT, &path, Some(edited)).await.status(), 200);
    let extended = json!({"closes_at": "2037-01-01T00:00:00Z"});
    let exam: Value = app
        .call(Some(&w.instructor), Method::POST, &format!("{path}/window"), Some(extended))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(exam["closes_at"], "2037-01-01T00:00:00Z");
    let closed: Value = app
        .call(Some(&w.instructor), Method::POST, &format!("{path}/window"), Some(json!({})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["phase"], "closed", "closed early");

    let log: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=exam.").await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in
        ["exam.create", "exam.update", "exam.publish", "exam.update_after_publish", "exam.extend", "exam.close_early"]
    {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let reviewer_view = app.call(Some(&w.reviewer), Method::GET, &path, None).await;
    assert_eq!(reviewer_view.status(), 200, "reviewers read exams");
    app.stop().await;
}

#[tokio::test]
async fn drafts_can_be_duplicated_and_deleted_and_bad_specs_are_named() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let base = format!("/api/v1/courses/{}/exams", w.course);
    let path = format!("{base}/{}", w.exam);
    let copy: Value =
        app.call(Some(&w.instructor), Method::POST, &format!("{path}/duplicate"), None).await.json().await.unwrap();
    assert_eq!(copy["title"], "Copy of Midterm");
    assert_eq!(copy["questions"], app.json_of(&w.instructor, &path).await["questions"]);
    assert_eq!(app.call(Some(&w.instructor), Method::DELETE, &path, None).await.status(), 204);
    assert_eq!(app.call(Some(&w.instructor), Method::GET, &path, None).await.status(), 404);

    let mut bad = exam_body(&w);
    bad["closes_at"] = "2020-01-01T00:00:00Z".into();
    let response = app.call(Some(&w.instructor), Method::POST, &base, Some(bad)).await;
    assert_eq!(response.status(), 422);
    assert!(response.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("closes_at"));
    let mut foreign = exam_body(&w);
    foreign["section_ids"] = json!([examhall::domain::SectionId::generate()]);
    assert_eq!(app.call(Some(&w.instructor), Method::POST, &base, Some(foreign)).await.status(), 422);
    let listed: Value = app.json_of(&w.instructor, &base).await;
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
    let sideways = format!("/api/v1/courses/{other_course}/exams/{}", w.exam);
    assert_eq!(app.call(Some(&w.other_instructor), Method::GET, &sideways, None).await.status(), 404);
    assert_eq!(app.call(Some(&w.other_instructor), Method::DELETE, &sideways, None).await.status(), 404);
    let own = format!("/api/v1/courses/{}/exams/{}", w.course, w.exam);
    assert_eq!(app.call(Some(&w.instructor), Method::GET, &own, None).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn each_conflict_is_explained_in_one_sentence() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let path = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let refused = app.call(Some(&w.instructor), Method::DELETE, &path, None).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(refused.json::<Value>().await.unwrap()["detail"], "a published exam cannot be deleted");
    let taken = json!({"code": "PHYS101", "title": "Again"});
    let refused = app.call(Some(&w.admin), Method::POST, "/api/v1/org/courses", Some(taken)).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(refused.json::<Value>().await.unwrap()["detail"], "the course code PHYS101 is already taken");
    app.stop().await;
}
