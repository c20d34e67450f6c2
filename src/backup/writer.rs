//! Writing a bundle as it streams: rows in, NDJSON → tar → zstd → age →
//! the output, with the SHA-256 and size of what reaches the output.
//! Nothing but the encrypted stream is ever written.
//!
//! Three threads share the work, so reading rows and everything after run
//! side by side: the caller's copies each row's values into batches
//! ([`super::batch`]); a writer thread of the bundle's own turns them into
//! NDJSON chunks, hashes each and puts it through tar, zstd and age; zstd
//! compresses on a worker of its own, as the `zstd` command does by default
//! (`--threads=1`). At most [`IN_FLIGHT`] batches wait between the first
//! two, which bounds the memory.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::batch::{self, Value};
use super::{CHUNK_BYTES, MANIFEST, Manifest, Member, SIGNATURE};
use crate::signing::SigningKey;

/// The zstd level: fast, and most of what a higher level would gain on NDJSON.
const ZSTD_LEVEL: i32 = 3;
/// zstd's compression workers besides the thread that feeds it: one, as
/// the `zstd` command's default.
const ZSTD_WORKERS: u32 = 1;
/// A batch of rows is handed to the writer thread once it holds this much.
const BATCH_BYTES: usize = 1024 * 1024;
/// Batches that may wait for the writer thread.
const IN_FLIGHT: usize = 4;

/// Counts and hashes what passes through to `inner`.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hash.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Pipeline<W> = tar::Builder<zstd::stream::write::Encoder<'static, age::stream::StreamWriter<Hashing<W>>>>;

/// What was written.
#[derive(Debug, Clone)]
pub struct Written<W> {
    /// The output, flushed.
    pub output: W,
    /// The manifest as signed.
    pub manifest: Manifest,
    /// The encrypted bundle's size.
    pub bytes: u64,
    /// The encrypted bundle's SHA-256, in hex.
    pub sha256: String,
}

/// A table whose rows are being written: its name, and its columns' names
/// as JSON keys (`"name":`).
struct Table {
    name: String,
    keys: Vec<Vec<u8>>,
}

/// What the caller's thread sends the writer thread.
enum Job {
    /// A batch of rows of `table`.
    Rows { table: Arc<Table>, batch: Vec<u8> },
    /// Send back the data members so far, with their hashes, in order.
    Members(SyncSender<Vec<Member>>),
    /// A file of the bundle's own (the manifest, its signature).
    File { name: &'static str, bytes: Vec<u8> },
}

/// A bundle being written: each table's rows ([`BundleWriter::table`],
/// then [`BundleWriter::row`]), then [`BundleWriter::finish`].
pub struct BundleWriter<W: Write + Send + 'static> {
    jobs: Option<SyncSender<Job>>,
    worker: Option<JoinHandle<io::Result<(W, u64, String)>>>,
    table: Option<Arc<Table>>,
    /// Rows of `table` not handed over yet.
    batch: Vec<u8>,
    /// Batches the writer thread is done with, to be filled again.
    spare: Receiver<Vec<u8>>,
}

impl<W: Write + Send + 'static> BundleWriter<W> {
    /// Starts a bundle encrypted to `recipients` (at least one).
    ///
    /// # Errors
    /// No recipient, or the output refused the age header.
    pub fn new(output: W, recipients: &[Box<dyn age::Recipient + Send>]) -> io::Result<Self> {
        let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| io::Error::other(format!("cannot encrypt to the configured recipients: {e}")))?;
        let hashing = Hashing { inner: output, hash: Sha256::new(), bytes: 0 };
        let encrypted = encryptor.wrap_output(hashing)?;
        let mut compressed = zstd::stream::write::Encoder::new(encrypted, ZSTD_LEVEL)?;
        compressed.multithread(ZSTD_WORKERS)?;
        let mut tar = tar::Builder::new(compressed);
        tar.mode(tar::HeaderMode::Deterministic);
        let (jobs, received) = sync_channel(IN_FLIGHT);
        let (done, spare) = sync_channel(IN_FLIGHT + 1);
        let worker = std::thread::Builder::new()
            .name("examhall-bundle".to_owned())
            .spawn(move || Chunks::new(tar, done).write(&received))?;
        let batch = Vec::with_capacity(BATCH_BYTES);
        Ok(Self { jobs: Some(jobs), worker: Some(worker), table: None, batch, spare })
    }

    /// Starts the rows of `table`, whose columns are `columns`; the rows of
    /// the table before end. A table without rows adds no member.
    ///
    /// # Errors
    /// Write errors of the output.
    pub fn table(&mut self, table: &str, columns: &[String]) -> io::Result<()> {
        self.hand_over()?;
        let keys = columns
            .iter()
            .map(|name| {
                let mut key = serde_json::to_vec(name).map_err(io::Error::other)?;
                key.push(b':');
                Ok(key)
            })
            .collect::<io::Result<_>>()?;
        self.table = Some(Arc::new(Table { name: table.to_owned(), keys }));
        Ok(())
    }

    /// Adds one row of the table: a value per column, in their order.
    ///
    /// # Errors
    /// No table was started, or another number of values than it has
    /// columns; write errors of the output.
    pub fn row<'v>(&mut self, values: impl IntoIterator<Item = Value<'v>>) -> io::Result<()> {
        let columns = self
            .table
            .as_ref()
            .map(|table| table.keys.len())
            .ok_or_else(|| io::Error::other("a row before its table"))?;
        let start = self.batch.len();
        let mut count = 0;
        for value in values {
            if let Err(error) = batch::push(&mut self.batch, value) {
                self.batch.truncate(start);
                return Err(error);
            }
            count += 1;
        }
        if count != columns {
            self.batch.truncate(start);
            return Err(io::Error::other(format!("a row of {count} values for a table of {columns} columns")));
        }
        if self.batch.len() >= BATCH_BYTES {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the rows so far to the writer thread.
    fn hand_over(&mut self) -> io::Result<()> {
        let Some(table) = self.table.as_ref().filter(|_| !self.batch.is_empty()) else { return Ok(()) };
        let next = self.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH_BYTES));
        let job = Job::Rows { table: Arc::clone(table), batch: std::mem::replace(&mut self.batch, next) };
        self.send(job)
    }

    /// Sends `job`; when the writer thread has stopped, its error.
    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        if matches!(sent, Some(Ok(()))) {
            return Ok(());
        }
        Err(self.stopped())
    }

    /// The writer thread's error, once it has stopped early.
    fn stopped(&mut self) -> io::Error {
        self.jobs = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(Err(error))) => error,
            _ => io::Error::other("the bundle's writer stopped"),
        }
    }

    /// Appends the manifest (`head`, with the members) and its signature by
    /// `key`, and ends every layer of the stream.
    ///
    /// # Errors
    /// Write errors of the output.
    pub fn finish(mut self, mut head: Manifest, key: &SigningKey) -> io::Result<Written<W>> {
        self.hand_over()?;
        let (reply, members) = sync_channel(1);
        self.send(Job::Members(reply))?;
        head.members = members.recv().map_err(|_| self.stopped())?;
        head.signing_key = hex::encode(key.public().0);
        let manifest = serde_json::to_vec_pretty(&head).map_err(io::Error::other)?;
        let signature = key.sign(&manifest);
        self.send(Job::File { name: MANIFEST, bytes: manifest })?;
        self.send(Job::File { name: SIGNATURE, bytes: signature })?;
        self.jobs = None;
        let worker = self.worker.take().expect("the writer thread runs until finish");
        let (output, bytes, sha256) = worker.join().map_err(|_| io::Error::other("the bundle's writer panicked"))??;
        Ok(Written { output, manifest: head, bytes, sha256 })
    }
}

/// The writer thread's side: rows into NDJSON chunks of at most
/// [`CHUNK_BYTES`] (unless one row is longer), each a member, hashed.
struct Chunks<W: Write> {
    tar: Pipeline<W>,
    members: Vec<Member>,
    /// The table of the chunk being filled, and the chunk's number in it.
    table: Option<(Arc<Table>, u32)>,
    chunk: Vec<u8>,
    rows: u64,
    /// Where batches go back to be filled again.
    done: SyncSender<Vec<u8>>,
}

impl<W: Write> Chunks<W> {
    fn new(tar: Pipeline<W>, done: SyncSender<Vec<u8>>) -> Self {
        let chunk = Vec::with_capacity(CHUNK_BYTES + 64 * 1024);
        Self { tar, members: Vec::new(), table: None, chunk, rows: 0, done }
    }

    /// Carries out each job it is sent, then ends tar, zstd and age and
    /// gives back the output with the size and SHA-256 of the encrypted stream.
    fn write(mut self, jobs: &Receiver<Job>) -> io::Result<(W, u64, String)> {
        for job in jobs {
            match job {
                Job::Rows { table, mut batch } => {
                    self.rows(&table, &batch)?;
                    batch.clear();
                    // Kept only while the other side has room for it.
                    let _ = self.done.try_send(batch);
                }
                Job::Members(reply) => {
                    self.end_chunk()?;
                    let _ = reply.send(std::mem::take(&mut self.members));
                }
                Job::File { name, bytes } => append(&mut self.tar, name, &bytes)?,
            }
        }
        let compressed = self.tar.into_inner()?;
        let encrypted = compressed.finish()?;
        let mut hashing = encrypted.finish()?;
        hashing.flush()?;
        Ok((hashing.inner, hashing.bytes, hex::encode(hashing.hash.finalize())))
    }

    /// Writes a batch of `table`'s rows as lines of its chunks.
    fn rows(&mut self, table: &Arc<Table>, batch: &[u8]) -> io::Result<()> {
        if self.table.as_ref().is_none_or(|(current, _)| !Arc::ptr_eq(current, table)) {
            self.end_chunk()?;
            self.table = Some((Arc::clone(table), 1));
        }
        let mut reader = batch::Reader::new(batch);
        while !reader.is_done() {
            let start = self.chunk.len();
            reader.line(&table.keys, &mut self.chunk)?;
            if self.chunk.len() > CHUNK_BYTES && start > 0 {
                let line = self.chunk[start..].to_vec();
                self.chunk.truncate(start);
                self.end_chunk()?;
                self.chunk.extend_from_slice(&line);
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Appends the chunk so far as a member, and starts the table's next one.
    fn end_chunk(&mut self) -> io::Result<()> {
        let Some((table, number)) = self.table.as_mut().filter(|_| !self.chunk.is_empty()) else { return Ok(()) };
        let name = format!("data/{}-{number:04}.ndjson", table.name);
        self.members.push(Member {
            name: name.clone(),
            table: table.name.clone(),
            rows: self.rows,
            bytes: self.chunk.len() as u64,
            sha256: hex::encode(Sha256::digest(&self.chunk)),
        });
        *number += 1;
        append(&mut self.tar, &name, &self.chunk)?;
        self.chunk.clear();
        self.rows = 0;
        Ok(())
    }
}

/// Appends one regular file member: its header, its bytes, zeros to the
/// next 512-byte block. Written straight through rather than with
/// `append_data`, which would copy every byte once more through a buffer.
fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> io::Result<()> {
    const BLOCK: usize = 512;
    let mut header = tar::Header::new_ustar();
    header.set_path(name)?;
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    let out = tar.get_mut();
    out.write_all(header.as_bytes())?;
    out.write_all(bytes)?;
    out.write_all(&[0; BLOCK][..(BLOCK - bytes.len() % BLOCK) % BLOCK])
}
