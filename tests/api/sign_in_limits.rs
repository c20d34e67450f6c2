//! Sign-in under abuse: limits charged before hashing, keyed on account and
//! address, device cookies that keep the owner in, the administrator's
//! "clear sign-in limits", and failures audited in aggregate without what
//! was typed.

use std::net::IpAddr;

use examhall::domain::Role;
use examhall::store::courses::GrantTarget;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::people::PASSWORD;

/// A client whose connections come from `local` (any 127.0.0.0/8 address
/// reaches the server on 127.0.0.1): another computer, as the server sees it.
pub fn client_from(app: &TestApp, local: &str) -> reqwest::Client {
    crate::helpers::client_builder(&app.state.config().tls_files().0)
        .local_address(local.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

fn body(email: &str, password: &str) -> Value {
    json!({"org": "physics", "email": email, "password": password})
}

/// Signs in from `client` with an optional cookie header; (status, set-cookie values).
pub async fn sign_in_from(
    app: &TestApp,
    client: &reqwest::Client,
    cookie: Option<&str>,
    email: &str,
    password: &str,
) -> (u16, Vec<String>) {
    let mut request = client.post(app.url("/api/v1/session")).json(&body(email, password));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    (response.status().as_u16(), cookies)
}

async fn physics_with_ada(app: &TestApp) -> examhall::domain::OrgId {
    let org = app.create_org("physics", "Physics").await.id;
    app.add_person(org, "ada@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    org
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_is_counted_before_hashing_so_only_a_few_are_judged() {
    let app = spawn_app().await;
    physics_with_ada(&app).await;
    let mut burst = Vec::new();
    for _ in 0..60 {
        let request = app.client.post(app.url("/api/v1/session")).json(&body("ada@physics.example", "wrong-guess-1"));
        burst.push(tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = Vec::new();
    for attempt in burst {
        statuses.push(attempt.await.unwrap());
    }
    let judged = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        (1..=6).contains(&judged),
        "some, and at most the free failures and one more, are hashed: {judged} of {statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_classmate_at_another_address_cannot_keep_an_account_out() {
    let app = spawn_app().await;
    physics_with_ada(&app).await;
    let classmate = client_from(&app, "127.0.0.2");
    for _ in 0..10 {
        sign_in_from(&app, &classmate, None, "ada@physics.example", "wrong-guess-1").await;
    }
    let (status, _) = sign_in_from(&app, &classmate, None, "ada@physics.example", PASSWORD).await;
    assert_eq!(status, 429, "the guesser's own address waits, even with the right password");
    let (status, _) = sign_in_from(&app, &app.client, None, "ada@physics.example", PASSWORD).await;
    assert_eq!(status, 200, "the owner at their own computer gets in");
    app.stop().await;
}

#[tokio::test]
async fn a_device_that_signed_in_before_is_never_kept_out_by_others_on_the_same_network() {
    let app = spawn_app().await;
    physics_with_ada(&app).await;
    let (status, cookies) = sign_in_from(&app, &app.client, None, "ada@physics.example", PASSWORD).await;
    assert_eq!(status, 200);
    let device = cookies.iter().find(|c| c.starts_with("__Host-examhall-device=")).expect("a device cookie").clone();
    assert!(cookies[0].starts_with("__Host-examhall="), "the session cookie comes first: {cookies:?}");
    // A classmate behind the same NAT address fails on purpose, again and again.
    for _ in 0..10 {
        sign_in_from(&app, &app.client, None, "ada@physics.example", "wrong-guess-1").await;
    }
    let (status, _) = sign_in_from(&app, &app.client, None, "ada@physics.example", PASSWORD).await;
    assert_eq!(status, 429, "a browser without the cookie waits");
    let (status, _) = sign_in_from(&app, &app.client, Some(&device), "ada@physics.example", PASSWORD).await;
    assert_eq!(status, 200, "the owner's browser is not blocked by anyone else's failures");
    let (status, _) = sign_in_from(&app, &app.client, Some(&device), "other@physics.example", PASSWORD).await;
    assert_ne!(status, 200, "the cookie names one account");
    // A stolen cookie gets only a few tries of its own.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(sign_in_from(&app, &app.client, Some(&device), "ada@physics.example", "wrong-guess-2").await.0);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 6, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429));
    app.stop().await;
}

#[tokio::test]
async fn an_org_admin_clears_a_persons_sign_in_limits_and_the_clearing_is_audited() {
    let app = spawn_app().await;
    let w = crate::people::world(&app).await;
    let guesser = client_from(&app, "127.0.0.3");
    let email = "student@physics.example";
    for _ in 0..10 {
        sign_in_from(&app, &app.client, None, email, "wrong-guess-1").await;
        sign_in_from(&app, &guesser, None, email, "wrong-guess-1").await;
    }
    assert_eq!(sign_in_from(&app, &app.client, None, email, PASSWORD).await.0, 429);
    for caller in [&w.instructor, &w.student, &w.other_admin] {
        assert_eq!(app.as_(caller).clear_sign_in_limits(w.student_user).await.status(), 404);
    }
    assert_eq!(sign_in_from(&app, &app.client, None, email, PASSWORD).await.0, 429, "others cannot clear it");
    assert_eq!(app.as_(&w.admin).clear_sign_in_limits(w.student_user).await.status(), 204);
    assert_eq!(sign_in_from(&app, &app.client, None, email, PASSWORD).await.0, 200);
    assert_eq!(sign_in_from(&app, &guesser, None, email, PASSWORD).await.0, 200, "from every address");
    let log: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=user.sign_in_limits_clear").await;
    let entry = &log.as_array().unwrap()[0];
    assert_eq!(entry["target"], w.student_user.to_string());
    assert!(entry["details"]["cleared"].as_u64().unwrap() >= 2, "{entry}");
    let missing = "00000000-0000-7000-8000-000000000000";
    assert_eq!(app.as_(&w.admin).clear_sign_in_limits(missing).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_are_audited_in_aggregate_and_what_was_typed_is_never_stored() {
    let app = spawn_app().await;
    let org = physics_with_ada(&app).await;
    let typist = client_from(&app, "127.0.0.4");
    for i in 0..20 {
        let typed = format!("my-secret-password-{i}@oops.example");
        assert_eq!(sign_in_from(&app, &typist, None, &typed, "whatever-1").await.0, 401);
    }
    for _ in 0..3 {
        assert_eq!(sign_in_from(&app, &app.client, None, "ada@physics.example", "wrong-guess-1").await.0, 401);
    }
    let db = app.state.registry().org(org).await.unwrap();
    let rows = || async {
        db.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT actor_label, client_addr, details FROM audit_log WHERE action = 'session.sign_in' AND outcome = 'failure'",
            )?;
            let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap()
    };
    assert!(rows().await.is_empty(), "gathered, not written one by one");
    app.state.refusals().flush(app.state.clock().now()).await;
    let logged = rows().await;
    assert_eq!(logged.len(), 2, "one entry per account and address: {logged:?}");
    let unknown = logged.iter().find(|(_, addr, _)| addr == "127.0.0.4").unwrap();
    assert_eq!(unknown.0, "unknown account");
    assert_eq!(serde_json::from_str::<Value>(&unknown.2).unwrap()["count"], 20);
    let ada = logged.iter().find(|(_, addr, _)| addr == "127.0.0.1").unwrap();
    assert_eq!(ada.0, "ada@physics.example", "an existing account is named by its own address");
    assert_eq!(serde_json::from_str::<Value>(&ada.2).unwrap()["count"], 3);
    let everything: Vec<String> = db
        .read(|conn| {
            let mut statement =
                conn.prepare("SELECT actor || actor_label || coalesce(target, '') || details FROM audit_log")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert!(everything.iter().all(|row| !row.contains("my-secret-password")), "{everything:?}");
    let verification = db.read(|conn| examhall::store::audit::verify(conn, None)).await.unwrap();
    assert!(verification.is_intact());
    app.stop().await;
}

#[tokio::test]
async fn sign_in_bodies_are_small_and_malformed_ones_leave_one_fixed_size_entry() {
    let app = spawn_app().await;
    physics_with_ada(&app).await;
    let huge = format!("{}@physics.example", "x".repeat(100_000));
    let response = app.anonymous().sign_in(body(&huge, "whatever-1")).await;
    assert_eq!(response.status(), 413, "a sign-in body is at most 16 KiB");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let before = app.state.limiter().len();
    for i in 0..50 {
        let odd = format!("{}{i} not an address", "y".repeat(8000));
        assert_eq!(app.anonymous().sign_in(body(&odd, "whatever-1")).await.status(), 401);
    }
    assert_eq!(app.state.limiter().len(), before + 1, "malformed sign-ins are counted against the address only");
    app.stop().await;
}

#[tokio::test]
async fn refusals_still_gathered_at_shutdown_are_written_before_the_databases_close() {
    let app = spawn_app().await;
    let wrong = json!({"email": "nobody@uni.example", "password": "wrong-guess-1"});
    assert_eq!(app.anonymous().sign_in(wrong).await.status(), 401);
    let dir = app.stop().await;
    let config = crate::helpers::config_for(dir.path());
    let master = examhall::store::master_key::load(&config.master_key_file()).unwrap();
    let platform = examhall::store::platform::Platform::open(
        &config.data(),
        std::sync::Arc::new(master),
        examhall::store::OpenOptions::default(),
    )
    .unwrap();
    let count: String = platform
        .db()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT json_extract(details, '$.count') || ' ' || actor_label FROM audit_log WHERE action = 'session.sign_in'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(count, "1 unknown account");
    platform.db().close().await;
}
