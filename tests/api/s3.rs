//! Bundles to an S3-compatible bucket, against a real S3 server (`s3s-fs`,
//! a file-system-backed implementation of the S3 API) that the test starts
//! on loopback: the upload lands whole under its name and is checked, the
//! standard tools open it, wrong credentials fail clearly at once and leave
//! nothing, a store that is not up yet is retried, and an object that does
//! not read back as written is deleted.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use examhall::backup::s3::S3Destination;
use examhall::config::S3Config;

use crate::backups::{cli, data, officer};
use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, exam_day, spawn_app_with};
use crate::people::{World, world};

const KEY: &str = "AKEXAMHALLTEST";
const SECRET: &str = "SKEXAMHALLTESTSECRET";
const BUCKET: &str = "bundles";

/// An S3 server storing under `root`, with the bucket, on `address` (or a port of its own).
async fn s3_server(root: &Path, address: Option<SocketAddr>) -> SocketAddr {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(s3s_fs::FileSystem::new(root).unwrap());
    builder.set_auth(s3s::auth::SimpleAuth::from_single(KEY, SECRET));
    let service = builder.build();
    let listener =
        tokio::net::TcpListener::bind(address.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap())).await.unwrap();
    let bound = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = http.serve_connection(TokioIo::new(socket), service).await;
            });
        }
    });
    bound
}

/// The config of a bucket on `address`, with a credentials file in `dir`.
fn bucket_at(address: SocketAddr, dir: &Path, secret: &str) -> S3Config {
    let file = dir.join("s3.credentials");
    std::fs::write(&file, format!("access_key_id = \"{KEY}\"\nsecret_access_key = \"{secret}\"\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    S3Config {
        endpoint: format!("http://{address}"),
        bucket: BUCKET.to_owned(),
        prefix: "examhall/".to_owned(),
        region: "us-east-1".to_owned(),
        path_style: true,
        credentials_file: Some(file),
        ca_file: None,
    }
}

/// An appliance backing up to `bucket`, with a student's attempt in the open exam.
async fn appliance(recipient: String, bucket: S3Config) -> (TestApp, World) {
    let app = spawn_app_with(exam_day(), move |config| {
        config.backup.recipients = vec![recipient];
        config.backup.automatic = false;
        config.backup.s3 = Some(bucket);
    })
    .await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "print('to the bucket')\n");
    client.flush(&app).await;
    (app, w)
}

/// The objects stored under the bucket's prefix.
fn objects(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(BUCKET).join("examhall")) else { return Vec::new() };
    entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect()
}

fn staged(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("staging")).unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_bundle_lands_in_the_bucket_whole_and_checked_and_opens_with_the_officers_key() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let store = tempfile::tempdir().unwrap();
    let address = s3_server(store.path(), None).await;
    let bucket = bucket_at(address, keys.path(), SECRET);
    let (app, w) = appliance(recipient, bucket.clone()).await;

    let exam = w.open_exam.to_string();
    let (code, text) = cli(["backup", "exam", "--org", "physics", "--exam", &exam, "--data-dir", &data(&app)]
        .map(String::from)
        .to_vec())
    .await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("s3://{BUCKET}/examhall/examhall-physics-exam-{exam}-")), "{text}");
    let stored = objects(store.path());
    assert_eq!(stored.len(), 1, "one object, nothing partial beside it: {stored:?}");
    assert_eq!(staged(&app), 0, "nothing left in the staging folder");

    // The stored object is the bundle: verified whole with the officer's key.
    let object = stored[0].to_str().unwrap().to_owned();
    let args = ["backup", "verify", &object, "--identity", identity.to_str().unwrap(), "--data-dir", &data(&app)];
    let (code, text) = cli(args.map(String::from).to_vec()).await;
    assert_eq!(code, Some(0), "{text}");
    let (ok, listed, _) =
        crate::helpers::run_beside(&["backup", "list", "--org", "physics", "--data-dir", &data(&app)]).await;
    assert!(ok && listed.contains(&format!("s3://{BUCKET}/examhall/")), "{listed}");

    // Deleting an expired bundle removes the object; one already gone counts as
    // deleted; nothing outside the configured prefix is ever deleted.
    let destination = S3Destination::new(&bucket).unwrap();
    for elsewhere in
        [format!("s3://{BUCKET}/other/x"), format!("s3://{BUCKET}/examhall/../x"), "s3://another/examhall/x".to_owned()]
    {
        assert!(destination.delete(&elsewhere).await.is_err(), "{elsewhere}");
    }
    let name = stored[0].file_name().unwrap().to_str().unwrap();
    let location = destination.location(name);
    destination.delete(location.to_str().unwrap()).await.unwrap();
    assert!(objects(store.path()).is_empty());
    destination.delete(location.to_str().unwrap()).await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_fail_with_the_stores_answer_and_leave_nothing_anywhere() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = officer(keys.path(), "officer.key");
    let store = tempfile::tempdir().unwrap();
    let address = s3_server(store.path(), None).await;
    let (app, w) = appliance(recipient, bucket_at(address, keys.path(), "not-the-secret")).await;
    let exam = w.open_exam.to_string();
    let (code, text) = cli(["backup", "exam", "--org", "physics", "--exam", &exam, "--data-dir", &data(&app)]
        .map(String::from)
        .to_vec())
    .await;
    assert_ne!(code, Some(0));
    // A refusal is not a failure that passes: one attempt, not four.
    assert!(text.contains("not retried") && text.contains("403") && !text.contains("times"), "{text}");
    assert!(objects(store.path()).is_empty() && staged(&app) == 0);
    let (_, listed, _) =
        crate::helpers::run_beside(&["backup", "list", "--org", "physics", "--data-dir", &data(&app)]).await;
    assert!(listed.contains("last error") && listed.contains("403"), "the failure is recorded and shown: {listed}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_is_not_up_yet_is_tried_again_until_it_answers() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = officer(keys.path(), "officer.key");
    let store = tempfile::tempdir().unwrap();
    // A port that nothing listens on until the store starts a moment later.
    let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (app, w) = appliance(recipient, bucket_at(address, keys.path(), SECRET)).await;
    let root = store.path().to_owned();
    let started = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        s3_server(&root, Some(address)).await
    });
    let exam = w.open_exam.to_string();
    let (code, text) = cli(["backup", "exam", "--org", "physics", "--exam", &exam, "--data-dir", &data(&app)]
        .map(String::from)
        .to_vec())
    .await;
    started.await.unwrap();
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(objects(store.path()).len(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_that_does_not_read_back_as_written_is_deleted_at_once_and_no_signature_reaches_the_error() {
    let keys = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let address = s3_server(store.path(), None).await;
    let destination = S3Destination::new(&bucket_at(address, keys.path(), SECRET)).unwrap();
    let file = keys.path().join("bundle");
    std::fs::write(&file, b"the bundle's bytes").unwrap();
    let error = destination.upload(&file, "b.tar.zst.age", 18, &"0".repeat(64)).await.unwrap_err();
    assert!(error.contains("does not match") && error.contains("not retried"), "{error}");
    assert!(error.contains("the object it stored was deleted"), "{error}");
    assert!(objects(store.path()).is_empty(), "the object that did not check out is gone");
    assert!(!error.contains("X-Amz-Signature") && !error.contains(KEY), "no signed address in the error: {error}");

    // A name taken already (another bundle of the same name) is neither
    // replaced nor deleted when it is not this bundle.
    let other = keys.path().join("other");
    std::fs::write(&other, b"another bundle's bytes").unwrap();
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"another bundle's bytes"));
    destination.upload(&other, "d.tar.zst.age", 22, &sha256).await.unwrap();
    let error = destination.upload(&file, "d.tar.zst.age", 18, &"0".repeat(64)).await.unwrap_err();
    assert!(error.contains("larger than the 18 bytes") && error.contains("left as it is"), "{error}");
    let stored = objects(store.path());
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(std::fs::read(&stored[0]).unwrap(), b"another bundle's bytes");

    let wrong = S3Destination::new(&bucket_at(address, keys.path(), "not-the-secret")).unwrap();
    let error = wrong.upload(&file, "c.tar.zst.age", 18, &"0".repeat(64)).await.unwrap_err();
    assert!(error.contains("403") && error.contains("not retried"), "{error}");
    assert!(!error.contains("X-Amz-Signature") && !error.contains(KEY), "nor the store's echo of the request: {error}");
}

#[test]
fn plain_http_is_refused_for_a_store_on_another_machine() {
    let dir = tempfile::tempdir().unwrap();
    let remote = S3Config {
        endpoint: "http://s3.example.edu".to_owned(),
        ..bucket_at("127.0.0.1:9".parse().unwrap(), dir.path(), SECRET)
    };
    let error = examhall::backup::s3::check(&remote).unwrap_err();
    assert!(error.contains("use https://"), "{error}");
    assert!(examhall::backup::s3::check(&bucket_at("127.0.0.1:9".parse().unwrap(), dir.path(), SECRET)).is_ok());
}
