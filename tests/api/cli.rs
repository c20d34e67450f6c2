//! The real binary, end to end.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::helpers::{ServeProcess, run};

fn init(dir: &std::path::Path) -> String {
    let (ok, stdout, stderr) = run(&["init", "--data-dir", dir.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    stdout
}

#[test]
fn version_names_sqlcipher_and_pyodide() {
    let (ok, stdout, _) = run(&["--version"]);
    assert!(ok);
    assert!(stdout.contains(env!("CARGO_PKG_VERSION")), "{stdout}");
    assert!(stdout.contains("SQLCipher 4."), "{stdout}");
    assert!(stdout.contains(&format!("Pyodide {}", examhall::version::PYODIDE)), "{stdout}");
}

#[test]
fn config_example_prints_the_documented_defaults() {
    let (ok, stdout, _) = run(&["config", "example"]);
    assert!(ok);
    assert_eq!(stdout, std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/examhall.toml")).unwrap());
}

#[test]
fn init_creates_key_database_and_certificate_and_refuses_to_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let stdout = init(&data);
    let key = std::fs::metadata(data.join("master.key")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    assert!(data.join("platform.db").exists());
    assert!(data.join("tls/cert.pem").exists() && data.join("tls/key.pem").exists());
    let fingerprint = examhall::tls::fingerprint_of_file(&data.join("tls/cert.pem")).unwrap();
    assert!(stdout.contains(&fingerprint), "{stdout}");
    let before = std::fs::read(data.join("master.key")).unwrap();

    let (ok, _, stderr) = run(&["init", "--data-dir", data.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("refusing to overwrite"), "{stderr}");
    assert_eq!(std::fs::read(data.join("master.key")).unwrap(), before);
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(dir.path());
    let (ok, _, stderr) =
        run(&["--data-dir", data, "org", "create", "--slug", "physics", "--name", "Faculty of Physics"]);
    assert!(ok, "{stderr}");
    let (ok, stdout, _) = run(&["org", "list", "--data-dir", data]);
    assert!(ok);
    assert!(stdout.contains("physics") && stdout.contains("Faculty of Physics"), "{stdout}");
    let config = dir.path().join("examhall.toml");
    std::fs::write(&config, format!("data_dir = {data:?}\n")).unwrap();
    let (ok, stdout, _) = run(&["org", "list", "--json", "--config", config.to_str().unwrap()]);
    assert!(ok);
    let orgs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(orgs[0]["slug"], "physics");
    let ids: Vec<_> = std::fs::read_dir(dir.path().join("orgs")).unwrap().flatten().collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].file_name().to_string_lossy(), format!("{}.db", orgs[0]["id"].as_str().unwrap()));
}

#[test]
fn bad_input_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(dir.path());
    let (ok, _, stderr) = run(&["org", "create", "--data-dir", data, "--slug", "Bad Slug!", "--name", "X"]);
    assert!(!ok);
    assert!(stderr.contains("organization slug"), "{stderr}");
    run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    let (ok, _, stderr) = run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    assert!(!ok);
    assert!(stderr.contains("already taken") && stderr.contains("hint:"), "{stderr}");
    let (ok, _, stderr) = run(&["org", "list", "--config", "/nonexistent/examhall.toml"]);
    assert!(!ok);
    assert!(stderr.contains("does not exist"), "{stderr}");
    let empty = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(&["serve", "--data-dir", empty.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("examhall init"), "{stderr}");
}

#[test]
fn serve_refuses_a_key_file_others_can_read_and_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let key = dir.path().join("master.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, _, stderr) = run(&["serve", "--data-dir", dir.path().to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert!(!ok);
    assert!(stderr.contains("chmod 600"), "{stderr}");
}

#[test]
fn serve_refuses_another_master_key() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let other = examhall::store::keys::MasterKey::generate();
    let output = crate::helpers::examhall()
        .args(["serve", "--data-dir", dir.path().to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .env("EXAMHALL_MASTER_KEY", other.to_hex().as_str())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("wrong key") && stderr.contains("master_key_file"), "{stderr}");
    assert!(!stderr.contains(other.to_hex().as_str()));
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_exits_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let first = ServeProcess::start(dir.path(), &[]);
    assert!(first.wait_ready(&dir.path().join("tls/cert.pem")).await);
    let (ok, _, stderr) = run(&["serve", "--data-dir", dir.path().to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert!(!ok);
    assert!(stderr.contains("already using"), "{stderr}");
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully_within_ten_seconds() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    run(&["org", "create", "--data-dir", dir.path().to_str().unwrap(), "--slug", "physics", "--name", "Physics"]);
    let mut server = ServeProcess::start(dir.path(), &[]);
    assert!(server.wait_ready(&dir.path().join("tls/cert.pem")).await);
    let stopping = Instant::now();
    server.terminate();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(stopping.elapsed() < Duration::from_secs(10), "still running 10 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    // The lock is released: the directory can be served again.
    let again = ServeProcess::start(dir.path(), &[]);
    assert!(again.wait_ready(&dir.path().join("tls/cert.pem")).await);
}

#[test]
fn init_prints_a_setup_link_and_setup_link_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = init(dir.path());
    let first =
        stdout.lines().find(|l| l.contains("setup link")).unwrap().split_whitespace().last().unwrap().to_owned();
    assert!(first.starts_with("https://localhost:8443/link/platform."), "{first}");
    let (ok, stdout, stderr) = run(&["setup-link", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let second = stdout.lines().next().unwrap().split_whitespace().last().unwrap().to_owned();
    assert_ne!(first, second);
}

/// The README's commands for running examhall on a server, in order, as a
/// newcomer would paste them (the data directory and the address aside):
/// each succeeds, and the server they start serves the accounts they made.
#[test]
fn the_readme_server_commands_work_in_order_on_a_fresh_machine() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## Running it on a server").nth(1).expect("the README has the section");
    let block = section.split("```sh").nth(1).and_then(|b| b.split("```").next()).expect("and a sh block");
    let commands: Vec<&str> = block.lines().map(str::trim).filter(|l| l.starts_with("examhall ")).collect();
    assert!(commands.len() >= 5, "{block}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let binary = env!("CARGO_BIN_EXE_examhall");
    let (serve, setup): (Vec<&str>, Vec<&str>) = commands.into_iter().partition(|c| c.starts_with("examhall serve "));
    for command in setup {
        let line = command.replace("/var/lib/examhall", data);
        // The shell splits the line as a reader's shell would (the quoted names).
        let output = std::process::Command::new("bash")
            .args(["-c", &format!("examhall() {{ \"$EXAMHALL_BIN\" \"$@\"; }}; {line}")])
            .env("EXAMHALL_BIN", binary)
            .env_remove("EXAMHALL_MASTER_KEY")
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{command}\n{stdout}{stderr}");
    }
    assert_eq!(serve.len(), 1, "one serve command");
    let server = ServeProcess::start(dir.path(), &[]);
    let (ok, stdout, stderr) = run(&["user", "list", "--org", "physics", "--data-dir", data]);
    assert!(ok && stdout.contains("teacher@example.edu") && stdout.contains("instructor"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = run(&["course", "list", "--org", "physics", "--data-dir", data]);
    assert!(ok && stdout.contains("PHYS101") && stdout.contains("(A)"), "{stdout}{stderr}");
    let (ok, _, stderr) =
        run(&["section", "create", "--org", "physics", "--course", "PHYS999", "--name", "B", "--data-dir", data]);
    assert!(!ok && stderr.contains("no course has the code PHYS999"), "{stderr}");
    drop(server);
}

#[test]
fn init_with_a_host_prints_links_with_that_host_and_how_to_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let args =
        ["init", "--data-dir", dir.path().to_str().unwrap(), "--host", "exams.example.edu", "--host", "10.0.0.7"];
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    let link = stdout.lines().find(|l| l.contains("setup link")).unwrap().split_whitespace().last().unwrap();
    assert!(link.starts_with("https://exams.example.edu:8443/link/platform."), "{stdout}");
    assert!(stdout.contains("public_url = \"https://exams.example.edu:8443\""), "{stdout}");
}

fn user_cli(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    crate::helpers::run_with_stdin(args, stdin)
}

#[test]
fn user_create_sets_a_password_from_stdin_or_prints_an_invitation_and_user_list_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(dir.path());
    run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    let base = ["user", "create", "--data-dir", data, "--org", "physics"];
    let admin = [&base[..], &["--email", "admin@physics.example", "--role", "org_admin", "--password-stdin"]].concat();
    let (ok, _, stderr) = user_cli(&admin, Some("password123\n"));
    assert!(!ok && stderr.contains("common"), "common passwords are refused: {stderr}");
    let (ok, stdout, stderr) = user_cli(&admin, Some("lantern-orbit-walnut-7\n"));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("org_admin") && !stdout.contains("invitation"), "{stdout}");
    let proctor = [&base[..], &["--email", "p@physics.example", "--role", "proctor"]].concat();
    let (ok, _, stderr) = user_cli(&proctor, None);
    assert!(!ok && stderr.contains("scope"), "a proctor needs a section: {stderr}");
    let instructor = [&base[..], &["--email", "i@physics.example", "--role", "org_admin", "--name", "Ines"]].concat();
    let (ok, stdout, stderr) = user_cli(&instructor, None);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("invitation link"), "{stdout}");
    let (ok, stdout, _) = run(&["user", "list", "--data-dir", data, "--org", "physics"]);
    assert!(ok);
    assert!(stdout.contains("admin@physics.example") && stdout.contains("i@physics.example"), "{stdout}");
    let (ok, _, stderr) = run(&["user", "list", "--data-dir", data, "--org", "nowhere"]);
    assert!(!ok && stderr.contains("no organization"), "{stderr}");
}

#[tokio::test]
async fn the_demo_seeds_people_and_an_open_exam_and_prints_how_to_sign_in() {
    use std::io::{BufRead, BufReader};
    let mut child = crate::helpers::examhall()
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut password, mut accounts) = (None, None, Vec::new());
    for line in lines.by_ref().take(80) {
        let line = line.unwrap();
        if url.is_none() && line.trim().starts_with("https://127.0.0.1:") {
            url = Some(line.trim().trim_end_matches('/').to_owned());
        }
        if let Some(rest) = line.strip_prefix("Sign in to organization `demo` with password ") {
            password = Some(rest.trim_end_matches(':').to_owned());
        }
        if let Some(email) = line.split_whitespace().last().filter(|w| w.ends_with("@demo.example")) {
            let role = line.trim().trim_end_matches(email).trim().to_owned();
            accounts.push((role, email.to_owned()));
        }
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    let (url, password) = (url.expect("the demo prints its address"), password.expect("and the password"));
    let client = reqwest::Client::builder().tls_backend_preconfigured(insecure_tls()).no_proxy().build().unwrap();
    let body = serde_json::json!({"org": "demo", "email": "student1@demo.example", "password": password});
    let response = client.post(format!("{url}/api/v1/session")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let exams: serde_json::Value = client
        .get(format!("{url}/api/v1/me/exams"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exams[0]["title"], "Python warm-up");
    assert_eq!(exams[0]["phase"], "open");
    // Every role the demo prints signs in with the printed password; the org admin reaches the admin's pages.
    let roles: Vec<&str> = accounts.iter().map(|(role, _)| role.as_str()).collect();
    for role in ["org admin", "instructor", "reviewer", "proctor", "student"] {
        assert!(roles.contains(&role), "the demo prints a {role}: {accounts:?}");
    }
    for (role, email) in &accounts {
        let body = serde_json::json!({"org": "demo", "email": email, "password": password});
        let response = client.post(format!("{url}/api/v1/session")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200, "{role} {email}");
        if role == "org admin" {
            let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
            let users = client.get(format!("{url}/api/v1/org/users")).header("cookie", cookie).send().await.unwrap();
            assert_eq!(users.status(), 200, "the org admin sees the organization's people");
        }
    }
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}

/// A TLS client config that accepts the demo's throwaway self-signed
/// certificate (its fingerprint is printed, but the test has no way to pin it
/// before connecting).
fn insecure_tls() -> rustls::ClientConfig {
    examhall::drill::accepting_any_certificate()
}

#[test]
fn organizations_are_renamed_deactivated_and_reactivated_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(dir.path());
    run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    assert!(run(&["org", "rename", "--data-dir", data, "--slug", "physics", "--name", "Faculty of Physics"]).0);
    assert!(run(&["org", "deactivate", "--data-dir", data, "--slug", "physics"]).0);
    let (_, stdout, _) = run(&["org", "list", "--json", "--data-dir", data]);
    let orgs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (orgs[0]["name"].as_str(), orgs[0]["status"].as_str()),
        (Some("Faculty of Physics"), Some("deactivated"))
    );
    assert!(run(&["org", "activate", "--data-dir", data, "--slug", "physics"]).0);
    let (ok, _, stderr) = run(&["org", "deactivate", "--data-dir", data, "--slug", "nowhere"]);
    assert!(!ok && stderr.contains("no organization"), "{stderr}");
    let (ok, stdout, _) = run(&["audit", "verify", "--platform", "--data-dir", data]);
    assert!(ok && stdout.contains("5 entries"), "{stdout}");
}

#[tokio::test]
async fn deactivating_an_organization_from_the_command_line_ends_its_sessions_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(dir.path());
    run(&["org", "create", "--data-dir", data, "--slug", "physics", "--name", "Physics"]);
    let admin = ["user", "create", "--data-dir", data, "--org", "physics", "--email", "a@physics.example"];
    let (ok, _, stderr) = user_cli(
        &[&admin[..], &["--role", "org_admin", "--password-stdin"]].concat(),
        Some("lantern-orbit-walnut-7\n"),
    );
    assert!(ok, "{stderr}");
    let cert = dir.path().join("tls/cert.pem");
    let client = crate::helpers::client_trusting(&cert);
    let server = ServeProcess::start(dir.path(), &[]);
    assert!(server.wait_ready(&cert).await);
    let url = |path: &str| format!("https://127.0.0.1:{}{path}", server.port);
    let body =
        serde_json::json!({"org": "physics", "email": "a@physics.example", "password": "lantern-orbit-walnut-7"});
    let response = client.post(url("/api/v1/session")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    drop(server);

    assert!(run(&["org", "deactivate", "--data-dir", data, "--slug", "physics"]).0);
    assert!(run(&["org", "activate", "--data-dir", data, "--slug", "physics"]).0);
    let server = ServeProcess::start(dir.path(), &[]);
    assert!(server.wait_ready(&cert).await);
    let url = |path: &str| format!("https://127.0.0.1:{}{path}", server.port);
    let session = client.get(url("/api/v1/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(session.status(), 401, "reactivation does not bring the old session back");
    assert_eq!(client.post(url("/api/v1/session")).json(&body).send().await.unwrap().status(), 200);
}
