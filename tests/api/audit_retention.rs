//! Audit entries past their retention: an org admin's policy (never below
//! the platform's audit minimum), the plan that lists them, and the purge
//! that empties them in place through a checkpoint, after which the log
//! still verifies, heads kept from before still verify, and nothing the
//! entries said about anyone is left.

use std::sync::Arc;
use std::time::Duration;

use examhall::clock::ManualClock;
use examhall::store::audit::{self, AuditHead};
use serde_json::json;

use crate::backups::data;
use crate::helpers::{EXAM_DAY, TestApp, run_beside};
use crate::people::{PASSWORD, World, world};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

async fn head(app: &TestApp, w: &World) -> AuditHead {
    let db = app.state.registry().org(w.physics).await.unwrap();
    db.read(audit::head).await.unwrap().expect("the world's set-up is audited")
}

/// Up to the first trim's checkpoint (background jobs may append entries
/// dated earlier after it, for the next purge): (entries emptied, entries
/// still naming `who`, entries not emptied older than `before`).
async fn census(app: &TestApp, w: &World, who: &str, before: &str) -> (i64, i64, i64) {
    let db = app.state.registry().org(w.physics).await.unwrap();
    let (who, before) = (format!("%{who}%"), before.to_owned());
    db.read(move |conn| {
        Ok(conn.query_row(
            "WITH upto AS (SELECT coalesce(min(seq), 1e18) AS seq FROM audit_log
                           WHERE action = 'audit.checkpoint' AND details LIKE '%\"kind\":\"trim\"%')
             SELECT (SELECT count(*) FROM audit_log WHERE action = 'audit.emptied'),
                    (SELECT count(*) FROM audit_log, upto
                     WHERE audit_log.seq < upto.seq AND actor_label || coalesce(target, '') || details LIKE ?1),
                    (SELECT count(*) FROM audit_log, upto
                     WHERE audit_log.seq < upto.seq AND at < ?2 AND action NOT IN ('audit.emptied', 'audit.checkpoint'))",
            rusqlite::params![who, before],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn audit_entries_past_their_time_are_emptied_in_place_and_the_log_still_verifies() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = crate::helpers::spawn_app_with(Arc::new(clock.clone()), |_| {}).await;
    let w = world(&app).await;
    // Handed in by hand: no automatic submission at the deadline writes an
    // entry while the test looks.
    let client = crate::exam_client::ExamClient::student(&app, &w).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    let taken_before = head(&app, &w).await;

    let policy =
        |audit_days: serde_json::Value| json!({"evidence_days": null, "exam_days": null, "audit_days": audit_days});
    let refused = app.as_(&w.admin).set_retention(policy(json!(364))).await;
    assert_eq!(refused.status(), 422);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert!(problem.to_string().contains("audit_days") && problem.to_string().contains("365"), "{problem}");
    assert_eq!(app.as_(&w.admin).set_retention(policy(json!(365))).await.status(), 204);
    let seen = app.json_of(&w.admin, "/api/v1/org/retention").await;
    assert_eq!((seen["audit_days"].clone(), seen["audit_minimum_days"].clone()), (json!(365), json!(365)));
    assert_eq!(seen["audit_due"], json!(null), "nothing is a year old yet");

    clock.advance(400 * DAY);
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let seen = app.json_of(&admin, "/api/v1/org/retention").await;
    let due = seen["audit_due"]["entries"].as_u64().expect("a year later the set-up's entries are due");
    let before = seen["audit_due"]["before"].as_str().unwrap().to_owned();
    let (_, naming_the_student, _) = census(&app, &w, "student@physics.example", &before).await;
    assert!(naming_the_student > 0, "the student's start names them");

    let dir = data(&app);
    // (The command line reads the system clock, on which a year has not passed since the exam day.)
    let (ok, stdout, stderr) = run_beside(&["retention", "show", "--org", "physics", "--data-dir", &dir]).await;
    assert!(ok && stdout.contains("audit entries       kept 365 days after they are written"), "{stdout}{stderr}");
    let set = ["retention", "set", "--audit-days", "100", "--org", "physics", "--data-dir", &dir];
    let (ok, _, stderr) = run_beside(&set).await;
    assert!(!ok && stderr.contains("at least 365 days"), "{stderr}");

    let system = examhall::service::Actor::audited(audit::Actor::system());
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert_eq!(applied.audit_emptied, due);
    let (emptied, naming_the_student, older_left) = census(&app, &w, "student@physics.example", &before).await;
    assert_eq!(u64::try_from(emptied).unwrap(), due);
    assert_eq!((naming_the_student, older_left), (0, 0), "nothing older than a year says anything any more");
    let listed = app.json_of(&admin, "/api/v1/org/audit").await;
    let listed = listed.as_array().unwrap();
    assert!(listed.iter().all(|e| e["action"] != "audit.emptied"), "emptied entries are not listed");
    let trim = listed.iter().find(|e| e["action"] == "audit.checkpoint").expect("the purge is recorded");
    assert_eq!(trim["details"]["kind"], "trim");
    assert!(trim["details"]["reason"].as_str().unwrap().contains("365 days"), "{trim}");
    let again = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert_eq!(again.audit_emptied, 0, "nothing more is due");

    let (ok, stdout, stderr) = run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &dir]).await;
    assert!(ok && stdout.contains("intact") && stdout.contains("trim"), "{stdout}{stderr}");
    let expect = taken_before.to_string();
    let args = ["audit", "verify", "--org", "physics", "--data-dir", &dir, "--expect-head", &expect];
    let (ok, stdout, stderr) = run_beside(&args).await;
    assert!(ok && stdout.contains("intact"), "a head printed before the purge still verifies: {stdout}{stderr}");
    app.stop().await;
}

/// A disaster-recovery restore of an organization whose log holds emptied
/// entries: the bundle is accepted (an emptied entry is checked for its
/// empty form and its link, not its own hash), the chain comes back as it
/// was, and `audit verify` holds it to the trim's digest and a head printed
/// before the backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_with_emptied_entries_comes_back_whole_on_a_new_appliance() {
    use crate::backups::{appliance, appliance_on, officer, the_bundle};
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let clock = ManualClock::new(EXAM_DAY);
    let app = appliance_on(&recipient, Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let policy = json!({"evidence_days": null, "exam_days": null, "audit_days": 365});
    assert_eq!(app.as_(&w.admin).set_retention(policy).await.status(), 204);
    clock.advance(400 * DAY);
    let system = examhall::service::Actor::audited(audit::Actor::system());
    let applied = examhall::service::retention::apply(&app.state, &system, w.physics).await.unwrap();
    assert!(applied.audit_emptied > 0);
    let head = head(&app, &w).await.to_string();

    let out = tempfile::tempdir().unwrap();
    let dir = data(&app);
    let args = ["backup", "org", "--org", "physics", "--data-dir", &dir, "--to", out.path().to_str().unwrap()];
    let (ok, stdout, stderr) = run_beside(&args).await;
    assert!(ok, "{stdout}{stderr}");
    let bundle = the_bundle(out.path());
    let old_key = app.data_dir.path().join("signing.pub");

    let new = appliance(&recipient).await;
    let data_new = data(&new);
    let args = ["restore", bundle.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir", &data_new];
    let args: Vec<String> =
        args.iter().chain(&["--trust-key", old_key.to_str().unwrap()]).map(|&a| a.to_owned()).collect();
    let (code, text) = crate::backups::cli(args).await;
    assert_eq!(code, Some(0), "{text}");
    let verify = ["audit", "verify", "--org", "physics", "--data-dir", &data_new, "--expect-head", &head];
    let (ok, stdout, stderr) = run_beside(&verify).await;
    assert!(ok && stdout.contains("trim"), "the chain comes back, emptied entries and all: {stdout}{stderr}");
    new.stop().await;
    app.stop().await;
}
