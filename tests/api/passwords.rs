//! Passwords under load: the bounded hashing pool, limited password
//! changes, links voided when a password changes or an account is disabled,
//! link tokens looked up before any hash, and idle timeouts that follow the
//! roles held now.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::people::PASSWORD;

/// Occupies the only hashing thread until the returned sender is dropped
/// or sent to, and fills the queue with waiting jobs from `fill` addresses.
async fn jam(app: &TestApp, fill: usize) -> (std::sync::mpsc::Sender<()>, Vec<tokio::task::JoinHandle<()>>) {
    let (started, on_start) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = Arc::new(std::sync::Mutex::new(released));
    let state = app.state.clone();
    let mut jobs = vec![tokio::spawn(async move {
        let _ = state
            .passwords()
            .run(Some("192.0.2.200".parse().unwrap()), move |_| {
                let _ = started.send(());
                let _ = released.lock().unwrap().recv();
            })
            .await;
    })];
    on_start.await.unwrap();
    for i in 0..fill {
        let state = app.state.clone();
        let from = format!("192.0.2.{i}").parse().unwrap();
        jobs.push(tokio::spawn(async move {
            let _ = state.passwords().run(Some(from), |_| ()).await;
        }));
    }
    for _ in 0..10_000 {
        if app.state.passwords().waiting() == fill {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(app.state.passwords().waiting(), fill, "the queue filled");
    (release, jobs)
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_with_retry_after_and_link_guesses_never_reach_it() {
    let app = spawn_app_with(crate::helpers::exam_day(), |config| {
        config.auth.hash_threads = 1;
        config.auth.hash_queue = 4;
    })
    .await;
    let w = crate::people::world(&app).await;
    let person = json!({"email": "n@physics.example", "display_name": "N"});
    let created: Value = app.as_(&w.admin).create_user(person).await.json().await.unwrap();
    let link = created["link"].as_str().unwrap().trim_start_matches("/link/").to_owned();
    let (release, jobs) = jam(&app, 4).await;
    let body = json!({"org": "physics", "email": "student@physics.example", "password": PASSWORD});
    let response = app.anonymous().sign_in(body).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let (realm, _) = link.split_once('.').unwrap();
    let guess = format!("{realm}.{}", "ab".repeat(32));
    let response = app.anonymous().redeem_link(&guess, json!({"password": "a-new-strong-phrase-1"})).await;
    assert_eq!(response.status(), 404, "a wrong token is refused before any hash is queued");
    release.send(()).unwrap();
    for job in jobs {
        job.await.unwrap();
    }
    let body = json!({"org": "physics", "email": "student@physics.example", "password": PASSWORD});
    assert_eq!(app.anonymous().sign_in(body).await.status(), 200, "refunded, not counted");
    assert_eq!(app.anonymous().redeem_link(&link, json!({"password": "a-new-strong-phrase-1"})).await.status(), 204);
    app.stop().await;
}

#[tokio::test]
async fn password_changes_are_limited_per_user_before_hashing_and_failures_are_audited_once() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let mut burst = Vec::new();
    for _ in 0..40 {
        let request = app
            .client
            .post(app.url("/api/v1/password"))
            .header("cookie", &w.student.cookie)
            .header("x-csrf-token", &w.student.csrf)
            .json(&json!({"current_password": "wrong-guess-1", "new_password": "a-new-strong-phrase-1"}));
        burst.push(tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = Vec::new();
    for attempt in burst {
        statuses.push(attempt.await.unwrap());
    }
    let judged = statuses.iter().filter(|s| **s == 422).count();
    assert!((1..=6).contains(&judged), "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 422 || *s == 429), "{statuses:?}");
    assert!(app.alive(&w.instructor).await, "others are not slowed");
    app.state.refusals().flush(app.state.clock().now()).await;
    let log: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=user.password_change").await;
    let failures: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["outcome"] == "failure").collect();
    assert_eq!(failures.len(), 1, "{log}");
    assert_eq!(failures[0]["details"]["count"], judged);
    app.stop().await;
}

#[tokio::test]
async fn a_password_change_and_disabling_void_outstanding_reset_and_invitation_links() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let me: Value = app.json_of(&w.instructor, "/api/v1/session").await;
    let id = me["user"]["id"].as_str().unwrap().to_owned();
    let reset: Value = app.as_(&w.admin).reset_password(&id).await.json().await.unwrap();
    let reset_token = reset["link"].as_str().unwrap().trim_start_matches("/link/").to_owned();
    assert_eq!(app.anonymous().link(&reset_token).await.status(), 200);
    let change = json!({"current_password": PASSWORD, "new_password": "a-new-strong-phrase-1"});
    assert_eq!(app.as_(&w.instructor).change_password(change).await.status(), 204);
    assert_eq!(app.anonymous().link(&reset_token).await.status(), 404, "the reset link died with the old password");
    let redeem = json!({"password": "an-attackers-phrase-2"});
    assert_eq!(app.anonymous().redeem_link(&reset_token, redeem).await.status(), 404);

    let person = json!({"email": "n@physics.example", "display_name": "N"});
    let created: Value = app.as_(&w.admin).create_user(person).await.json().await.unwrap();
    let invitation = created["link"].as_str().unwrap().trim_start_matches("/link/").to_owned();
    let disable = json!({"status": "disabled"});
    let disabled = app.as_(&w.admin).update_user(created["user"]["id"].as_str().unwrap(), disable).await;
    assert_eq!(disabled.status(), 200);
    assert_eq!(app.anonymous().link(&invitation).await.status(), 404, "disabling voids the invitation");
    app.stop().await;
}

#[tokio::test]
async fn the_idle_timeout_follows_the_roles_held_now_not_those_at_sign_in() {
    let clock = ManualClock::new(time::macros::datetime!(2026-11-22 09:00 UTC));
    let app = crate::helpers::spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = crate::people::world(&app).await;
    let student = app.sign_in(Some("physics"), "student@physics.example", PASSWORD).await;
    clock.advance(Duration::from_secs(60 * 60));
    assert!(app.alive(&student).await, "a student keeps the long idle timeout");
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let grant = json!({"user_id": w.student_user.to_string(), "role": "instructor", "course_id": w.course.to_string()});
    let response = app.as_(&admin).grant(grant).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    clock.advance(Duration::from_secs(31 * 60));
    assert!(!app.alive(&student).await, "staff roles bring the staff idle timeout to the running session");
    app.stop().await;
}

#[tokio::test]
async fn a_sign_in_on_a_hash_of_the_earlier_setting_stores_it_again_at_the_current_one() {
    use argon2::password_hash::PasswordHasher as _;
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let earlier = argon2::Params::new(19 * 1024, 2, 1, None).unwrap();
    let earlier = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, earlier);
    let earlier = earlier.hash_password(PASSWORD.as_bytes()).unwrap().to_string();
    let stored_hash = || {
        let db = db.clone();
        async move {
            db.read(|conn| {
                let sql = "SELECT password_hash FROM users WHERE email = 'student@physics.example'";
                Ok(conn.query_row(sql, [], |row| row.get::<_, String>(0))?)
            })
            .await
            .unwrap()
        }
    };
    let set = earlier.clone();
    db.write(move |conn| {
        conn.execute("UPDATE users SET password_hash = ?1 WHERE email = 'student@physics.example'", [set])?;
        Ok(())
    })
    .await
    .unwrap();
    let body = json!({"org": "physics", "email": "student@physics.example", "password": "not-the-password-1"});
    assert_eq!(app.anonymous().sign_in(body).await.status(), 401);
    assert_eq!(stored_hash().await, earlier, "a wrong password changes nothing");
    let body = json!({"org": "physics", "email": "student@physics.example", "password": PASSWORD});
    assert_eq!(app.anonymous().sign_in(body.clone()).await.status(), 200, "the earlier setting still verifies");
    let upgraded = stored_hash().await;
    assert!(upgraded.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "stored again at the current setting: {upgraded}");
    assert_eq!(app.anonymous().sign_in(body).await.status(), 200, "and it verifies");
    assert_eq!(stored_hash().await, upgraded, "stored once");
    app.stop().await;
}
