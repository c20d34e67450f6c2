//! The access matrix: every route, as every caller who must not reach it.
//! Each gets 401 or 404 (never 403 for another tenant's object, never 2xx),
//! and no database changes.

use examhall::domain::OrgId;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, spawn_app};
use crate::people::{Caller, World, world};

/// Who may use a route.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    /// Any signed-in person (their own data only).
    Session,
    /// Platform admins.
    Platform,
    /// Any member of an organization (their own data only).
    OrgMember,
    /// Org admins of the organization.
    OrgAdmin,
    /// Instructors and reviewers of the course.
    CourseStaff,
    /// Instructors of the course.
    CourseInstructor,
    /// Students of a section that takes the exam.
    ExamStudent,
}

enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

struct Case {
    method: Method,
    path: String,
    body: Body,
    access: Access,
    /// The path names an object of physics (so other tenants must get 404).
    names_physics_object: bool,
}

/// A valid exam for PHYS101 (sections A and B).
pub fn exam_body(w: &World) -> Value {
    json!({
        "title": "Midterm", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2036-01-01T12:00:00Z",
        "duration_minutes": 90, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": [w.section],
        "questions": [{ "title": "Add", "prompt": "Write `add(a, b)`.", "starter_code": "def add(a, b):\n    pass\n",
            "model_solution": "def add(a, b):\n    return a + b\n", "points": 5,
            "tests": [
                { "visibility": "visible", "kind": "function", "expression": "add(1, 2)", "expected": "3" },
                { "visibility": "hidden", "kind": "function", "expression": "add(-1, 1)", "expected": "0" }
            ] }]
    })
}

fn cases(w: &World, grant_id: &str) -> Vec<Case> {
    let case = |method: Method, path: String, body: Body, access: Access, names: bool| Case {
        method,
        path,
        body,
        access,
        names_physics_object: names,
    };
    let roster = "student_number,name,email,course,section\nS900,New Student,new@physics.example,PHYS101,A\n";
    vec![
        case(Method::GET, "/api/v1/platform/orgs".into(), Body::None, Access::Platform, false),
        case(
            Method::POST,
            "/api/v1/platform/orgs".into(),
            Body::Json(json!({"slug": "newone", "name": "New"})),
            Access::Platform,
            false,
        ),
        case(
            Method::PATCH,
            format!("/api/v1/platform/orgs/{}", w.physics),
            Body::Json(json!({"name": "Renamed"})),
            Access::Platform,
            true,
        ),
        case(
            Method::POST,
            format!("/api/v1/platform/orgs/{}/admins", w.physics),
            Body::Json(json!({"email": "boss@physics.example", "display_name": "Boss"})),
            Access::Platform,
            true,
        ),
        case(Method::GET, "/api/v1/org/users".into(), Body::None, Access::OrgAdmin, false),
        case(
            Method::POST,
            "/api/v1/org/users".into(),
            Body::Json(json!({"email": "x@physics.example", "display_name": "X"})),
            Access::OrgAdmin,
            false,
        ),
        case(
            Method::PATCH,
            format!("/api/v1/org/users/{}", w.student_user),
            Body::Json(json!({"status": "disabled"})),
            Access::OrgAdmin,
            true,
        ),
        case(
            Method::POST,
            format!("/api/v1/org/users/{}/password-reset", w.student_user),
            Body::None,
            Access::OrgAdmin,
            true,
        ),
        case(Method::GET, "/api/v1/org/courses".into(), Body::None, Access::OrgAdmin, false),
        case(
            Method::POST,
            "/api/v1/org/courses".into(),
            Body::Json(json!({"code": "NEW1", "title": "New"})),
            Access::OrgAdmin,
            false,
        ),
        case(
            Method::POST,
            format!("/api/v1/org/courses/{}/sections", w.course),
            Body::Json(json!({"name": "Z"})),
            Access::OrgAdmin,
            true,
        ),
        case(Method::GET, "/api/v1/org/grants".into(), Body::None, Access::OrgAdmin, false),
        case(
            Method::POST,
            "/api/v1/org/grants".into(),
            Body::Json(json!({"user_id": w.student_user, "role": "proctor", "section_id": w.section})),
            Access::OrgAdmin,
            true,
        ),
        case(Method::DELETE, format!("/api/v1/org/grants/{grant_id}"), Body::None, Access::OrgAdmin, true),
        case(Method::POST, "/api/v1/org/roster/preview".into(), Body::Csv(roster), Access::OrgAdmin, false),
        case(Method::POST, "/api/v1/org/roster/import".into(), Body::Csv(roster), Access::OrgAdmin, false),
        case(Method::GET, "/api/v1/org/audit".into(), Body::None, Access::OrgAdmin, false),
        case(Method::GET, "/api/v1/org/audit.csv".into(), Body::None, Access::OrgAdmin, false),
        case(Method::GET, "/api/v1/me/courses".into(), Body::None, Access::OrgMember, false),
        case(Method::GET, "/api/v1/session".into(), Body::None, Access::Session, false),
        case(Method::DELETE, "/api/v1/session".into(), Body::None, Access::Session, false),
        case(Method::GET, "/api/v1/sessions".into(), Body::None, Access::Session, false),
        case(
            Method::POST,
            "/api/v1/password".into(),
            Body::Json(json!({"current_password": "x", "new_password": "y"})),
            Access::Session,
            false,
        ),
    ]
    .into_iter()
    .chain(exam_cases(w))
    .collect()
}

/// Exam routes; each names PHYS101 and its exam, objects of physics.
fn exam_cases(w: &World) -> Vec<Case> {
    let case = |method: Method, path: String, body: Body, access: Access| Case {
        method,
        path,
        body,
        access,
        names_physics_object: true,
    };
    let exams = format!("/api/v1/courses/{}/exams", w.course);
    let exam = format!("{exams}/{}", w.exam);
    vec![
        case(Method::GET, exams.clone(), Body::None, Access::CourseStaff),
        case(Method::POST, exams, Body::Json(exam_body(w)), Access::CourseInstructor),
        case(Method::GET, exam.clone(), Body::None, Access::CourseStaff),
        case(Method::PUT, exam.clone(), Body::Json(exam_body(w)), Access::CourseInstructor),
        case(Method::DELETE, exam.clone(), Body::None, Access::CourseInstructor),
        case(Method::POST, format!("{exam}/duplicate"), Body::None, Access::CourseInstructor),
        case(
            Method::POST,
            format!("{exam}/publish"),
            Body::Json(json!({"tests_run": 2, "tests_failed": 0})),
            Access::CourseInstructor,
        ),
        case(Method::POST, format!("{exam}/window"), Body::Json(json!({})), Access::CourseInstructor),
        case(
            Method::PUT,
            format!("{exam}/extra-time"),
            Body::Json(json!({"user_ids": [w.student_user], "minutes": 30})),
            Access::CourseInstructor,
        ),
        case(
            Method::DELETE,
            format!("/api/v1/org/users/{}/sign-in-limits", w.student_user),
            Body::None,
            Access::OrgAdmin,
        ),
        case(Method::GET, format!("{exam}/attempts"), Body::None, Access::CourseStaff),
        case(Method::GET, format!("{exam}/attempts/{}", w.section), Body::None, Access::CourseStaff),
        case(Method::POST, format!("{exam}/attempts/{}/move", w.section), Body::None, Access::CourseInstructor),
        case(
            Method::POST,
            format!("{exam}/attempts/{}/late-items/apply", w.section),
            Body::None,
            Access::CourseInstructor,
        ),
        case(Method::GET, format!("{exam}/candidates"), Body::None, Access::CourseInstructor),
        case(
            Method::POST,
            format!("{exam}/candidates"),
            Body::Json(json!({"section_id": w.section, "valid_from": "2026-01-01T00:00:00Z",
                "valid_until": "2036-01-01T00:00:00Z", "candidates": [{"label": "Guest"}]})),
            Access::CourseInstructor,
        ),
        case(Method::DELETE, format!("{exam}/candidates/{}", w.exam), Body::None, Access::CourseInstructor),
        case(Method::GET, format!("/api/v1/me/exams/{}", w.open_exam), Body::None, Access::ExamStudent),
        case(Method::POST, format!("/api/v1/me/exams/{}/start", w.open_exam), Body::None, Access::ExamStudent),
        case(Method::POST, format!("/api/v1/me/exams/{}/resume", w.open_exam), Body::None, Access::ExamStudent),
        case(
            Method::POST,
            format!("/api/v1/me/exams/{}/saves", w.open_exam),
            Body::Json(json!({"items": []})),
            Access::ExamStudent,
        ),
        case(Method::POST, format!("/api/v1/me/exams/{}/submit", w.open_exam), Body::None, Access::ExamStudent),
        case(Method::GET, format!("/api/v1/me/exams/{}/receipt", w.open_exam), Body::None, Access::ExamStudent),
        Case {
            method: Method::GET,
            path: "/api/v1/me/exams".into(),
            body: Body::None,
            access: Access::OrgMember,
            names_physics_object: false,
        },
    ]
}

/// Routes open without a session, each guarded otherwise (health has no
/// data; links are authorised by their secret token).
const OPEN: &[&str] =
    &["/healthz", "/readyz", "/api/v1/links/{token}", "/api/v1/candidate-links/{token}", "/api/v1/sessions/{id}"];

async fn send(app: &TestApp, caller: Option<&Caller>, case: &Case) -> reqwest::Response {
    let mut request = app.client.request(case.method.clone(), app.url(&case.path));
    if let Some(caller) = caller {
        request = request.header("cookie", &caller.cookie).header("x-csrf-token", &caller.csrf);
    }
    request = match &case.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Csv(text) => request.header("content-type", "text/csv").body(*text),
    };
    request.send().await.unwrap()
}

/// A digest of every row of every table of a database.
async fn snapshot(db: &examhall::store::Database) -> Vec<u8> {
    db.read(|conn| {
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
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

#[tokio::test]
async fn no_caller_reaches_a_route_outside_its_scope_and_nothing_changes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let student = w.student_user;
    let grant_id: String = db
        .read(move |conn| Ok(conn.query_row("SELECT id FROM grants WHERE user_id = ?1", [student], |r| r.get(0))?))
        .await
        .unwrap();
    let physics_members = [
        &w.instructor,
        &w.reviewer,
        &w.proctor,
        &w.student,
        &w.other_student,
        &w.other_proctor,
        &w.other_instructor,
        &w.other_reviewer,
    ];
    let mut checked = 0;
    for case in cases(&w, &grant_id) {
        let mut denied: Vec<(&str, Option<&Caller>)> = vec![("anonymous", None)];
        match case.access {
            Access::Platform => {
                denied.extend(physics_members.iter().map(|c| ("physics member", Some(*c))));
                denied.push(("physics org admin", Some(&w.admin)));
                denied.push(("chemistry org admin", Some(&w.other_admin)));
            }
            Access::OrgAdmin => {
                denied.extend(physics_members.iter().map(|c| ("physics member without org admin", Some(*c))));
                denied.push(("platform admin", Some(&w.platform)));
                if case.names_physics_object {
                    denied.push(("chemistry org admin", Some(&w.other_admin)));
                }
            }
            Access::OrgMember => denied.push(("platform admin", Some(&w.platform))),
            Access::ExamStudent => {
                let outsiders = [
                    ("student of another section", &w.other_student),
                    ("proctor of the section", &w.proctor),
                    ("instructor of the course", &w.instructor),
                    ("reviewer of the course", &w.reviewer),
                    ("org admin", &w.admin),
                    ("platform admin", &w.platform),
                    ("chemistry org admin", &w.other_admin),
                ];
                denied.extend(outsiders.into_iter().map(|(who, caller)| (who, Some(caller))));
            }
            Access::CourseStaff | Access::CourseInstructor => {
                let mut outsiders = vec![
                    ("student of the course", &w.student),
                    ("proctor of the course", &w.proctor),
                    ("student of another section", &w.other_student),
                    ("proctor of another section", &w.other_proctor),
                    ("instructor of another course", &w.other_instructor),
                    ("reviewer of another course", &w.other_reviewer),
                    ("org admin", &w.admin),
                    ("platform admin", &w.platform),
                    ("chemistry org admin", &w.other_admin),
                ];
                if case.access == Access::CourseInstructor {
                    outsiders.push(("reviewer of the course", &w.reviewer));
                }
                denied.extend(outsiders.into_iter().map(|(who, caller)| (who, Some(caller))));
            }
            Access::Session => {}
        }
        for (who, caller) in denied {
            let before = snapshots(&app, &[w.physics, w.chemistry]).await;
            let response = send(&app, caller, &case).await;
            let status = response.status().as_u16();
            let expected: &[u16] = if caller.is_none() { &[401] } else { &[404] };
            assert!(expected.contains(&status), "{} {} as {who}: {status}", case.method, case.path);
            if status != 401 || caller.is_some() {
                assert_eq!(response.headers()["content-type"], "application/problem+json");
            }
            assert_eq!(
                snapshots(&app, &[w.physics, w.chemistry]).await,
                before,
                "{} {} as {who} changed data",
                case.method,
                case.path
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
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
    let response = app
        .call(Some(&wrong), Method::POST, "/api/v1/org/courses", Some(json!({"code": "NEW1", "title": "New"})))
        .await;
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
        ("/api/v1/org/users", json!({"email": "x@physics.example", "display_name": "X", "role": "org_admin"})),
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

#[tokio::test]
async fn the_matrix_names_every_route_the_server_declares() {
    let w_paths: Vec<String> = {
        let fake = "00000000-0000-7000-8000-000000000000";
        let pattern = |p: &str| p.replace(fake, "{id}");
        let w = World::placeholder(fake);
        cases(&w, fake).into_iter().map(|c| pattern(&c.path)).collect()
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/routes");
    let mut declared = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let source = std::fs::read_to_string(entry.path()).unwrap();
        for piece in source.split(".route(\"").skip(1) {
            declared.push(piece.split('"').next().unwrap().to_owned());
        }
    }
    assert!(declared.len() > 15, "{declared:?}");
    // Every `{param}` reads as `{id}`: the cases fill each with the same placeholder.
    let normalise = |path: &str| {
        path.split('/').map(|part| if part.starts_with('{') { "{id}" } else { part }).collect::<Vec<_>>().join("/")
    };
    for path in declared {
        assert!(
            OPEN.contains(&path.as_str()) || w_paths.contains(&normalise(&path)),
            "route {path} has no declared scope in the access matrix"
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
