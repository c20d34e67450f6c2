//! `examhall doctor` as IT runs it, the real binary on a real data
//! directory: a healthy appliance passes (exit 0) with and without its
//! server running; a key open to others, a damaged database and a missing
//! backup share each fail (exit 2) on their own line; `--json` says the same.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::backups::officer;
use crate::helpers::{ServeProcess, examhall, run, run_code};

/// An appliance as IT would set it up: a certificate from the
/// university's CA for its host name, backup officers, an off-site folder,
/// and an organization with one good bundle.
struct Appliance {
    _dir: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
    share: PathBuf,
}

impl Appliance {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (data, share) = (dir.path().join("data"), dir.path().join("share"));
        std::fs::create_dir(&share).unwrap();
        let (cert, key) = university_certificate(dir.path(), "exams.example.edu");
        let (_, recipient) = officer(dir.path(), "officer.key");
        let config = dir.path().join("examhall.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = \"{}\"\n[server]\npublic_url = \"https://exams.example.edu\"\n\
                 [tls]\ncert_file = \"{}\"\nkey_file = \"{}\"\n\
                 [backup]\nrecipients = [\"{recipient}\"]\ndir = \"{}\"\nautomatic = false\n",
                data.display(),
                cert.display(),
                key.display(),
                share.display()
            ),
        )
        .unwrap();
        let appliance = Self { _dir: dir, config, data, share };
        appliance.ok(&["init"]);
        appliance.ok(&["org", "create", "--slug", "physics", "--name", "Faculty of Physics"]);
        appliance.ok(&["backup", "org", "--org", "physics"]);
        appliance
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend(["--config", self.config.to_str().unwrap()]);
        all
    }

    fn ok(&self, args: &[&str]) {
        let (ok, stdout, stderr) = run(&self.args(args));
        assert!(ok, "examhall {args:?}: {stdout}{stderr}");
    }

    /// `doctor` and `doctor --json`: the exit code (the same for both), the
    /// printed report, and the JSON one.
    fn doctor(&self) -> (Option<i32>, String, Value) {
        let (code, text, stderr) = run_code(&self.args(&["doctor"]));
        let (json_code, json, _) = run_code(&self.args(&["doctor", "--json"]));
        assert_eq!(code, json_code, "{text}{stderr}");
        (code, text, serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}")))
    }

    fn org_db(&self) -> PathBuf {
        let orgs = self.data.join("orgs");
        std::fs::read_dir(&orgs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "db"))
            .unwrap()
    }
}

/// A CA, and a certificate it signed for `host`: (certificate, key) files.
fn university_certificate(dir: &Path, host: &str) -> (PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Example University CA");
    let ca_key = KeyPair::generate().unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::new(vec![host.to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, host);
    let leaf_key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, leaf_key.serialize_pem()).unwrap();
    (cert_file, key_file)
}

/// The status of the check named `name` in a JSON report.
fn status_of(report: &Value, name: &str) -> String {
    let checks = report["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {report:#}"));
    check["status"].as_str().unwrap().to_owned()
}

#[test]
fn a_healthy_appliance_passes_every_check_and_warns_only_while_its_server_is_down() {
    let appliance = Appliance::new();
    let mut serve = examhall();
    serve.args(appliance.args(&["serve", "--listen", "127.0.0.1:0"]));
    let server = ServeProcess::spawn(serve);
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(0), "{text}\n{}", server.output());
    assert_eq!(report["status"], "pass");
    for name in [
        "config",
        "data directory",
        "master key",
        "log folder",
        "TLS certificate",
        "TLS host name",
        "TLS key",
        "free disk",
        "backup recipients",
        "server",
        "database platform",
        "audit log platform",
        "database physics",
        "audit log physics",
        "clock",
        "backup destination",
        "last backup physics",
    ] {
        assert_eq!(status_of(&report, name), "pass", "{name}: {text}");
    }
    assert!(text.lines().all(|line| !line.starts_with("WARN") && !line.starts_with("FAIL")), "{text}");
    // The test object was removed again.
    assert_eq!(std::fs::read_dir(&appliance.share).unwrap().count(), 1, "only the bundle is left in the share");
    drop(server);

    // Without its server, the checks run here and say that nobody can reach examhall.
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(status_of(&report, "server"), "warn");
    let warned: Vec<&str> = text.lines().filter(|l| l.starts_with("WARN") || l.starts_with("FAIL")).collect();
    assert_eq!(warned.len(), 1, "{text}");
    assert_eq!(status_of(&report, "database physics"), "pass");
}

#[test]
fn a_log_folder_or_a_key_pair_the_server_would_refuse_fails() {
    use std::os::unix::fs::PermissionsExt;
    let appliance = Appliance::new();
    let logs = appliance.data.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(status_of(&report, "log folder"), "fail");
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o700)).unwrap();
    // Another key than the certificate's.
    let other = tempfile::tempdir().unwrap();
    let (_, other_key) = university_certificate(other.path(), "elsewhere.example.edu");
    let config = std::fs::read_to_string(&appliance.config).unwrap();
    let key_line = config.lines().find(|l| l.starts_with("key_file")).unwrap().to_owned();
    std::fs::write(&appliance.config, config.replace(&key_line, &format!("key_file = \"{}\"", other_key.display())))
        .unwrap();
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(status_of(&report, "TLS key"), "fail");
}

#[test]
fn a_key_file_others_can_read_fails_even_when_the_key_comes_from_the_environment() {
    use std::os::unix::fs::PermissionsExt;
    let appliance = Appliance::new();
    let key = appliance.data.join("master.key");
    let hex = std::fs::read_to_string(&key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut command = examhall();
    command.args(appliance.args(&["doctor", "--json"])).env("EXAMHALL_MASTER_KEY", hex.trim());
    let output = command.output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{report:#}");
    assert_eq!(status_of(&report, "master key"), "fail");
}

#[test]
fn a_master_key_others_can_read_fails_and_says_how_to_fix_it() {
    use std::os::unix::fs::PermissionsExt;
    let appliance = Appliance::new();
    let key = appliance.data.join("master.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(report["status"], "fail");
    assert_eq!(status_of(&report, "master key"), "fail");
    assert!(text.contains("chmod 600"), "{text}");
}

#[test]
fn a_damaged_database_fails() {
    let appliance = Appliance::new();
    let file = appliance.org_db();
    let mut bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 8 * 4096, "a database of several pages");
    // A page in the middle: its HMAC no longer matches.
    for byte in &mut bytes[6 * 4096 + 100..6 * 4096 + 164] {
        *byte ^= 0x5a;
    }
    std::fs::write(&file, bytes).unwrap();
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(2), "{text}");
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(failed.iter().any(|name| name.contains("physics") || *name == "databases"), "{text}");
    assert_eq!(status_of(&report, "database platform"), "pass", "{text}");
}

#[test]
fn a_backup_share_that_is_not_mounted_fails() {
    let appliance = Appliance::new();
    std::fs::remove_dir_all(&appliance.share).unwrap();
    let (code, text, report) = appliance.doctor();
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(status_of(&report, "backup destination"), "fail");
    assert!(text.contains("mounted"), "{text}");
}

#[test]
fn a_self_signed_certificate_and_no_backups_warn() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (ok, out, err) = run(&["init", "--data-dir", data]);
    assert!(ok, "{out}{err}");
    let (code, text, _) = run_code(&["doctor", "--data-dir", data]);
    assert_eq!(code, Some(1), "{text}");
    for warning in ["TLS authority", "backup recipients"] {
        assert!(text.lines().any(|l| l.starts_with("WARN") && l.contains(warning)), "{warning}: {text}");
    }
}

#[test]
fn an_invalid_config_fails_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("examhall.toml");
    std::fs::write(&config, "[server]\nlisten = \"not an address\"\n").unwrap();
    let (code, text, _) = run_code(&["doctor", "--json", "--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status_of(&report, "config"), "fail");
}
