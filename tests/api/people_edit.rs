//! An org admin adds a person with their role in one step, and changes a
//! person's name and address; audited with what changed, refused in words
//! where it cannot be.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn a_person_is_added_with_their_role_and_their_name_and_address_can_change() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let sections: Value = app.json_of(&w.admin, "/api/v1/org/courses").await;
    let section = sections[0]["sections"][0]["id"].as_str().unwrap().to_owned();

    let body = json!({"email": "ada@physics.example", "display_name": "Ada", "role": "student", "section_id": section});
    let created = app.as_(&w.admin).create_user(body).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    let users = app.json_of(&w.admin, "/api/v1/org/users").await;
    let ada = users.as_array().unwrap().iter().find(|u| u["id"] == id.as_str()).unwrap().clone();
    assert_eq!(ada["roles"][0]["role"], "student");
    assert_eq!(ada["roles"][0]["section_id"], section.as_str());

    // A role in the wrong place, or a place of another organization: nothing is created.
    let wrong =
        json!({"email": "bo@physics.example", "display_name": "Bo", "role": "instructor", "section_id": section});
    assert_eq!(app.as_(&w.admin).create_user(wrong).await.status(), 422);
    let unknown = json!({"email": "bo@physics.example", "display_name": "Bo", "role": "student",
        "section_id": "00000000-0000-7000-8000-000000000000"});
    assert_eq!(app.as_(&w.admin).create_user(unknown).await.status(), 404);
    let after = app.json_of(&w.admin, "/api/v1/org/users").await;
    assert_eq!(after.as_array().unwrap().len(), users.as_array().unwrap().len(), "nothing half-made");

    // A new name and address: audited with both, the invitation for the old address void.
    let link = created["link"].as_str().unwrap().trim_start_matches("/link/").to_owned();
    assert_eq!(app.anonymous().describe_link(&link).await.status(), 200);
    let change = json!({"display_name": "Ada Lovelace", "email": "ada.lovelace@physics.example"});
    let changed = app.as_(&w.admin).update_user(&id, change).await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        (changed["display_name"].clone(), changed["email"].clone()),
        (json!("Ada Lovelace"), json!("ada.lovelace@physics.example"))
    );
    assert_ne!(app.anonymous().describe_link(&link).await.status(), 200, "the old address's link stops working");
    let audit = app.json_of(&w.admin, "/api/v1/org/audit?action=user.rename").await;
    assert_eq!(audit[0]["details"]["email"]["before"], "ada@physics.example", "{audit}");
    assert_eq!(audit[0]["details"]["name"]["after"], "Ada Lovelace");

    // Another person's address: refused in words, nothing changes.
    let taken = app.as_(&w.admin).update_user(&id, json!({"email": "student@physics.example"})).await;
    assert_eq!(taken.status(), 409);
    let problem: Value = taken.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("another account has the e-mail"), "{problem}");
    app.stop().await;
}
