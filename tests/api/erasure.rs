//! Erasing one student at an org admin's request: recorded while their
//! exams are kept, completed by the purge that removes the last of them
//! (what the server runs daily), refused for staff; afterwards they cannot
//! sign in, nothing the organization holds names them (the audit log
//! included, rewritten through a checkpoint), and the log still verifies.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::{Role, UserId};
use examhall::store::courses::GrantTarget;
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
async fn a_student_is_erased_once_the_purge_removes_their_last_exam_and_nothing_names_them_after() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = crate::helpers::spawn_app_with(Arc::new(clock.clone()), |_| {}).await;
    let w = world(&app).await;
    let client = ExamClient::student(&app, &w).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    assert!(audit_naming(&app, &w, STUDENT).await > 0, "the student's own sign-in and start name them");

    let asked = app.as_(&w.admin).erase_person(w.student_user).await;
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!((asked["status"].clone(), asked["new"].clone()), (json!("waiting"), json!(true)));
    assert_eq!(asked["exams"][0]["exam_id"], json!(w.open_exam.to_string()), "{asked}");
    let again: Value = app.as_(&w.admin).erase_person(w.student_user).await.json().await.unwrap();
    assert_eq!(again["new"], json!(false), "recorded once");
    let requested = app.json_of(&w.admin, "/api/v1/org/audit?action=person.erase_requested").await;
    assert_eq!(requested.as_array().map(Vec::len), Some(1));
    assert!(!requested.to_string().contains(STUDENT), "the request names the person by id only: {requested}");
    let signed_in = app.call(Some(&w.student), reqwest::Method::GET, "/api/v1/me/exams", None).await;
    assert_eq!(signed_in.status(), 200, "until erased, the student is as they were");

    // The exam is kept 30 days after it closes; the purge after that takes it, and then the student.
    let policy = json!({"evidence_days": null, "exam_days": 30});
    assert_eq!(app.as_(&w.admin).set_retention(policy).await.status(), 204);
    clock.advance(31 * DAY);
    let system = examhall::service::Actor::audited(examhall::store::audit::Actor::system());
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert_eq!(applied.purged.len(), 1, "the exam went");
    let pseudonym = examhall::store::erasure::pseudonym(w.student_user);
    assert_eq!(applied.erased, std::slice::from_ref(&pseudonym));

    assert_eq!(audit_naming(&app, &w, STUDENT).await, 0, "no audit entry names them any more");
    assert!(audit_naming(&app, &w, &pseudonym).await > 0, "what they did is kept, under the pseudonym");
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
    let again = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert!(again.erased.is_empty(), "erased once");

    let dir = data(&app);
    let (ok, stdout, stderr) = run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &dir]).await;
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
    app.stop().await;
}

#[tokio::test]
async fn a_student_with_no_exam_kept_is_erased_at_once_and_staff_are_refused() {
    let app = crate::helpers::spawn_app().await;
    let w = world(&app).await;
    let newcomer =
        app.add_person(w.physics, "newcomer@physics.example", Role::Student, GrantTarget::Section(w.section)).await;
    let erased = app.as_(&w.admin).erase_person(newcomer).await;
    assert_eq!(erased.status(), 200);
    let erased: Value = erased.json().await.unwrap();
    assert_eq!(erased["status"], "erased");
    assert_eq!(audit_naming(&app, &w, "newcomer@physics.example").await, 0);
    assert_eq!(app.as_(&w.admin).cancel_erasure(newcomer).await.status(), 404, "nothing is recorded to cancel");

    let instructor = app.json_of(&w.admin, "/api/v1/org/users").await;
    let instructor = instructor
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "instructor@physics.example")
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .unwrap();
    let refused = app.as_(&w.admin).erase_person(&instructor).await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("instructor"), "{problem}");
    assert!(audit_naming(&app, &w, "instructor@physics.example").await > 0, "nothing was rewritten");

    for unknown in [UserId::generate().to_string(), "not-an-id".to_owned(), w.chemistry_user.to_string()] {
        assert_eq!(app.as_(&w.admin).erase_person(&unknown).await.status(), 404, "{unknown}");
    }
    app.stop().await;
}
