//! The data directory, its log folder and log files stay private to the
//! service user, whatever order the commands run in and whatever umask the
//! server starts with.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{ServeProcess, run};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs `serve` on `data`: (whether it served, what it said). A server that
/// is still up after 10 s is stopped and counts as serving.
async fn serve_once(data: &Path) -> (bool, String) {
    let mut child = crate::helpers::examhall()
        .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            child.wait().unwrap();
            return (true, "still serving after 10 s".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = child.wait_with_output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test]
async fn serve_before_init_creates_nothing_and_init_makes_a_folder_made_beforehand_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, stderr) = serve_once(&data).await;
    assert!(!ok && stderr.contains("examhall init"), "{stderr}");
    assert!(!data.exists(), "serve before init leaves no folder behind");

    std::fs::DirBuilder::new().mode(0o755).create(&data).unwrap();
    let (ok, _, stderr) = run(&["init", "--data-dir", data.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    for folder in ["", "orgs", "tls", "staging"] {
        assert_eq!(mode(&data.join(folder)), 0o700, "{folder:?} after init");
    }
}

#[tokio::test]
async fn serve_refuses_an_open_data_dir_or_log_folder_and_keeps_log_files_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(run(&["init", "--data-dir", data.to_str().unwrap()]).0);

    chmod(&data, 0o755);
    let (ok, stderr) = serve_once(&data).await;
    assert!(!ok && stderr.contains(&format!("fix it with: chmod 700 {}", data.display())), "{stderr}");
    chmod(&data, 0o700);
    let logs = data.join("logs");
    std::fs::DirBuilder::new().mode(0o755).create(&logs).unwrap();
    chmod(&logs, 0o755);
    let (ok, stderr) = serve_once(&data).await;
    assert!(!ok && stderr.contains(&format!("fix it with: chmod 700 {}", logs.display())), "{stderr}");
    chmod(&logs, 0o700);
    let old = logs.join("examhall.log.2026-01-01");
    std::fs::write(&old, "an earlier run under umask 022\n").unwrap();
    chmod(&old, 0o644);

    // A shell with a loose umask starts the server, as an admin might by hand.
    let mut command = Command::new("sh");
    command
        .args(["-c", "umask 022; exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_examhall")])
        .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .env_remove("EXAMHALL_MASTER_KEY");
    let server = ServeProcess::spawn(command);
    assert!(server.wait_ready(&data.join("tls/cert.pem")).await);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&logs), 0o700);
    let files: Vec<_> = std::fs::read_dir(&logs).unwrap().flatten().map(|e| e.path()).collect();
    assert!(files.len() >= 2, "today's log file is there: {files:?}");
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    for file in crate::helpers::files_under(&data) {
        assert_eq!(mode(&file) & 0o077, 0, "{} is private", file.display());
    }
}
