//! Invitation links in bulk for students imported from a roster: one each
//! for those without a password, the others named with the reason, each
//! link audited and working once, and the request bounded.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_students_get_a_link_each_and_the_others_are_named_with_the_reason() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let roster = "student_number,name,email,course,section\n\
                  S901,Ann Able,ann@physics.example,PHYS101,A\n\
                  S902,Ben Baker,ben@physics.example,PHYS101,A\n";
    assert_eq!(app.as_(&w.admin).import_roster(roster).await.status(), 200);
    let users: Value = app.as_(&w.admin).users().await.json().await.unwrap();
    let id_of = |email: &str| {
        let users = users.as_array().unwrap();
        let user = users.iter().find(|u| u["email"] == email).unwrap_or_else(|| panic!("{email}: {users:?}"));
        user["id"].as_str().unwrap().to_owned()
    };
    let (ann, ben, with_password) =
        (id_of("ann@physics.example"), id_of("ben@physics.example"), w.student_user.to_string());
    // A person of no one's, or of another organization: nothing is issued.
    let unknown = "01900000-0000-7000-8000-000000000000".to_owned();
    let refused = app.as_(&w.admin).invitations(json!({"user_ids": [ann, unknown]})).await;
    assert_eq!(refused.status(), 404);
    let body = json!({"user_ids": [ann, ben, ann, with_password]});
    let response = app.as_(&w.admin).invitations(body).await;
    assert_eq!(response.status(), 201);
    let issued: Value = response.json().await.unwrap();
    let links = issued["links"].as_array().unwrap();
    assert_eq!(links.len(), 2, "one each, a repeated id once: {issued}");
    assert_eq!(links[0]["student_number"], "S901");
    assert_eq!(links[0]["display_name"], "Ann Able");
    let skipped: Vec<(&str, &str)> = issued["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["user_id"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(skipped, [(with_password.as_str(), "has_password")]);

    // Each link works once: Ann chooses a password and signs in with it.
    let link = links[0]["link"].as_str().unwrap().strip_prefix("/link/").unwrap().to_owned();
    let password = json!({"password": "a-new-strong-phrase-1"});
    assert_eq!(app.anonymous().redeem_link(&link, password.clone()).await.status(), 204);
    assert_eq!(app.anonymous().redeem_link(&link, password).await.status(), 404);
    let sign_in = json!({"org": "physics", "email": "ann@physics.example", "password": "a-new-strong-phrase-1"});
    assert_eq!(app.anonymous().sign_in(sign_in).await.status(), 200);
    // Now that she has a password, she gets no new link.
    let again: Value = app.as_(&w.admin).invitations(json!({"user_ids": [ann]})).await.json().await.unwrap();
    assert_eq!(again["skipped"][0]["reason"], "has_password");

    let audit: Value = app.as_(&w.admin).audit("action=user.invitation_link").await.json().await.unwrap();
    assert_eq!(audit.as_array().map(Vec::len), Some(2), "one entry per link: {audit}");

    // Bounded, and only ids.
    let many: Vec<String> = (0..2_001).map(|_| ann.clone()).collect();
    assert_eq!(app.as_(&w.admin).invitations(json!({"user_ids": many})).await.status(), 422);
    assert_eq!(app.as_(&w.admin).invitations(json!({"user_ids": ["not an id"]})).await.status(), 422);
    app.stop().await;
}
