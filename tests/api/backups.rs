//! Backups as IT and a backup officer meet them: `examhall backup exam`
//! through the running server, the bundle opened with the standard tools
//! (age, zstd, tar, openssl) and checked by `examhall backup verify`; and
//! every way a bundle can be wrong refused with its own exit code.

use std::path::{Path, PathBuf};
use std::process::Command;

use age::secrecy::ExposeSecret as _;
use serde_json::Value;

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, exam_day, run_beside, spawn_app_with};
use crate::people::world;

/// A backup officer's key pair: the identity file, and the public key.
pub fn officer(dir: &Path, name: &str) -> (PathBuf, String) {
    let identity = age::x25519::Identity::generate();
    let file = dir.join(name);
    std::fs::write(&file, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    (file, identity.to_public().to_string())
}

/// Runs a standard tool; its success and standard output.
fn tool(program: &str, args: &[&str]) -> (bool, Vec<u8>) {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} is installed: {e}"));
    (output.status.success(), output.stdout)
}

pub fn data(app: &TestApp) -> String {
    app.data_dir.path().to_str().unwrap().to_owned()
}

/// The one bundle in `dir` (and nothing half-written beside it).
pub fn the_bundle(dir: &Path) -> PathBuf {
    let names: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(names.len(), 1, "one file, no partial one: {names:?}");
    names[0].clone()
}

/// An appliance whose bundles the officer with `recipient` can read.
pub async fn appliance(recipient: &str) -> TestApp {
    appliance_on(recipient, exam_day()).await
}

/// The same, on `clock`.
pub async fn appliance_on(recipient: &str, clock: examhall::clock::SharedClock) -> TestApp {
    let recipient = recipient.to_owned();
    spawn_app_with(clock, move |config| {
        config.backup.recipients = vec![recipient];
        // Only what the test does: no bundle of the job's beside it.
        config.backup.automatic = false;
    })
    .await
}

/// An appliance for the officer with `recipient`, with the world and a student's attempt holding `code`.
pub async fn with_an_attempt(recipient: &str, code: &str) -> (TestApp, crate::people::World, ExamClient) {
    let app = appliance(recipient).await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, code);
    client.flush(&app).await;
    (app, w, client)
}

/// Runs the examhall binary with `args` beside the test's server: its exit code, and everything it printed.
pub async fn cli(args: Vec<String>) -> (Option<i32>, String) {
    tokio::task::spawn_blocking(move || {
        let (code, stdout, stderr) = crate::helpers::run_code(&args.iter().map(String::as_str).collect::<Vec<_>>());
        (code, stdout + &stderr)
    })
    .await
    .unwrap()
}

/// `examhall backup verify` of `file`: its exit code and output.
async fn verify(app: &TestApp, file: &Path, identity: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let data = data(app);
    let args =
        ["backup", "verify", file.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir", &data];
    cli(args.iter().chain(extra).map(|&a| a.to_owned()).collect()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_bundle_opens_with_the_standard_tools_and_verifies_whole() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let (app, w, client) = with_an_attempt(&recipient, "# kept off-site").await;
    assert_eq!(client.submit(&app).await.status(), 200);

    let out = tempfile::tempdir().unwrap();
    let exam = w.open_exam.to_string();
    let args = ["backup", "exam", "--data-dir", &data(&app), "--org", "physics", "--exam", &exam];
    let (ok, stdout, stderr) = run_beside(&[&args[..], &["--to", out.path().to_str().unwrap()]].concat()).await;
    assert!(ok, "{stdout}{stderr}");
    let bundle = the_bundle(out.path());
    assert!(stdout.contains(&format!("wrote {}", bundle.display())), "{stdout}");

    let (code, text) = verify(&app, &bundle, &identity, &[]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("is whole and signed by this appliance's key"), "{text}");

    // What a backup officer does without examhall: age, zstd, tar; openssl for the signature.
    let opened = tempfile::tempdir().unwrap();
    let (ok, tar) = tool(
        "sh",
        &[
            "-c",
            &format!(
                "age -d -i '{}' '{}' | zstd -d -c | tar x -C '{}' && ls -R '{}'",
                identity.display(),
                bundle.display(),
                opened.path().display(),
                opened.path().display()
            ),
        ],
    );
    assert!(ok, "age | zstd | tar: {}", String::from_utf8_lossy(&tar));
    let manifest: Value = serde_json::from_slice(&std::fs::read(opened.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!((manifest["kind"].as_str(), manifest["exam"]["id"].as_str()), (Some("exam"), Some(exam.as_str())));
    let sessions = std::fs::read_to_string(opened.path().join("data/exam_sessions-0001.ndjson")).unwrap();
    assert!(sessions.contains(&client.attempt), "the attempt is there: {sessions}");
    let answers = std::fs::read_to_string(opened.path().join("data/answers-0001.ndjson")).unwrap();
    assert!(answers.contains("# kept off-site"), "the student's code, readable: {answers}");
    let users = std::fs::read_to_string(opened.path().join("data/users-0001.ndjson")).unwrap();
    assert!(users.contains("student@physics.example"), "the students it refers to");
    assert!(!opened.path().join("data/sessions-0001.ndjson").exists(), "sign-in sessions are never backed up");
    let (ok, said) = tool(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            app.data_dir.path().join("signing.pub").to_str().unwrap(),
            "-rawin",
            "-in",
            opened.path().join("manifest.json").to_str().unwrap(),
            "-sigfile",
            opened.path().join("manifest.json.sig").to_str().unwrap(),
        ],
    );
    assert!(ok, "openssl checks the appliance's signature: {}", String::from_utf8_lossy(&said));

    let (ok, shown, stderr) = run_beside(&["keys", "show", "--data-dir", &data(&app)]).await;
    assert!(ok, "{stderr}");
    let pem = std::fs::read_to_string(app.data_dir.path().join("signing.pub")).unwrap();
    assert!(shown.contains(&pem), "`keys show` prints signing.pub for IT to copy: {shown}");

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=backup.exam").await;
    assert_eq!(audit[0]["target"], exam.as_str(), "{audit}");
    assert_eq!(audit[0]["details"]["sha256"].as_str().map(str::len), Some(64));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_damaged_or_foreign_bundle_is_refused_with_its_own_exit_code() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let (stranger, _) = officer(keys.path(), "stranger.key");
    // A student's attempt, so the bundle has rows of every kind.
    let (app, _, _) = with_an_attempt(&recipient, "x").await;
    let out = tempfile::tempdir().unwrap();
    let args = ["backup", "org", "--data-dir", &data(&app), "--org", "physics", "--to", out.path().to_str().unwrap()];
    let (ok, stdout, stderr) = run_beside(&args).await;
    assert!(ok, "{stdout}{stderr}");
    let bundle = the_bundle(out.path());
    let bytes = std::fs::read(&bundle).unwrap();
    assert_eq!(verify(&app, &bundle, &identity, &[]).await.0, Some(0));

    let (code, text) = verify(&app, &bundle, &stranger, &[]).await;
    assert_eq!(code, Some(2), "another officer's identity: {text}");
    assert!(text.contains("none of the given identities"), "{text}");

    let cases = tempfile::tempdir().unwrap();
    let flipped = cases.path().join("flipped.age");
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&flipped, &changed).unwrap();
    let (code, text) = verify(&app, &flipped, &identity, &[]).await;
    assert_eq!(code, Some(3), "one bit changed: {text}");

    let truncated = cases.path().join("truncated.age");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    let (code, text) = verify(&app, &truncated, &identity, &[]).await;
    assert_eq!(code, Some(3), "cut short: {text}");

    let other_key = cases.path().join("other.pub");
    let other = examhall::signing::SigningKey::from_seed(&examhall::store::keys::random_key()).public();
    std::fs::write(&other_key, other.to_pem()).unwrap();
    let (code, text) = verify(&app, &bundle, &identity, &["--trust-key", other_key.to_str().unwrap()]).await;
    assert_eq!(code, Some(4), "signed by a key not trusted: {text}");
    assert!(text.contains("does not know"), "{text}");
    let ours = app.data_dir.path().join("signing.pub");
    let (code, text) = verify(&app, &bundle, &identity, &["--trust-key", ours.to_str().unwrap()]).await;
    assert_eq!(code, Some(0), "the appliance's own signing.pub, as a new appliance would be given: {text}");

    let not_age = cases.path().join("plain.tar");
    std::fs::write(&not_age, b"not a bundle").unwrap();
    assert_eq!(verify(&app, &not_age, &identity, &[]).await.0, Some(2));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_recipients_or_with_an_unknown_exam_nothing_is_written_and_the_error_says_why() {
    let app = spawn_app_with(exam_day(), |_| {}).await;
    let w = world(&app).await;
    let out = tempfile::tempdir().unwrap();
    let exam = w.open_exam.to_string();
    let to = out.path().to_str().unwrap();
    let (ok, _, stderr) =
        run_beside(&["backup", "exam", "--data-dir", &data(&app), "--org", "physics", "--exam", &exam, "--to", to])
            .await;
    assert!(!ok);
    assert!(stderr.contains("no backup recipients are configured"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written");
    app.stop().await;

    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = officer(keys.path(), "officer.key");
    let app = spawn_app_with(exam_day(), |config| {
        config.backup.recipients = vec![recipient];
        config.backup.automatic = false;
    })
    .await;
    let _w = world(&app).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let (ok, _, stderr) =
        run_beside(&["backup", "exam", "--data-dir", &data(&app), "--org", "physics", "--exam", &unknown, "--to", to])
            .await;
    assert!(!ok);
    assert!(stderr.contains("no exam"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "no partial file left behind");
    app.stop().await;
}

/// A forged bundle's members: name and bytes, in order.
type Members<'a> = Vec<(&'a str, Vec<u8>)>;

/// A bundle made by hand: `members` (name, bytes) in a tar, zstd, age to `recipient`.
pub fn forged(recipient: &str, members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write as _;
    use std::str::FromStr as _;
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes.as_slice()).unwrap();
    }
    let compressed = zstd::encode_all(tar.into_inner().unwrap().as_slice(), 3).unwrap();
    let recipient = age::x25519::Recipient::from_str(recipient).unwrap();
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    writer.write_all(&compressed).unwrap();
    writer.finish().unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_newer_or_mismatched_bundle_is_refused_with_its_own_exit_code() {
    use sha2::Digest as _;
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let app = appliance(&recipient).await;
    let key = app.state.registry().platform().signing_key(app.state.clock().now()).await.unwrap();
    let rows = b"{\"id\":1}\n".to_vec();
    let manifest = |version: u32, member: &str| {
        serde_json::to_vec_pretty(&serde_json::json!({
            "format": "examhall-backup", "format_version": version, "kind": "organization",
            "organization": { "id": "x", "slug": "physics", "name": "Physics" }, "exam": null,
            "created_at": "2026-06-01T09:00:00.000Z", "examhall_version": "0", "schema_version": 1,
            "audit_head": "0:00", "signing_key": hex::encode(key.public().0),
            "members": [{ "name": member, "table": "courses", "rows": 1, "bytes": rows.len(),
                          "sha256": hex::encode(sha2::Sha256::digest(&rows)) }],
        }))
        .unwrap()
    };
    let cases = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = cases.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let good = manifest(1, "data/courses-0001.ndjson");
    let data_member = || ("data/courses-0001.ndjson", rows.clone());
    let newer = manifest(99, "data/courses-0001.ndjson");
    let cases: [(&str, Members, i32, &str); 5] = [
        (
            "whole",
            vec![data_member(), ("manifest.json", good.clone()), ("manifest.json.sig", key.sign(&good))],
            0,
            "the forgery's frame is sound",
        ),
        ("unsigned", vec![data_member(), ("manifest.json", good.clone())], 4, "unsigned"),
        (
            "newer",
            vec![data_member(), ("manifest.json", newer.clone()), ("manifest.json.sig", key.sign(&newer))],
            5,
            "a newer format",
        ),
        (
            "other",
            vec![
                ("data/sessions-0001.ndjson", rows.clone()),
                ("manifest.json", good.clone()),
                ("manifest.json.sig", key.sign(&good)),
            ],
            3,
            "members other than the manifest lists",
        ),
        (
            "twice",
            vec![
                data_member(),
                ("manifest.json", good.clone()),
                ("manifest.json", manifest(1, "data/other-0001.ndjson")),
                ("manifest.json.sig", key.sign(&good)),
            ],
            3,
            "a second manifest",
        ),
    ];
    for (name, members, expected, what) in cases {
        let file = write(&format!("{name}.age"), forged(&recipient, &members));
        let (code, text) = verify(&app, &file, &identity, &[]).await;
        assert_eq!(code, Some(expected), "{what}: {text}");
    }
    app.stop().await;
}
