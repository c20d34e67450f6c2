//! Proctors watch the published exams of their own sections, and see only
//! their own sections' students; course staff see every section.

use serde_json::{Value, json};

use crate::access::exam_body;
use crate::helpers::spawn_app;
use crate::people::{Caller, World, world};

/// The e-mail addresses in `caller`'s list of the exam's students, or the status when refused.
async fn watched(
    app: &crate::helpers::TestApp,
    caller: &Caller,
    course: impl std::fmt::Display,
    exam: &str,
) -> Result<Vec<String>, u16> {
    let response = app.as_(caller).exam_attempts(course, exam).await;
    if response.status() != 200 {
        return Err(response.status().as_u16());
    }
    let rows: Value = response.json().await.unwrap();
    Ok(rows.as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect())
}

/// A draft exam of PHYS101 for both its sections (A and B), open all of the exam day once published.
pub async fn two_section_draft(app: &crate::helpers::TestApp, w: &World) -> String {
    let courses: Value = app.json_of(&w.admin, "/api/v1/org/courses").await;
    let phys101 = courses.as_array().unwrap().iter().find(|c| c["code"] == "PHYS101").unwrap();
    let sections: Vec<&str> =
        phys101["sections"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let mut body = exam_body(w);
    body["section_ids"] = json!(sections);
    let made: Value = app.as_(&w.instructor).create_exam(w.course, body).await.json().await.unwrap();
    made["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_proctor_sees_only_their_own_sections_of_a_published_exam() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let instructor = app.as_(&w.instructor);
    let exam = two_section_draft(&app, &w).await;

    assert_eq!(watched(&app, &w.proctor, w.course, &exam).await, Err(404), "a draft is the course staff's alone");
    let publish = instructor.publish(w.course, &exam, json!({"tests_run": 2, "tests_failed": 0})).await;
    assert_eq!(publish.status(), 200);

    let section_a = vec!["student@physics.example".to_owned()];
    let section_b = vec!["student-b@physics.example".to_owned()];
    let both = vec!["student-b@physics.example".to_owned(), "student@physics.example".to_owned()];
    assert_eq!(watched(&app, &w.proctor, w.course, &exam).await, Ok(section_a.clone()));
    assert_eq!(watched(&app, &w.other_proctor, w.course, &exam).await, Ok(section_b));
    assert_eq!(watched(&app, &w.instructor, w.course, &exam).await, Ok(both.clone()));
    assert_eq!(watched(&app, &w.reviewer, w.course, &exam).await, Ok(both));

    // Their page lists the exams their sections sit: B's proctor the new one only.
    let server = &app;
    let listed = |caller| async move {
        let watching: Value = server.json_of(caller, "/api/v1/me/watching").await;
        watching.as_array().unwrap().iter().map(|e| e["exam_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let mut mine = listed(&w.proctor).await;
    mine.sort();
    let mut expected = vec![exam.clone(), w.open_exam.to_string()];
    expected.sort();
    assert_eq!(mine, expected);
    assert_eq!(listed(&w.other_proctor).await, std::slice::from_ref(&exam));
    assert_eq!(listed(&w.student).await, Vec::<String>::new(), "a student proctors nothing");

    // The world's open exam is for section A only: B's proctor has nothing to watch there.
    let open = w.open_exam.to_string();
    assert_eq!(watched(&app, &w.proctor, w.course, &open).await, Ok(section_a));
    assert_eq!(watched(&app, &w.other_proctor, w.course, &open).await, Err(404));
    // Watching is all a proctor may do: the exam itself (with its hidden tests) stays the staff's.
    assert_eq!(app.as_(&w.proctor).exam(w.course, &exam).await.status(), 404);
    let extra = json!({"user_ids": [w.student_user], "minutes": 10});
    assert_eq!(app.as_(&w.proctor).extra_time(w.course, &exam, extra).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn proctors_note_incidents_about_their_own_sections_students_only_and_notes_are_never_changed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let proctor = app.as_(&w.proctor);
    let about_student = json!({"student_id": w.student_user, "note": "Asked to leave the room for 3 minutes."});
    assert_eq!(proctor.add_incident(w.course, w.open_exam, about_student).await.status(), 201);
    let about_section = json!({"section_id": w.section, "note": "Fire alarm test at 10:15, two minutes."});
    assert_eq!(proctor.add_incident(w.course, w.open_exam, about_section).await.status(), 201);
    // Another section's student, a made-up one, both or neither, an empty note: refused.
    let other_proctor = app.as_(&w.other_proctor);
    let sideways = json!({"student_id": w.student_user, "note": "x"});
    assert_eq!(other_proctor.add_incident(w.course, w.open_exam, sideways).await.status(), 404, "not their exam");
    let made_up = json!({"student_id": examhall::domain::UserId::generate(), "note": "x"});
    assert_eq!(proctor.add_incident(w.course, w.open_exam, made_up).await.status(), 404);
    let both = json!({"student_id": w.student_user, "section_id": w.section, "note": "x"});
    assert_eq!(proctor.add_incident(w.course, w.open_exam, both).await.status(), 422);
    let empty = json!({"section_id": w.section, "note": "   "});
    assert_eq!(proctor.add_incident(w.course, w.open_exam, empty).await.status(), 422);

    let listed: Value = app.as_(&w.instructor).incidents(w.course, w.open_exam).await.json().await.unwrap();
    let notes: Vec<&str> = listed.as_array().unwrap().iter().map(|n| n["note"].as_str().unwrap()).collect();
    assert_eq!(
        notes,
        ["Fire alarm test at 10:15, two minutes.", "Asked to leave the room for 3 minutes."],
        "newest first"
    );
    assert_eq!(listed[1]["student_name"], "student@physics.example");
    assert_eq!(listed[0]["made_by_name"], "proctor@physics.example");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=incident.note").await;
    assert_eq!(audit.as_array().unwrap().len(), 2);
    assert!(!audit.to_string().contains("Fire alarm"), "the log names what a note is about, not its text");
    let db = app.state.registry().org(w.physics).await.unwrap();
    let changed = db.write(|conn| Ok(conn.execute("UPDATE incident_notes SET note = ''", [])?)).await;
    assert!(changed.is_err(), "notes are never changed");
    app.stop().await;
}
