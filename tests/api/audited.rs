//! Every action `docs/security.md` §2.9 lists as audited, driven through the
//! API, lands in the organization's or the platform's log with the right
//! outcome, and both chains verify afterwards.

use reqwest::Method;
use serde_json::{Value, json};

use crate::access::exam_body;
use crate::helpers::TestApp;
use crate::people::{Caller, PASSWORD, World, world};

/// `action`/`outcome` pairs in a database's audit log.
async fn logged(db: &examhall::store::Database) -> Vec<(String, String)> {
    db.read(|conn| {
        let mut statement = conn.prepare("SELECT DISTINCT action, outcome FROM audit_log")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })
    .await
    .unwrap()
}

/// Sends a request and checks it was answered with `status`.
async fn expect(
    app: &TestApp,
    caller: Option<&Caller>,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let response = app.call(caller, method.clone(), path, body).await;
    let answered = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(answered, status, "{method} {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The part of a `/link/...` or `/candidate/...` path after the kind.
fn token_of(link: &Value) -> String {
    link.as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

/// Sessions and passwords.
async fn sign_in_out_and_change_passwords(app: &TestApp, w: &World) {
    let wrong = json!({"org": "physics", "email": "admin@physics.example", "password": "wrong-password-1"});
    expect(app, None, Method::POST, "/api/v1/session", Some(wrong), 401).await;
    let second = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let third = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    expect(app, Some(&third), Method::DELETE, "/api/v1/session", None, 204).await;
    // The second session ends itself by its id, as "sign out this device" does.
    let listed = app.json_of(&second, "/api/v1/sessions").await;
    let mine = listed.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].clone();
    let end = format!("/api/v1/sessions/{}", mine.as_str().unwrap());
    expect(app, Some(&second), Method::DELETE, &end, None, 204).await;
    let change = json!({"current_password": PASSWORD, "new_password": "another-strong-phrase-9"});
    expect(app, Some(&w.proctor), Method::POST, "/api/v1/password", Some(change), 204).await;
}

/// People, courses, grants, roster, the audit export.
async fn manage_people_courses_and_the_log(app: &TestApp, w: &World) {
    let admin = Some(&w.admin);
    let created = expect(
        app,
        admin,
        Method::POST,
        "/api/v1/org/users",
        Some(json!({"email": "new@physics.example", "display_name": "New"})),
        201,
    )
    .await;
    let invitation = format!("/api/v1/links/{}", token_of(&created["link"]));
    expect(app, None, Method::POST, &invitation, Some(json!({"password": "a-brand-new-phrase-3"})), 204).await;
    let user = format!("/api/v1/org/users/{}", created["user"]["id"].as_str().unwrap());
    let reset = expect(app, admin, Method::POST, &format!("{user}/password-reset"), None, 201).await;
    let reset = format!("/api/v1/links/{}", token_of(&reset["link"]));
    expect(app, None, Method::POST, &reset, Some(json!({"password": "a-second-new-phrase-4"})), 204).await;
    for change in [json!({"status": "disabled"}), json!({"status": "active"}), json!({"display_name": "Renamed"})] {
        expect(app, admin, Method::PATCH, &user, Some(change), 200).await;
    }
    let course =
        expect(app, admin, Method::POST, "/api/v1/org/courses", Some(json!({"code": "NEW1", "title": "New"})), 201)
            .await;
    let sections = format!("/api/v1/org/courses/{}/sections", course["id"].as_str().unwrap());
    expect(app, admin, Method::POST, &sections, Some(json!({"name": "Z"})), 201).await;
    let grant = json!({"user_id": created["user"]["id"], "role": "proctor", "section_id": w.section});
    let grant = expect(app, admin, Method::POST, "/api/v1/org/grants", Some(grant), 201).await;
    expect(app, admin, Method::DELETE, &format!("/api/v1/org/grants/{}", grant["id"].as_str().unwrap()), None, 204)
        .await;
    let roster = "student_number,name,email,course,section\nS900,Ann,ann@physics.example,PHYS101,A\n";
    let imported = app.as_(&w.admin).import_roster(roster).await;
    assert_eq!(imported.status(), 200);
    assert_eq!(app.as_(&w.admin).audit_csv().await.status(), 200);
}

/// Exams: the life of one, its copy, extra time, its window.
async fn write_schedule_and_close_an_exam(app: &TestApp, w: &World) {
    let instructor = Some(&w.instructor);
    let exams = format!("/api/v1/courses/{}/exams", w.course);
    let exam = expect(app, instructor, Method::POST, &exams, Some(exam_body(w)), 201).await;
    let path = format!("{exams}/{}", exam["id"].as_str().unwrap());
    expect(app, instructor, Method::PUT, &path, Some(exam_body(w)), 200).await;
    let copy = expect(app, instructor, Method::POST, &format!("{path}/duplicate"), None, 201).await;
    expect(app, instructor, Method::DELETE, &format!("{exams}/{}", copy["id"].as_str().unwrap()), None, 204).await;
    expect(
        app,
        instructor,
        Method::POST,
        &format!("{path}/publish"),
        Some(json!({"tests_run": 2, "tests_failed": 0})),
        200,
    )
    .await;
    expect(app, instructor, Method::PUT, &path, Some(exam_body(w)), 200).await;
    expect(
        app,
        instructor,
        Method::PUT,
        &format!("{path}/extra-time"),
        Some(json!({"user_ids": [w.student_user], "minutes": 10})),
        204,
    )
    .await;
    expect(
        app,
        instructor,
        Method::POST,
        &format!("{path}/window"),
        Some(json!({"closes_at": "2037-01-01T00:00:00Z"})),
        200,
    )
    .await;
    expect(app, instructor, Method::POST, &format!("{path}/window"), Some(json!({})), 200).await;
}

/// A student's attempt (start, a refused second start, a refused secret, submit),
/// then candidate links: two made, one redeemed and issued again, one revoked
/// (and then refused).
async fn take_an_exam_and_hand_out_candidate_links(app: &TestApp, w: &World) {
    let instructor = Some(&w.instructor);
    let student = Some(&w.student);
    let mine = format!("/api/v1/me/exams/{}", w.open_exam);
    let started = expect(app, student, Method::POST, &format!("{mine}/start"), None, 201).await;
    expect(app, student, Method::POST, &format!("{mine}/start"), None, 409).await;
    let with_secret = |secret: &str, path: String, body: Value| {
        app.client
            .post(app.url(&path))
            .header("cookie", &w.student.cookie)
            .header("x-csrf-token", &w.student.csrf)
            .header("x-exam-secret", secret.to_owned())
            .json(&body)
            .send()
    };
    let secret = started["binding"]["secret"].as_str().unwrap();
    let refused = with_secret(&"0".repeat(64), format!("{mine}/saves"), json!({"items": []})).await.unwrap();
    assert_eq!(refused.status(), 403);
    // The attempt moves to another computer (staff issue a code, the student types it there) and is submitted there.
    let attempt = started["attempt"]["id"].as_str().unwrap();
    let attempts = format!("/api/v1/courses/{}/exams/{}/attempts/{attempt}", w.course, w.open_exam);
    let issued = expect(app, instructor, Method::POST, &format!("{attempts}/move"), None, 201).await;
    let code = json!({ "move_code": issued["code"] });
    let moved = expect(app, student, Method::POST, &format!("{mine}/start"), Some(code), 201).await;
    let old = with_secret(secret, format!("{mine}/saves"), json!({"items": []})).await.unwrap();
    assert_eq!(old.status(), 403, "the old computer's binding is revoked");
    let secret = moved["binding"]["secret"].as_str().unwrap();
    let submitted = with_secret(secret, format!("{mine}/submit"), json!({"seq": 0})).await.unwrap();
    assert_eq!(submitted.status(), 200);

    // Candidate links: create two, redeem one, revoke the other.
    let batch = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": "2026-06-01T16:00:00Z",
        "candidates": [{"label": "Guest one"}, {"label": "Guest two"}]});
    let open = format!("/api/v1/courses/{}/exams/{}", w.course, w.open_exam);
    let links = expect(app, instructor, Method::POST, &format!("{open}/candidates"), Some(batch), 201).await;
    let redeem = format!("/api/v1/candidate-links/{}", token_of(&links[0]["link"]));
    assert_eq!(app.client.post(app.url(&redeem)).json(&json!({})).send().await.unwrap().status(), 200);
    let again = format!("{open}/candidates/{}/reissue", links[0]["id"].as_str().unwrap());
    expect(app, instructor, Method::POST, &again, None, 201).await;
    let revoke = format!("{open}/candidates/{}", links[1]["id"].as_str().unwrap());
    expect(app, instructor, Method::DELETE, &revoke, None, 204).await;
    let revoked = format!("/api/v1/candidate-links/{}", token_of(&links[1]["link"]));
    assert_eq!(app.client.post(app.url(&revoked)).json(&json!({})).send().await.unwrap().status(), 404);
}

/// The platform: an organization created and renamed, an org admin invited, a sign-out.
async fn run_the_platform(app: &TestApp, w: &World) {
    let platform = Some(&w.platform);
    let org = expect(
        app,
        platform,
        Method::POST,
        "/api/v1/platform/orgs",
        Some(json!({"slug": "newone", "name": "New"})),
        201,
    )
    .await;
    let org_path = format!("/api/v1/platform/orgs/{}", org["id"].as_str().unwrap());
    expect(app, platform, Method::PATCH, &org_path, Some(json!({"name": "Renamed"})), 200).await;
    let invite = json!({"email": "boss@physics.example", "display_name": "Boss"});
    expect(app, platform, Method::POST, &format!("/api/v1/platform/orgs/{}/admins", w.physics), Some(invite), 201)
        .await;
    expect(app, platform, Method::DELETE, "/api/v1/session", None, 204).await;
}

#[tokio::test]
async fn every_audited_action_an_api_call_can_produce_lands_in_an_intact_chain() {
    let app = crate::helpers::spawn_app().await;
    let w = world(&app).await;
    sign_in_out_and_change_passwords(&app, &w).await;
    manage_people_courses_and_the_log(&app, &w).await;
    write_schedule_and_close_an_exam(&app, &w).await;
    take_an_exam_and_hand_out_candidate_links(&app, &w).await;
    run_the_platform(&app, &w).await;

    // Refusals are told once per window, with a count: write the pending ones now.
    app.state.refusals().flush(app.state.clock().now()).await;
    let physics = app.state.registry().org(w.physics).await.unwrap();
    let org_log = logged(&physics).await;
    let has =
        |log: &[(String, String)], action: &str, outcome: &str| log.iter().any(|(a, o)| a == action && o == outcome);
    for action in [
        "session.sign_in",
        "session.sign_out",
        "session.end",
        "user.password_change",
        "user.create",
        "user.invitation_accepted",
        "user.password_reset_link",
        "user.password_reset",
        "user.disable",
        "user.enable",
        "user.rename",
        "user.invite_org_admin",
        "course.create",
        "section.create",
        "grant.create",
        "grant.revoke",
        "roster.import",
        "audit.export",
        "exam.create",
        "exam.update",
        "exam.duplicate",
        "exam.delete",
        "exam.publish",
        "exam.update_after_publish",
        "exam.extra_time",
        "exam.extend",
        "exam.close_early",
        "attempt.start",
        // `attempt.allow_move` (a candidate's link reissued after they started) is
        // checked in tests/api/candidates/reissue.rs.
        "attempt.move_code",
        "attempt.submit",
        "candidate_link.create",
        "candidate_link.redeem",
        "candidate_link.revoke",
        "candidate_link.reissue",
    ] {
        assert!(has(&org_log, action, "success"), "{action} succeeded and is logged: {org_log:?}");
    }
    for refusal in ["session.sign_in", "attempt.start", "attempt.secret_refused", "candidate_link.redeem"] {
        assert!(
            org_log.iter().any(|(a, o)| a == refusal && o != "success"),
            "{refusal} refused and logged: {org_log:?}"
        );
    }
    let platform_log = logged(app.state.registry().platform().db()).await;
    for action in [
        "platform.setup_link",
        "platform.setup",
        "org.create",
        "org.update",
        "user.invite_org_admin",
        "session.sign_in",
        "session.sign_out",
    ] {
        assert!(platform_log.iter().any(|(a, _)| a == action), "{action} in the platform log: {platform_log:?}");
    }
    for db in [&physics, app.state.registry().platform().db()] {
        let verification = db.read(|conn| examhall::store::audit::verify(conn, None)).await.unwrap();
        assert!(verification.is_intact(), "{verification:?}");
    }
    app.stop().await;
}
