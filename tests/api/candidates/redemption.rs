//! Redeeming links without an account: an organization the server refuses
//! to serve says so (503) instead of pretending the link is unknown;
//! guessing candidate links spends the same per-address budget as one-time
//! links and is audited in aggregate; and no unauthenticated POST takes a
//! cross-site form or text post (login CSRF).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use super::{issue_one, token_path};
use crate::helpers::{TestApp, restart, spawn_app, spawn_app_with_clock};
use crate::people::{PASSWORD, world};

/// A token of the right shape that no link holds.
const GUESS: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn org_file(dir: &Path, id: examhall::domain::OrgId) -> PathBuf {
    dir.join("orgs").join(format!("{id}.db"))
}

/// Puts `from`'s database (with its -wal) in place of `to`'s.
fn replace_db(from: &Path, to: &Path) {
    let sidecar = |path: &Path, suffix: &str| PathBuf::from(format!("{}{suffix}", path.display()));
    std::fs::copy(from, to).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sidecar(to, suffix));
    }
    if sidecar(from, "-wal").exists() {
        std::fs::copy(sidecar(from, "-wal"), sidecar(to, "-wal")).unwrap();
    }
}

fn status_and_type(response: &reqwest::Response) -> (u16, String) {
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (response.status().as_u16(), kind)
}

#[tokio::test]
async fn links_and_sessions_of_a_refused_organization_answer_503_not_404_or_401() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let off = app.as_(&w.platform).update_org(w.physics, json!({"status": "deactivated"})).await;
    assert_eq!(off.status(), 200);
    let dir = app.stop().await;
    replace_db(&org_file(dir.path(), w.chemistry), &org_file(dir.path(), w.physics));
    // Deactivated at start, so not opened (nor refused) until it is used again.
    let app = restart(dir).await;
    let on = app.as_(&w.platform).update_org(w.physics, json!({"status": "active"})).await;
    assert_eq!(on.status(), 200);

    let problem = "application/problem+json".to_owned();
    let first = app.as_(&w.student).my_exams().await;
    assert_eq!(status_and_type(&first), (503, problem.clone()), "the request that finds the refusal");
    let candidate = format!("/api/v1/candidate-links/{}.{GUESS}", w.physics);
    let link = format!("/api/v1/links/{}.{GUESS}", w.physics);
    let requests = [
        (Method::GET, candidate.clone(), None),
        (Method::POST, candidate, Some(json!({}))),
        (Method::GET, link.clone(), None),
        (Method::POST, link, Some(json!({"password": "another-strong-phrase-9"}))),
    ];
    for (method, path, body) in requests {
        let response = app.call(None, method.clone(), &path, body).await;
        assert_eq!(status_and_type(&response), (503, problem.clone()), "{method} {path}");
    }
    let chemistry = format!("/api/v1/candidate-links/{}.{GUESS}", w.chemistry);
    assert_eq!(app.get(&chemistry).await.status(), 404, "other organizations answer as ever");
    app.stop().await;
}

#[tokio::test]
async fn guessing_candidate_and_one_time_links_spends_the_link_budget_and_is_audited_in_aggregate() {
    // A manual clock: the address's budget does not refill during the test.
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let guess = format!("{}.{GUESS}", w.physics);
    for _ in 0..3 {
        assert_eq!(app.anonymous().redeem_candidate_link(&guess).await.status(), 404);
    }
    app.state.refusals().flush(app.state.clock().now()).await;
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=candidate_link.redeem").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 1, "three guesses, one entry: {audit}");
    assert_eq!((entries[0]["outcome"].as_str(), entries[0]["details"]["count"].as_i64()), (Some("failure"), Some(3)));
    assert_eq!(entries[0]["actor_label"], "unknown link", "the token is never stored");

    // Wrong one-time links into the organization are audited the same way, as `link.redeem`.
    for _ in 0..2 {
        let password = json!({"password": "a-long-enough-phrase-42"});
        let answer = app.anonymous().redeem_link(&format!("{}.{GUESS}", w.physics), password).await;
        assert_eq!(answer.status(), 404);
    }
    app.state.refusals().flush(app.state.clock().now()).await;
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=link.redeem").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 1, "two guesses, one entry: {audit}");
    assert_eq!((entries[0]["outcome"].as_str(), entries[0]["details"]["count"].as_i64()), (Some("failure"), Some(2)));
    assert_eq!(entries[0]["actor_label"], "unknown link");

    // Guessing one-time links from the same address empties the same budget.
    let mut answered = 0;
    for _ in 0..100 {
        answered = app.get(&format!("/api/v1/links/platform.{GUESS}")).await.status().as_u16();
        if answered == 429 {
            break;
        }
    }
    assert_eq!(answered, 429, "one-time link guesses are limited");
    let looked_up = app.get(&format!("/api/v1/candidate-links/{guess}")).await;
    assert_eq!(looked_up.status(), 429, "and so are candidate link guesses");
    let refused = app.anonymous().redeem_candidate_link(&guess).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    app.stop().await;
}

#[tokio::test]
async fn link_look_ups_naming_no_organization_spend_the_same_budget() {
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock)).await;
    // An organization id that names nothing here: each look-up is a guess.
    let nowhere = "01900000-0000-7000-8000-00000000dead";
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let status = app.get(&format!("/api/v1/links/{nowhere}.{GUESS}")).await.status().as_u16();
        statuses.push(status);
        if status == 429 {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(app.get(&format!("/api/v1/candidate-links/{nowhere}.{GUESS}")).await.status(), 429);
    app.stop().await;
}

/// Rows a redemption or sign-in would add or change.
async fn footprint(app: &TestApp, org: examhall::domain::OrgId) -> Vec<i64> {
    let db = app.state.registry().org(org).await.unwrap();
    db.read(|conn| {
        let sql = "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM audit_log),
                          (SELECT count(*) FROM candidate_links WHERE redeemed_at IS NOT NULL),
                          (SELECT count(*) FROM one_time_links WHERE used_at IS NOT NULL)";
        Ok(conn.query_row(sql, [], |r| Ok(vec![r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_cross_site_form_or_text_post_to_an_unauthenticated_route_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let candidate = issue_one(&app, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let reset: Value = app.as_(&w.admin).reset_password(w.student_user).await.json().await.unwrap();
    let reset_token = reset["link"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let reset_link = format!("/api/v1/links/{reset_token}");
    let new_password = "another-strong-phrase-9";
    let sign_in = json!({"org": "physics", "email": "student@physics.example", "password": PASSWORD});
    let routes = [
        (
            "/api/v1/session".to_owned(),
            format!("org=physics&email=student%40physics.example&password={PASSWORD}"),
            sign_in.to_string(),
        ),
        (reset_link.clone(), format!("password={new_password}"), json!({"password": new_password}).to_string()),
        (token_path(&candidate), String::new(), "{}".to_owned()),
    ];
    let before = footprint(&app, w.physics).await;
    for (path, form, text) in &routes {
        let posts = [
            (Some("application/x-www-form-urlencoded"), form.clone()),
            (
                Some("multipart/form-data; boundary=x"),
                format!("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n{text}\r\n--x--\r\n"),
            ),
            (Some("text/plain"), text.clone()),
            (None, String::new()),
        ];
        for (media, body) in posts {
            let mut request = app
                .client
                .post(app.url(path))
                .header("origin", "https://elsewhere.example")
                .header("sec-fetch-site", "cross-site")
                .body(body);
            if let Some(media) = media {
                request = request.header("content-type", media);
            }
            let response = request.send().await.unwrap();
            assert!(!response.headers().contains_key("set-cookie"), "{media:?} to {path} signed someone in");
            let answered = status_and_type(&response);
            assert_eq!(answered, (415, "application/problem+json".to_owned()), "{media:?} to {path}");
        }
    }
    assert_eq!(footprint(&app, w.physics).await, before, "no session, no audit entry, no link used");

    // The same requests as JSON, as the pages send them, work: nothing was used up.
    app.sign_in(Some("physics"), "student@physics.example", PASSWORD).await;
    let reset = app.anonymous().redeem_link(&reset_token, json!({"password": new_password})).await;
    assert_eq!(reset.status(), 204);
    let redeemed = super::redeem(&app, &candidate).await;
    assert_eq!(redeemed.status(), 200);
    app.stop().await;
}
