//! How many ~200-byte rows a second examhall makes durable, and how long a
//! caller waits for the acknowledgement: `cargo bench --bench storage` prints
//! the Markdown table of `docs/benchmarks.md`. Each scenario gets an empty
//! database in a temporary directory, opened by the server's own
//! `connection::open` (raw key, WAL, `synchronous=FULL`), is bounded by a row
//! count and [`TIME_CAP`], and checks that every acknowledged row is in the file.
//!
//! - **raw, 1 row per transaction**: the fsync ceiling of committing every save alone.
//! - **raw, 100 rows per transaction**: SQLCipher with shared commits; every
//!   writer figure is divided by this rate.
//! - **writer, 1 caller**: a student saving alone; what the channel, thread
//!   hop and savepoint add to one fsync.
//! - **writer, 100 / 1,000 callers**: a class and a full hall saving back to
//!   back; the target is >= 50% of raw batched and p99 ack < 25 ms at 1,000.
//! - **breakdown, raw, 1,000 rows per transaction**, bare, with a savepoint
//!   per row made as the writer makes it (`execute_batch`, parsed each time),
//!   and with cached savepoint statements: the writer's group shape without
//!   its channel and tasks, to tell SQL work from the machinery around it.
//! - **what-if, checkpoints apart**: 1,000 callers, `wal_autocheckpoint=0` on
//!   the writer and a passive checkpoint every 100 ms from another connection:
//!   how much of the ack tail is the checkpoint SQLite runs inside a commit.
//! - **1,000 callers, one save a second each**: the paced rhythm of real
//!   autosaves, for the latency a student feels below saturation.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use examhall::store::{StoreError, connection, keys::DatabaseKey, writer::Writer};
use rusqlite::{Connection, params};
use tokio::time::{Interval, interval_at};

/// Payload size of one row, close to an autosave event.
const PAYLOAD_BYTES: usize = 200;
/// The server's default `storage.write_batch_limit`.
const BATCH_LIMIT: usize = 1024;
/// Rounds of the whole list; each figure is the median over them, so a burst
/// of load on a shared machine moves one round rather than the result.
const ROUNDS: usize = 3;
/// No scenario runs longer than this, whatever its row count.
const TIME_CAP: Duration = Duration::from_secs(60);
/// How often the what-if scenario checkpoints from its second connection.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
const SCHEMA: &str =
    "CREATE TABLE events (id INTEGER PRIMARY KEY, session TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO events (session, seq, payload) VALUES (?1, ?2, ?3)";
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One scenario's result: rows made durable, wall time, and one latency per
/// commit (raw) or per acknowledgement (writer). A `paced` rate is set by the
/// callers' pace and says nothing of capacity.
struct Outcome {
    name: String,
    paced: bool,
    rows: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        count(self.rows) / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile (100 is the maximum), in milliseconds.
    fn percentile_ms(&self, p: usize) -> f64 {
        let rank = (self.latencies.len() * p).div_ceil(100).max(1);
        self.latencies.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

#[expect(clippy::cast_precision_loss, reason = "row counts stay far below 2^52")]
fn count(rows: u64) -> f64 {
    rows as f64
}

/// ~200 random-looking ASCII bytes (an xorshift stream), different for every row.
fn payload(session: u64, seq: u64) -> String {
    let mut x = ((session << 32) ^ seq).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char::from(ALPHABET[usize::try_from(x >> 58).expect("6 bits fit")])
    };
    (0..PAYLOAD_BYTES).map(|_| next()).collect()
}

/// A benchmark database in its own temporary directory.
struct Bench {
    dir: tempfile::TempDir,
    key: DatabaseKey,
}

impl Bench {
    /// A new, empty events database and a first connection to it.
    fn new() -> (Self, Connection) {
        let bench = Self { dir: tempfile::tempdir().expect("temporary directory"), key: DatabaseKey::generate() };
        let conn = bench.open(true);
        conn.execute_batch(SCHEMA).expect("create the events table");
        (bench, conn)
    }

    /// A connection opened exactly as the server opens one.
    fn open(&self, create: bool) -> Connection {
        connection::open(&self.dir.path().join("bench.db"), &self.key, create).expect("open the benchmark database")
    }

    /// The scenario's outcome, once a new connection finds all `rows` in the file.
    fn outcome(self, name: &str, paced: bool, rows: u64, elapsed: Duration, mut latencies: Vec<Duration>) -> Outcome {
        let count = |row: &rusqlite::Row<'_>| row.get::<_, i64>(0);
        let found = self.open(false).query_row("SELECT count(*) FROM events", [], count).expect("count the rows");
        assert_eq!(u64::try_from(found).ok(), Some(rows), "{name}: every acknowledged row is in the file");
        latencies.sort_unstable();
        Outcome { name: name.to_owned(), paced, rows, elapsed, latencies }
    }
}

/// How each row of a raw transaction is wrapped: not at all, in a savepoint
/// made through `execute_batch` as the writer does, or through cached statements.
#[derive(Clone, Copy)]
enum Savepoint {
    No,
    Parsed,
    Cached,
}

impl Savepoint {
    fn run(self, conn: &Connection, sql: &str) {
        let done = match self {
            Self::No => Ok(0),
            Self::Parsed => conn.execute_batch(sql).map(|()| 0),
            Self::Cached => conn.prepare_cached(sql).and_then(|mut statement| statement.execute([])),
        };
        done.expect("savepoint statement");
    }
}

/// Inserts `total` rows directly, `per_tx` to a transaction.
fn raw(name: &str, total: u64, per_tx: u64, savepoint: Savepoint) -> Outcome {
    let (bench, conn) = Bench::new();
    let texts: Vec<String> = (0..per_tx).map(|seq| payload(0, seq)).collect();
    let (mut latencies, mut rows, start) = (Vec::new(), 0, Instant::now());
    while rows < total && start.elapsed() < TIME_CAP {
        let began = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        for text in &texts {
            savepoint.run(&conn, "SAVEPOINT job");
            let (who, seq) = (format!("student-{:04}", rows % 1000), i64::try_from(rows).expect("fits"));
            conn.prepare_cached(INSERT).and_then(|mut s| s.execute(params![who, seq, text])).expect("insert");
            savepoint.run(&conn, "RELEASE job");
            rows += 1;
        }
        conn.execute_batch("COMMIT").expect("commit");
        latencies.push(began.elapsed());
    }
    let elapsed = start.elapsed();
    drop(conn);
    bench.outcome(name, false, rows, elapsed, latencies)
}

/// Checkpoints through `conn` every [`CHECKPOINT_EVERY`] on a thread of its
/// own, as a background checkpointer would, until the returned sender is dropped.
fn checkpoint_elsewhere(conn: Connection) -> mpsc::Sender<()> {
    let (stop, stopped) = mpsc::channel();
    std::thread::spawn(move || {
        while stopped.recv_timeout(CHECKPOINT_EVERY) == Err(mpsc::RecvTimeoutError::Timeout) {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).expect("checkpoint");
        }
    });
    stop
}

/// One caller saving `rows` rows through `writer`, back to back or on each
/// tick of `pace`; returns the acknowledgement latencies.
async fn caller(writer: Writer, id: u64, rows: u64, mut pace: Option<Interval>, start: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for seq in 0..rows {
        if let Some(pace) = &mut pace {
            pace.tick().await;
        }
        if start.elapsed() >= TIME_CAP {
            break;
        }
        let (who, seq, text) = (format!("student-{id:04}"), i64::try_from(seq).expect("fits"), payload(id, seq));
        let insert = move |conn: &Connection| -> Result<(), StoreError> {
            conn.prepare_cached(INSERT)?.execute(params![who, seq, text])?;
            Ok(())
        };
        let asked = Instant::now();
        writer.write(insert).await.expect("a benchmark write failed");
        latencies.push(asked.elapsed());
    }
    latencies
}

/// `callers` tasks on a fresh runtime sharing `total` rows through one writer,
/// back to back or one save per caller every `pace` (spread evenly). With
/// `apart`, checkpoints leave the writer's commits for another connection.
fn through_writer(name: &str, (callers, total): (u64, u64), pace: Option<Duration>, apart: bool) -> Outcome {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (bench, conn) = Bench::new();
    if apart {
        conn.pragma_update(None, "wal_autocheckpoint", 0).expect("turn automatic checkpoints off");
    }
    let writer = Writer::start(conn, "bench", BATCH_LIMIT);
    let (elapsed, latencies) = rt.block_on(async {
        let checkpointer = apart.then(|| checkpoint_elsewhere(bench.open(false)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..callers)
            .map(|id| {
                let offset = |pace: Duration| pace.mul_f64(count(id) / count(callers));
                let ticks = pace.map(|pace| interval_at(tokio::time::Instant::from_std(start) + offset(pace), pace));
                tokio::spawn(caller(writer.clone(), id, total / callers, ticks, start))
            })
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.expect("a caller task panicked"));
        }
        let elapsed = start.elapsed();
        drop(checkpointer);
        writer.close().await;
        (elapsed, latencies)
    });
    let rows = u64::try_from(latencies.len()).expect("fits");
    bench.outcome(name, pace.is_some(), rows, elapsed, latencies)
}

/// Every scenario once, in the order of the table.
fn round() -> Vec<Outcome> {
    let second = Some(Duration::from_secs(1));
    vec![
        raw("raw, 1 row per transaction", 3_000, 1, Savepoint::No),
        raw("raw, 100 rows per transaction", 100_000, 100, Savepoint::No),
        through_writer("writer, 1 caller", (1, 3_000), None, false),
        through_writer("writer, 100 callers", (100, 50_000), None, false),
        through_writer("writer, 1,000 callers", (1_000, 50_000), None, false),
        raw("breakdown: raw, 1,000 rows per transaction", 100_000, 1_000, Savepoint::No),
        raw("breakdown: the same, a savepoint per row as the writer makes it", 100_000, 1_000, Savepoint::Parsed),
        raw("breakdown: the same, cached savepoint statements", 100_000, 1_000, Savepoint::Cached),
        through_writer("what-if: writer, 1,000 callers, checkpoints apart", (1_000, 50_000), None, true),
        through_writer("writer, 1,000 callers, one save a second each", (1_000, 10_000), second, false),
    ]
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().rsplitn(3, ' ').last().unwrap_or("").to_owned()
}

fn main() {
    let mut rounds = Vec::new();
    for n in 1..=ROUNDS {
        let before = load();
        let round = round();
        let (base, hall) = (round[1].rate(), &round[4]);
        let (share, p99, after) = (100.0 * hall.rate() / base, hall.percentile_ms(99), load());
        eprintln!(
            "round {n}, load {before} -> {after}: raw batched {base:.0}/s, 1,000 callers {share:.0}% p99 {p99:.1} ms"
        );
        rounds.push(round);
    }
    let column = |i: usize, f: &dyn Fn(&Outcome) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(|round| f(&round[i])).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let base = column(1, &Outcome::rate);
    println!("Medians of {ROUNDS} rounds.\n");
    println!("| scenario | rows | seconds | rows/s | of raw batched | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (i, o) in rounds[0].iter().enumerate() {
        let (seconds, rate) = (column(i, &|o| o.elapsed.as_secs_f64()), column(i, &Outcome::rate));
        let share = if o.paced { "paced".to_owned() } else { format!("{:.0}%", 100.0 * rate / base) };
        let [p50, p99, max] = [50, 99, 100].map(|p| column(i, &|o| o.percentile_ms(p)));
        println!("| {} | {} | {seconds:.2} | {rate:.0} | {share} | {p50:.2} | {p99:.2} | {max:.2} |", o.name, o.rows);
    }
    let (share, p99) = (100.0 * column(4, &Outcome::rate) / base, column(4, &|o| o.percentile_ms(99)));
    println!("\n1,000 callers: {share:.0}% of raw batched (target >= 50%), p99 ack {p99:.2} ms (target < 25 ms)");
}
