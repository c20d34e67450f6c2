//! Signing in and out, sessions, timeouts, rate limits, one-time links.

use std::fmt::Write;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with_clock};
use crate::people::PASSWORD;

#[tokio::test]
async fn the_setup_link_creates_the_first_platform_admin_once() {
    let app = spawn_app().await;
    let token = crate::helpers::setup_link(&app.state).await.expect("no platform admin yet");
    let link = format!("platform.{token}");
    let anyone = app.anonymous();
    let described: Value = anyone.link(&link).await.json().await.unwrap();
    assert_eq!(described["purpose"], "setup");
    let weak = json!({"email": "it@uni.example", "display_name": "IT", "password": "password1"});
    assert_eq!(anyone.redeem_link(&link, weak).await.status(), 422, "common passwords are refused");
    let body = json!({"email": "it@uni.example", "display_name": "IT", "password": PASSWORD});
    assert_eq!(anyone.redeem_link(&link, body.clone()).await.status(), 204);
    assert_eq!(anyone.redeem_link(&link, body).await.status(), 404, "single use");
    assert_eq!(anyone.link(&link).await.status(), 404);
    assert!(crate::helpers::setup_link(&app.state).await.is_none(), "no second set-up");
    app.sign_in(None, "it@uni.example", PASSWORD).await;
    app.stop().await;
}

#[tokio::test]
async fn sign_in_sets_a_host_only_strict_cookie_with_a_fresh_token_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let org = app.create_org("physics", "Physics").await.id;
    app.add_person(org, "ada@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    let body = json!({"org": "physics", "email": "Ada@Physics.example", "password": PASSWORD});
    let response = app.anonymous().sign_in(body.clone()).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in ["__Host-examhall=", "Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    // Host-only and ending with the browser session: no Domain, no Max-Age or Expires.
    let attributes: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    for absent in ["domain", "max-age", "expires"] {
        assert!(!attributes.iter().any(|a| a.starts_with(absent)), "no {absent} in {cookie}");
    }
    let first = app.sign_in(Some("physics"), "ada@physics.example", PASSWORD).await;
    let second = app.sign_in(Some("physics"), "ada@physics.example", PASSWORD).await;
    assert_ne!(first.cookie, second.cookie, "a new token at every sign-in");
    let me: Value = app.as_(&first).session().await.json().await.unwrap();
    assert_eq!(me["user"]["email"], "ada@physics.example");
    assert_eq!(me["org"]["slug"], "physics");
    let sessions: Value = app.as_(&first).sessions().await.json().await.unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 3);
    assert_eq!(app.as_(&first).sign_out().await.status(), 204);
    assert_eq!(app.as_(&first).session().await.status(), 401);
    assert_eq!(app.as_(&second).session().await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn wrong_credentials_get_one_answer_and_repeated_failures_are_slowed_not_locked() {
    let clock = ManualClock::new(time::macros::datetime!(2026-11-22 09:00 UTC));
    let app = spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let org = app.create_org("physics", "Physics").await.id;
    app.add_person(org, "ada@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    let mut details = Vec::new();
    for body in [
        json!({"org": "physics", "email": "ada@physics.example", "password": "wrong-password-1"}),
        json!({"org": "physics", "email": "nobody@physics.example", "password": PASSWORD}),
        json!({"org": "nowhere", "email": "ada@physics.example", "password": PASSWORD}),
    ] {
        let response = app.anonymous().sign_in(body).await;
        assert_eq!(response.status(), 401);
        let problem: Value = response.json().await.unwrap();
        details.push(problem["detail"].clone());
    }
    assert!(details.windows(2).all(|w| w[0] == w[1]), "the same answer whatever was wrong: {details:?}");
    let mut limited = None;
    for _ in 0..6 {
        let body = json!({"org": "physics", "email": "ada@physics.example", "password": "wrong-password-1"});
        let response = app.anonymous().sign_in(body).await;
        if response.status() == 429 {
            limited = Some(response.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap());
            break;
        }
    }
    let retry_after = limited.expect("failures are rate-limited");
    assert!((1..=900).contains(&retry_after));
    let body = json!({"org": "physics", "email": "ada@physics.example", "password": PASSWORD});
    assert_eq!(app.anonymous().sign_in(body.clone()).await.status(), 429, "even the right password waits");
    clock.advance(Duration::from_secs(retry_after));
    assert_eq!(
        app.anonymous().sign_in(body).await.status(),
        200,
        "after the wait the right password signs in: slowed, not locked"
    );
    app.state.refusals().flush(app.state.clock().now()).await;
    let db = app.state.registry().org(org).await.unwrap();
    let failures: i64 = db
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT sum(json_extract(details, '$.count')) FROM audit_log WHERE action = 'session.sign_in' AND outcome = 'failure'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert!(failures >= 6, "every failure is counted in the audit log: {failures}");
    app.stop().await;
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_the_absolute_lifetime() {
    use examhall::clock::Clock;
    let start = time::macros::datetime!(2026-11-22 09:00 UTC);
    let clock = ManualClock::new(start);
    let app = spawn_app_with_clock(std::sync::Arc::new(clock.clone())).await;
    let org = app.create_org("physics", "Physics").await.id;
    app.add_person(org, "ada@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    let caller = app.sign_in(Some("physics"), "ada@physics.example", PASSWORD).await;
    while clock.now() < start + Duration::from_secs(11 * 3600 + 30 * 60) {
        clock.advance(Duration::from_secs(25 * 60));
        assert!(app.alive(&caller).await, "use keeps a session alive at {}", clock.now());
    }
    clock.advance(Duration::from_secs(25 * 60));
    assert!(!app.alive(&caller).await, "every session ends 12 hours after sign-in");
    let idle = app.sign_in(Some("physics"), "ada@physics.example", PASSWORD).await;
    clock.advance(Duration::from_secs(29 * 60));
    assert!(app.alive(&idle).await);
    clock.advance(Duration::from_secs(30 * 60 + 1));
    assert!(!app.alive(&idle).await, "a staff session ends after 30 idle minutes");
    app.stop().await;
}

#[tokio::test]
async fn password_change_disabling_and_role_removal_end_sessions_at_once() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let other = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let wrong = json!({"current_password": "not-the-password-1", "new_password": "another-strong-phrase-9"});
    let refused = app.as_(&w.instructor).change_password(wrong).await;
    assert!(refused.status().is_client_error(), "a wrong current password is refused: {}", refused.status());
    assert!(app.alive(&other).await, "a refused change ends no session");
    app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let change = json!({"current_password": PASSWORD, "new_password": "another-strong-phrase-9"});
    assert_eq!(app.as_(&w.instructor).change_password(change).await.status(), 204);
    assert_eq!(app.as_(&other).session().await.status(), 401, "other sessions end");
    assert_eq!(app.as_(&w.instructor).session().await.status(), 200, "this one stays");
    app.sign_in(Some("physics"), "instructor@physics.example", "another-strong-phrase-9").await;

    let disable = json!({"status": "disabled"});
    assert_eq!(app.as_(&w.admin).update_user(w.student_user, disable).await.status(), 200);
    assert_eq!(app.as_(&w.student).session().await.status(), 401);
    let body = json!({"org": "physics", "email": "student@physics.example", "password": PASSWORD});
    assert_eq!(app.anonymous().sign_in(body).await.status(), 401);

    let grants: Value = app.as_(&w.admin).grants().await.json().await.unwrap();
    let me: Value = app.as_(&w.proctor).session().await.json().await.unwrap();
    let proctor_grant = grants.as_array().unwrap().iter().find(|g| g["user_id"] == me["user"]["id"]).unwrap();
    assert_eq!(app.as_(&w.admin).revoke_grant(proctor_grant["id"].as_str().unwrap()).await.status(), 204);
    assert_eq!(app.as_(&w.proctor).session().await.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn an_invitation_link_sets_a_password_once_even_when_redeemed_twice_at_once() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let body = json!({"email": "new@physics.example", "display_name": "New Person"});
    let response = app.as_(&w.admin).create_user(body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let link = created["link"].as_str().unwrap().trim_start_matches("/link/").to_owned();
    let path = format!("/api/v1/links/{link}");
    let described: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(described["purpose"], "invitation");
    assert_eq!(described["email"], "new@physics.example");
    assert_eq!(described["org"]["slug"], "physics");
    let mut attempts = Vec::new();
    for i in 0..8 {
        let request = app.client.post(app.url(&path)).json(&json!({ "password": format!("{PASSWORD}-{i}") }));
        attempts.push(tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 204 || *s == 404), "{statuses:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_roster_is_previewed_with_row_errors_then_imported_idempotently() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let send = |path: &'static str, csv: String| {
        app.client
            .post(app.url(path))
            .header("cookie", &w.admin.cookie)
            .header("x-csrf-token", &w.admin.csrf)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    let mut good = String::from("student_number,name,email,course,section\n");
    for i in 0..30 {
        let section = if i % 2 == 0 { "A" } else { "B" };
        writeln!(good, "S{i:03},Student {i},s{i}@physics.example,PHYS101,{section}").unwrap();
    }
    let bad = format!("{good}S999,Nobody,not-an-email,PHYS101,Q\nS000,Twin,twin@physics.example,PHYS101,A\n");
    let preview: Value = send("/api/v1/org/roster/preview", bad.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(preview["errors"], 2);
    assert_eq!(preview["creates"], 30);
    let rows = preview["rows"].as_array().unwrap();
    assert!(rows[30]["errors"].as_array().unwrap().len() >= 2, "{}", rows[30]);
    assert_eq!(rows[31]["line"], 33);
    let refused = send("/api/v1/org/roster/import", bad).await.unwrap();
    assert_eq!(refused.status(), 422);
    let users_before: Value = app.as_(&w.admin).users().await.json().await.unwrap();
    let imported: Value = send("/api/v1/org/roster/import", good.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(imported["creates"], 30);
    let users_after: Value = app.as_(&w.admin).users().await.json().await.unwrap();
    assert_eq!(users_after.as_array().unwrap().len(), users_before.as_array().unwrap().len() + 30);
    let again: Value = send("/api/v1/org/roster/import", good).await.unwrap().json().await.unwrap();
    assert_eq!(
        (again["creates"].as_u64(), again["updates"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(30))
    );
    let users_again: Value = app.as_(&w.admin).users().await.json().await.unwrap();
    assert_eq!(users_again, users_after, "the same file twice changes nothing");

    // Each problem says which part is wrong; an update says what it changes.
    let header = "student_number,name,email,course,section\n";
    let mixed = format!(
        "{header}S000,Student Zero Renamed,s0@physics.example,PHYS101,A\nS001,Student 1,s1@physics.example,PHYS201,C\n\
         S100,New,new@physics.example,MATH9,A\nS101,New2,new2@physics.example,PHYS101,Q\n"
    );
    let preview: Value = send("/api/v1/org/roster/preview", mixed).await.unwrap().json().await.unwrap();
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows[0]["action"], "update");
    assert_eq!(rows[0]["changes"], serde_json::json!(["name: Student 0 → Student Zero Renamed"]), "{}", rows[0]);
    assert_eq!(rows[1]["changes"], serde_json::json!(["joins section C of PHYS201 as a student"]), "{}", rows[1]);
    let problem = |row: &Value| {
        row["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(problem(&rows[2]), ["course MATH9 does not exist: create it first, or correct the code"]);
    assert_eq!(
        problem(&rows[3]),
        ["course PHYS101 has no section Q (it has A, B): create it first, or correct the name"]
    );
    app.stop().await;
}

#[tokio::test]
async fn members_see_only_their_own_courses_and_sections() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let student = app.json_of(&w.student, "/api/v1/me/courses").await;
    assert_eq!(student.as_array().unwrap().len(), 1);
    assert_eq!(student[0]["code"], "PHYS101");
    assert_eq!(student[0]["sections"].as_array().unwrap().len(), 1, "only the student's own section");
    let instructor = app.json_of(&w.instructor, "/api/v1/me/courses").await;
    assert_eq!(instructor[0]["sections"].as_array().unwrap().len(), 2, "course roles see every section");
    assert_eq!(app.json_of(&w.other_instructor, "/api/v1/me/courses").await[0]["code"], "PHYS201");
    app.stop().await;
}

#[tokio::test]
async fn nobody_ends_another_persons_session_and_deactivating_an_organization_signs_everyone_out() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let theirs: Value = app.json_of(&w.student, "/api/v1/sessions").await;
    let id = theirs[0]["id"].as_str().unwrap();
    let response = app.as_(&w.instructor).end_session(id).await;
    assert_eq!(response.status(), 404);
    assert!(app.alive(&w.student).await);
    let platform = app.as_(&w.platform);
    let response = platform.update_org(w.physics, json!({"status": "deactivated"})).await;
    assert_eq!(response.status(), 200);
    assert!(!app.alive(&w.student).await);
    assert!(!app.alive(&w.admin).await);
    let body = json!({"org": "physics", "email": "admin@physics.example", "password": PASSWORD});
    assert_eq!(app.anonymous().sign_in(body.clone()).await.status(), 401);
    platform.update_org(w.physics, json!({"status": "active"})).await;
    assert!(!app.alive(&w.student).await, "reactivation brings no session back");
    assert!(!app.alive(&w.admin).await, "reactivation brings no session back");
    assert_eq!(app.anonymous().sign_in(body).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    for (trusted, expected) in [(true, "203.0.113.9"), (false, "127.0.0.1")] {
        let app = crate::helpers::spawn_app_with(crate::helpers::exam_day(), |config| {
            if trusted {
                config.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
            }
        })
        .await;
        let org = app.create_org("physics", "Physics").await.id;
        app.add_person(org, "ada@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
        let body = json!({"org": "physics", "email": "ada@physics.example", "password": PASSWORD});
        let response = app
            .client
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", "198.51.100.1, 203.0.113.9")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let db = app.state.registry().org(org).await.unwrap();
        let addr: String = db
            .read(|conn| {
                Ok(conn.query_row("SELECT client_addr FROM audit_log WHERE action = 'session.sign_in'", [], |r| {
                    r.get(0)
                })?)
            })
            .await
            .unwrap();
        assert_eq!(addr, expected, "trusted proxy: {trusted}");
        app.stop().await;
    }
}

#[tokio::test]
async fn cookies_and_links_naming_made_up_organizations_leave_nothing_held_behind() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    // The organizations in use are held once they are read.
    assert!(app.alive(&w.student).await);
    let held = app.state.registry().statuses_held();
    assert!(held >= 1, "the status of physics is held");
    for _ in 0..200 {
        let realm = examhall::domain::OrgId::generate();
        let cookie = format!("__Host-examhall={realm}.{}", "a".repeat(43));
        let response = app.client.get(app.url("/api/v1/session")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(response.status(), 401);
        let link = app.get(&format!("/api/v1/links/{realm}.{}", "b".repeat(43))).await.status();
        assert!(link == 404 || link == 429, "a guess, then limited: {link}");
    }
    assert_eq!(app.state.registry().statuses_held(), held, "made-up ids are not held");
    app.stop().await;
}
