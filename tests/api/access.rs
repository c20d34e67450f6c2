//! The access matrix: every route, as every caller who must not reach it.
//! Each gets 401 or 404 (never 403 for another tenant's object, never 2xx),
//! and no database changes; then a caller who may use the route sends the
//! same request with the same real ids and is answered (the positive
//! control), so a 404 can never pass because an object is missing. The
//! clock is a manual one, so no request of a denied caller is old enough to
//! refresh a session's last-seen time.

use std::sync::Arc;

use examhall::domain::{OrgId, Role};
use examhall::store::courses::GrantTarget;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

pub use crate::access_cases::exam_body;
use crate::access_cases::{Access, Body, Case, Ids, OPEN, Who, cases};
use crate::helpers::{TestApp, spawn_app, spawn_app_with_clock};
use crate::people::{Caller, PASSWORD, World, world};

async fn send(app: &TestApp, caller: Option<&Caller>, case: &Case, secret: &str) -> reqwest::Response {
    let mut request = app.client.request(case.method.clone(), app.url(&case.path));
    if let Some(caller) = caller {
        request = request.header("cookie", &caller.cookie).header("x-csrf-token", &caller.csrf);
    }
    if case.with_secret {
        request = request.header("x-exam-secret", secret);
    }
    request = match &case.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Csv(text) => request.header("content-type", "text/csv").body(*text),
    };
    request.send().await.unwrap()
}

/// A digest of every row of every table of a database, but for the audit
/// heads `platform.db` copies from the organizations' own logs after their
/// commits (an allowed request's entry lands there a moment later, by design).
async fn snapshot(db: &examhall::store::Database) -> Vec<u8> {
    db.read(|conn| {
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'org_audit_anchors' ORDER BY name",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut hasher = Sha256::new();
        for table in tables {
            let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
            let columns = statement.column_count();
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..columns {
                    hasher.update(format!("{:?}", row.get_ref(i)?).as_bytes());
                }
            }
        }
        Ok(hasher.finalize().to_vec())
    })
    .await
    .unwrap()
}

async fn snapshots(app: &TestApp, orgs: &[OrgId]) -> Vec<Vec<u8>> {
    let mut all = vec![snapshot(app.state.registry().platform().db()).await];
    for org in orgs {
        all.push(snapshot(&app.state.registry().org(*org).await.unwrap()).await);
    }
    all
}

/// The world, the real objects the cases name, the student's attempt
/// secret, and a candidate of another exam of the student's section.
struct Fixture {
    w: World,
    ids: Ids,
    secret: String,
    candidate: Caller,
}

/// Makes every object a case names, so that each id in the matrix is real.
async fn fixture(app: &TestApp) -> Fixture {
    let w = world(app).await;
    let spare = |email: &'static str| app.add_person(w.physics, email, Role::Student, GrantTarget::Section(w.section));
    let (disable_user, reset_user, grant_user) = (
        spare("disable@physics.example").await,
        spare("reset@physics.example").await,
        spare("grant@physics.example").await,
    );
    let revokee = spare("revokee@physics.example").await;
    let second_admin =
        app.add_person(w.physics, "second-admin@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    for email in ["owner@physics.example", "leaver@physics.example", "changer@physics.example"] {
        spare(email).await;
    }
    let db = app.state.registry().org(w.physics).await.unwrap();
    let grant: String = db
        .read(move |conn| Ok(conn.query_row("SELECT id FROM grants WHERE user_id = ?1", [revokee], |r| r.get(0))?))
        .await
        .unwrap();
    let owner = app.sign_in(Some("physics"), "owner@physics.example", PASSWORD).await;
    let owner_session = app.json_of(&owner, "/api/v1/sessions").await[0]["id"].as_str().unwrap().to_owned();
    let instructor = app.as_(&w.instructor);
    let mut made = Vec::new();
    for _ in 0..3 {
        let exam = instructor.create_exam(w.course, exam_body(&w)).await;
        assert_eq!(exam.status(), 201);
        made.push(exam.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    let publish = json!({"tests_run": 2, "tests_failed": 0});
    assert_eq!(instructor.publish(w.course, &made[2], publish).await.status(), 200);
    let batch = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z",
        "valid_until": "2026-06-01T16:00:00Z", "candidates": [{"label": "Guest"}]});
    let links = instructor.issue_candidates(w.course, w.exam, batch).await;
    assert_eq!(links.status(), 201);
    let candidate = links.json::<serde_json::Value>().await.unwrap()[0]["id"].as_str().unwrap().to_owned();
    // A candidate of the published exam made above, in the student's section:
    // an account for that exam only, so every student route of another exam is unknown to it.
    let elsewhere = {
        let exam = examhall::domain::ExamId::parse(&made[2]).unwrap();
        crate::candidates::issue_one(app, &w, exam, "Guest", "2026-06-01T16:00:00Z").await
    };
    let (candidate_caller, _) = crate::candidates::signed_in(app, &elsewhere).await;
    let started: serde_json::Value = app.as_(&w.student).start(w.open_exam).await.json().await.unwrap();
    let secret = started["binding"]["secret"].as_str().unwrap().to_owned();
    // A second computer is refused the attempt: it has a signal to review.
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409);
    app.state.refusals().flush(app.state.clock().now()).await;
    // Another student's attempt, for staff to move to another computer.
    spare("mover@physics.example").await;
    let mover = app.sign_in(Some("physics"), "mover@physics.example", PASSWORD).await;
    let moving: serde_json::Value = app.as_(&mover).start(w.open_exam).await.json().await.unwrap();
    let movable_attempt = moving["attempt"]["id"].as_str().unwrap().to_owned();
    // An announcement of the open exam, for the student to read.
    let note = json!({"section_id": w.section, "body": "Question 2: read `n` as a whole number."});
    let announced = instructor.announce(w.course, w.open_exam, note).await;
    assert_eq!(announced.status(), 201);
    let announcement = announced.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let ids = Ids {
        disable_user: disable_user.to_string(),
        reset_user: reset_user.to_string(),
        grant_user: grant_user.to_string(),
        org_admin: second_admin.to_string(),
        grant,
        owner_session,
        deletable_exam: made[0].clone(),
        publishable_exam: made[1].clone(),
        closable_exam: made[2].clone(),
        candidate,
        attempt: started["attempt"]["id"].as_str().unwrap().to_owned(),
        movable_attempt,
        announcement,
        question: started["questions"][0]["id"].as_str().unwrap().to_owned(),
    };
    Fixture { w, ids, secret, candidate: candidate_caller }
}

/// Everyone who must not reach `case`, besides the anonymous caller.
fn denied_callers<'w>(w: &'w World, candidate: &'w Caller, case: &Case) -> Vec<(&'static str, &'w Caller)> {
    let physics_members = [
        ("instructor", &w.instructor),
        ("reviewer", &w.reviewer),
        ("proctor", &w.proctor),
        ("student", &w.student),
        ("student of another section", &w.other_student),
        ("proctor of another section", &w.other_proctor),
        ("instructor of another course", &w.other_instructor),
        ("reviewer of another course", &w.other_reviewer),
    ];
    let mut denied = Vec::new();
    match case.access {
        Access::Platform => {
            denied.extend(physics_members);
            denied.push(("physics org admin", &w.admin));
            denied.push(("chemistry org admin", &w.other_admin));
        }
        Access::OrgAdmin => {
            denied.extend(physics_members);
            denied.push(("platform admin", &w.platform));
            if case.names_physics_object {
                denied.push(("chemistry org admin", &w.other_admin));
            }
        }
        Access::OrgMember => denied.push(("platform admin", &w.platform)),
        Access::SessionOwner => {
            denied.extend(physics_members);
            denied.extend([("physics org admin", &w.admin), ("chemistry org admin", &w.other_admin)]);
            denied.push(("platform admin", &w.platform));
        }
        Access::ExamStudent => denied.extend([
            ("candidate of another exam of the section", candidate),
            ("student of another section", &w.other_student),
            ("proctor of the section", &w.proctor),
            ("instructor of the course", &w.instructor),
            ("reviewer of the course", &w.reviewer),
            ("org admin", &w.admin),
            ("platform admin", &w.platform),
            ("chemistry org admin", &w.other_admin),
        ]),
        Access::ExamWatcher | Access::ExamActor => {
            denied.extend([
                ("student of the section", &w.student),
                ("student of another section", &w.other_student),
                ("proctor of a section the exam is not for", &w.other_proctor),
                ("instructor of another course", &w.other_instructor),
                ("reviewer of another course", &w.other_reviewer),
                ("org admin", &w.admin),
                ("platform admin", &w.platform),
                ("chemistry org admin", &w.other_admin),
            ]);
            if case.access == Access::ExamActor {
                denied.push(("reviewer of the course", &w.reviewer));
            }
        }
        Access::CourseStaff | Access::CourseInstructor => {
            denied.extend([
                ("student of the course", &w.student),
                ("proctor of the course", &w.proctor),
                ("student of another section", &w.other_student),
                ("proctor of another section", &w.other_proctor),
                ("instructor of another course", &w.other_instructor),
                ("reviewer of another course", &w.other_reviewer),
                ("org admin", &w.admin),
                ("platform admin", &w.platform),
                ("chemistry org admin", &w.other_admin),
            ]);
            if case.access == Access::CourseInstructor {
                denied.push(("reviewer of the course", &w.reviewer));
            }
        }
        Access::Session => {}
    }
    denied
}

async fn allowed_caller(app: &TestApp, w: &World, who: Who) -> Caller {
    match who {
        Who::Platform => w.platform.clone(),
        Who::Admin => w.admin.clone(),
        Who::Instructor => w.instructor.clone(),
        Who::Reviewer => w.reviewer.clone(),
        Who::Proctor => w.proctor.clone(),
        Who::Student => w.student.clone(),
        Who::SignedInAs(email) => app.sign_in(Some("physics"), email, PASSWORD).await,
    }
}

#[tokio::test]
async fn no_caller_reaches_a_route_outside_its_scope_and_nothing_changes() {
    let clock = examhall::clock::ManualClock::new(crate::helpers::EXAM_DAY);
    let app = spawn_app_with_clock(Arc::new(clock)).await;
    let Fixture { w, ids, secret, candidate } = fixture(&app).await;
    let mut checked = 0;
    for case in cases(&w, &ids) {
        let what = format!("{} {}", case.method, case.path);
        let denied = denied_callers(&w, &candidate, &case);
        for (who, caller) in std::iter::once(("anonymous", None)).chain(denied.into_iter().map(|(w, c)| (w, Some(c)))) {
            let before = snapshots(&app, &[w.physics, w.chemistry]).await;
            let response = send(&app, caller, &case, &secret).await;
            let status = response.status().as_u16();
            let expected = if caller.is_none() { 401 } else { 404 };
            assert_eq!(status, expected, "{what} as {who}");
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{what} as {who}");
            assert_eq!(snapshots(&app, &[w.physics, w.chemistry]).await, before, "{what} as {who} changed data");
            checked += 1;
        }
        let (who, status) = case.allowed;
        let caller = allowed_caller(&app, &w, who).await;
        let response = send(&app, Some(&caller), &case, &secret).await;
        assert_eq!(
            response.status().as_u16(),
            status,
            "positive control: {what} as {who:?}: {}",
            response.text().await.unwrap()
        );
    }
    assert!(checked > 180, "{checked}");
    app.stop().await;
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let before = snapshots(&app, &[w.physics]).await;
    let response = app
        .client
        .post(app.url("/api/v1/org/courses"))
        .header("cookie", &w.admin.cookie)
        .json(&json!({"code": "NEW1", "title": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let wrong = Caller { csrf: "0".repeat(64), ..w.admin.clone() };
    let response = app.as_(&wrong).create_course(json!({"code": "NEW1", "title": "New"})).await;
    assert_eq!(response.status(), 403);
    assert_eq!(snapshots(&app, &[w.physics]).await, before);
    app.stop().await;
}

#[tokio::test]
async fn privileged_fields_in_a_body_are_rejected() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let before = snapshots(&app, &[w.physics]).await;
    for (path, body) in [
        // (A role is a field of its own here, as an org admin may grant any; a password hash never is.)
        (
            "/api/v1/org/users",
            json!({"email": "x@physics.example", "display_name": "X", "password_hash": "$argon2id$x"}),
        ),
        ("/api/v1/org/users", json!({"email": "x@physics.example", "display_name": "X", "status": "active"})),
        ("/api/v1/org/users", json!({"email": "x@physics.example", "display_name": "X", "org": w.chemistry})),
        ("/api/v1/org/courses", json!({"code": "N", "title": "N", "owner": w.student_user})),
    ] {
        let response = app.call(Some(&w.admin), Method::POST, path, Some(body)).await;
        assert_eq!(response.status(), 422, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(snapshots(&app, &[w.physics]).await, before);
    app.stop().await;
}

/// The route files: every `.rs` file under `src/http/routes`, folders of a
/// feature's files included.
fn route_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/routes"))];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// Every `(METHOD, path)` that `.route("path", get(..).post(..))` declares
/// in the route files.
pub fn declared_routes() -> Vec<(String, String)> {
    let mut declared = Vec::new();
    for file in route_files() {
        let source = std::fs::read_to_string(file).unwrap();
        // `.route("path", ...)`, or with the path on the next line where a long one was wrapped.
        let source = source.split(".route(").map(str::trim_start).collect::<Vec<_>>().join(".route(");
        for piece in source.split(".route(\"").skip(1) {
            let (path, rest) = piece.split_once('"').unwrap();
            // The handler list runs to the `)` that closes `.route(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            let handlers = &rest[..end];
            let mut methods = 0;
            for method in ["get", "post", "put", "patch", "delete"] {
                let called = handlers
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    declared.push((method.to_uppercase(), path.to_owned()));
                    methods += 1;
                }
            }
            assert!(methods > 0, "no method found for route {path}: {handlers}");
        }
    }
    declared
}

#[tokio::test]
async fn the_matrix_names_every_route_the_server_declares() {
    let fake = "00000000-0000-7000-8000-000000000000";
    // Every `{param}` reads as `{id}`: the cases fill each with the same placeholder.
    let normalise = |path: &str| {
        let path = path.split('?').next().unwrap_or(path);
        path.split('/')
            .map(|part| if part.starts_with('{') || part == fake { "{id}" } else { part })
            .collect::<Vec<_>>()
            .join("/")
    };
    let w = World::placeholder(fake);
    let matrix: Vec<(String, String)> =
        cases(&w, &Ids::placeholder(fake)).into_iter().map(|c| (c.method.to_string(), normalise(&c.path))).collect();
    let declared = declared_routes();
    assert!(declared.len() > 40, "{declared:?}");
    assert!(declared.contains(&("DELETE".to_owned(), "/api/v1/sessions/{id}".to_owned())), "methods are read");
    assert!(declared.contains(&("POST".to_owned(), "/api/v1/candidate-links/{token}".to_owned())), "folders are read");
    for (method, path) in &declared {
        let open = OPEN.contains(&(method.as_str(), path.as_str()));
        assert!(
            open || matrix.contains(&(method.clone(), normalise(path))),
            "route {method} {path} has no declared scope in the access matrix"
        );
    }
    for (method, path) in &matrix {
        assert!(
            declared.iter().any(|(m, p)| m == method && normalise(p) == *path),
            "the matrix names {method} {path}, which the server does not declare"
        );
    }
}

#[tokio::test]
async fn another_organizations_ids_are_unknown_here() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let chemistry_db = app.state.registry().org(w.chemistry).await.unwrap();
    let chemistry_grant: String =
        chemistry_db.read(|conn| Ok(conn.query_row("SELECT id FROM grants LIMIT 1", [], |r| r.get(0))?)).await.unwrap();
    let before = snapshots(&app, &[w.physics, w.chemistry]).await;
    let attempts = [
        (Method::PATCH, format!("/api/v1/org/users/{}", w.chemistry_user), Some(json!({"status": "disabled"}))),
        (Method::POST, format!("/api/v1/org/users/{}/password-reset", w.chemistry_user), None),
        (Method::DELETE, format!("/api/v1/org/grants/{chemistry_grant}"), None),
        (Method::POST, format!("/api/v1/org/courses/{}/sections", w.chemistry), Some(json!({"name": "Z"}))),
        (Method::PATCH, "/api/v1/org/users/not-an-id".to_owned(), Some(json!({"status": "disabled"}))),
    ];
    for (method, path, body) in attempts {
        let response = app.call(Some(&w.admin), method.clone(), &path, body).await;
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    let response = app
        .call(
            Some(&w.admin),
            Method::POST,
            "/api/v1/org/grants",
            Some(json!({"user_id": w.chemistry_user, "role": "org_admin"})),
        )
        .await;
    assert_eq!(response.status(), 404, "a foreign user cannot be granted a role");
    assert_eq!(snapshots(&app, &[w.physics, w.chemistry]).await, before);
    app.stop().await;
}
