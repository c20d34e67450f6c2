//! Retention: an org admin's policy (never below the platform's minimum),
//! legal holds that stop every purge, and the server's daily purge of a
//! closed exam's evidence and later of the whole exam, each audited, with
//! the audit log still verifying. The clock is moved, never waited for; the
//! daily purge runs during `retention.utc_hour` (03:00 to 04:00 UTC) only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use examhall::clock::ManualClock;
use examhall::domain::ExamId;
use examhall::service::retention as retention_service;
use serde_json::{Value, json};

use crate::backups::data;
use crate::exam_client::ExamClient;
use crate::helpers::{EXAM_DAY, TestApp, run, run_beside, spawn_app_with};
use crate::people::{Caller, PASSWORD, World, world};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);

/// An appliance on `clock` where the student typed in the open exam (with
/// an announcement read, a move code issued and a second computer refused
/// on the way) and submitted, and the instructor reviewed the signal.
async fn a_submitted_exam(clock: &ManualClock) -> (TestApp, World) {
    a_submitted_exam_with(clock, |_| {}).await
}

/// [`a_submitted_exam`] on a config changed by `adjust`.
async fn a_submitted_exam_with(
    clock: &ManualClock,
    adjust: impl FnOnce(&mut examhall::config::Config),
) -> (TestApp, World) {
    let app = spawn_app_with(Arc::new(clock.clone()), adjust).await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "def add(a, b):\n    return a + b\n");
    client.flush(&app).await;
    let everyone = json!({ "section_id": null, "body": "Question 1 takes two integers." });
    assert_eq!(app.as_(&w.instructor).announce(w.course, w.open_exam, everyone).await.status(), 201);
    assert_eq!(app.as_(&w.proctor).move_code(w.course, w.open_exam, &client.attempt).await.status(), 201);
    assert_eq!(app.as_(&w.student).start(w.open_exam).await.status(), 409, "a second computer: a signal");
    app.state.refusals().flush(app.state.clock().now()).await;
    assert_eq!(client.submit(&app).await.status(), 200);
    let decision = json!({"signal": "second_device", "decision": "noted", "comment": "seen by the proctor"});
    let reviewed = app.as_(&w.instructor).review_signal(w.course, w.open_exam, &client.attempt, decision).await;
    assert_eq!(reviewed.status(), 201);
    (app, w)
}

/// Rows of `table` that belong to `exam`, read from the organization's file.
async fn rows_of(app: &TestApp, w: &World, table: &'static str, exam: ExamId) -> i64 {
    let condition = match table {
        "exams" => "id = ?1",
        "session_log" | "answers" | "submissions" | "signal_reviews" => {
            "session_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)"
        }
        "move_codes" => "attempt_id IN (SELECT id FROM exam_sessions WHERE exam_id = ?1)",
        _ => "exam_id = ?1",
    };
    let db = app.state.registry().org(w.physics).await.unwrap();
    let sql = format!("SELECT count(*) FROM {table} WHERE {condition}");
    db.read(move |conn| Ok(conn.query_row(&sql, [exam], |r| r.get(0))?)).await.unwrap()
}

async fn view(app: &TestApp, admin: &Caller) -> Value {
    app.json_of(admin, "/api/v1/org/retention").await
}

/// The org admin, signed in again: sessions end when the clock moves by days.
async fn admin(app: &TestApp) -> Caller {
    app.sign_in(Some("physics"), "admin@physics.example", PASSWORD).await
}

/// Waits (at most 20 s) until the retention view satisfies `ready`.
async fn until(app: &TestApp, admin: &Caller, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let seen = view(app, admin).await;
        if ready(&seen) {
            return seen;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "waited 20 s for {what}: {seen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The daily job's actor.
fn system() -> examhall::service::Actor {
    examhall::service::Actor::audited(examhall::store::audit::Actor::system())
}

async fn audit_verifies(app: &TestApp) {
    let (ok, stdout, stderr) = run_beside(&["audit", "verify", "--org", "physics", "--data-dir", &data(app)]).await;
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
}

#[tokio::test]
async fn a_policy_below_the_minimum_or_keeping_evidence_longer_than_its_exam_is_refused_on_its_field() {
    let clock = ManualClock::new(EXAM_DAY);
    let app = spawn_app_with(Arc::new(clock.clone()), |_| {}).await;
    let w = world(&app).await;
    for (body, field) in [
        (json!({"evidence_days": 5, "exam_days": null}), "evidence_days"),
        (json!({"evidence_days": null, "exam_days": 29}), "exam_days"),
        (json!({"evidence_days": 400, "exam_days": 365}), "evidence_days"),
        (json!({"evidence_days": null, "exam_days": 5_000_000}), "exam_days"),
    ] {
        let refused = app.as_(&w.admin).set_retention(body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["field"], field, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("kept"), "{problem}");
    }
    let unchanged = view(&app, &w.admin).await;
    assert_eq!((unchanged["evidence_days"].clone(), unchanged["updated"].clone()), (Value::Null, Value::Null));
    assert_eq!(unchanged["minimum_days"], 30);

    let set = app.as_(&w.admin).set_retention(json!({"evidence_days": 30, "exam_days": null})).await;
    assert_eq!(set.status(), 204);
    let set = view(&app, &w.admin).await;
    assert_eq!((set["evidence_days"].clone(), set["exam_days"].clone()), (json!(30), Value::Null));
    assert_eq!(set["updated"]["by"], "admin@physics.example");
    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=retention.policy").await;
    assert_eq!(
        audit[0]["details"],
        json!({"evidence_days": 30, "exam_days": null, "audit_days": null,
               "before": {"evidence_days": null, "exam_days": null, "audit_days": null}})
    );

    // A setting left unchanged (the command line's) is the one in force when the change is written.
    let exam_days = retention_service::Change { exam: retention_service::Days::Days(400), ..Default::default() };
    let policy = retention_service::set_policy(&app.state, &system(), w.physics, exam_days).await.unwrap();
    assert_eq!((policy.evidence_days, policy.exam_days), (Some(30), Some(400)));
    let too_few = retention_service::Change { exam: retention_service::Days::Days(20), ..Default::default() };
    let refused = retention_service::set_policy(&app.state, &system(), w.physics, too_few).await;
    assert!(matches!(refused, Err(examhall::store::StoreError::Invalid { field: "exam_days", .. })), "{refused:?}");
    assert_eq!(view(&app, &w.admin).await["exam_days"], 400, "a refused change changes nothing");

    // A hold needs a reason, of bounded length and without control characters, on an exam of this organization.
    let long = "x".repeat(501);
    for reason in ["", "   ", long.as_str(), "appeal\u{7}12"] {
        let refused = app.as_(&w.admin).hold_exam(w.open_exam, reason).await;
        assert_eq!(refused.status(), 422);
        assert_eq!(refused.json::<Value>().await.unwrap()["field"], "reason");
    }
    assert_eq!(app.as_(&w.admin).hold_exam(ExamId::generate(), "appeal").await.status(), 404);
    assert_eq!(view(&app, &w.admin).await["holds"], json!([]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_purge_spares_a_held_exam_then_takes_its_evidence_then_the_whole_exam() {
    let clock = ManualClock::new(EXAM_DAY);
    let (app, w) = a_submitted_exam(&clock).await;
    let exam = w.open_exam;
    let set = app.as_(&w.admin).set_retention(json!({"evidence_days": 30, "exam_days": 60})).await;
    assert_eq!(set.status(), 204);
    let first = "appeal 12: the student disputes the paste signal";
    assert_eq!(app.as_(&w.admin).hold_exam(exam, first).await.status(), 204);
    assert_eq!(app.as_(&w.admin).hold_exam(exam, "another reason").await.status(), 204);
    let holds = view(&app, &w.admin).await["holds"].clone();
    assert_eq!(holds.as_array().map(Vec::len), Some(1), "{holds}");
    assert_eq!(holds[0]["reason"], first, "a second hold changes nothing");
    let logged = rows_of(&app, &w, "session_log", exam).await;
    assert!(logged > 0);
    for table in ["announcements", "move_codes", "signal_reviews"] {
        assert_eq!(rows_of(&app, &w, table, exam).await, 1, "{table}");
    }
    let draft_questions = rows_of(&app, &w, "questions", w.exam).await;
    assert!(draft_questions > 0, "another exam, never closed, with questions");

    // A month after it closed the evidence is due, but the hold keeps it.
    clock.advance(31 * DAY);
    let admin = admin(&app).await;
    let held = until(&app, &admin, "the held plan", |v| v["due"][0]["held"].is_string()).await;
    assert_eq!(held["due"][0]["kind"], "evidence", "{held}");
    assert_eq!(held["due"][0]["held"], "appeal 12: the student disputes the paste signal");
    // A purge now (what the daily job runs) keeps it whole.
    let applied = retention_service::apply(&app.state, &system(), w.physics).await.unwrap();
    assert_eq!((applied.purged.len(), applied.held.len()), (0, 1));
    assert_eq!(rows_of(&app, &w, "session_log", exam).await, logged, "nothing of a held exam goes");
    assert_eq!(view(&app, &admin).await["purged"], json!([]));

    // Released, it goes at the next daily purge: the evidence, not the answers or the submission.
    assert_eq!(app.as_(&admin).release_exam(exam).await.status(), 204);
    // 03:00 the next day: the daily purge runs during `retention.utc_hour` only.
    clock.advance(18 * HOUR);
    let admin = self::admin(&app).await;
    let purged =
        until(&app, &admin, "the evidence purge", |v| v["purged"].as_array().is_some_and(|p| !p.is_empty())).await;
    assert_eq!(
        (purged["purged"][0]["kind"].clone(), purged["purged"][0]["exam_id"].clone()),
        (json!("evidence"), json!(exam))
    );
    assert!(purged["purged"][0]["rows"].as_u64().unwrap() >= u64::try_from(logged).unwrap());
    assert_eq!(rows_of(&app, &w, "session_log", exam).await, 0);
    assert_eq!(rows_of(&app, &w, "signal_reviews", exam).await, 0, "reviews are evidence");
    assert_eq!(rows_of(&app, &w, "submissions", exam).await, 1, "the submission stays until the exam goes");
    assert_eq!(rows_of(&app, &w, "announcements", exam).await, 1);
    assert_eq!(rows_of(&app, &w, "answers", exam).await, 1);
    let audit: Value = app.json_of(&admin, "/api/v1/org/audit?action=retention.purge").await;
    assert_eq!(audit[0]["target"], json!(exam), "{audit}");
    assert_eq!(audit[0]["details"]["kind"], "evidence");
    assert!(audit[0]["details"]["rows"]["session_log"].as_u64().is_some(), "{audit}");
    audit_verifies(&app).await;

    // Two months after it closed, the whole exam goes; the audit log still verifies.
    clock.advance(30 * DAY);
    let admin = self::admin(&app).await;
    until(&app, &admin, "the exam purge", |v| v["purged"].as_array().is_some_and(|p| p.len() == 2)).await;
    for table in ["exams", "submissions", "answers", "session_log", "announcements", "move_codes", "signal_reviews"] {
        assert_eq!(rows_of(&app, &w, table, exam).await, 0, "{table}");
    }
    assert_eq!(rows_of(&app, &w, "questions", w.exam).await, draft_questions, "another exam keeps all of its rows");
    let instructor = app.sign_in(Some("physics"), "instructor@physics.example", PASSWORD).await;
    let gone = app.as_(&instructor).exam(w.course, exam).await;
    assert_eq!(gone.status(), 404);
    let after = view(&app, &admin).await;
    assert_eq!(after["due"], json!([]), "nothing is due twice");
    assert_eq!(after["purged"][0]["kind"], "exam");
    audit_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn retention_on_the_command_line_plans_holds_and_purges_with_the_same_rules() {
    // The exam day lies months back on the system clock the command line runs on.
    let clock = ManualClock::new(EXAM_DAY);
    let (app, w) = a_submitted_exam(&clock).await;
    let exam = w.open_exam.to_string();
    let dir = app.stop().await;
    let data = dir.path().to_str().unwrap();
    let retention =
        |args: &[&str]| run(&[&["retention"][..], args, &["--org", "physics", "--data-dir", data]].concat());

    let (ok, _, stderr) = retention(&["set", "--evidence-days", "5"]);
    assert!(!ok && stderr.contains("at least 30 days"), "{stderr}");
    let (ok, stdout, stderr) = retention(&["plan"]);
    assert!(ok && stdout.contains("no retention policy"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = retention(&["set", "--evidence-days", "30", "--exam-days", "3650"]);
    assert!(ok && stdout.contains("integrity evidence kept 30 days"), "{stdout}{stderr}");
    let (ok, stdout, _) = retention(&["plan"]);
    assert!(ok && stdout.contains("due: integrity evidence of "), "{stdout}");
    assert!(stdout.contains("session_log"), "{stdout}");

    let (ok, stdout, stderr) = retention(&["hold", "--exam", &exam, "--reason", "appeal 12"]);
    assert!(ok && stdout.contains("on legal hold"), "{stdout}{stderr}");
    let (ok, stdout, _) = retention(&["apply"]);
    assert!(ok && stdout.contains("nothing was due") && stdout.contains("on legal hold (appeal 12)"), "{stdout}");
    let (ok, stdout, _) = retention(&["show"]);
    assert!(ok && stdout.contains("legal hold:") && stdout.contains("appeal 12") && stdout.contains(&exam), "{stdout}");

    let (ok, _, stderr) = retention(&["release", "--exam", &exam]);
    assert!(ok, "{stderr}");
    let (ok, stdout, _) = retention(&["apply"]);
    assert!(ok && stdout.contains("purged integrity evidence of"), "{stdout}");
    let (ok, stdout, _) = retention(&["plan"]);
    assert!(ok && stdout.contains("nothing is due"), "{stdout}");
    let (ok, stdout, stderr) = run(&["audit", "verify", "--org", "physics", "--data-dir", data]);
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
    let (ok, _, stderr) = retention(&["hold", "--exam", "not-an-id", "--reason", "x"]);
    assert!(!ok && stderr.contains("is not an exam id"), "{stderr}");
}

#[tokio::test]
async fn a_hold_or_a_longer_policy_set_after_the_plan_stops_the_purge_before_anything_goes() {
    use examhall::store::retention::{self, Kind};
    let clock = ManualClock::new(EXAM_DAY);
    // Only this test purges: the daily job would race it to the exam.
    let (app, w) = a_submitted_exam_with(&clock, |config| config.retention.automatic = false).await;
    let exam = w.open_exam;
    assert_eq!(app.as_(&w.admin).set_retention(json!({"evidence_days": 30, "exam_days": 60})).await.status(), 204);
    clock.advance(61 * DAY);
    let admin = admin(&app).await;
    let db = app.state.registry().org(w.physics).await.unwrap();
    let (now, window) = (app.state.clock().now(), app.state.config().exams.save_rules().late_window);
    let planned = db
        .read(move |conn| retention::plan(conn, &retention::policy(conn)?.unwrap().policy, now, window))
        .await
        .unwrap();
    assert_eq!(planned.len(), 1, "the whole exam, its evidence with it");
    let logged = rows_of(&app, &w, "session_log", exam).await;

    // A hold placed between the plan and the purge: neither a chunk of the log nor the rest goes.
    assert_eq!(app.as_(&admin).hold_exam(exam, "appeal 12").await.status(), 204);
    let chunk = db.write(move |conn| retention::purge_log_chunk(conn, exam, Kind::Exam, now, window)).await.unwrap();
    let rest = db.write(move |conn| retention::purge(conn, exam, Kind::Exam, now, window, 0)).await.unwrap();
    assert!(chunk.is_none() && rest.is_none());
    assert_eq!(rows_of(&app, &w, "session_log", exam).await, logged);

    // Released, but the policy now keeps exams longer: still nothing goes.
    assert_eq!(app.as_(&admin).release_exam(exam).await.status(), 204);
    assert_eq!(app.as_(&admin).set_retention(json!({"evidence_days": 30, "exam_days": 3650})).await.status(), 204);
    let rest = db.write(move |conn| retention::purge(conn, exam, Kind::Exam, now, window, 0)).await.unwrap();
    assert!(rest.is_none());
    assert_eq!(rows_of(&app, &w, "exams", exam).await, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_deletes_the_bundles_that_hold_only_what_it_purged_and_only_when_it_was_asked_to() {
    use crate::backup_schedule::{bundles, until as until_true};
    for opted_in in [true, false] {
        let keys = tempfile::tempdir().unwrap();
        let (_, recipient) = crate::backups::officer(keys.path(), "officer.key");
        let share = tempfile::tempdir().unwrap();
        let dir = share.path().to_owned();
        let clock = ManualClock::new(EXAM_DAY);
        let to = dir.clone();
        let (app, w) = a_submitted_exam_with(&clock, move |config| {
            config.backup.recipients = vec![recipient];
            config.backup.dir = Some(to);
            config.backup.delete_expired = opted_in;
        })
        .await;
        let exam = format!("-exam-{}-", w.open_exam);
        let set = app.as_(&w.admin).set_retention(json!({"evidence_days": null, "exam_days": 60})).await;
        assert_eq!(set.status(), 204);
        // 17:15: the exam closed; its bundle comes, beside the first night's organization bundle.
        clock.advance(Duration::from_secs((8 * 60 + 15) * 60));
        until_true("the exam's bundle", || {
            bundles(&dir, &exam).len() == 1 && bundles(&dir, "-physics-org-").len() == 1
        })
        .await;
        let first_night = bundles(&dir, "-physics-org-")[0].clone();
        // Day 61, 02:30: the night's organization bundle is written before the 03:00 purge.
        clock.advance(60 * DAY + Duration::from_secs((9 * 60 + 15) * 60));
        until_true("the 61st night's bundle", || bundles(&dir, "-physics-org-").len() == 2).await;
        // The plan lists the exam's bundle before the purge makes it expire (when IT opted in).
        let db = app.state.registry().org(w.physics).await.unwrap();
        let file = examhall::service::org_file::OrgFile::Open(&db);
        let plan = retention_service::overview(file, app.state.config(), app.state.clock().now()).await.unwrap();
        let listed = plan.expired_bundles.iter().any(|f| f.contains(&exam));
        assert_eq!(listed, opted_in, "{:?}", plan.expired_bundles);
        clock.advance(HOUR);
        let admin = admin(&app).await;
        until(&app, &admin, "the exam purge", |v| v["purged"].as_array().is_some_and(|p| !p.is_empty())).await;
        let deletions = || async { app.json_of(&admin, "/api/v1/org/audit?action=backup.delete_expired").await };
        if opted_in {
            // The bundles go after the purge, and are audited once gone.
            let started = Instant::now();
            let audit = loop {
                let audit = deletions().await;
                if audit.as_array().is_some_and(|a| !a.is_empty()) {
                    break audit;
                }
                assert!(started.elapsed() < Duration::from_secs(20), "the deletions are audited");
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            let deleted = audit[0]["details"]["files"].as_array().unwrap().clone();
            assert!(bundles(&dir, &exam).is_empty());
            assert_eq!(bundles(&dir, "-physics-org-").len(), 1, "the newest organization bundle stays");
            assert!(!dir.join(&first_night).exists(), "an organization bundle older than exams are kept goes");
            assert_eq!(deleted.len(), 2, "the exam's bundle and the first night's: {audit}");
            assert!(deleted.contains(&json!(first_night)), "{audit}");
        } else {
            // A purge run now (what the daily job runs) deletes nothing unless IT asked.
            let applied = retention_service::apply(&app.state, &system(), w.physics).await.unwrap();
            assert!(applied.bundles_deleted.is_empty() && applied.bundles_left.is_empty());
            assert_eq!(deletions().await, json!([]), "nothing deleted unless IT asked");
            assert_eq!((bundles(&dir, &exam).len(), bundles(&dir, "-physics-org-").len()), (1, 2));
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidates_account_goes_with_the_exam_it_was_made_for_and_nobody_elses_does() {
    let clock = ManualClock::new(EXAM_DAY);
    let (app, w) = a_submitted_exam(&clock).await;
    let batch = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z", "valid_until": "2026-06-01T16:00:00Z",
        "candidates": [{ "label": "Cy Candidate", "student_number": "C-1001" }]});
    let links: Value =
        app.as_(&w.instructor).issue_candidates(w.course, w.open_exam, batch).await.json().await.unwrap();
    let (caller, _) = crate::candidates::signed_in(&app, &links[0]).await;
    let mut candidate = ExamClient::start(&app, &caller, &w.open_exam.to_string()).await;
    let question = candidate.question(0);
    candidate.type_text(&question, "print('candidate')\n");
    candidate.flush(&app).await;
    assert_eq!(candidate.submit(&app).await.status(), 200);
    let db = app.state.registry().org(w.physics).await.unwrap();
    let people = |db: examhall::store::Database| async move {
        db.read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT count(*) FROM users WHERE email LIKE '%@candidates.invalid'),
                        (SELECT count(*) FROM users WHERE email = 'student@physics.example')",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?)
        })
        .await
        .unwrap()
    };
    assert_eq!(people(db.clone()).await, (1, 1));

    assert_eq!(app.as_(&w.admin).set_retention(json!({"evidence_days": null, "exam_days": 60})).await.status(), 204);
    // 03:00, the daily purge's hour, 61 days on.
    clock.advance(60 * DAY + 18 * HOUR);
    let admin = admin(&app).await;
    let purged = until(&app, &admin, "the exam purge", |v| v["purged"].as_array().is_some_and(|p| !p.is_empty())).await;
    assert_eq!(purged["purged"][0]["kind"], "exam");
    assert_eq!(people(db).await, (0, 1), "the candidate's account went with the exam; the student's stays");
    let audit: Value = app.json_of(&admin, "/api/v1/org/audit?action=retention.purge").await;
    assert_eq!(audit[0]["details"]["rows"]["users"], 1, "{audit}");
    audit_verifies(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_restored_after_its_purge_goes_again_when_it_is_due_again() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = crate::backups::officer(keys.path(), "officer.key");
    let clock = ManualClock::new(EXAM_DAY);
    let (app, w) = a_submitted_exam_with(&clock, move |config| {
        config.backup.recipients = vec![recipient];
        config.backup.automatic = false;
    })
    .await;
    let exam = w.open_exam;
    let out = tempfile::tempdir().unwrap();
    let (data, to, id) = (data(&app), out.path().to_str().unwrap().to_owned(), exam.to_string());
    let made = ["backup", "exam", "--org", "physics", "--exam", &id, "--to", &to, "--data-dir", &data];
    let (code, text) = crate::backups::cli(made.map(String::from).to_vec()).await;
    assert_eq!(code, Some(0), "{text}");
    let bundle = crate::backups::the_bundle(out.path());

    assert_eq!(app.as_(&w.admin).set_retention(json!({"evidence_days": null, "exam_days": 60})).await.status(), 204);
    // 03:00, the daily purge's hour, 61 days on.
    clock.advance(60 * DAY + 18 * HOUR);
    let admin = admin(&app).await;
    until(&app, &admin, "the exam purge", |v| v["purged"].as_array().is_some_and(|p| p.len() == 1)).await;
    assert_eq!(rows_of(&app, &w, "exams", exam).await, 0);

    // Restored for an appeal: it is back, and not due again before the next day's run.
    let restore = ["restore", bundle.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir", &data];
    let (code, text) = crate::backups::cli(restore.map(String::from).to_vec()).await;
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(rows_of(&app, &w, "exams", exam).await, 1);
    assert!(rows_of(&app, &w, "submissions", exam).await >= 1);

    // The next day it goes again, as the policy says.
    clock.advance(DAY);
    let admin = self::admin(&app).await;
    let started = Instant::now();
    while rows_of(&app, &w, "exams", exam).await != 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the restored exam is purged again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let view = until(&app, &admin, "nothing due after the second purge", |v| v["due"] == json!([])).await;
    assert_eq!(view["purged"].as_array().unwrap().len(), 1, "one record per exam and kind, the latest: {view}");
    let audit: Value = app.json_of(&admin, "/api/v1/org/audit?action=retention.purge").await;
    assert_eq!(audit.as_array().unwrap().len(), 2, "both purges are in the audit log: {audit}");
    audit_verifies(&app).await;
    app.stop().await;
}
