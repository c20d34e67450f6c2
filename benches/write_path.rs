//! The save path at its limit, beside raw SQLCipher in the same run:
//! `cargo bench --bench write_path` prints the Markdown table of
//! `docs/benchmarks.md`, "The write path at its limit".
//!
//! - **raw, 100 rows per transaction**: ~200-byte rows inserted straight into
//!   a SQLCipher file opened as the server opens it (`connection::open`:
//!   WAL, `synchronous=FULL`, a 16,384-page checkpoint), and again with
//!   SQLite's default checkpoint (1,000 pages), which suits appends alone
//!   better; every other figure is divided by the faster of the two.
//! - **the save path, 1,000 students**: each student a task that types into
//!   its attempt as fast as it is acknowledged, each keystroke an `edit`
//!   item carrying a CodeMirror change set (as the exam page queues them),
//!   a batch of them parsed as the save handler parses a request
//!   (`SaveItem::parse`), then written through the server's one writer
//!   (`Database`: group commit, checkpoints beside the writer) as the save
//!   service writes it: the attempt
//!   found and unlocked with the browser's secret in one read
//!   (`attempts::find_unlocking`), then the server's own save
//!   (`store::attempts::log::save`: admission, the chain, each edit applied
//!   to the answer, the log row, the attempt's counters), acknowledged once
//!   on disk. Batches of 6 items (what the drill's typing students send) and
//!   of 60 (a student whose saves wait behind a busy server).
//!
//! Each scenario gets an empty database in a temporary directory and is
//! bounded by an item count and [`TIME_CAP`]; the whole list runs
//! [`ROUNDS`] times and the median of each figure is printed. Afterwards
//! every acknowledged item is counted in the file.

#[path = "common/mod.rs"]
#[allow(dead_code, reason = "this bench saves through a Database, not through common::take")]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use examhall::domain::changeset::{ChangeSet, utf16_len};
use examhall::domain::save_item::SaveItem;
use examhall::store::attempts::log::SaveRules;
use examhall::store::attempts::{self, Attempt, Binding};
use examhall::store::courses;
use examhall::store::exams::Exam;
use examhall::store::{Database, OpenOptions};
use examhall::store::{StoreError, connection, keys::DatabaseKey, migrations};
use rusqlite::{Connection, params};
use time::OffsetDateTime;

const STUDENTS: usize = 1_000;
const BATCH_SIZES: [usize; 2] = [6, 60];
/// Items each save scenario writes at most, and rows the raw one inserts.
const ITEMS: usize = 300_000;
const RAW_ROWS: i64 = 200_000;
const ROUNDS: usize = 5;
const TIME_CAP: Duration = Duration::from_secs(15);
/// The server's default `storage.write_batch_limit`.
const BATCH_LIMIT: usize = 1024;
const PAYLOAD_BYTES: usize = 200;
/// `wal_autocheckpoint` when nothing sets it.
const SQLITE_DEFAULT_CHECKPOINT: i64 = 1000;
/// The moment every save is made at: inside the exam's window, within every attempt's 90 minutes.
const NOW: OffsetDateTime = time::macros::datetime!(2026-06-01 09:05 UTC);

fn main() {
    let mut rounds: Vec<Vec<f64>> = Vec::new();
    for round in 1..=ROUNDS {
        let mut rates = vec![raw_batched(None), raw_batched(Some(SQLITE_DEFAULT_CHECKPOINT))];
        for size in BATCH_SIZES {
            rates.push(save_path(size));
        }
        eprintln!("round {round}: {}", rates.iter().map(|rate| format!("{rate:.0}/s")).collect::<Vec<_>>().join(", "));
        rounds.push(rates);
    }
    let median = |column: usize| {
        let mut values: Vec<f64> = rounds.iter().map(|round| round[column]).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let (served, default) = (median(0), median(1));
    let raw = served.max(default);
    println!("| scenario | items or rows a second (median of {ROUNDS}) | of raw batched |");
    println!("|---|---:|---:|");
    for (rate, how) in [(served, "the server's checkpoint"), (default, "SQLite's default checkpoint")] {
        let share = 100.0 * rate / raw;
        println!(
            "| raw SQLCipher, 100 rows of {PAYLOAD_BYTES} bytes per transaction, {how} | {rate:.0} | {share:.0}% |"
        );
    }
    for (index, size) in BATCH_SIZES.iter().enumerate() {
        let rate = median(index + 2);
        println!(
            "| the save path, {STUDENTS} students, {size} edits per save | {rate:.0} | {:.0}% |",
            100.0 * rate / raw
        );
    }
}

/// A database as the server opens one, in a fresh temporary directory.
fn fresh() -> (tempfile::TempDir, Connection, std::path::PathBuf, DatabaseKey) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, key) = (dir.path().join("org.db"), DatabaseKey::generate());
    let mut conn = connection::open(&path, &key, true).expect("open the database");
    migrations::run(&mut conn, &path, migrations::ORG).expect("migrate");
    (dir, conn, path, key)
}

/// Rows a second, inserted 100 to a transaction, with the server's
/// checkpoint or with `checkpoint` pages.
fn raw_batched(checkpoint: Option<i64>) -> f64 {
    let (_dir, conn, _, _) = fresh();
    if let Some(pages) = checkpoint {
        conn.pragma_update(None, "wal_autocheckpoint", pages).expect("set the checkpoint");
    }
    conn.execute_batch("CREATE TABLE events (id INTEGER PRIMARY KEY, session TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL)")
        .expect("a table");
    let payload = "x".repeat(PAYLOAD_BYTES);
    let (start, mut rows) = (Instant::now(), 0i64);
    while rows < RAW_ROWS && start.elapsed() < TIME_CAP {
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        for _ in 0..100 {
            let who = format!("student-{:04}", rows % 1000);
            conn.prepare_cached("INSERT INTO events (session, seq, payload) VALUES (?1, ?2, ?3)")
                .and_then(|mut insert| insert.execute(params![who, rows, payload]))
                .expect("insert");
            rows += 1;
        }
        conn.execute_batch("COMMIT").expect("commit");
    }
    // Closing checkpoints what the WAL still holds: counted, as in the save path.
    conn.close().expect("close");
    per_second(u64::try_from(rows).expect("a count"), start.elapsed())
}

/// Items a second acknowledged by the save path, `size` edits to a save,
/// until the database has closed its connections.
fn save_path(size: usize) -> f64 {
    let (_dir, mut conn, path, key) = fresh();
    let (exam, takers) = populate(&mut conn).expect("an exam and its students");
    let options = OpenOptions { batch_limit: BATCH_LIMIT, ..OpenOptions::default() };
    let db = Database::start(conn, &path, &key, options, None);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    // What the browsers send is typed before the clock starts: the figure is the server's work.
    let typed = typed(&exam, ITEMS / STUDENTS);
    let (items, elapsed) = runtime.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = takers
            .into_iter()
            .map(|taker| tokio::spawn(student(db.clone(), exam.clone(), taker, typed.clone(), size, start)))
            .collect();
        let mut items = 0;
        for task in tasks {
            items += task.await.expect("a student task");
        }
        // The last connection closes with a checkpoint of what the WAL still
        // holds: a longer WAL leaves more of that copying to the end, so it
        // is inside the time.
        db.close().await;
        (items, start.elapsed())
    });
    let stored: i64 = connection::open(&path, &key, false)
        .expect("reopen")
        .query_row("SELECT count(*) FROM session_log", [], |row| row.get(0))
        .expect("count the log");
    assert_eq!(usize::try_from(stored).ok(), Some(items), "every acknowledged item is in the file");
    per_second(items as u64, elapsed)
}

/// The items a student's browser queues typing `count` characters at the
/// end of the first question, one `edit` item each (a CodeMirror change
/// set), as the exact JSON text sent.
fn typed(exam: &Exam, count: usize) -> Arc<[String]> {
    let question = exam.question_ids[0].to_string();
    let mut code = String::new();
    (1..=count)
        .map(|seq| {
            let typed = if seq % 40 == 0 { "\n" } else { "x" };
            let length = utf16_len(&code);
            let change = ChangeSet::replace(length, length, 0, typed).expect("an insertion at the end");
            code = change.apply(&code).expect("the change applies");
            serde_json::json!({
                "seq": seq, "kind": "edit", "question_id": question,
                "client_at": "2026-06-01T09:05:00.000Z", "changes": change.to_json(),
            })
            .to_string()
        })
        .collect()
}

/// One student saving `typed`, `size` items per save, each save sent as
/// soon as the last is acknowledged; the items acknowledged. Each batch is
/// parsed as the save handler parses a request, then written.
async fn student(
    db: Database,
    exam: Exam,
    taker: (Attempt, Binding),
    typed: Arc<[String]>,
    size: usize,
    start: Instant,
) -> usize {
    let (attempt, binding) = taker;
    let rules = SaveRules { late_window: time::Duration::minutes(10), quota_bytes: u64::MAX };
    let mut acked = 0;
    for batch in typed.chunks_exact(size) {
        if start.elapsed() >= TIME_CAP {
            break;
        }
        let items: Vec<SaveItem> =
            batch.iter().map(|raw| SaveItem::parse(raw, &exam.question_ids).expect("a valid item")).collect();
        let (user, secret, exam) = (attempt.user_id, binding.secret.clone(), exam.clone());
        let saved = db
            .write(move |conn| {
                let (found, unlocked) = attempts::find_unlocking(conn, exam.id, user, &secret)?.expect("started");
                assert!(unlocked, "the right secret");
                attempts::log::save(conn, &found, &exam, &items, None, NOW, rules)
            })
            .await;
        assert!(matches!(saved, Ok(Ok(_))), "a save was refused: {saved:?}");
        acked += size;
    }
    acked
}

/// A course, an exam of two questions open now, and [`STUDENTS`] students who started it.
fn populate(conn: &mut Connection) -> Result<(Exam, Vec<(Attempt, Binding)>), StoreError> {
    let at = time::macros::datetime!(2026-06-01 09:00 UTC);
    let tx = conn.transaction()?;
    let course = courses::create_course(&tx, "CS101", "Programming", at)?;
    let section = courses::create_section(&tx, course.id, "A", at)?;
    let exam = common::published_exam(&tx, (course.id, section.id), "Midterm", 90, at)?;
    let mut takers = Vec::with_capacity(STUDENTS);
    for index in 0..STUDENTS {
        let user = common::student(&tx, index, section.id, at)?;
        takers.push(attempts::start(&tx, &exam, user, at)?);
    }
    tx.commit()?;
    Ok((exam, takers))
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let count = count as f64;
    count / elapsed.as_secs_f64()
}
