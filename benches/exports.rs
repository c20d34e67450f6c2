//! Exporting a big exam: `cargo bench --bench exports` prints the figures of
//! `docs/benchmarks.md`, "Exports".
//!
//! One exam of [`STUDENTS`] students, each with a submitted attempt of
//! [`ITEMS`] logged items (2 million in all), in an organization of a real
//! data directory (`examhall init`'s, opened as `examhall serve` opens it,
//! the rows written through the organization's writer). Each export runs
//! through the service the route calls (`service::exports::export`: its
//! turn, its audit entry, one read transaction on a blocking thread, the
//! bounded channel) and is read to its end as the HTTP body would read it.
//! Measured per export: wall time, bytes and rows, and the process's
//! resident memory before the export (the baseline, measured in the same
//! run) and at its peak during it (`VmHWM`, reset before each export).

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Instant;

use examhall::app::AppState;
use examhall::clock::ManualClock;
use examhall::config::Config;
use examhall::domain::{CourseId, OrgName, OrgSlug, Role, UserId};
use examhall::service::exports::{self, Format, Kind};
use examhall::service::{Actor, CourseActor, ExamStaff};
use examhall::store::courses;
use examhall::store::exams::Exam;
use examhall::store::{StoreError, master_key};
use rusqlite::Connection;
use time::OffsetDateTime;

const STUDENTS: usize = 1_000;
const ITEMS: i64 = 2_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    examhall::cli::init::initialise(&config, &[]).expect("a data directory");
    let master = master_key::load(&config.master_key_file()).expect("the master key");
    let state = AppState::open(config, master, Arc::new(ManualClock::new(now()))).expect("the state");
    state.open_organizations().await.expect("open");
    let system = Actor::audited(examhall::store::audit::Actor::system());
    let (slug, name) = (OrgSlug::parse("bench").expect("a slug"), OrgName::parse("Bench").expect("a name"));
    let org = examhall::service::organizations::create(&state, &system, slug, name).await.expect("an organization");
    let db = state.registry().org(org.id).await.expect("its database");

    let started = Instant::now();
    let (course, exam) = db.write(populate).await.expect("fill the database");
    eprintln!("filled {STUDENTS} attempts of {ITEMS} items in {:.1} s", started.elapsed().as_secs_f64());
    let staff =
        CourseActor { org: org.id, db, user: UserId::generate(), actor: system, course, role: Role::Instructor };
    let on = ExamStaff { staff, exam };

    println!("| export | rows | file | wall time | rows/s | RSS before | peak RSS during | peak - before |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (kind, format) in [
        (Kind::Events, Format::Csv),
        (Kind::Events, Format::Json),
        (Kind::Attempts, Format::Csv),
        (Kind::Signals, Format::Csv),
    ] {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = memory_mb("VmRSS:");
        let started = Instant::now();
        let mut download = exports::export(&state, &on, kind, format).await.expect("an export");
        let (mut bytes, mut lines) = (0_u64, 0_u64);
        while let Some(chunk) = download.chunks.next().await {
            let chunk = chunk.expect("a whole file");
            bytes += chunk.len() as u64;
            lines += line_ends(&chunk);
        }
        let seconds = started.elapsed().as_secs_f64();
        let peak = memory_mb("VmHWM:");
        // The header line, and a JSON array's opening and closing lines.
        let rows = if format == Format::Json { lines.saturating_sub(2) } else { lines.saturating_sub(1) };
        #[allow(clippy::cast_precision_loss, reason = "sizes far below 2^52, printed rounded")]
        let (mib, per_second) = (bytes as f64 / (1024.0 * 1024.0), rows as f64 / seconds);
        println!(
            "| {}.{} | {rows} | {mib:.0} MiB | {seconds:.1} s | {per_second:.0} | {before:.0} MB | {peak:.0} MB | {:.0} MB |",
            kind.name(),
            format.extension(),
            peak - before
        );
    }
}

/// How many lines end in `chunk`.
fn line_ends(chunk: &[u8]) -> u64 {
    // A line count of the bench's output, not a hot path worth a crate.
    #[allow(clippy::naive_bytecount, reason = "a few hundred MB once; no new dependency for it")]
    let lines = chunk.iter().filter(|b| **b == b'\n').count();
    lines as u64
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 09:00 UTC)
}

/// A figure of `/proc/self/status` (`VmRSS:`, `VmHWM:`), in MB.
fn memory_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One course and section, the exam, and a submitted attempt for each student.
fn populate(conn: &Connection) -> Result<(CourseId, Exam), StoreError> {
    let now = now();
    let course = courses::create_course(conn, "CS101", "Programming", now)?;
    let section = courses::create_section(conn, course.id, "A", now)?;
    let exam = common::published_exam(conn, (course.id, section.id), "Final", 180, now)?;
    for index in 0..STUDENTS {
        let user = common::student(conn, index, section.id, now)?;
        common::take(conn, &exam, user, ITEMS, now)?;
    }
    Ok((course.id, exam))
}
