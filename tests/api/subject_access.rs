//! A subject-access export: everything held about one person, as JSON and
//! as CSV, secrets left out, other people left out, each export audited.

use reqwest::Method;
use serde_json::Value;

use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn an_org_admin_exports_everything_held_about_one_student_and_nothing_about_anyone_else() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "def add(a, b):\n    return a + b  # mine\n");
    client.flush(&app).await;
    assert_eq!(client.submit(&app).await.status(), 200);

    let path = format!("/api/v1/org/users/{}/export", w.student_user);
    let response = app.as_(&w.admin).raw(Method::GET, &path, None).await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("personal-data-student_physics.example.json"), "{disposition}");
    let export: Value = response.json().await.unwrap();
    let tables = &export["tables"];
    assert_eq!(tables["users"][0]["email"], "student@physics.example");
    assert!(tables["users"][0].get("password_hash").is_none(), "secrets are not information about the person");
    assert!(tables["sessions"][0].get("token_hash").is_none() && tables["sessions"][0].get("csrf_token").is_none());
    assert!(tables["exam_sessions"][0].get("secret_hash").is_none());
    assert!(tables["grants"].as_array().is_some_and(|g| !g.is_empty()));
    let text = export.to_string();
    assert!(text.contains("# mine"), "their own code, in the log, answers and submission");
    assert!(tables["submissions"].as_array().is_some_and(|s| s.len() == 1));
    assert!(tables["audit_log"].as_array().is_some_and(|a| !a.is_empty()), "what was done by and to them");
    assert!(!text.contains("student-b@physics.example"), "nobody else");

    let csv_path = format!("{path}.csv");
    let response = app.as_(&w.admin).raw(Method::GET, &csv_path, None).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("table,row,column,value\r\n"), "{csv}");
    assert!(csv.contains("users,1,email,student@physics.example"), "{csv}");
    assert!(!csv.contains("password_hash") && !csv.contains("student-b@physics.example"));

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=person.export").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2, "each export is audited: {audit}");
    assert_eq!(entries[0]["target"], Value::String(w.student_user.to_string()));
    assert!(
        entries.iter().any(|e| e["details"]["format"] == "csv")
            && entries.iter().any(|e| e["details"]["format"] == "json")
    );

    let unknown = format!("/api/v1/org/users/{}/export", examhall::domain::UserId::generate());
    assert_eq!(app.as_(&w.admin).raw(Method::GET, &unknown, None).await.status(), 404);
    assert_eq!(app.as_(&w.admin).raw(Method::GET, "/api/v1/org/users/not-an-id/export", None).await.status(), 404);
    app.stop().await;
}
