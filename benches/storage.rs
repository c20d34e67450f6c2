//! How many ~200-byte rows a second examhall makes durable, and how long a
//! caller waits for the acknowledgement. Run with `cargo bench --bench
//! storage`; it asserts nothing and prints a Markdown table for
//! `docs/benchmarks.md`. Every scenario starts from an empty database in its
//! own temporary directory, opened by the server's own `connection::open`
//! (raw key, WAL, `synchronous=FULL`), and is bounded by a row count and
//! [`TIME_CAP`].
//!
//! Why each scenario exists:
//! - **raw, 1 row per transaction**: the fsync ceiling that a design which
//!   commits every save on its own would hit.
//! - **raw, 100 rows per transaction**: what SQLCipher does when commits are
//!   shared; the yardstick every writer figure is divided by.
//! - **writer, 1 caller**: one student saving alone; shows what the channel,
//!   the thread hop and the per-job savepoint add to a single fsync.
//! - **writer, 100 callers**: a class saving at once; group commit must
//!   start to pay here.
//! - **writer, 1,000 callers**: a full exam hall saving back to back; the
//!   target is at least 50% of the batched raw rate with p99 ack < 25 ms.
//! - **breakdown, raw, 1,000 rows per transaction**, without and with a
//!   savepoint per row: the shape of the writer's groups at 1,000 callers
//!   without its channel and tasks, so that a gap can be put down to SQLite
//!   work, to savepoints, or to the machinery around them.
//! - **writer, 1,000 callers, one save a second each**: an exam hall's real
//!   rhythm (autosaves are paced, not back to back), for the latency a
//!   student feels below saturation.

use std::path::Path;
use std::time::{Duration, Instant};

use examhall::store::StoreError;
use examhall::store::connection;
use examhall::store::keys::DatabaseKey;
use examhall::store::writer::Writer;
use rusqlite::{Connection, params};
use tokio::runtime::Runtime;

/// Payload size of one row, close to an autosave event.
const PAYLOAD_BYTES: usize = 200;
/// The server's default `storage.write_batch_limit`.
const BATCH_LIMIT: usize = 1024;
/// No scenario runs longer than this, whatever its row count.
const TIME_CAP: Duration = Duration::from_secs(60);
const SCHEMA: &str =
    "CREATE TABLE events (id INTEGER PRIMARY KEY, session TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO events (session, seq, payload) VALUES (?1, ?2, ?3)";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One scenario's result: rows made durable, wall time, and one latency per
/// commit (raw) or per acknowledgement (writer).
struct Outcome {
    name: String,
    /// The load is fixed by the callers' pace, so the rate says nothing of capacity.
    paced: bool,
    rows: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        count(self.rows) / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile, in milliseconds.
    fn percentile_ms(&self, p: usize) -> f64 {
        let rank = (self.latencies.len() * p).div_ceil(100).max(1);
        self.latencies.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

#[expect(clippy::cast_precision_loss, reason = "row counts stay far below 2^52")]
fn count(rows: u64) -> f64 {
    rows as f64
}

fn session(n: u64) -> String {
    format!("student-{n:04}")
}

/// ~200 random-looking ASCII bytes (xorshift64*), different for every row.
fn payload(session: u64, seq: u64) -> String {
    let mut x = ((session << 32) ^ seq).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..PAYLOAD_BYTES)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let six_bits = usize::try_from(x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 58).expect("6 bits fit");
            char::from(ALPHABET[six_bits])
        })
        .collect()
}

/// A new, empty events database opened exactly as the server opens one.
fn fresh(dir: &Path, key: &DatabaseKey) -> Connection {
    let conn = connection::open(&dir.join("bench.db"), key, true).expect("open the benchmark database");
    conn.execute_batch(SCHEMA).expect("create the events table");
    conn
}

/// Rows actually in the file, read back through a new connection.
fn rows_on_disk(dir: &Path, key: &DatabaseKey) -> u64 {
    let conn = connection::open(&dir.join("bench.db"), key, false).expect("reopen the benchmark database");
    let rows: i64 = conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0)).expect("count the rows");
    u64::try_from(rows).expect("a count is never negative")
}

/// Inserts `total` rows directly, `per_tx` to a transaction, optionally each
/// in its own savepoint as the writer does.
fn raw(name: &str, total: u64, per_tx: u64, savepoints: bool) -> Outcome {
    let dir = tempfile::tempdir().expect("temporary directory");
    let key = DatabaseKey::generate();
    let conn = fresh(dir.path(), &key);
    let texts: Vec<String> = (0..per_tx).map(|seq| payload(0, seq)).collect();
    let mut latencies = Vec::new();
    let mut rows = 0;
    let start = Instant::now();
    while rows < total && start.elapsed() < TIME_CAP {
        let began = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        for text in &texts {
            if savepoints {
                conn.execute_batch("SAVEPOINT job").expect("savepoint");
            }
            let mut insert = conn.prepare_cached(INSERT).expect("prepare");
            insert.execute(params![session(rows % 1000), i64::try_from(rows).expect("fits"), text]).expect("insert");
            if savepoints {
                conn.execute_batch("RELEASE job").expect("release");
            }
            rows += 1;
        }
        conn.execute_batch("COMMIT").expect("commit");
        latencies.push(began.elapsed());
    }
    let elapsed = start.elapsed();
    drop(conn);
    assert_eq!(rows_on_disk(dir.path(), &key), rows, "every committed row is in the file");
    latencies.sort_unstable();
    Outcome { name: name.to_owned(), paced: false, rows, elapsed, latencies }
}

/// `callers` tasks, each saving `total / callers` rows through one writer,
/// back to back or one every `pace` (callers spread evenly over it), timing
/// each acknowledgement.
fn through_writer(runtime: &Runtime, name: &str, callers: u64, total: u64, pace: Option<Duration>) -> Outcome {
    let dir = tempfile::tempdir().expect("temporary directory");
    let key = DatabaseKey::generate();
    let writer = Writer::start(fresh(dir.path(), &key), "bench", BATCH_LIMIT);
    let per_caller = total / callers;
    let (elapsed, mut latencies) = runtime.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..callers)
            .map(|caller| {
                let writer = writer.clone();
                let mut ticks = pace.map(|pace| {
                    let offset = pace.mul_f64(count(caller) / count(callers));
                    tokio::time::interval_at(tokio::time::Instant::from_std(start) + offset, pace)
                });
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    for seq in 0..per_caller {
                        if let Some(ticks) = &mut ticks {
                            ticks.tick().await;
                        }
                        if start.elapsed() >= TIME_CAP {
                            break;
                        }
                        let (who, text) = (session(caller), payload(caller, seq));
                        let seq = i64::try_from(seq).expect("fits");
                        let asked = Instant::now();
                        writer
                            .write(move |conn: &Connection| -> Result<(), StoreError> {
                                conn.prepare_cached(INSERT)?.execute(params![who, seq, text])?;
                                Ok(())
                            })
                            .await
                            .expect("a benchmark write failed");
                        latencies.push(asked.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.expect("a caller task panicked"));
        }
        let elapsed = start.elapsed();
        writer.close().await;
        (elapsed, latencies)
    });
    let rows = u64::try_from(latencies.len()).expect("fits");
    assert_eq!(rows_on_disk(dir.path(), &key), rows, "every acknowledged row is in the file");
    latencies.sort_unstable();
    Outcome { name: name.to_owned(), paced: pace.is_some(), rows, elapsed, latencies }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    eprintln!("load average at start: {}", load());
    let single = raw("raw, 1 row per transaction", 3_000, 1, false);
    let batched = raw("raw, 100 rows per transaction", 100_000, 100, false);
    let writers = [
        through_writer(&runtime, "writer, 1 caller", 1, 3_000, None),
        through_writer(&runtime, "writer, 100 callers", 100, 50_000, None),
        through_writer(&runtime, "writer, 1,000 callers", 1_000, 50_000, None),
    ];
    let others = [
        raw("breakdown: raw, 1,000 rows per transaction", 100_000, 1_000, false),
        raw("breakdown: raw, 1,000 rows per transaction, a savepoint per row", 100_000, 1_000, true),
        through_writer(
            &runtime,
            "writer, 1,000 callers, one save a second each",
            1_000,
            10_000,
            Some(Duration::from_secs(1)),
        ),
    ];
    eprintln!("load average at end: {}", load());

    let base = batched.rate();
    println!("| scenario | rows | seconds | rows/s | of raw batched | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for outcome in [&single, &batched].into_iter().chain(&writers).chain(&others) {
        let share = if outcome.paced { "paced".to_owned() } else { format!("{:.0}%", 100.0 * outcome.rate() / base) };
        println!(
            "| {} | {} | {:.2} | {:.0} | {share} | {:.2} | {:.2} | {:.2} |",
            outcome.name,
            outcome.rows,
            outcome.elapsed.as_secs_f64(),
            outcome.rate(),
            outcome.percentile_ms(50),
            outcome.percentile_ms(99),
            outcome.latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        );
    }
    let hall = &writers[2];
    let (share, p99) = (100.0 * hall.rate() / base, hall.percentile_ms(99));
    println!();
    println!("1,000 callers: {share:.0}% of raw batched (target >= 50%), p99 ack {p99:.2} ms (target < 25 ms)");
}
