//! Each organization's audit head anchored in platform.db: an old copy of a
//! file put back, a lost -wal of a killed server, and another
//! organization's file are refused (503 for that organization only, named
//! by `examhall audit verify`), and `examhall audit accept-head` is the
//! audited way back into service.

use std::path::{Path, PathBuf};
use std::time::Duration;

use examhall::domain::{OrgId, Role};
use examhall::store::audit::{self, AuditEvent, AuditQuery};
use examhall::store::courses::GrantTarget;
use examhall::store::{anchors, connection, master_key};
use serde_json::{Value, json};

use crate::audit::open_with_key;
use crate::helpers::{ServeProcess, TestApp, client_trusting, config_for, restart, run, run_beside, spawn_app};
use crate::people::PASSWORD;

fn org_file(dir: &Path, id: OrgId) -> PathBuf {
    dir.join("orgs").join(format!("{id}.db"))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Copies a database file with its -wal (if any) over `to` and its companions.
fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sidecar(to, suffix));
    }
    if sidecar(from, "-wal").exists() {
        std::fs::copy(sidecar(from, "-wal"), sidecar(to, "-wal")).unwrap();
    }
}

/// Appends `count` entries to `org`'s log through the server's own writer.
pub async fn audited(app: &TestApp, org: OrgId, count: i64) {
    let db = app.state.registry().org(org).await.unwrap();
    for n in 0..count {
        let event = AuditEvent::new("system", "examhall", "test.event").details(json!({ "n": n }));
        db.write(move |conn| audit::append(conn, &event, time::OffsetDateTime::UNIX_EPOCH).map(|_| ())).await.unwrap();
    }
}

async fn sign_in_status(app: &TestApp, org: &str, email: &str) -> (u16, String, Value) {
    let body = json!({ "org": org, "email": email, "password": PASSWORD });
    let response = app.anonymous().sign_in(body).await;
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, response.json().await.unwrap_or(Value::Null))
}

/// Two organizations with an admin each.
pub async fn two_orgs(app: &TestApp) -> (OrgId, OrgId) {
    let physics = app.create_org("physics", "Physics").await.id;
    let chemistry = app.create_org("chemistry", "Chemistry").await.id;
    app.add_person(physics, "admin@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    app.add_person(chemistry, "admin@chemistry.example", Role::OrgAdmin, GrantTarget::Organization).await;
    (physics, chemistry)
}

async fn assert_refused_alone(app: &TestApp) {
    let (status, kind, problem) = sign_in_status(app, "physics", "admin@physics.example").await;
    assert_eq!((status, kind.as_str()), (503, "application/problem+json"), "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("integrity check") && detail.contains("until IT has investigated"), "{detail}");
    app.sign_in(Some("chemistry"), "admin@chemistry.example", PASSWORD).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200, "the other organizations are served");
    assert_eq!(ready.json::<Value>().await.unwrap(), json!({ "status": "degraded", "refused_organizations": 1 }));
}

/// Takes a copy of physics' file, lets the server write `later` more audit
/// entries, and puts the copy back over the file: the next start finds a
/// file whose audit head is older than the one `platform.db` anchored.
pub async fn put_back_an_old_copy(app: TestApp, physics: OrgId, later: i64) -> tempfile::TempDir {
    let dir = app.stop().await;
    let file = org_file(dir.path(), physics);
    let old = dir.path().join("physics-old-copy.db");
    copy_db(&file, &old);
    let app = restart(dir).await;
    audited(&app, physics, later).await;
    let dir = app.stop().await;
    copy_db(&old, &file);
    dir
}

#[tokio::test]
async fn an_old_copy_of_an_organization_file_put_back_is_refused_until_its_head_is_accepted() {
    let app = spawn_app().await;
    let (physics, _) = two_orgs(&app).await;
    audited(&app, physics, 3).await;
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let dir = put_back_an_old_copy(app, physics, 2).await;

    let app = restart(dir).await;
    assert_refused_alone(&app).await;
    let response = app.as_(&admin).audit("").await;
    assert_eq!(response.status(), 503, "a session of the organization gets the same answer");
    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let (ok, stdout, stderr) = run(&["audit", "verify", "--org", "physics", "--data-dir", &data]);
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("intact") && stdout.contains("REFUSED") && stdout.contains("rolled back"), "{stdout}");
    assert!(stderr.contains("platform.db recorded entry") && stderr.contains("accept-head --org physics"), "{stderr}");

    let lost = app.state.registry().platform().anchored_head(physics).await.unwrap().unwrap();
    let reason = "ticket 7: an old copy was restored by mistake; accepted";
    let (ok, stdout, stderr) =
        run_beside(&["audit", "accept-head", "--org", "physics", "--reason", reason, "--data-dir", &data]).await;
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("accepted the audit head of physics\n"), "{stdout}");
    app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    assert!(app.get("/readyz").await.text().await.unwrap().is_empty(), "nothing refused any more");

    let db = app.state.registry().org(physics).await.unwrap();
    let query = AuditQuery { action_prefix: Some("audit.checkpoint".into()), ..AuditQuery::default() };
    let checkpoints = db.read(move |conn| audit::list(conn, &query)).await.unwrap();
    let entry = &checkpoints[0].event;
    assert!(entry.actor.starts_with("cli:"), "{entry:?}");
    assert_eq!((entry.details["kind"].as_str(), entry.details["reason"].as_str()), (Some("accept"), Some(reason)));
    assert_eq!(entry.details["old_head"], lost.to_string());
    let query = AuditQuery { action_prefix: Some("org.accept_head".into()), ..AuditQuery::default() };
    let platform = app.state.registry().platform().db().read(move |conn| audit::list(conn, &query)).await.unwrap();
    assert_eq!(platform[0].event.target.as_deref(), Some(physics.to_string().as_str()));
    assert_eq!(platform[0].event.details["reason"], reason);

    let (ok, stdout, stderr) =
        run(&["audit", "verify", "--org", "physics", "--expect-head", &lost.to_string(), "--data-dir", &data]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("checkpoint at entry") && stdout.contains("(accept,"), "{stdout}");
    assert!(stdout.contains(&format!("the expected head {lost} was replaced by the checkpoint")), "{stdout}");
    app.stop().await;
}

#[tokio::test]
async fn deactivating_a_refused_organization_applies_whole_and_its_old_sessions_never_come_back() {
    use examhall::store::platform::OrgStatus;
    let app = spawn_app().await;
    let (physics, _) = two_orgs(&app).await;
    let kept = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    audited(&app, physics, 1).await;
    let dir = put_back_an_old_copy(app, physics, 1).await;

    // The old copy (holding the session) is refused; IT switches the organization off meanwhile.
    let app = restart(dir).await;
    assert_refused_alone(&app).await;
    let it = examhall::service::Actor::audited(examhall::store::audit::Actor::system());
    let off = examhall::service::organizations::update(&app.state, &it, physics, None, Some(OrgStatus::Deactivated));
    let (org, ended) = off.await.expect("the deactivation applies, refused file or not");
    assert_eq!((org.status, ended), (OrgStatus::Deactivated, None), "no session could be ended yet");

    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let accept =
        ["audit", "accept-head", "--org", "physics", "--reason", "ticket 9: investigated", "--data-dir", &data];
    let (ok, _, stderr) = run_beside(&accept).await;
    assert!(ok, "{stderr}");
    let on = examhall::service::organizations::update(&app.state, &it, physics, None, Some(OrgStatus::Active));
    assert_eq!(on.await.unwrap().0.status, OrgStatus::Active);
    assert!(!app.alive(&kept).await, "the session from before the deactivation ended when the file opened");
    app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    app.stop().await;
}

#[tokio::test]
async fn another_organizations_file_under_this_organizations_name_is_refused() {
    let app = spawn_app().await;
    let (physics, chemistry) = two_orgs(&app).await;
    let dir = app.stop().await;
    let own = dir.path().join("physics-own.db");
    copy_db(&org_file(dir.path(), physics), &own);
    copy_db(&org_file(dir.path(), chemistry), &org_file(dir.path(), physics));
    let app = restart(dir).await;
    assert_refused_alone(&app).await;
    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let (ok, _, stderr) = run(&["audit", "verify", "--org", "physics", "--data-dir", &data]);
    assert!(!ok);
    assert!(stderr.contains("does not open with physics's key"), "{stderr}");
    assert!(stderr.contains("put organization physics's own database back"), "{stderr}");

    // Physics' own file and key, but the file records chemistry as its owner.
    let dir = app.stop().await;
    copy_db(&own, &org_file(dir.path(), physics));
    let conn = open_with_key(dir.path(), "physics");
    conn.execute("UPDATE organization SET id = ?1", [chemistry.to_string()]).unwrap();
    drop(conn);
    let app = restart(dir).await;
    assert_refused_alone(&app).await;
    let (ok, _, stderr) =
        run_beside(&["audit", "accept-head", "--org", "physics", "--reason", "try", "--data-dir", &data]).await;
    assert!(!ok, "accept-head must not accept another organization's file");
    assert!(stderr.contains(&format!("belongs to organization {chemistry}, not to physics")), "{stderr}");
    app.stop().await;
}

/// The head platform.db anchors for `org`, read beside a running server.
fn anchored(dir: &Path, org: OrgId) -> Option<i64> {
    let config = config_for(dir);
    let master = master_key::load(&config.master_key_file()).unwrap();
    let conn = connection::open(&config.data().platform_db(), &master.platform_db_key(), false).unwrap();
    anchors::read(&conn, org).unwrap().map(|head| head.seq)
}

#[tokio::test]
async fn a_lost_wal_of_a_killed_server_is_caught_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["init", "--data-dir", data]).0);
    assert!(run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]).0);
    let (ok, list, _) = run(&["org", "list", "--json", "--data-dir", data]);
    assert!(ok);
    let physics = OrgId::parse(serde_json::from_str::<Value>(&list).unwrap()[0]["id"].as_str().unwrap()).unwrap();
    let cert = dir.path().join("tls/cert.pem");
    let client = client_trusting(&cert);

    // Failed sign-ins reach the audit log as one entry per window with a
    // count: a one-second window writes them while the test watches. The
    // checkpoints beside the writer would copy them into the file within
    // 200 ms; without them they stay in the -wal, as a server killed right
    // after a commit leaves them.
    let env = [("EXAMHALL_AUTH__REFUSAL_WINDOW_SECS", "1"), ("EXAMHALL_STORAGE__BACKGROUND_CHECKPOINTS", "false")];
    let mut server = ServeProcess::start(dir.path(), &env);
    assert!(server.wait_ready(&cert).await);
    let sign_in = |port: u16, email: &str| {
        let body = json!({ "org": "physics", "email": email, "password": "wrong-password-123" });
        client.post(format!("https://127.0.0.1:{port}/api/v1/session")).json(&body).send()
    };
    for n in 0..3 {
        assert_eq!(sign_in(server.port, &format!("nobody{n}@physics.example")).await.unwrap().status(), 401);
    }
    let mut head = None;
    for _ in 0..100 {
        head = anchored(dir.path(), physics).filter(|seq| *seq > 0);
        if head.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let head = head.expect("platform.db anchored the refusals' entry");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let file = org_file(dir.path(), physics);
    assert!(sidecar(&file, "-wal").exists(), "the killed server's commits are in the -wal");
    std::fs::remove_file(sidecar(&file, "-wal")).unwrap();
    let _ = std::fs::remove_file(sidecar(&file, "-shm"));

    let server = ServeProcess::start(dir.path(), &[]);
    assert!(server.wait_ready(&cert).await, "the server starts and serves the other organizations");
    let response = sign_in(server.port, "nobody@physics.example").await.unwrap();
    assert_eq!(response.status(), 503);
    // The server writes its log lines from a thread of their own: read until they are there (at most 10 s).
    let expected = format!("platform.db recorded entry {head}");
    let started = std::time::Instant::now();
    let logs = loop {
        let logs: String = crate::helpers::files_under(&dir.path().join("logs"))
            .iter()
            .map(|file| std::fs::read_to_string(file).unwrap_or_default())
            .collect();
        if logs.contains(&expected) || started.elapsed() > Duration::from_secs(10) {
            break logs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(logs.contains("refusing to serve an organization until IT investigates"), "{logs}");
    assert!(logs.contains(&expected), "{logs}");
    let (ok, stdout, _) = run(&["audit", "verify", "--org", "physics", "--data-dir", data]);
    assert!(!ok);
    assert!(stdout.contains("audit log of physics: 0 entries") && stdout.contains("lost -wal"), "{stdout}");
    server.terminate();
}

/// What an installer whose upgrade failed does after putting the data
/// directory's snapshot back: the heads the failed run left (printed by
/// `audit head` before the rollback) are accepted as replaced, so they
/// are found in each log's history; a head the log holds needs nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_of_a_rolled_back_run_are_accepted_as_replaced_in_an_organization_and_the_platform() {
    let app = spawn_app().await;
    let (physics, _) = two_orgs(&app).await;
    audited(&app, physics, 2).await;
    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let (ok, current, _) = run_beside(&["audit", "head", "--org", "physics", "--data-dir", &data]).await;
    assert!(ok);
    let reason = "upgrade to 9.9.9 failed; data directory restored from the snapshot of 02:00";
    let held = run_beside(&[
        "audit",
        "accept-head",
        "--org",
        "physics",
        "--replaced",
        current.trim(),
        "--reason",
        reason,
        "--data-dir",
        &data,
    ])
    .await;
    assert!(held.0 && held.1.starts_with("nothing to accept"), "{held:?}");

    let gone = format!("{}:{}", 999, "ab".repeat(32));
    for log in [["--org", "physics"], ["--platform", ""]] {
        let log: Vec<&str> = log.into_iter().filter(|a| !a.is_empty()).collect();
        let mut args = vec!["audit", "accept-head"];
        args.extend(&log);
        args.extend(["--replaced", &gone, "--reason", reason, "--data-dir", &data]);
        let (ok, stdout, stderr) = run_beside(&args).await;
        assert!(ok, "{log:?}: {stdout}{stderr}");
        assert!(stdout.contains(&format!("records the given head {gone}")), "{stdout}");
        let mut verify = vec!["audit", "verify"];
        verify.extend(&log);
        verify.extend(["--expect-head", &gone, "--data-dir", &data]);
        let (ok, stdout, stderr) = run_beside(&verify).await;
        assert!(ok, "{log:?}: {stdout}{stderr}");
        assert!(stdout.contains(&format!("the expected head {gone} was replaced by the checkpoint")), "{stdout}");
    }
    let query = AuditQuery { action_prefix: Some("org.accept_head".into()), ..AuditQuery::default() };
    let platform = app.state.registry().platform().db().read(move |conn| audit::list(conn, &query)).await.unwrap();
    assert_eq!(platform[0].event.target.as_deref(), Some(physics.to_string().as_str()));

    let (ok, _, stderr) =
        run_beside(&["audit", "accept-head", "--platform", "--reason", reason, "--data-dir", &data]).await;
    assert!(!ok && stderr.contains("--replaced"), "{stderr}");
    app.stop().await;
}
