//! Candidate links: one exam, one person, once, inside a window, revocable;
//! the account a link makes is for that exam only ([`scope`]), its session
//! ends with the link's window or the attempt ([`sessions`]), staff can issue
//! a link again to let a candidate continue ([`reissue`]), and redemption
//! holds against refused organizations, guessing and cross-site posts
//! ([`redemption`]).

mod redemption;
mod reissue;
mod scope;
mod sessions;

use examhall::domain::ExamId;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};

/// Issues one link for `label` at `exam` (section A), valid from the start of
/// 2026 until `until`; returns the link as the API shows it once.
pub async fn issue_one(app: &TestApp, w: &World, exam: ExamId, label: &str, until: &str) -> Value {
    let body = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": until,
        "candidates": [{"label": label}]});
    let response = app.as_(&w.instructor).issue_candidates(w.course, exam, body).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()[0].clone()
}

/// Redeems `link` as the candidate's browser does; returns the signed-in
/// candidate and their account's id.
pub async fn signed_in(app: &TestApp, link: &Value) -> (Caller, String) {
    let response = redeem(app, link).await;
    assert_eq!(response.status(), 200, "redeem {link}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let view: Value = response.json().await.unwrap();
    let caller = Caller { cookie, csrf: view["csrf_token"].as_str().unwrap().to_owned() };
    (caller, view["user"]["id"].as_str().unwrap().to_owned())
}

/// Another exam of section A, published: one a candidate of the world's open
/// exam sits beside but must never reach.
pub async fn another_open_exam(app: &TestApp, w: &World) -> ExamId {
    let instructor = app.as_(&w.instructor);
    let mut body = crate::access::exam_body(w);
    body["title"] = json!("Quiz");
    let made: Value = instructor.create_exam(w.course, body).await.json().await.unwrap();
    let id = made["id"].as_str().unwrap().to_owned();
    let publish = json!({"tests_run": 2, "tests_failed": 0});
    let published = instructor.publish(w.course, &id, publish).await;
    assert_eq!(published.status(), 200);
    ExamId::parse(&id).unwrap()
}

async fn issue_csv(app: &TestApp, w: &World, csv: &str, until: &str) -> reqwest::Response {
    let path = format!(
        "/api/v1/courses/{}/exams/{}/candidates?section_id={}&valid_from=2026-06-01T08:00:00Z&valid_until={until}",
        w.course, w.open_exam, w.section
    );
    app.client
        .post(app.url(&path))
        .header("cookie", &w.instructor.cookie)
        .header("x-csrf-token", &w.instructor.csrf)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

/// The token of a candidate link as the API showed it (`/candidate/<token>`).
pub fn token_of(link: &Value) -> &str {
    link["link"].as_str().unwrap().trim_start_matches("/candidate/")
}

pub fn token_path(link: &Value) -> String {
    format!("/api/v1/candidate-links/{}", token_of(link))
}

/// Redeems `link` as the candidate's browser does.
pub async fn redeem(app: &TestApp, link: &Value) -> reqwest::Response {
    app.anonymous().redeem_candidate_link(token_of(link)).await
}

#[tokio::test]
async fn a_candidate_link_signs_in_once_for_its_exam_and_revoking_ends_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let response =
        issue_csv(&app, &w, "name,student_number\nAda Guest,G1\nBo Guest,\nCy Guest,G3\n", "2026-06-01T16:00:00Z")
            .await;
    assert_eq!(response.status(), 201);
    let links: Value = response.json().await.unwrap();
    assert_eq!(links.as_array().unwrap().len(), 3);
    let described: Value = app.get(&token_path(&links[0])).await.json().await.unwrap();
    assert_eq!((described["label"].as_str(), described["exam_title"].as_str()), (Some("Ada Guest"), Some("Midterm")));

    let first = redeem(&app, &links[0]).await;
    assert_eq!(first.status(), 200);
    let cookie = first.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let view: Value = first.json().await.unwrap();
    let candidate = Caller { cookie, csrf: view["csrf_token"].as_str().unwrap().to_owned() };
    let exams: Value = app.json_of(&candidate, "/api/v1/me/exams").await;
    assert_eq!(exams[0]["id"], w.open_exam.to_string(), "the candidate sees the exam");
    assert_eq!(app.as_(&candidate).start(w.open_exam).await.status(), 201);
    assert_eq!(redeem(&app, &links[0]).await.status(), 404, "a link works once");
    assert!(app.as_(&candidate).users().await.status() == 404, "no staff rights");

    // Few enough racers that the losers' failures stay under the address's
    // free attempts, so the checks below see 404, not 429.
    let mut racers = Vec::new();
    for _ in 0..3 {
        let request = app.client.post(app.url(&token_path(&links[1]))).json(&json!({}));
        racers.push(tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "exactly one session: {statuses:?}");

    let instructor = app.as_(&w.instructor);
    let revoke =
        |link: &Value| instructor.revoke_candidate(w.course, w.open_exam, link["id"].as_str().unwrap().to_owned());
    assert_eq!(revoke(&links[2]).await.status(), 204);
    assert_eq!(redeem(&app, &links[2]).await.status(), 404, "a revoked link opens nothing");
    assert_eq!(revoke(&links[0]).await.status(), 204);
    assert!(!app.alive(&candidate).await, "revoking ends the candidate's session");
    let listed: Value = instructor.candidates(w.course, w.open_exam).await.json().await.unwrap();
    let statuses: Vec<&str> = listed.as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["revoked", "redeemed", "revoked"]);
    app.stop().await;
}

#[tokio::test]
async fn expired_and_malformed_candidate_batches_are_refused_clearly() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let expired = issue_csv(&app, &w, "name\nLate Guest\n", "2026-06-01T08:59:00Z").await;
    assert_eq!(expired.status(), 201);
    let links: Value = expired.json().await.unwrap();
    assert_eq!(redeem(&app, &links[0]).await.status(), 404, "outside its window");
    let missing_name = issue_csv(&app, &w, "student_number\nG1\n", "2026-06-01T16:00:00Z").await;
    assert_eq!(missing_name.status(), 422);
    let empty_name = issue_csv(&app, &w, "name\n\n\"\"\n", "2026-06-01T16:00:00Z").await;
    assert_eq!(empty_name.status(), 422);
    let json_body = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": "2026-06-01T16:00:00Z",
        "candidates": [{"label": "Guest", "role": "org_admin"}]});
    let privileged = app.as_(&w.instructor).issue_candidates(w.course, w.open_exam, json_body).await;
    assert_eq!(privileged.status(), 422, "no privileged fields");
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_draft_with_candidate_links_closes_their_accounts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The world's draft exam: links may be prepared before it is published.
    let link = issue_one(&app, &w, w.exam, "Early Guest", "2026-06-01T16:00:00Z").await;
    let unused = issue_one(&app, &w, w.exam, "Later Guest", "2026-06-01T16:00:00Z").await;
    let (candidate, _) = signed_in(&app, &link).await;
    let deleted = app.as_(&w.instructor).delete_exam(w.course, w.exam).await;
    assert_eq!(deleted.status(), 204, "the draft goes, links and all");
    assert!(!app.alive(&candidate).await, "its candidate is signed out");
    assert_eq!(redeem(&app, &unused).await.status(), 404, "an unused link of it opens nothing");
    // The account left without a link is closed, not a student of the whole section.
    let listed = app.as_(&candidate).my_exams().await;
    assert_eq!(listed.status(), 401);
    app.stop().await;
}
