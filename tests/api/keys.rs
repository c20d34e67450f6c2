//! `keys rotate-master`, `keys rekey-org` and `org erase` with the real
//! binary on real files: what each keeps, what each retires, and that a kill
//! at every step between their writes leaves a key that opens everything.

use std::path::{Path, PathBuf};

use examhall::store::keys::{DatabaseKey, MasterKey};
use examhall::store::{connection, reencrypt};

use crate::backups::{officer, the_bundle};
use crate::helpers::{ServeProcess, examhall, run};

/// An initialised data directory with organization `physics` and two people in it.
fn appliance() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    assert!(run(&["init", "--data-dir", &data]).0);
    assert!(run(&["org", "create", "--data-dir", &data, "--slug", "physics", "--name", "Physics"]).0);
    for (email, role) in [("admin@physics.example", "org_admin"), ("ada@physics.example", "org_admin")] {
        let (ok, _, stderr) =
            run(&["user", "create", "--data-dir", &data, "--org", "physics", "--email", email, "--role", role]);
        assert!(ok, "{stderr}");
    }
    (dir, data)
}

fn master(dir: &Path) -> MasterKey {
    MasterKey::from_hex(&std::fs::read_to_string(dir.join("master.key")).unwrap()).unwrap()
}

/// The organization's id, its database key and, during a rekey, the next
/// one, read as the appliance reads them.
fn org_key(dir: &Path, master: &MasterKey) -> (String, DatabaseKey, Option<DatabaseKey>) {
    let conn = connection::open(&dir.join("platform.db"), &master.platform_db_key(), false).unwrap();
    let (id, wrapped, next): (String, Vec<u8>, Option<Vec<u8>>) = conn
        .query_row("SELECT id, wrapped_key, next_wrapped_key FROM organizations", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let key = master.unwrap(&wrapped, &id).unwrap();
    let next = next.map(|next| master.unwrap(&next, &id).unwrap());
    (id, key, next)
}

/// Every key (current and next) the records of the `platform.db` at `path` unwrap to.
fn keys_in(path: &Path, master: &MasterKey) -> Vec<DatabaseKey> {
    let conn = connection::open(path, &master.platform_db_key(), false).unwrap();
    let rows: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = conn
        .prepare("SELECT id, wrapped_key, next_wrapped_key FROM organizations")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.iter()
        .flat_map(|(id, wrapped, next)| {
            std::iter::once(wrapped).chain(next).map(|w| master.unwrap(w, id).unwrap()).collect::<Vec<_>>()
        })
        .collect()
}

/// A copy of `file` as a migration would have left it beside it.
fn pre_migration_copy(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap().to_owned();
    name.push(".pre-migration-v1");
    let copy = file.with_file_name(name);
    std::fs::copy(file, &copy).unwrap();
    copy
}

/// The copies of `platform.db` taken before a migration in `dir`.
fn platform_copies(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("platform.db.pre-migration-"))
        .collect()
}

fn org_file(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir.join("orgs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "one file, nothing left beside it: {entries:?}");
    entries[0].clone()
}

/// Everything the appliance holds, seen from the command line: both logs
/// verify and the people are there.
fn everything_opens(data: &str) {
    let (ok, stdout, stderr) = run(&["audit", "verify", "--platform", "--data-dir", data]);
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = run(&["audit", "verify", "--org", "physics", "--data-dir", data]);
    assert!(ok && stdout.contains("intact"), "{stdout}{stderr}");
    let (ok, stdout, stderr) = run(&["user", "list", "--org", "physics", "--data-dir", data]);
    assert!(ok && stdout.contains("admin@physics.example") && stdout.contains("ada@physics.example"), "{stderr}");
}

/// Runs the binary stopped dead at `failpoint`; it must not succeed.
fn killed_at(failpoint: &str, args: &[&str]) {
    let output = examhall().args(args).env("EXAMHALL_FAILPOINT", failpoint).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains(failpoint), "stopped at {failpoint}: {stderr}");
}

fn platform_entries(data: &str) -> usize {
    let (ok, stdout, _) = run(&["audit", "verify", "--platform", "--data-dir", data]);
    assert!(ok);
    stdout.split_once(": ").and_then(|(_, rest)| rest.split_once(' ')).unwrap().0.parse().unwrap()
}

#[test]
fn rotating_the_master_key_keeps_everything_and_the_old_key_no_longer_opens_the_data_directory() {
    let (dir, data) = appliance();
    let old = master(dir.path());
    let (_, org_key_before, _) = org_key(dir.path(), &old);
    let (_, signing_before, _) = run(&["keys", "show", "--data-dir", &data]);
    let entries = platform_entries(&data);

    let (ok, stdout, stderr) = run(&["keys", "rotate-master", "--data-dir", &data]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("1 organization key(s) and 1 signing key(s) rewrapped"), "{stdout}");

    let new = master(dir.path());
    assert_ne!(*new.to_hex(), *old.to_hex());
    assert!(!reencrypt::opens(&dir.path().join("platform.db"), &old.platform_db_key()));
    let output = examhall()
        .args(["org", "list", "--data-dir", &data])
        .env("EXAMHALL_MASTER_KEY", old.to_hex().as_str())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("wrong key"), "{stderr}");
    // The organization's own key is unchanged, now wrapped by the new master key.
    let (_, org_key_after, _) = org_key(dir.path(), &new);
    let file = org_file(dir.path());
    assert!(reencrypt::opens(&file, &org_key_before) && reencrypt::opens(&file, &org_key_after));
    assert_eq!(run(&["keys", "show", "--data-dir", &data]).1, signing_before, "the signing key is kept");
    assert_eq!(platform_entries(&data), entries + 1, "keys.rotate_master is in the platform log");
    everything_opens(&data);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().ends_with(".next")), "nothing left over: {names:?}");

    // The server starts on the new key and serves the organization.
    let server = ServeProcess::start(dir.path(), &[]);
    let ready = tokio::runtime::Runtime::new().unwrap().block_on(server.wait_ready(&dir.path().join("tls/cert.pem")));
    assert!(ready, "{}", server.output());
}

#[test]
fn a_kill_at_any_step_of_a_master_key_rotation_leaves_a_key_that_opens_everything() {
    let (dir, data) = appliance();
    for failpoint in ["rotate-master:new-key-written", "rotate-master:copy-written", "rotate-master:platform-swapped"] {
        let before = master(dir.path());
        // A copy the old key opens: kept while that key is in force, removed once it is not.
        let copy = pre_migration_copy(&dir.path().join("platform.db"));
        killed_at(failpoint, &["keys", "rotate-master", "--data-dir", &data]);
        let pending = dir.path().join("master.key.next");
        let pending_key = MasterKey::from_hex(&std::fs::read_to_string(&pending).unwrap()).unwrap();
        // Commands that only read take whichever key opens platform.db.
        everything_opens(&data);
        // The next command holding the directory settles it: the rotation
        // is undone before the swap and finished after it.
        let (ok, _, stderr) = run(&["org", "rename", "--data-dir", &data, "--slug", "physics", "--name", "Physics"]);
        assert!(ok, "{stderr}");
        assert!(!pending.exists() && !dir.path().join("platform.db.next").exists());
        let now = master(dir.path());
        let finished = failpoint.ends_with("platform-swapped");
        let expected = if finished { &pending_key } else { &before };
        assert_eq!(*now.to_hex(), *expected.to_hex(), "after {failpoint}");
        assert_eq!(copy.exists(), !finished, "after {failpoint}");
        everything_opens(&data);
    }
    let (ok, _, stderr) = run(&["keys", "rotate-master", "--data-dir", &data]);
    assert!(ok, "a rotation runs to the end after the interrupted ones: {stderr}");
    assert!(platform_copies(dir.path()).is_empty());
    everything_opens(&data);
}

#[test]
fn rekeying_an_organization_keeps_its_content_and_retires_its_old_key_even_when_killed_midway() {
    let (dir, data) = appliance();
    let master = master(dir.path());
    for failpoint in ["rekey-org:next-key-recorded", "rekey-org:copy-written", "rekey-org:file-replaced"] {
        let (_, before, _) = org_key(dir.path(), &master);
        let replaced = failpoint.ends_with("file-replaced");
        // A copy the old key opens, removed once that key is retired
        // (`org_file` below finds nothing beside the file).
        let copy = replaced.then(|| pre_migration_copy(&org_file(dir.path())));
        killed_at(failpoint, &["keys", "rekey-org", "--org", "physics", "--data-dir", &data]);
        assert!(copy.as_ref().is_none_or(|copy| copy.exists()), "left by the kill");
        // The next process holding the directory opens the organization and settles the rekey.
        let create = ["user", "create", "--data-dir", &data, "--org", "physics", "--role", "org_admin", "--email"];
        let email = format!("{}@physics.example", failpoint.replace([':', '-'], "."));
        let (ok, _, stderr) = run(&[&create[..], &[email.as_str()]].concat());
        assert!(ok, "after {failpoint}: {stderr}");
        let (_, after, next) = org_key(dir.path(), &master);
        assert!(next.is_none(), "after {failpoint}: no rekey is left under way");
        let file = org_file(dir.path());
        assert!(reencrypt::opens(&file, &after), "after {failpoint}");
        assert_eq!(reencrypt::opens(&file, &before), !replaced, "after {failpoint}");
        everything_opens(&data);
    }
    let (_, before, _) = org_key(dir.path(), &master);
    let bytes_before = std::fs::read(org_file(dir.path())).unwrap();
    let (ok, stdout, stderr) = run(&["keys", "rekey-org", "--org", "physics", "--data-dir", &data]);
    assert!(ok && stdout.contains("new key"), "{stdout}{stderr}");
    let (_, after, _) = org_key(dir.path(), &master);
    let file = org_file(dir.path());
    assert!(!reencrypt::opens(&file, &before) && reencrypt::opens(&file, &after));
    assert_ne!(std::fs::read(&file).unwrap(), bytes_before);
    everything_opens(&data);
    let (ok, stdout, _) = run(&["user", "list", "--org", "physics", "--data-dir", &data]);
    assert!(ok && stdout.matches("@physics.example").count() == 5, "{stdout}");
}

#[test]
fn erasing_an_organization_destroys_its_key_and_files_and_only_its_bundle_brings_it_back() {
    let keys = tempfile::tempdir().unwrap();
    let (identity, recipient) = officer(keys.path(), "officer.key");
    let (dir, data) = appliance();
    let out = tempfile::tempdir().unwrap();
    let output = examhall()
        .args(["backup", "org", "--org", "physics", "--data-dir", &data, "--to", out.path().to_str().unwrap()])
        .env("EXAMHALL_BACKUP__RECIPIENTS", format!("[\"{recipient}\"]"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bundle = the_bundle(out.path());
    let file = org_file(dir.path());
    let copy = dir.path().join("copy-of-the-file.db");
    std::fs::copy(&file, &copy).unwrap();
    let (_, key, _) = org_key(dir.path(), &master(dir.path()));
    assert!(reencrypt::opens(&copy, &key), "the copy opens with the organization's key");
    let platform_copy = pre_migration_copy(&dir.path().join("platform.db"));
    assert!(keys_in(&platform_copy, &master(dir.path())).iter().any(|k| reencrypt::opens(&copy, k)));
    let platform_before = std::fs::read(dir.path().join("platform.db")).unwrap();
    let entries = platform_entries(&data);

    let (ok, _, stderr) = run(&["org", "erase", "--org", "physics", "--confirm", "Physics", "--data-dir", &data]);
    assert!(!ok && stderr.contains("nothing was erased") && stderr.contains("--confirm physics"), "{stderr}");
    assert!(file.exists());
    assert_eq!(std::fs::read(dir.path().join("platform.db")).unwrap(), platform_before);

    let (ok, stdout, stderr) = run(&["org", "erase", "--org", "physics", "--confirm", "physics", "--data-dir", &data]);
    assert!(ok && stdout.contains("key is destroyed"), "{stdout}{stderr}");
    assert!(!file.exists());
    let (ok, stdout, _) = run(&["org", "list", "--data-dir", &data]);
    assert!(ok && !stdout.contains("physics"), "{stdout}");
    assert_eq!(platform_entries(&data), entries + 1, "org.erase is in the platform log, which verifies");
    // No record anywhere holds a key that opens the copy.
    let keys_left = keys_in(&dir.path().join("platform.db"), &master(dir.path()));
    assert!(keys_left.iter().all(|k| !reencrypt::opens(&copy, k)));
    assert!(platform_copies(dir.path()).is_empty(), "{stdout}");

    let (ok, stdout, stderr) =
        run(&["restore", bundle.to_str().unwrap(), "--identity", identity.to_str().unwrap(), "--data-dir", &data]);
    assert!(ok, "{stdout}{stderr}");
    everything_opens(&data);
}

#[test]
fn an_erase_killed_after_destroying_the_key_is_finished_by_running_it_again() {
    let (dir, data) = appliance();
    let file = org_file(dir.path());
    let erase = ["org", "erase", "--org", "physics", "--confirm", "physics", "--data-dir", &data];
    let platform_copy = pre_migration_copy(&dir.path().join("platform.db"));
    killed_at("org-erase:key-destroyed", &erase);
    assert!(file.exists(), "the key went first; the file is left, unreadable");
    assert!(platform_copy.exists(), "a copy of platform.db still holding the key");
    let (ok, stdout, stderr) = run(&erase);
    assert!(ok && stdout.contains("finished an interrupted erase"), "{stdout}{stderr}");
    assert!(!file.exists());
    assert!(platform_copies(dir.path()).is_empty(), "{stdout}");
    let (ok, _, stderr) = run(&erase);
    assert!(!ok && stderr.contains("org list"), "nothing left to erase: {stderr}");
}

#[test]
fn key_commands_refuse_while_the_server_runs_and_change_nothing() {
    let (dir, data) = appliance();
    let file = org_file(dir.path());
    let server = ServeProcess::start(dir.path(), &[]);
    let key_before = std::fs::read(dir.path().join("master.key")).unwrap();
    let (_, org_key_before, _) = org_key(dir.path(), &master(dir.path()));
    for args in [
        &["keys", "rotate-master"][..],
        &["keys", "rekey-org", "--org", "physics"][..],
        &["org", "erase", "--org", "physics", "--confirm", "physics"][..],
    ] {
        let (ok, _, stderr) = run(&[args, &["--data-dir", &data]].concat());
        assert!(!ok && stderr.contains("needs the server stopped") && stderr.contains("systemctl stop"), "{stderr}");
    }
    assert_eq!(std::fs::read(dir.path().join("master.key")).unwrap(), key_before);
    assert!(reencrypt::opens(&file, &org_key_before), "the organization keeps its key");
    let (ok, stdout, _) = run(&["org", "list", "--data-dir", &data]);
    assert!(ok && stdout.contains("physics"), "{stdout}");
    drop(server);
}

#[test]
fn a_key_from_the_environment_is_not_rotated_behind_its_owner() {
    let (dir, data) = appliance();
    let key = std::fs::read_to_string(dir.path().join("master.key")).unwrap();
    let output = examhall()
        .args(["keys", "rotate-master", "--data-dir", &data])
        .env("EXAMHALL_MASTER_KEY", key.trim())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("EXAMHALL_MASTER_KEY"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("master.key")).unwrap(), key);
    everything_opens(&data);
}
