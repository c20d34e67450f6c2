//! A platform admin and an organization's administrators: who they are,
//! whether they have signed in, and a new link for one who lost theirs
//! (inviting the same address again issues one too), each recorded in both
//! logs; nothing for someone who is not an administrator there.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::people::world;

/// Whether the link path (`/link/REALM.TOKEN`) still opens.
async fn opens(app: &crate::helpers::TestApp, link: &str) -> bool {
    let token = link.trim_start_matches("/link/");
    app.anonymous().describe_link(token).await.status() == 200
}

#[tokio::test]
async fn a_lost_invitation_is_issued_again_and_the_old_link_stops_working() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let path = format!("/api/v1/platform/orgs/{}/admins", w.physics);
    let invite = json!({"email": "boss@physics.example", "display_name": "Boss"});
    let first: Value = app.as_(&w.platform).invite_org_admin(w.physics, invite.clone()).await.json().await.unwrap();
    let listed = app.json_of(&w.platform, &path).await;
    let boss = listed.as_array().unwrap().iter().find(|a| a["email"] == "boss@physics.example").unwrap().clone();
    assert_eq!(boss["has_password"], false);
    assert!(boss["link_expires_at"].is_string(), "an open invitation: {boss}");
    let signed_in = listed.as_array().unwrap().iter().find(|a| a["email"] == "admin@physics.example").unwrap();
    assert_eq!(signed_in["has_password"], true);

    // Invited again (the link was lost): a new link, the old one dead.
    let again = app.as_(&w.platform).invite_org_admin(w.physics, invite).await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["user_id"], first["user_id"], "the same person");
    assert!(!opens(&app, first["link"].as_str().unwrap()).await, "the lost link stops working");
    assert!(opens(&app, again["link"].as_str().unwrap()).await);

    // Or from the list.
    let user = first["user_id"].as_str().unwrap();
    let issued = app.as_(&w.platform).reissue_org_admin_link(w.physics, user).await;
    assert_eq!(issued.status(), 201);
    let issued: Value = issued.json().await.unwrap();
    assert!(!opens(&app, again["link"].as_str().unwrap()).await);
    assert!(opens(&app, issued["link"].as_str().unwrap()).await);
    let reissued: i64 = app
        .state
        .registry()
        .platform()
        .db()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'user.reissue_org_admin_link'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(reissued, 2, "both new links are in the platform's log");

    // Not an administrator there, or not a person there: nothing issued.
    let student = w.student_user.to_string();
    assert_eq!(app.as_(&w.platform).reissue_org_admin_link(w.physics, &student).await.status(), 404);
    assert_eq!(app.as_(&w.platform).reissue_org_admin_link(w.chemistry, user).await.status(), 404);
    // An address that is a student's account: refused in words, nothing created.
    let taken = json!({"email": "student@physics.example", "display_name": "S"});
    let refused = app.as_(&w.platform).invite_org_admin(w.physics, taken).await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("has an account in Physics already"), "{problem}");
    app.stop().await;
}

#[tokio::test]
async fn the_status_says_the_version_the_certificate_the_sizes_and_each_audit_logs_last_check() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let before = app.json_of(&w.platform, "/api/v1/platform/status").await;
    assert!(before["version"].as_str().unwrap().contains(env!("CARGO_PKG_VERSION")), "{before}");
    let days = before["certificate"]["days_left"].as_i64().expect("the test server's certificate is read");
    assert!(days > 300, "a fresh self-signed certificate: {before}");
    assert_eq!(before["platform_audit"], Value::Null, "not checked yet");
    let physics =
        |status: &Value| status["orgs"].as_array().unwrap().iter().find(|o| o["slug"] == "physics").cloned().unwrap();
    assert!(physics(&before)["bytes"].as_u64().unwrap() > 0);

    let broken = examhall::service::status::check_audit_logs(&app.state).await.unwrap();
    assert_eq!(broken, 0);
    let after = app.json_of(&w.platform, "/api/v1/platform/status").await;
    assert_eq!(after["platform_audit"]["intact"], true, "{after}");
    let audit = &physics(&after)["audit"];
    assert_eq!(audit["intact"], true);
    assert!(audit["entries"].as_i64().unwrap() > 0, "{audit}");

    // A log changed behind the server's back is reported on the next check, in words.
    let db = app.state.registry().org(w.physics).await.unwrap();
    db.write(|conn| {
        conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_label = 'x' WHERE seq = 1")?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(examhall::service::status::check_audit_logs(&app.state).await.unwrap(), 1);
    let found = app.json_of(&w.platform, "/api/v1/platform/status").await;
    let audit = &physics(&found)["audit"];
    assert_eq!(audit["intact"], false);
    assert!(audit["problem"].as_str().unwrap().contains("entry 1"), "{audit}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctors_checks_run_on_request_and_the_status_shows_their_report() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let before = app.json_of(&w.platform, "/api/v1/platform/status").await;
    assert_eq!(before["doctor"], Value::Null, "not run yet: {before}");

    let response = app.as_(&w.platform).run_doctor().await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    let status_of = |report: &Value, name: &str| {
        let checks = report["checks"].as_array().unwrap();
        checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}: {report}"))["status"].clone()
    };
    for name in
        ["data directory", "master key", "database platform", "database physics", "audit log chemistry", "clock"]
    {
        assert_eq!(status_of(&report, name), "pass", "{name}: {report:#}");
    }
    // The test server's certificate is its own: a warning, in words, with what to do.
    assert_eq!(status_of(&report, "TLS authority"), "warn");
    // The worst check decides (here the test's clock, months before the
    // certificate was made, even makes it fail).
    let worst = ["fail", "warn", "pass"]
        .into_iter()
        .find(|s| report["checks"].as_array().unwrap().iter().any(|c| c["status"] == *s));
    assert_eq!(report["status"].as_str(), worst, "{report:#}");

    let after = app.json_of(&w.platform, "/api/v1/platform/status").await;
    assert_eq!(after["doctor"]["checks"], report["checks"], "the status shows the report just made");
    // Only the platform's administrators may run it.
    let refused = app.as_(&w.admin).run_doctor().await;
    assert!([401, 403, 404].contains(&refused.status().as_u16()), "{}", refused.status());
    app.stop().await;
}
