//! Erasing one student at an org admin's request: recorded while their
//! exams are kept, completed by the purge that removes the last of them
//! (what the server runs daily), refused for staff; afterwards they cannot
//! sign in, nothing the organization holds names them (the audit log
//! included, rewritten through a checkpoint), and the log still verifies.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::UserId;
use serde_json::{Value, json};

use crate::backups::data;
use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, TestApp, run_beside};
use crate::people::{PASSWORD, World, world};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const STUDENT: &str = "student@physics.example";

/// Rows anywhere in the organization's audit log (or kept-aside restored
/// entries) that name `text`.
async fn audit_naming(app: &TestApp, w: &World, text: &str) -> i64 {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let like = format!("%{}%", text.to_lowercase());
    db.read(move |conn| {
        Ok(conn.query_row(
            "SELECT count(*) FROM audit_log WHERE lower(actor_label || coalesce(target, '') || details) LIKE ?1",
            [like],
            |r| r.get(0),
        )?)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_is_erased_by_the_purge_that_removes_their_last_exam_and_nothing_names_them_after() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = crate::helpers::spawn_app_with(Arc::new(clock.clone()), |_| {}).await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    assert!(audit_naming(&app, &w, STUDENT).await > 0, "the student's own sign-in and start name them");
    let other = audit_naming(&app, &w, "student-b@physics.example").await;

    let asked = app.as_(&w.admin).erase_person(w.student_user).await;
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!((asked["new"].clone(), asked["daily_utc_hour"].clone()), (json!(true), json!(3)));
    assert_eq!(asked["waits_for"][0]["exam_id"], json!(w.open_exam.to_string()), "{asked}");
    let again: Value = app.as_(&w.admin).erase_person(w.student_user).await.json().await.unwrap();
    assert_eq!(again["new"], json!(false), "recorded once");
    let requested = app.json_of(&w.admin, "/api/v1/org/audit?action=person.erase_requested").await;
    assert_eq!(requested.as_array().map(Vec::len), Some(1));
    assert!(!requested.to_string().contains(STUDENT), "the request names the person by id only: {requested}");
    let listed = app.json_of(&w.admin, "/api/v1/org/users").await;
    let row = listed.as_array().unwrap().iter().find(|u| u["email"] == STUDENT).unwrap().clone();
    assert!(row["erasure_requested_at"].is_string(), "the users page shows the request: {row}");
    let signed_in = app.call(Some(&w.student), reqwest::Method::GET, "/api/v1/me/exams", None).await;
    assert_eq!(signed_in.status(), 200, "until erased, the student is as they were");
    let system = examhall::service::Actor::audited(examhall::store::audit::Actor::system());
    let early = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert!(early.erased.is_empty(), "the exam is kept, so the student is too");

    // The exam is kept 30 days after it closes; the purge after that takes it, and then the student.
    let policy = json!({"evidence_days": null, "exam_days": 30});
    assert_eq!(app.as_(&w.admin).set_retention(policy).await.status(), 204);
    clock.advance(31 * DAY);
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert_eq!(applied.purged.len(), 1, "the exam went");
    let pseudonym = examhall::store::erasure::pseudonym(w.student_user);
    assert_eq!(applied.erased, std::slice::from_ref(&pseudonym));

    assert_eq!(audit_naming(&app, &w, STUDENT).await, 0, "no audit entry names them any more");
    assert!(audit_naming(&app, &w, &pseudonym).await > 0, "what they did is kept, under the pseudonym");
    assert_eq!(audit_naming(&app, &w, "student-b@physics.example").await, other, "nobody else's entries changed");
    let body = json!({ "org": "physics", "email": STUDENT, "password": PASSWORD });
    let refused = app.anonymous().sign_in(body).await;
    assert_eq!(refused.status(), 401, "no account signs in with their address");
    let gone = app.call(Some(&w.student), reqwest::Method::GET, "/api/v1/me/exams", None).await;
    assert_eq!(gone.status(), 401, "their session went with them");
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let export = app.json_of(&admin, &format!("/api/v1/org/users/{}/export", w.student_user)).await;
    assert!(!export.to_string().contains(STUDENT) && export.to_string().contains(&pseudonym), "{export}");
    let done = app.json_of(&admin, "/api/v1/org/audit?action=person.erase").await;
    assert_eq!(done[0]["details"]["pseudonym"], json!(pseudonym));
    assert_eq!(app.as_(&admin).erase_person(w.student_user).await.status(), 409, "erased already");

    let dir = data(&app);
    let (ok, stdout, stderr) = run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &dir]).await;
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
    app.stop().await;
}

#[tokio::test]
async fn only_the_student_is_rewritten_and_staff_past_or_present_are_refused() {
    let app = crate::helpers::spawn_app().await;
    let w = world(&app).await;
    // "b@physics.example" is the end of another student's address, "student-b@physics.example".
    let created = app.as_(&w.admin).create_user(json!({"email": "b@physics.example", "display_name": "Bea"})).await;
    assert_eq!(created.status(), 201);
    let newcomer = created.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned();
    let grant = json!({"user_id": newcomer, "role": "student", "section_id": w.section});
    assert_eq!(app.as_(&w.admin).grant(grant).await.status(), 201);
    assert!(audit_naming(&app, &w, "\"b@physics.example").await > 0, "their creation names them");
    let other = audit_naming(&app, &w, "student-b@physics.example").await;
    assert!(other > 0);

    let asked: Value = app.as_(&w.admin).erase_person(&newcomer).await.json().await.unwrap();
    assert_eq!(asked["waits_for"], json!([]), "no exam holds them");
    assert_eq!(app.as_(&w.admin).cancel_erasure(&newcomer).await.status(), 204, "cancelled");
    let system = examhall::service::Actor::audited(examhall::store::audit::Actor::system());
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert!(applied.erased.is_empty(), "a cancelled request is not carried out");
    assert_eq!(app.as_(&w.admin).cancel_erasure(&newcomer).await.status(), 404, "nothing is recorded to cancel");
    assert_eq!(app.as_(&w.admin).erase_person(&newcomer).await.status(), 202);
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert_eq!(applied.erased.len(), 1);
    assert_eq!(audit_naming(&app, &w, "\"b@physics.example").await, 0, "their creation no longer names them");
    assert_eq!(audit_naming(&app, &w, "student-b@physics.example").await, other, "the other student's entries stay");

    // An instructor, and a former one whose role was removed just before: refused, nothing recorded.
    let users = app.json_of(&w.admin, "/api/v1/org/users").await;
    let id_of = |email: &str| {
        users.as_array().unwrap().iter().find(|u| u["email"] == email).map(|u| u["id"].as_str().unwrap().to_owned())
    };
    let instructor = id_of("instructor@physics.example").unwrap();
    let former = app.as_(&w.admin).create_user(json!({"email": "former@physics.example", "display_name": "F"})).await;
    let former = former.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned();
    let grant = json!({"user_id": former, "role": "instructor", "course_id": w.course});
    let granted: Value = app.as_(&w.admin).grant(grant).await.json().await.unwrap();
    assert_eq!(app.as_(&w.admin).revoke_grant(granted["id"].as_str().unwrap()).await.status(), 204);
    for staff in [&instructor, &former] {
        let refused = app.as_(&w.admin).erase_person(staff).await;
        assert_eq!(refused.status(), 409);
        let problem: Value = refused.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("instructor"), "{problem}");
    }
    let requested = app.json_of(&w.admin, "/api/v1/org/audit?action=person.erase_requested").await;
    assert_eq!(requested.as_array().map(Vec::len), Some(2), "only the newcomer's two requests: {requested}");

    for unknown in [UserId::generate().to_string(), "not-an-id".to_owned(), w.chemistry_user.to_string()] {
        assert_eq!(app.as_(&w.admin).erase_person(&unknown).await.status(), 404, "{unknown}");
    }
    app.stop().await;
}
