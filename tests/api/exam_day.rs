//! What people do for one student while the exam runs, each within their
//! scope: a proctor acts on their own section's students only, reads code
//! only when the exam's policy allows it, and gives extra time only within
//! its limit; reviewers read and never act.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::people::world;
use crate::proctors::two_section_draft;

#[tokio::test]
async fn a_proctor_acts_on_their_own_sections_students_only_and_within_the_exams_policy() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let exam = two_section_draft(&app, &w).await;
    let instructor = app.as_(&w.instructor);
    let published = instructor.publish(w.course, &exam, json!({"tests_run": 2, "tests_failed": 0})).await;
    assert_eq!(published.status(), 200);
    let (server, exam_id) = (&app, &exam);
    let attempt_of = |caller| async move {
        let started: Value = server.as_(caller).start(exam_id).await.json().await.unwrap();
        started["attempt"]["id"].as_str().unwrap().to_owned()
    };
    let (mine, theirs) = (attempt_of(&w.student).await, attempt_of(&w.other_student).await);
    let proctor = || app.as_(&w.proctor);

    assert_eq!(proctor().timeline(w.course, &exam, &mine).await.status(), 200, "their section's student");
    assert_eq!(proctor().timeline(w.course, &exam, &theirs).await.status(), 404, "another section's, by id");
    assert_eq!(proctor().timeline(w.course, &exam, &mine).await.status(), 200, "a refresh");
    let viewed: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=attempt.view").await;
    let viewers: Vec<&str> = viewed.as_array().unwrap().iter().map(|e| e["actor_label"].as_str().unwrap()).collect();
    assert_eq!(viewers, ["proctor@physics.example"], "a proctor's viewing is recorded too, once, not per refresh");
    assert_eq!(proctor().move_code(w.course, &exam, &theirs).await.status(), 404);
    assert_eq!(proctor().code(w.course, &exam, &mine).await.status(), 404, "code only when the policy allows");
    assert_eq!(proctor().replay(w.course, &exam, &mine).await.status(), 404);
    let more = |minutes: u32| json!({ "minutes": minutes, "reason": "the computer froze" });
    let rows: Value = instructor.exam_attempts(w.course, &exam).await.json().await.unwrap();
    let other = rows.as_array().unwrap().iter().find(|r| r["email"] == "student-b@physics.example").unwrap();
    let other_student = other["user_id"].as_str().unwrap().to_owned();
    assert_eq!(proctor().give_extra_time(w.course, &exam, w.student_user, more(5)).await.status(), 404, "no time");

    let policy = json!({ "thresholds": null, "proctors_read_code": true, "proctor_extra_minutes": 10 });
    assert_eq!(instructor.set_policy(w.course, &exam, policy).await.status(), 200);
    assert_eq!(proctor().code(w.course, &exam, &mine).await.status(), 200);
    assert_eq!(proctor().replay(w.course, &exam, &mine).await.status(), 200);
    assert_eq!(proctor().code(w.course, &exam, &theirs).await.status(), 404, "never another section's");
    let given = proctor().give_extra_time(w.course, &exam, w.student_user, more(6)).await;
    assert_eq!(given.status(), 200);
    assert_eq!(given.json::<Value>().await.unwrap(), json!({ "minutes": 6, "by_proctors": 6 }));
    let over = proctor().give_extra_time(w.course, &exam, w.student_user, more(5)).await;
    assert_eq!(over.status(), 422, "10 minutes in all from proctors");
    assert!(over.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("4 are left"));
    assert_eq!(proctor().give_extra_time(w.course, &exam, &other_student, more(1)).await.status(), 404);
    let reviewer = app.as_(&w.reviewer).give_extra_time(w.course, &exam, w.student_user, more(1)).await;
    assert_eq!(reviewer.status(), 404, "reviewers do not act");
    let by_instructor = instructor.give_extra_time(w.course, &exam, w.student_user, more(30)).await;
    assert_eq!(by_instructor.json::<Value>().await.unwrap(), json!({ "minutes": 36, "by_proctors": 6 }));
    for refused in [more(0), more(241), json!({ "minutes": 5, "reason": " " }), json!({ "minutes": 5 })] {
        let response = instructor.give_extra_time(w.course, &exam, w.student_user, refused.clone()).await;
        assert_eq!(response.status(), 422, "{refused}");
    }

    let rows: Value = instructor.exam_attempts(w.course, &exam).await.json().await.unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["email"] == "student@physics.example").unwrap();
    assert_eq!(row["extra_minutes"], 36);
    assert_eq!(row["attempt"]["deadline_at"], "2026-06-01T11:06:00.000Z", "90 + 36 minutes from 09:00");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=exam.extra_time").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2, "the refused ones leave no entry");
    assert_eq!(entries[1]["actor_label"], "proctor@physics.example");
    assert_eq!(entries[1]["details"]["reason"], "the computer froze");
    app.stop().await;
}
