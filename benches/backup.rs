//! Backing up and restoring a big exam: `cargo bench --bench backup` prints
//! the figures of `docs/benchmarks.md`, "Backups".
//!
//! One exam of [`STUDENTS`] students, each with a submitted attempt of
//! [`ITEMS`] logged items (2 million in all), in an organization database
//! opened and migrated as the server opens it. Measured in the same run:
//! the exam's bundle written (rows read in one transaction, tar, zstd, age,
//! signed) with its wall time and the process's peak resident memory while
//! writing; the baseline, a plain `zstd -3 | age` pipeline (the Debian
//! tools) over the same plaintext tar; and the bundle restored into a fresh
//! organization database.

#[path = "common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use examhall::backup::{self, BundleWriter, Manifest, OrgRef};
use examhall::domain::{OrgId, OrgSlug, Timestamp};
use examhall::signing::SigningKey;
use examhall::store::backup::{Scope, dump};
use examhall::store::courses;
use examhall::store::exams::Exam;
use examhall::store::platform::{self, OrgStatus, Organization};
use examhall::store::restore::{Restorer, Target};
use examhall::store::{StoreError, connection, keys::DatabaseKey, migrations};
use rusqlite::Connection;
use secrecy::ExposeSecret as _;
use time::OffsetDateTime;

const STUDENTS: usize = 1_000;
const ITEMS: i64 = 2_000;
const ORG_ID: &str = "01a24b34-0000-7000-8000-000000000001";

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("org.db");
    let mut conn = connection::open(&path, &DatabaseKey::generate(), true).expect("open the database");
    migrations::run(&mut conn, &path, migrations::ORG).expect("migrate");
    let started = Instant::now();
    let exam = populate(&mut conn).expect("fill the database");
    eprintln!("filled {STUDENTS} attempts of {ITEMS} items in {:.1} s", started.elapsed().as_secs_f64());

    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public();
    let key = SigningKey::from_seed(&examhall::store::keys::random_key());

    // The bundle, with the peak resident memory of writing it alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let bundle = dir.path().join("exam.tar.zst.age");
    let started = Instant::now();
    let file = std::fs::File::create(&bundle).expect("the bundle's file");
    let recipients: Vec<Box<dyn age::Recipient + Send>> = vec![Box::new(recipient.clone())];
    let mut writer = BundleWriter::new(std::io::BufWriter::new(file), &recipients).expect("a bundle");
    let dumped = dump(&conn, Scope::Exam(exam.id), &mut writer).expect("the rows");
    let head = manifest(&exam, dumped.schema_version, dumped.audit_head);
    let written = writer.finish(head, &key).expect("the bundle");
    let backup_time = started.elapsed().as_secs_f64();
    let peak_mb = peak_rss_mb();
    let rows: u64 = written.manifest.members.iter().map(|m| m.rows).sum();

    // The same plaintext tar, through the standard tools.
    let plain = dir.path().join("plain.tar");
    let input = std::fs::File::open(&bundle).expect("the bundle");
    let identities: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity.clone())];
    let opened = backup::read(std::io::BufReader::new(input), &identities, &[key.public()]).expect("a whole bundle");
    decrypt_to(&bundle, &identity, &plain);
    let plain_bytes = std::fs::metadata(&plain).expect("the tar").len();
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "zstd -3 -q -c '{}' | age -r {recipient} > '{}'",
            plain.display(),
            dir.path().join("baseline.age").display()
        ))
        .stdout(Stdio::null())
        .status()
        .expect("zstd and age are installed");
    assert!(status.success());
    let baseline_time = started.elapsed().as_secs_f64();

    // Restored into a fresh organization database.
    let restored = restore_fresh(dir.path(), &bundle, &identities, &opened, &written.sha256, &exam);

    // Where the time goes: reading every row's values alone, and reading the bundle's rows without writing them.
    let started = Instant::now();
    let mut values = 0_u64;
    for table in ["session_log", "answers", "submissions", "submission_answers", "exam_sessions"] {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table}")).expect("a statement");
        let columns = statement.column_count();
        let mut rows = statement.query([]).expect("rows");
        while let Some(row) = rows.next().expect("a row") {
            for index in 0..columns {
                let _ = row.get_ref(index).expect("a value");
                values += 1;
            }
        }
    }
    let read_alone = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let input = std::fs::File::open(&bundle).expect("the bundle");
    let mut parsed = 0_u64;
    backup::for_each_row(std::io::BufReader::new(input), &identities, &opened, |_, _| {
        parsed += 1;
        Ok::<(), StoreError>(())
    })
    .expect("the rows");
    let parse_alone = started.elapsed().as_secs_f64();

    #[allow(clippy::cast_precision_loss, reason = "sizes far below 2^52 bytes, printed rounded")]
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!("| what | figure |");
    println!("|---|---|");
    println!(
        "| rows in the exam's bundle | {rows} ({} of them logged items) |",
        i64::try_from(STUDENTS).unwrap_or(i64::MAX) * ITEMS
    );
    println!("| plaintext tar / bundle | {:.0} MiB / {:.0} MiB |", mib(plain_bytes), mib(written.bytes));
    println!("| backup, end to end | {backup_time:.1} s ({:.0} MiB/s of plaintext) |", mib(plain_bytes) / backup_time);
    println!(
        "| baseline `zstd -3 \\| age` over the same tar | {baseline_time:.1} s ({:.0} MiB/s) |",
        mib(plain_bytes) / baseline_time
    );
    println!("| backup throughput / baseline | {:.2} |", baseline_time / backup_time);
    println!("| peak resident memory while writing | {peak_mb:.0} MB |");
    println!("| restore into a fresh organization | {:.1} s ({} rows added) |", restored.total, restored.added);
    println!(
        "| of which: making the file and rows put back / references checked at the end / commit | {:.1} s / {:.1} s / \
         {:.1} s |",
        restored.rows, restored.finish, restored.commit
    );
    println!("| of which: reading the rows' {values} values alone | {read_alone:.1} s |");
    println!("| of which: decrypting and parsing the bundle's {parsed} rows alone | {parse_alone:.1} s |");
}

/// A restore's wall times (seconds) and the rows it added.
struct Restore {
    total: f64,
    rows: f64,
    finish: f64,
    commit: f64,
    added: u64,
}

/// Restores `bundle` into a fresh organization database in `dir` through
/// `store::platform::create_org_file`, as a restore onto a new appliance
/// does: the file made and migrated, then the rows in one transaction.
fn restore_fresh(
    dir: &std::path::Path,
    bundle: &std::path::Path,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    opened: &backup::Opened,
    sha256: &str,
    exam: &Exam,
) -> Restore {
    let org = Organization {
        id: OrgId::parse(ORG_ID).expect("an id"),
        slug: OrgSlug::parse("bench").expect("a slug"),
        name: "Bench".to_owned(),
        status: OrgStatus::Active,
        created_at: Timestamp::from_time(now()),
    };
    let started = Instant::now();
    let fill = |conn: &Connection| {
        let mut restorer = Restorer::new(conn, ORG_ID, sha256, Some(&exam.id.to_string()), Target::Fresh, now())?;
        let input = std::fs::File::open(bundle).expect("the bundle");
        backup::for_each_row(std::io::BufReader::new(input), identities, opened, |table, row| restorer.row(table, row))
            .expect("the rows");
        let rows = started.elapsed().as_secs_f64();
        let (done, _) = restorer.finish()?;
        Ok((done, rows, started.elapsed().as_secs_f64()))
    };
    let (done, rows, finished) =
        platform::create_org_file(&dir.join("fresh.db"), &DatabaseKey::generate(), &org, fill).expect("restored");
    let total = started.elapsed().as_secs_f64();
    Restore { total, rows, finish: finished - rows, commit: total - finished, added: done.added.values().sum() }
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 09:00 UTC)
}

fn manifest(exam: &Exam, schema_version: u32, audit_head: String) -> Manifest {
    Manifest {
        format: backup::FORMAT_NAME.to_owned(),
        format_version: backup::FORMAT_VERSION,
        kind: backup::Kind::Exam,
        organization: OrgRef { id: ORG_ID.to_owned(), slug: "bench".to_owned(), name: "Bench".to_owned() },
        exam: Some(backup::ExamRef { id: exam.id.to_string(), title: exam.spec.title.clone() }),
        created_at: "2026-06-01T12:00:00.000Z".to_owned(),
        examhall_version: examhall::version::APP.to_owned(),
        schema_version,
        audit_head,
        signing_key: String::new(),
        members: Vec::new(),
    }
}

/// The bundle's plaintext tar, by age and zstd (as an officer would).
fn decrypt_to(bundle: &std::path::Path, identity: &age::x25519::Identity, to: &std::path::Path) {
    let keyfile = to.with_extension("key");
    std::fs::write(&keyfile, identity.to_string().expose_secret()).expect("the key");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("age -d -i '{}' '{}' | zstd -d -q -c > '{}'", keyfile.display(), bundle.display(), to.display()))
        .status()
        .expect("age and zstd");
    assert!(status.success());
}

/// The peak resident set since it was last reset, from `/proc/self/status`.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One course and section, the exam, and a submitted attempt for each student.
fn populate(conn: &mut Connection) -> Result<Exam, StoreError> {
    let now = now();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO organization (singleton, id, slug, created_at) VALUES (1, ?1, 'bench', ?2)",
        rusqlite::params![ORG_ID, examhall::clock::rfc3339(now)],
    )?;
    let course = courses::create_course(&tx, "CS101", "Programming", now)?;
    let section = courses::create_section(&tx, course.id, "A", now)?;
    let exam = common::published_exam(&tx, (course.id, section.id), "Final", 180, now)?;
    for index in 0..STUDENTS {
        let user = common::student(&tx, index, section.id, now)?;
        common::take(&tx, &exam, user, ITEMS, now)?;
    }
    tx.commit()?;
    Ok(exam)
}
