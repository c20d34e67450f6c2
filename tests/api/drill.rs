//! `examhall drill` end to end: the real binary rehearsing an exam against a
//! real `examhall serve` on loopback, through a SIGKILL and a restart, and
//! what it refuses to drill or to erase.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{ServeProcess, examhall, run, run_command, run_with_stdin};
use crate::people::PASSWORD;

const ADMIN: &str = "drill-admin@it.example.edu";

/// A data directory with organization `slug` and its org admin [`ADMIN`],
/// set up as docs/drill.md tells IT to.
fn hall(slug: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    assert!(run(&["init", "--data-dir", data]).0);
    let (ok, _, stderr) = run(&["org", "create", "--data-dir", data, "--slug", slug, "--name", "Exam-day drill"]);
    assert!(ok, "{stderr}");
    let admin = ["user", "create", "--data-dir", data, "--org", slug, "--email", ADMIN, "--role", "org_admin"];
    let (ok, _, stderr) = run_with_stdin(&[&admin[..], &["--password-stdin"]].concat(), Some(&format!("{PASSWORD}\n")));
    assert!(ok, "{stderr}");
    dir
}

/// `examhall drill run` against `port` as [`ADMIN`], writing its JSON report into `dir`.
fn drill(dir: &Path, port: u16, org: &str, extra: &[&str]) -> Command {
    let mut command = examhall();
    let (cert, json) = (dir.join("tls/cert.pem"), dir.join("report.json"));
    command
        .args(["drill", "run", "--url", &format!("https://127.0.0.1:{port}"), "--org", org])
        .args(["--ca-cert", cert.to_str().unwrap(), "--json", json.to_str().unwrap()])
        .args(extra)
        .env("EXAMHALL_DRILL_EMAIL", ADMIN)
        .env("EXAMHALL_DRILL_PASSWORD", PASSWORD);
    command
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// The checks every drill that went right passes: nothing lost, nothing
/// failed, every student submitted and read back.
fn assert_passed(report: &Value, students: u64) {
    assert_eq!(report["lost"], 0, "{report:#}");
    assert_eq!(report["lost_items"], 0, "{report:#}");
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(report["submitted"], students, "{report:#}");
    assert_eq!(report["unsubmitted"], 0, "{report:#}");
    assert_eq!(report["unverified"], 0, "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    for kind in ["sign_in", "start", "save", "submit"] {
        let latency = &report["latency_ms"][kind];
        assert!(latency["count"].as_u64().unwrap() > 0, "{kind}: {report:#}");
        let (p50, p99, max) = (&latency["p50"], &latency["p99"], &latency["max"]);
        assert!(p50.as_f64().unwrap() > 0.0 && p50.as_f64() <= p99.as_f64() && p99.as_f64() <= max.as_f64(), "{kind}");
    }
    assert!(report["saves"].as_u64().unwrap() > students, "every student saved more than once: {report:#}");
}

#[tokio::test]
async fn a_small_drill_loses_nothing_submits_everyone_and_its_organization_is_erased_afterwards() {
    let dir = hall("drill");
    let server = ServeProcess::start(dir.path(), &[]);
    let pid = server.child.id().to_string();
    let args =
        ["--students", "20", "--duration", "20s", "--ramp", "3s", "--offline-share", "0.2", "--server-pid", &pid];
    let (code, stdout, stderr) = run_command(drill(dir.path(), server.port, "drill", &args), Duration::from_secs(90));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("PASSED: 0 lost"), "{stdout}");
    assert!(stderr.contains("signed in 20/20"), "the progress line: {stderr}");
    let report = report(dir.path());
    assert_passed(&report, 20);
    // A quarter left to the deadline; the others hand in themselves (one
    // whose save waited on a slow server may find the deadline first).
    assert!(report["submitted_at_deadline"].as_u64().unwrap() >= 5, "{report:#}");
    assert!(report["submitted_by_student"].as_u64().unwrap() >= 12, "{report:#}");
    assert_eq!(report["outages"], 4, "a fifth lost the network once: {report:#}");
    assert!(report["integrity_events"].as_u64().unwrap() >= 8, "their offline and online events at least: {report:#}");
    assert!(report["server"]["samples"].as_u64().unwrap() > 5, "{report:#}");
    assert!(report["server"]["rss_mb_max"].as_f64().unwrap() > 1.0, "{report:#}");
    // Twenty students idle most of the time (a few percent of a core); a
    // student spinning while offline or waiting on an answer takes a whole one.
    let drill_cpu = report["drill_process"]["cpu_percent_mean"].as_f64().unwrap();
    assert!(drill_cpu < 30.0, "the drill itself used {drill_cpu:.0}% of a core");

    // The drill's records go with its organization.
    let data = dir.path().to_str().unwrap();
    let (ok, _, stderr) = run(&["drill", "clean", "--data-dir", data, "--org", "drill"]);
    assert!(!ok && stderr.contains("needs the server stopped"), "{stderr}");
    server.terminate();
    server.finish();
    let (ok, stdout, stderr) = run(&["drill", "clean", "--data-dir", data, "--org", "drill"]);
    assert!(ok && stdout.contains("erased organization drill"), "{stdout}{stderr}");
    let (_, listed, _) = run(&["org", "list", "--data-dir", data]);
    assert!(!listed.contains("drill"), "{listed}");
}

/// A drill running in the background, its standard error read line by line.
struct Running {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Running {
    fn start(mut command: Command) -> Self {
        let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let (send, lines) = mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                all.push_str(&line);
                all.push('\n');
                let _ = send.send(line);
            }
            all
        });
        Self { child, lines, stderr }
    }

    /// Waits (at most `within`) for a line of standard error containing `text`.
    fn wait_for(&self, text: &str, within: Duration) {
        let until = std::time::Instant::now() + within;
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("the drill printed no line with {text:?} within {within:?}");
    }

    /// Waits (at most `within`) for the drill to end; (exit code, stdout, stderr).
    fn finish(mut self, within: Duration) -> (Option<i32>, String, String) {
        let pid = rustix::process::Pid::from_child(&self.child);
        let mut stdout = self.child.stdout.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
            text
        });
        let (done, exited) = mpsc::channel();
        std::thread::spawn(move || done.send(self.child.wait()));
        let Ok(status) = exited.recv_timeout(within) else {
            // Our own child, by its PID; it has not been reaped, so the PID is still its.
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            panic!("the drill took longer than {within:?} and was killed");
        };
        (status.unwrap().code(), out.join().unwrap(), self.stderr.join().unwrap())
    }
}

#[tokio::test]
async fn students_keep_retrying_through_a_sigkill_and_restart_and_nothing_acknowledged_is_lost() {
    let dir = hall("drill");
    let mut server = ServeProcess::start(dir.path(), &[]);
    let port = server.port;
    let running = Running::start(drill(dir.path(), port, "drill", &["--students", "50", "--duration", "60s"]));
    running.wait_for("all 50 students started", Duration::from_secs(60));
    // One more progress line: everyone is typing and saving.
    running.wait_for("saves/s", Duration::from_secs(10));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // The scenario: the server stays down for three seconds, as a real
    // crash and restart would (a restart within a few milliseconds may meet
    // no request, and then the test shows nothing about retrying).
    #[allow(clippy::disallowed_methods)]
    std::thread::sleep(Duration::from_secs(3));
    let restarted = serve_on(dir.path(), port);
    let (code, stdout, stderr) = running.finish(Duration::from_secs(150));
    drop(restarted);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let report = report(dir.path());
    assert_passed(&report, 50);
    assert!(report["retried_unanswered"].as_u64().unwrap() > 0, "the crash reached the students: {report:#}");
    assert!(report["submitted_at_deadline"].as_u64().unwrap() >= 12, "the automatic submission counts: {report:#}");
}

/// Copies the regular files of `from` into `to` (a server's data
/// directory while no server runs: its files are as a crash left them).
fn copy_files(from: &Path, to: &Path) {
    for file in crate::helpers::files_under(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
        // Directories as private as the server keeps them.
        let mut dir = target.parent();
        while let Some(made) = dir.filter(|d| d.starts_with(to)) {
            let mode = std::fs::metadata(from.join(made.strip_prefix(to).unwrap())).unwrap().permissions();
            std::fs::set_permissions(made, mode).unwrap();
            dir = made.parent();
        }
    }
}

/// `examhall serve` of `dir` on `port`.
fn serve_on(dir: &Path, port: u16) -> ServeProcess {
    let mut command = examhall();
    command.args(["serve", "--data-dir", dir.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")]);
    ServeProcess::spawn(command)
}

#[tokio::test]
async fn the_lost_count_catches_a_server_that_forgets_what_it_acknowledged() {
    // The server goes back to a copy of its files taken ten seconds
    // earlier, as a restore from an old backup would: every save it
    // acknowledged since is gone, and the drill must say so.
    let dir = hall("drill");
    let mut server = ServeProcess::start(dir.path(), &[]);
    let port = server.port;
    let args = ["--students", "20", "--duration", "30s", "--ramp", "2s", "--offline-share", "0"];
    let running = Running::start(drill(dir.path(), port, "drill", &args));
    running.wait_for("all 20 students started", Duration::from_secs(60));
    running.wait_for("saves/s", Duration::from_secs(10));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let older = tempfile::tempdir().unwrap();
    copy_files(dir.path(), older.path());
    let mut server = serve_on(dir.path(), port);
    running.wait_for("saves/s", Duration::from_secs(10));
    running.wait_for("saves/s", Duration::from_secs(10));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let forgetful = serve_on(older.path(), port);
    let (code, stdout, stderr) = running.finish(Duration::from_secs(120));
    drop(forgetful);
    assert_eq!(code, Some(3), "a drill that found losses exits 3: {stdout}{stderr}");
    assert!(stdout.contains("FAILED"), "{stdout}");
    let report = report(dir.path());
    assert!(report["lost"].as_u64().unwrap() > 0, "{report:#}");
    assert!(report["lost_items"].as_u64().unwrap() > 0, "{report:#}");
    assert!(report["errors_by_kind"]["save 409"]["count"].as_u64().unwrap() > 0, "sequence gaps: {report:#}");
    assert_eq!(report["passed"], false);
}

#[test]
fn a_drill_refuses_a_target_that_is_not_loopback_and_sends_it_nothing() {
    // This host's own address on its network, if it has one: a listener
    // there sees whether anything was sent.
    let own = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| socket.connect("192.0.2.1:9").and_then(|()| socket.local_addr()))
        .map(|address| address.ip())
        .ok()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    let listener = own.and_then(|ip| std::net::TcpListener::bind((ip, 0)).ok());
    let url = listener
        .as_ref()
        .map_or_else(|| "https://192.0.2.1:8443".to_owned(), |l| format!("https://{}", l.local_addr().unwrap()));
    let mut command = examhall();
    command.args(["drill", "run", "--url", &url, "--org", "drill", "--students", "10", "--duration", "20s"]);
    command.env("EXAMHALL_DRILL_EMAIL", ADMIN).env("EXAMHALL_DRILL_PASSWORD", PASSWORD);
    let (code, stdout, stderr) = run_command(command, Duration::from_secs(30));
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("refusing to drill") && stderr.contains("nothing was sent"), "{stderr}");
    assert!(stderr.contains("--target-is-mine"), "says how to drill a server of one's own: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    if let Some(listener) = listener {
        listener.set_nonblocking(true).unwrap();
        let accepted = listener.accept();
        assert!(accepted.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock), "{accepted:?}");
    }
}

#[tokio::test]
async fn drills_run_in_and_clean_erases_only_an_organization_holding_nothing_but_drills() {
    let dir = hall("drill-physics");
    let data = dir.path().to_str().unwrap();
    assert!(run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]).0);
    let course = ["course", "create", "--data-dir", data, "--org", "drill-physics", "--code", "PHYS101"];
    assert!(run(&[&course[..], &["--title", "Mechanics"]].concat()).0);

    // Not a drill's slug: refused before anything is read or sent.
    let (ok, _, stderr) = run(&["drill", "clean", "--data-dir", data, "--org", "physics"]);
    assert!(!ok && stderr.contains("physics is not a drill organization"), "{stderr}");
    let (code, _, stderr) = run_command(drill(dir.path(), 9, "physics", &[]), Duration::from_secs(30));
    assert!(code == Some(1) && stderr.contains("physics is not a drill organization"), "{stderr}");
    // A drill's slug, but a real course in it.
    let (ok, _, stderr) = run(&["drill", "clean", "--data-dir", data, "--org", "drill-physics"]);
    assert!(!ok && stderr.contains("holds the course PHYS101"), "{stderr}");
    let server = ServeProcess::start(dir.path(), &[]);
    let (code, stdout, stderr) =
        run_command(drill(dir.path(), server.port, "drill-physics", &[]), Duration::from_secs(60));
    assert!(code == Some(1) && stderr.contains("holds the course PHYS101"), "{stdout}{stderr}");
    let (_, courses, _) = run(&["course", "list", "--data-dir", data, "--org", "drill-physics"]);
    assert!(courses.contains("PHYS101") && !courses.contains("DRILL-"), "the drill made nothing: {courses}");
    drop(server);
    let (_, listed, _) = run(&["org", "list", "--data-dir", data]);
    assert!(listed.contains("physics") && listed.contains("drill-physics"), "nothing was erased: {listed}");
}
