//! `examhall restore` as IT meets it after losing a server: an exam, or the
//! whole organization, comes back on a new appliance, signed by the old
//! one's key; running it again changes nothing; and a bundle that is
//! damaged, of another organization, or restored while an exam is open is
//! refused with the data left as it was.

use std::path::{Path, PathBuf};

use examhall::clock::ManualClock;
use serde_json::Value;

use crate::backups::{appliance, appliance_on, data, forged, officer, the_bundle, with_an_attempt};
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, run_beside};
use crate::people::{PASSWORD, world};

/// `examhall backup ARGS` on `app` into `out`; the bundle and the audit head it printed.
async fn back_up(app: &TestApp, what: &[&str], out: &Path) -> (PathBuf, String) {
    let data = data(app);
    let args = [&["backup"], what, &["--data-dir", &data, "--to", out.to_str().unwrap()]].concat();
    let (ok, stdout, stderr) = run_beside(&args).await;
    assert!(ok, "{stdout}{stderr}");
    let head = stdout.lines().find_map(|l| l.trim().strip_prefix("audit head")).unwrap().trim().to_owned();
    (the_bundle(out), head)
}

/// `examhall restore` on `app`: exit code and everything printed.
async fn restore(app: &TestApp, bundle: &Path, identity: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let data = data(app);
    let args = ["restore", bundle.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir", &data];
    crate::backups::cli(args.iter().chain(extra).map(|&a| a.to_owned()).collect()).await
}

/// What an organization holds, as far as a restore could change it: every
/// table's row count and the audit head.
async fn footprint(app: &TestApp, slug: &str) -> Vec<(String, i64)> {
    let platform = app.state.registry().platform();
    let org = platform.org_by_slug(examhall::domain::OrgSlug::parse(slug).unwrap()).await.unwrap();
    let db = app.state.registry().org(org.id).await.unwrap();
    db.read(|conn| {
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut counts = Vec::new();
        for table in tables {
            let count: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            counts.push((table, count));
        }
        let head: i64 = conn.query_row("SELECT seq FROM audit_head", [], |r| r.get(0))?;
        counts.push(("audit head".to_owned(), head));
        Ok(counts)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_comes_back_on_a_new_appliance_with_its_students_receipts_and_a_second_run_changes_nothing() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let old = appliance(&recipient).await;
    let w = world(&old).await;
    let mut client = ExamClient::student(&old, &w).await;
    let question = client.question(0);
    client.type_text(&question, "# survives the server");
    client.flush(&old).await;
    let receipt: Value = client.submit(&old).await.json().await.unwrap();
    // A candidate's link issued again: the old link names the new one, which comes after it.
    let link = crate::candidates::issue_one(&old, &w, w.open_exam, "Ada Guest", "2026-06-01T16:00:00Z").await;
    let reissued = old.as_(&w.instructor).reissue_candidate(w.course, w.open_exam, link["id"].as_str().unwrap()).await;
    assert_eq!(reissued.status(), 201);
    let out = tempfile::tempdir().unwrap();
    let exam = w.open_exam.to_string();
    let (bundle, _) = back_up(&old, &["exam", "--org", "physics", "--exam", &exam], out.path()).await;
    let old_key = keys.path().join("old-signing.pub");
    std::fs::copy(old.data_dir.path().join("signing.pub"), &old_key).unwrap();
    old.stop().await;

    let clock = ManualClock::new(crate::helpers::EXAM_DAY);
    let new = appliance_on(&recipient, std::sync::Arc::new(clock.clone())).await;
    let (code, text) = restore(&new, &bundle, &identity, &[]).await;
    assert_eq!(code, Some(4), "signed by the old appliance, which this one does not know yet: {text}");
    let trust = ["--trust-key", old_key.to_str().unwrap()];
    let (code, text) = restore(&new, &bundle, &identity, &trust).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("restored the exam \"") && text.contains("into physics (the organization was made"),
        "{text}"
    );

    // The student's receipt is there as they got it; nobody's password hash came with the exam.
    let org = new.state.registry().platform().org_by_slug(examhall::domain::OrgSlug::parse("physics").unwrap()).await;
    let db = new.state.registry().org(org.unwrap().id).await.unwrap();
    let (stored, hashes): (String, i64) = db
        .read(|conn| {
            let stored = conn.query_row("SELECT receipt_sha256 FROM submissions", [], |r| r.get(0))?;
            let hashes =
                conn.query_row("SELECT count(*) FROM users WHERE password_hash IS NOT NULL", [], |r| r.get(0))?;
            Ok((stored, hashes))
        })
        .await
        .unwrap();
    assert!(receipt["sha256"].as_str().is_some_and(|h| h.len() == 64), "{receipt}");
    assert_eq!(stored, receipt["sha256"].as_str().unwrap(), "the same receipt");
    assert_eq!(hashes, 0, "password hashes go with the organization's bundle only");

    let (code, text) = restore(&new, &bundle, &identity, &trust).await;
    assert!(code != Some(0) && text.contains("is open now"), "the restored exam is open, so a restore waits: {text}");
    clock.advance(std::time::Duration::from_secs(9 * 3600));
    // The exam has closed: its similarity run at the close comes first, by itself.
    let started = std::time::Instant::now();
    while !footprint(&new, "physics").await.contains(&("similarity_runs".to_owned(), 1)) {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the run at the close");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = footprint(&new, "physics").await;
    let (code, text) = restore(&new, &bundle, &identity, &trust).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("nothing changed"), "{text}");
    let after = footprint(&new, "physics").await;
    let changed: Vec<(&str, i64)> =
        before.iter().zip(&after).filter(|(b, a)| b.1 != a.1).map(|(b, a)| (b.0.as_str(), a.1 - b.1)).collect();
    assert_eq!(changed, [("audit_log", 1), ("audit head", 1)], "only the restore's own entry");
    let restores: Vec<String> = db
        .read(|conn| {
            let mut statement =
                conn.prepare("SELECT details FROM audit_log WHERE action = 'backup.restore' ORDER BY seq")?;
            Ok(statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    let nothing: Vec<Value> =
        restores.iter().map(|d| serde_json::from_str::<Value>(d).unwrap()["nothing_changed"].clone()).collect();
    assert_eq!(
        nothing,
        [Value::Bool(false), Value::Bool(true)],
        "each restore is audited, the second as changing nothing"
    );
    new.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_comes_back_whole_on_a_new_appliance_and_its_audit_chain_continues() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let (old, _, _) = with_an_attempt(&recipient, "x = 1").await;
    let before = footprint(&old, "physics").await;
    let out = tempfile::tempdir().unwrap();
    let (bundle, head) = back_up(&old, &["org", "--org", "physics"], out.path()).await;
    let old_key = keys.path().join("old-signing.pub");
    std::fs::copy(old.data_dir.path().join("signing.pub"), &old_key).unwrap();
    old.stop().await;

    let new = appliance(&recipient).await;
    let (code, text) = restore(&new, &bundle, &identity, &["--trust-key", old_key.to_str().unwrap()]).await;
    assert_eq!(code, Some(0), "{text}");
    let after = footprint(&new, "physics").await;
    // Every row the old one held when the bundle was made comes back (bar
    // sign-in sessions, never backed up), and the chain has one entry more:
    // the restore's own.
    let entries: i64 = head.split(':').next().unwrap().parse().unwrap();
    let expected: Vec<(String, i64)> = before
        .iter()
        .map(|(table, count)| match table.as_str() {
            "sessions" => (table.clone(), 0),
            "audit_log" | "audit head" => (table.clone(), entries + 1),
            _ => (table.clone(), *count),
        })
        .collect();
    assert_eq!(after, expected);
    let data = data(&new);
    let (ok, stdout, stderr) =
        run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &data, "--expect-head", &head]).await;
    assert!(ok, "the chain continues from the old appliance's head: {stdout}{stderr}");
    let admin = new.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let restored: Value = new.json_of(&admin, "/api/v1/org/audit?action=backup.restore").await;
    assert_eq!(restored[0]["details"]["kind"], "organization", "{restored}");
    new.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_foreign_or_untimely_restore_is_refused_and_changes_nothing() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let (app, w, _) = with_an_attempt(&recipient, "y = 2").await;
    let out = tempfile::tempdir().unwrap();
    let exam = w.open_exam.to_string();
    let (bundle, _) = back_up(&app, &["exam", "--org", "physics", "--exam", &exam], out.path()).await;
    let before = footprint(&app, "physics").await;
    let chemistry = footprint(&app, "chemistry").await;

    let (code, text) = restore(&app, &bundle, &identity, &[]).await;
    assert_ne!(code, Some(0));
    assert!(text.contains("is open now"), "the exam is open: students' saves must not wait behind a restore: {text}");

    let (code, text) = restore(&app, &bundle, &identity, &["--org", "chemistry"]).await;
    assert_ne!(code, Some(0));
    assert!(text.contains("not of chemistry"), "an exam goes back only into its own organization: {text}");

    let damaged = out.path().join("damaged.age");
    let mut bytes = std::fs::read(&bundle).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&damaged, &bytes).unwrap();
    assert_eq!(restore(&app, &damaged, &identity, &[]).await.0, Some(3), "damaged");
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    assert_eq!(restore(&app, &damaged, &identity, &[]).await.0, Some(3), "cut short");
    let (stranger, _) = officer(keys.path(), "stranger.key");
    assert_eq!(restore(&app, &bundle, &stranger, &[]).await.0, Some(2), "another officer's identity");

    assert_eq!(footprint(&app, "physics").await, before, "nothing changed in the organization");
    assert_eq!(footprint(&app, "chemistry").await, chemistry, "nor in the other one");
    app.stop().await;
}

/// An appliance on a clock the test moves, with the world, a bundle of the
/// whole organization and one of its draft exam (and the officer who opens
/// them); the folders live as long as the value.
struct Bundled {
    identity: PathBuf,
    recipient: String,
    clock: ManualClock,
    app: TestApp,
    w: crate::people::World,
    whole: PathBuf,
    draft: String,
    draft_bundle: PathBuf,
    _dirs: [tempfile::TempDir; 3],
}

async fn bundled() -> Bundled {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let clock = ManualClock::new(crate::helpers::EXAM_DAY);
    let app = appliance_on(&recipient, std::sync::Arc::new(clock.clone())).await;
    let w = world(&app).await;
    let out = tempfile::tempdir().unwrap();
    let (whole, _) = back_up(&app, &["org", "--org", "physics"], out.path()).await;
    let draft_out = tempfile::tempdir().unwrap();
    let draft = w.exam.to_string();
    let (draft_bundle, _) = back_up(&app, &["exam", "--org", "physics", "--exam", &draft], draft_out.path()).await;
    Bundled { identity, recipient, clock, app, w, whole, draft, draft_bundle, _dirs: [keys, out, draft_out] }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn into_the_same_organization_a_restore_brings_back_a_deleted_exam_but_never_what_was_taken_away_since() {
    let Bundled { identity, clock, app, w, whole, draft, draft_bundle, _dirs, .. } = bundled().await;

    // Since the bundles: the reviewer's role is taken away and the draft deleted.
    let grants: Value = app.as_(&w.admin).grants().await.json().await.unwrap();
    let reviewer = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "reviewer")
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .expect("the world has a reviewer");
    assert_eq!(app.as_(&w.admin).revoke_grant(&reviewer).await.status(), 204);
    assert_eq!(app.as_(&w.instructor).delete_exam(w.course, &draft).await.status(), 204);

    // After the exam day (no exam open), both bundles are restored into the same organization.
    clock.advance(std::time::Duration::from_secs(9 * 3600));
    let (code, text) = restore(&app, &whole, &identity, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("nothing changed"), "the organization is the bundle's, later: {text}");
    let (code, text) = restore(&app, &draft_bundle, &identity, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("exams") && text.contains("rows added"), "the deleted draft comes back: {text}");

    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let grants: Value = app.as_(&admin).grants().await.json().await.unwrap();
    assert!(
        grants.as_array().unwrap().iter().all(|g| g["id"] != reviewer.as_str()),
        "a role taken away stays taken away: {grants}"
    );
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let path = format!("/api/v1/courses/{}/exams/{draft}", w.course);
    assert_eq!(app.call(Some(&instructor), reqwest::Method::GET, &path, None).await.status(), 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_whose_log_holds_a_checkpoint_comes_back_on_a_new_appliance() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let app = crate::helpers::spawn_app().await;
    let (physics, _) = crate::anchoring::two_orgs(&app).await;
    crate::anchoring::audited(&app, physics, 3).await;
    let dir = crate::anchoring::put_back_an_old_copy(app, physics, 2).await;
    let app = crate::helpers::restart(dir).await;
    let data_dir = data(&app);
    let reason = ["audit", "accept-head", "--org", "physics", "--reason", "ticket 3: accepted", "--data-dir"];
    let (ok, _, stderr) = run_beside(&[&reason[..], &[data_dir.as_str()]].concat()).await;
    assert!(ok, "a checkpoint in the chain: {stderr}");
    let (ok, head, _) = run_beside(&["audit", "head", "--org", "physics", "--data-dir", &data_dir]).await;
    assert!(ok);
    let dir = app.stop().await;

    // The command line holds the stopped appliance's directory itself; the recipient comes from the environment.
    let out = tempfile::tempdir().unwrap();
    let output = crate::helpers::examhall()
        .args(["backup", "org", "--org", "physics", "--data-dir", dir.path().to_str().unwrap()])
        .args(["--to", out.path().to_str().unwrap()])
        .env("EXAMHALL_BACKUP__RECIPIENTS", format!("[\"{recipient}\"]"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bundle = the_bundle(out.path());

    let new = appliance(&recipient).await;
    let old_key = dir.path().join("signing.pub");
    let (code, text) = restore(&new, &bundle, &identity, &["--trust-key", old_key.to_str().unwrap()]).await;
    assert_eq!(code, Some(0), "{text}");
    let data = data(&new);
    let (ok, stdout, stderr) =
        run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &data, "--expect-head", head.trim()]).await;
    assert!(ok, "the chain, checkpoint and all, continues: {stdout}{stderr}");
    new.stop().await;
}

/// `bundle`'s members as `identity` reads them: name and bytes, in order.
fn members_of(bundle: &Path, identity: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read as _;
    use std::str::FromStr as _;
    let key = std::fs::read_to_string(identity).unwrap();
    let identity = age::x25519::Identity::from_str(key.trim()).unwrap();
    let decryptor = age::Decryptor::new(std::fs::File::open(bundle).unwrap()).unwrap();
    let decrypted = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).unwrap();
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::new(decrypted).unwrap());
    let mut members = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        members.push((name, bytes));
    }
    members
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_of_an_older_schema_is_refused_with_its_own_exit_code_and_changes_nothing() {
    let Bundled { identity, recipient, clock, app, w, whole, draft, draft_bundle, _dirs } = bundled().await;
    // The draft is deleted since, so its bundle would bring it back, and no exam is open.
    assert_eq!(app.as_(&w.instructor).delete_exam(w.course, &draft).await.status(), 204);
    clock.advance(std::time::Duration::from_secs(9 * 3600));
    // The open exam has closed: its similarity run at the close comes first, by itself.
    let started = std::time::Instant::now();
    while !footprint(&app, "physics").await.contains(&("similarity_runs".to_owned(), 1)) {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the run at the close");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The same bundles as an examhall of the schema before this one wrote them, signed by this appliance.
    let key = app.state.registry().platform().signing_key(app.state.clock().now()).await.unwrap();
    let ours = u64::try_from(examhall::store::migrations::ORG.len()).unwrap();
    let cases = tempfile::tempdir().unwrap();
    let older = |bundle: &Path, name: &str| {
        let mut members = members_of(bundle, &identity);
        let (_, manifest) = members.iter_mut().find(|(name, _)| name == "manifest.json").unwrap();
        let mut changed: Value = serde_json::from_slice(manifest).unwrap();
        changed["schema_version"] = (ours - 1).into();
        changed["examhall_version"] = "0.0.9".into();
        *manifest = serde_json::to_vec_pretty(&changed).unwrap();
        let signature = key.sign(manifest);
        members.iter_mut().find(|(name, _)| name == "manifest.json.sig").unwrap().1 = signature;
        let members: Vec<(&str, Vec<u8>)> =
            members.iter().map(|(name, bytes)| (name.as_str(), bytes.clone())).collect();
        let file = cases.path().join(name);
        std::fs::write(&file, forged(&recipient, &members)).unwrap();
        file
    };
    let (old_whole, old_draft) = (older(&whole, "whole.age"), older(&draft_bundle, "draft.age"));
    let before = footprint(&app, "physics").await;

    let verified = crate::backups::cli(
        ["backup", "verify", old_draft.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir"]
            .iter()
            .map(|&a| a.to_owned())
            .chain([data(&app)])
            .collect(),
    )
    .await;
    assert_eq!(verified.0, Some(0), "the bundle itself is whole and signed: {}", verified.1);
    for bundle in [&old_draft, &old_whole] {
        let (code, text) = restore(&app, bundle, &identity, &[]).await;
        assert_eq!(code, Some(6), "an older schema: {text}");
        assert!(
            text.contains(&format!("schema version {}, older than this examhall's ({ours})", ours - 1))
                && text.contains("restore it with examhall 0.0.9")
                && text.contains("then upgrade"),
            "the message says what to do, with the version the manifest names: {text}"
        );
    }
    assert_eq!(footprint(&app, "physics").await, before, "nothing changed in the organization");
    let path = format!("/api/v1/courses/{}/exams/{draft}", w.course);
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    assert_eq!(app.call(Some(&instructor), reqwest::Method::GET, &path, None).await.status(), 404, "still deleted");

    // This examhall's own bundle of the same moment goes back: the refusal was the schema's alone.
    let (code, text) = restore(&app, &draft_bundle, &identity, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    app.stop().await;
}
