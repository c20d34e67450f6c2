//! Backups nobody has to remember: the server writes each organization's
//! bundle nightly and each exam's once it has closed, again when its
//! reviews change, and retries a failed one after a pause; `backup list`
//! shows the last good bundle and the last error of each.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use examhall::clock::ManualClock;
use serde_json::json;

use crate::backups::{data, officer};
use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, run_beside, spawn_app_with};
use crate::people::{PASSWORD, world};

/// The bundles in `dir` whose name holds `part`.
pub fn bundles(dir: &Path, part: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part) && n.ends_with(".tar.zst.age"))
        .collect();
    names.sort();
    names
}

/// Waits (at most 20 s) until `ready` holds.
pub async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(20), "waited 20 s for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines, reason = "one exam day and night told in order, each step waiting for the last")]
async fn the_server_backs_up_each_night_and_each_closed_exam_by_itself_and_retries_a_failure() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = officer(keys.path(), "officer.key");
    let share = tempfile::tempdir().unwrap();
    // A configured folder (an off-site share) is never made by the server: it must be there.
    let dir = share.path().join("bundles");
    std::fs::create_dir(&dir).unwrap();
    let clock = ManualClock::new(EXAM_DAY);
    let to = dir.clone();
    let app = spawn_app_with(Arc::new(clock.clone()), move |config| {
        config.backup.recipients = vec![recipient];
        config.backup.dir = Some(to);
    })
    .await;
    let w = world(&app).await;
    // 09:00 is past the nightly hour (02:00 UTC): the organization's bundle comes by itself.
    until("the nightly bundle", || bundles(&dir, "-physics-org-").len() == 1).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "print(1)");
    client.flush(&app).await;
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "a second computer: a signal");
    app.state.refusals().flush(app.state.clock().now()).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    let exam = format!("-exam-{}-", w.open_exam);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(bundles(&dir, &exam).is_empty(), "not while the exam is open");

    // 17:15: the exam closed at 17:00, and the late window has passed.
    clock.advance(Duration::from_secs((8 * 60 + 15) * 60));
    until("the closed exam's bundle", || bundles(&dir, &exam).len() == 1).await;
    assert_eq!(bundles(&dir, "-physics-org-").len(), 1, "one nightly bundle a night");
    // The run is recorded just after its file is in place: `backup list` shows it a moment later.
    let name = bundles(&dir, &exam)[0].clone();
    let started = Instant::now();
    let listed = loop {
        let (ok, listed, stderr) = run_beside(&["backup", "list", "--org", "physics", "--data-dir", &data(&app)]).await;
        assert!(ok, "{stderr}");
        if listed.contains(&name) || started.elapsed() > Duration::from_secs(20) {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(listed.contains(&name), "the last good bundle of the exam, by name: {listed}");
    assert!(!listed.contains("last error"), "{listed}");

    // The share goes away; a review changes, so the exam is owed a bundle again: it fails, and says so.
    std::fs::rename(&dir, share.path().join("elsewhere")).unwrap();
    std::fs::write(&dir, b"not a folder").unwrap();
    clock.advance(Duration::from_secs(1));
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let decision = json!({"signal": "second_device", "decision": "noted", "comment": "seen by the proctor"});
    let reviewed = app.as_(&instructor).review_signal(w.course, w.open_exam, &client.attempt, decision).await;
    assert_eq!(reviewed.status(), 201);
    // One bundle once the reviews have been quiet for half an hour, not one
    // per decision: until then the job does not even try (a try would fail
    // at the missing share, and say so within a few of its 100 ms ticks).
    let list = || {
        let data = data(&app);
        async move { run_beside(&["backup", "list", "--org", "physics", "--data-dir", &data]).await.1 }
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!list().await.contains("last error"), "no try while reviews go on");
    clock.advance(Duration::from_secs(31 * 60));
    let started = Instant::now();
    let failed = loop {
        let listed = list().await;
        if listed.contains("last error") {
            break listed;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the failure is shown: {listed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(failed.contains("does not exist (is the off-site share mounted?)"), "{failed}");
    let admin = app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await;
    let status: serde_json::Value = app.as_(&admin).backups().await.json().await.unwrap();
    let row = status["exams"].as_array().unwrap().iter().find(|e| e["exam_id"] == w.open_exam.to_string()).unwrap();
    assert!(
        row["last_failure"]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "the org admin sees it too: {status}"
    );
    assert!(row["last_ok"]["file"].as_str().is_some_and(|f| f.ends_with(".tar.zst.age")), "{status}");
    assert_eq!((status["recipients_configured"].clone(), status["nightly_utc_hour"].clone()), (json!(true), json!(2)));

    // The share is back; after the pause (a minute after one failure) the bundle is written.
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(share.path().join("elsewhere"), &dir).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bundles(&dir, &exam).len(), 1, "not before the pause");
    clock.advance(Duration::from_secs(61));
    until("the retried bundle", || bundles(&dir, &exam).len() == 2).await;
    let started = Instant::now();
    let listed = loop {
        let listed = list().await;
        if !listed.contains("last error") || started.elapsed() > Duration::from_secs(20) {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!listed.contains("last error"), "a good bundle after the failure: {listed}");
    let status: serde_json::Value = app.as_(&admin).backups().await.json().await.unwrap();
    let row = status["exams"].as_array().unwrap().iter().find(|e| e["exam_id"] == w.open_exam.to_string()).unwrap();
    assert!(row["last_failure"].is_null(), "a failure before the last good backup is not shown: {status}");
    let audit: serde_json::Value = app.json_of(&admin, "/api/v1/org/audit?action=backup.exam").await;
    let reasons: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["details"]["reason"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [("reviews_changed", "success"), ("reviews_changed", "failure"), ("exam_closed", "success")],
        "newest first, each audited"
    );

    // The exam is graded and its results released: once that has been
    // quiet for half an hour, the exam is backed up again.
    clock.advance(Duration::from_secs(1));
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let grading: serde_json::Value =
        app.json_of(&instructor, &format!("/api/v1/courses/{}/exams/{}/grading", w.course, w.open_exam)).await;
    let submission = grading["submissions"][0]["submission_id"].as_str().unwrap().to_owned();
    let results: Vec<serde_json::Value> = grading["questions"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!({"question_id": question, "test_sha256": t["sha256"], "outcome": "failed", "duration_ms": 1}))
        .collect();
    let recorded = app.as_(&instructor).record_results(w.course, w.open_exam, &submission, json!(results)).await;
    assert_eq!(recorded.status(), 200);
    assert_eq!(app.as_(&instructor).release_results(w.course, w.open_exam, true).await.status(), 204);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bundles(&dir, &exam).len(), 2, "not while grading may go on");
    clock.advance(Duration::from_secs(31 * 60));
    until("the bundle after the release", || bundles(&dir, &exam).len() == 3).await;
    app.stop().await;
}
