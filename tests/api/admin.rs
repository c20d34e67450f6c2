//! One writing process per data directory: while a server runs, the
//! command line's changes reach it over the admin socket and are carried
//! out by its own writers; students saving meanwhile lose nothing.

use std::time::{Duration, Instant};

use examhall::store::Database;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::exam_client::ExamClient;
use crate::helpers::{TestApp, run, run_beside, spawn_app};
use crate::people::world;

async fn audit_labels(db: &Database, action: &'static str) -> Vec<String> {
    db.read(move |conn| {
        let mut statement = conn.prepare("SELECT actor_label FROM audit_log WHERE action = ?1")?;
        let labels = statement.query_map([action], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(labels)
    })
    .await
    .unwrap()
}

/// Saves one typed character at a time until `until`, in rounds; returns
/// each save's acknowledgement time. Every save must succeed.
async fn type_until(app: &TestApp, client: &mut ExamClient, until: Instant) -> Vec<Duration> {
    let question = client.question(0);
    let mut latencies = Vec::new();
    // Bounded in count and time.
    for _ in 0..50_000 {
        if Instant::now() >= until {
            break;
        }
        client.type_text(&question, "x");
        let started = Instant::now();
        let answer = client.flush(app).await;
        latencies.push(started.elapsed());
        assert_eq!(answer["acked_seq"], client.seq, "every save is acknowledged in full");
    }
    latencies
}

/// The `percent`th percentile of `sorted` (nearest rank).
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    sorted[(sorted.len() - 1) * percent / 100]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_line_changes_reach_the_running_server_while_students_save() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let mut client = ExamClient::student(&app, &w).await;
    let until = Instant::now() + Duration::from_secs(10);
    let typing = type_until(&app, &mut client, until);
    let commands = async {
        let mut outputs = Vec::new();
        for n in 0..4 {
            let email = format!("late-{n}@physics.example");
            let args =
                ["user", "create", "--data-dir", &data, "--org", "physics", "--email", &email, "--role", "org_admin"];
            outputs.push(run_beside(&args).await);
            outputs.push(
                run_beside(&[
                    "org",
                    "rename",
                    "--data-dir",
                    &data,
                    "--slug",
                    "physics",
                    "--name",
                    &format!("Physics {n}"),
                ])
                .await,
            );
        }
        outputs
    };
    let (mut latencies, outputs) = tokio::join!(typing, commands);
    for (ok, stdout, stderr) in &outputs {
        assert!(ok, "{stdout}{stderr}");
    }
    assert!(latencies.len() > 10, "the student kept saving: {} saves", latencies.len());
    latencies.sort();
    println!(
        "saves during command line changes: {} saves, p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies.last().unwrap()
    );
    // The changes were the server's own: audited as arriving through it.
    let physics = app.state.registry().org(w.physics).await.unwrap();
    let created = audit_labels(&physics, "user.create").await;
    assert_eq!(created.iter().filter(|l| l.contains("through the running server")).count(), 4, "{created:?}");
    let renamed = audit_labels(app.state.registry().platform().db(), "org.update").await;
    assert_eq!(renamed.iter().filter(|l| l.contains("through the running server")).count(), 4, "{renamed:?}");
    let (ok, list, _) = run_beside(&["org", "list", "--json", "--data-dir", &data]).await;
    assert!(ok && list.contains("Physics 3"), "{list}");
    app.stop().await;
}

/// p50, p99 and max of `latencies`, sorted in place.
pub fn summary(latencies: &mut [Duration]) -> String {
    latencies.sort();
    format!(
        "{} saves, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(latencies, 50).as_secs_f64() * 1e3,
        percentile(latencies, 99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    )
}

/// A measurement for docs/benchmarks.md, not a check: a student saving one
/// character at a time for 20 s alone, then 20 s while the command line
/// creates people and renames the organization through the running server
/// (one command after another, as fast as they go).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for docs/benchmarks.md; run it by name"]
async fn measure_save_latency_while_the_command_line_changes_things() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let data = app.data_dir.path().to_str().unwrap().to_owned();
    let mut client = ExamClient::student(&app, &w).await;
    let mut alone = type_until(&app, &mut client, Instant::now() + Duration::from_secs(20)).await;
    let until = Instant::now() + Duration::from_secs(20);
    let commands = async {
        let mut count = 0;
        // Bounded in count and time.
        for n in 0..200 {
            if Instant::now() >= until {
                break;
            }
            let email = format!("measure-{n}@physics.example");
            let args =
                ["user", "create", "--data-dir", &data, "--org", "physics", "--email", &email, "--role", "org_admin"];
            assert!(run_beside(&args).await.0);
            let name = format!("Physics {n}");
            assert!(run_beside(&["org", "rename", "--data-dir", &data, "--slug", "physics", "--name", &name]).await.0);
            count += 2;
        }
        count
    };
    let (mut beside, commands) = tokio::join!(type_until(&app, &mut client, until), commands);
    println!("alone:                    {}", summary(&mut alone));
    println!("beside {commands:>3} CLI commands: {}", summary(&mut beside));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_socket_is_owner_only_bounded_and_gone_when_the_server_stops() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let socket = app.data_dir.path().join("admin.sock");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner-only");

    // A request line past the bound is not read to its end: the server
    // answers after 64 KiB and closes, and the rest is thrown away.
    let stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
    let (mut reading, mut writing) = stream.into_split();
    // The writing half stays open (returned by the task), so only the
    // server's own bound can end its read.
    let writer = tokio::spawn(async move {
        let written = writing.write_all(&vec![b'x'; 200 * 1024]).await;
        (written, writing)
    });
    let mut answer = String::new();
    // Well inside the server's read timeout: a server reading on to a line
    // break would still be waiting for one when this gives up.
    let within = examhall::admin::socket::READ_TIMEOUT / 2;
    let read = tokio::time::timeout(within, reading.read_to_string(&mut answer)).await;
    assert!(read.is_ok(), "the connection is closed at once, not left to time out");
    assert!(answer.is_empty() || answer.contains("malformed"), "{answer}");
    let _ = writer.await;

    // Garbage is refused with a reason and changes nothing.
    let mut stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
    stream.write_all(b"{\"login\":null,\"command\":{\"command\":\"drop_everything\"}}\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.contains("\"failed\""), "{answer}");
    assert!(app.state.registry().platform().list_orgs().await.unwrap().is_empty());

    // And the socket still serves a well-formed command.
    let mut stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
    stream.write_all(b"{\"login\":\"it\",\"command\":{\"command\":\"setup_link\"}}\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.contains("\"done\"") && answer.contains("\"token\""), "{answer}");

    let dir = app.stop().await;
    assert!(!dir.path().join("admin.sock").exists(), "removed at shutdown");
}

#[test]
fn without_a_server_the_command_line_holds_the_data_directory_itself() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["init", "--data-dir", data]).0);
    // Another process holds the directory but answers on no socket.
    let config = crate::helpers::config_for(dir.path());
    let lock = config.data().lock().unwrap();
    let (ok, _, stderr) = run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    assert!(!ok && stderr.contains("does not answer on its admin socket") && stderr.contains("hint:"), "{stderr}");
    drop(lock);
    let (ok, stdout, stderr) = run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    assert!(ok && stdout.contains("created organization physics"), "{stdout}{stderr}");
}

#[tokio::test]
async fn beside_a_real_server_changes_go_through_it_and_reads_take_the_files_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["init", "--data-dir", data]).0);
    assert!(run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]).0);
    let cert = dir.path().join("tls/cert.pem");
    let server = crate::helpers::ServeProcess::start(dir.path(), &[]);
    assert!(server.wait_ready(&cert).await);

    let create = ["user", "create", "--data-dir", data, "--org", "physics", "--email", "it@physics.example"];
    let (ok, stdout, stderr) = run(&[&create[..], &["--role", "org_admin"]].concat());
    assert!(ok && stdout.contains("created it@physics.example"), "{stdout}{stderr}");
    // The server holds the data directory: these read the files as they
    // are, beside it, and write nothing.
    let (ok, list, stderr) = run(&["user", "list", "--data-dir", data, "--org", "physics"]);
    assert!(ok && list.contains("it@physics.example"), "{list}{stderr}");
    let (ok, head, stderr) = run(&["audit", "head", "--data-dir", data, "--org", "physics"]);
    let head = head.trim();
    assert!(
        ok && head.split_once(':').is_some_and(|(seq, hash)| seq.parse::<u64>().unwrap() >= 1 && hash.len() == 64),
        "{head}{stderr}"
    );
    let (ok, verified, stderr) =
        run(&["audit", "verify", "--data-dir", data, "--org", "physics", "--expect-head", head]);
    assert!(ok && verified.contains("intact") && verified.contains("anchored head"), "{verified}{stderr}");
    drop(server);
}
