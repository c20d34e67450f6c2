//! Writing a bundle as it streams: rows in, tar → zstd → age → the output,
//! with the SHA-256 and size of what reaches the output. Nothing but the
//! encrypted stream is ever written.
//!
//! Two threads share the work, so reading rows and compressing them use a
//! core each: the caller's turns rows into NDJSON chunks; a writer thread of
//! the bundle's own hashes each chunk and puts it through tar, zstd and age.
//! At most [`IN_FLIGHT`] chunks wait between them, which bounds the memory.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::{CHUNK_BYTES, MANIFEST, Manifest, Member, SIGNATURE};
use crate::signing::SigningKey;

/// The zstd level: fast, and most of what a higher level would gain on NDJSON.
const ZSTD_LEVEL: i32 = 3;
/// Chunks that may wait for the writer thread.
const IN_FLIGHT: usize = 2;

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

/// What the caller's thread sends the writer thread.
enum Job {
    /// A member to append; the writer thread hashes data members.
    Member { name: String, bytes: Vec<u8>, hashed: bool },
    /// Send back the hashes of the data members so far, in order.
    Hashes(SyncSender<Vec<String>>),
}

/// A table's chunk being filled.
struct Chunk {
    table: String,
    number: u32,
    bytes: Vec<u8>,
    rows: u64,
}

/// A bundle being written: add each table's rows, then [`BundleWriter::finish`].
pub struct BundleWriter<W: Write + Send + 'static> {
    jobs: Option<SyncSender<Job>>,
    worker: Option<JoinHandle<io::Result<(W, u64, String)>>>,
    /// The data members so far, without their hashes (the writer thread has them).
    members: Vec<Member>,
    current: Option<Chunk>,
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
        let compressed = zstd::stream::write::Encoder::new(encrypted, ZSTD_LEVEL)?;
        let mut tar = tar::Builder::new(compressed);
        tar.mode(tar::HeaderMode::Deterministic);
        let (jobs, received) = sync_channel(IN_FLIGHT);
        let worker = std::thread::Builder::new()
            .name("examhall-bundle".to_owned())
            .spawn(move || write_members(tar, &received))?;
        Ok(Self { jobs: Some(jobs), worker: Some(worker), members: Vec::new(), current: None })
    }

    /// Adds one row of `table` (a JSON object, without its line break).
    /// Rows of one table come together; a new table ends the previous one.
    ///
    /// # Errors
    /// Write errors of the output.
    pub fn row(&mut self, table: &str, line: &[u8]) -> io::Result<()> {
        if self.current.as_ref().is_none_or(|chunk| chunk.table != table) {
            self.end_table()?;
            self.current = Some(Chunk { table: table.to_owned(), number: 1, bytes: Vec::new(), rows: 0 });
        }
        if self.current.as_ref().is_some_and(|chunk| chunk.bytes.len() + line.len() + 1 > CHUNK_BYTES) {
            self.end_chunk()?;
        }
        let chunk = self.current.as_mut().expect("a table is open");
        chunk.bytes.extend_from_slice(line);
        chunk.bytes.push(b'\n');
        chunk.rows += 1;
        Ok(())
    }

    /// Ends the table being written, if it has rows left.
    fn end_table(&mut self) -> io::Result<()> {
        if self.current.as_ref().is_some_and(|chunk| !chunk.bytes.is_empty()) {
            self.end_chunk()?;
        }
        self.current = None;
        Ok(())
    }

    /// Hands the chunk so far to the writer thread, and starts the table's next one.
    fn end_chunk(&mut self) -> io::Result<()> {
        let Some(chunk) = self.current.take() else { return Ok(()) };
        let name = format!("data/{}-{:04}.ndjson", chunk.table, chunk.number);
        let bytes = chunk.bytes.len() as u64;
        self.members.push(Member {
            name: name.clone(),
            table: chunk.table.clone(),
            rows: chunk.rows,
            bytes,
            sha256: String::new(),
        });
        self.send(Job::Member { name, bytes: chunk.bytes, hashed: true })?;
        self.current = Some(Chunk {
            table: chunk.table,
            number: chunk.number + 1,
            bytes: Vec::with_capacity(CHUNK_BYTES),
            rows: 0,
        });
        Ok(())
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
        self.end_table()?;
        let (reply, hashes) = sync_channel(1);
        self.send(Job::Hashes(reply))?;
        let hashes = hashes.recv().map_err(|_| self.stopped())?;
        let mut members = std::mem::take(&mut self.members);
        for (member, sha256) in members.iter_mut().zip(hashes) {
            member.sha256 = sha256;
        }
        head.members = members;
        head.signing_key = hex::encode(key.public().0);
        let manifest = serde_json::to_vec_pretty(&head).map_err(io::Error::other)?;
        let signature = key.sign(&manifest);
        self.send(Job::Member { name: MANIFEST.to_owned(), bytes: manifest, hashed: false })?;
        self.send(Job::Member { name: SIGNATURE.to_owned(), bytes: signature, hashed: false })?;
        self.jobs = None;
        let worker = self.worker.take().expect("the writer thread runs until finish");
        let (output, bytes, sha256) = worker.join().map_err(|_| io::Error::other("the bundle's writer panicked"))??;
        Ok(Written { output, manifest: head, bytes, sha256 })
    }
}

/// The writer thread: appends each member it is sent, hashing data
/// members, then ends tar, zstd and age and gives back the output with the
/// size and SHA-256 of the encrypted stream.
fn write_members<W: Write>(mut tar: Pipeline<W>, jobs: &Receiver<Job>) -> io::Result<(W, u64, String)> {
    let mut hashes = Vec::new();
    for job in jobs {
        match job {
            Job::Member { name, bytes, hashed } => {
                if hashed {
                    hashes.push(hex::encode(Sha256::digest(&bytes)));
                }
                append(&mut tar, &name, &bytes)?;
            }
            Job::Hashes(reply) => {
                let _ = reply.send(std::mem::take(&mut hashes));
            }
        }
    }
    let compressed = tar.into_inner()?;
    let encrypted = compressed.finish()?;
    let mut hashing = encrypted.finish()?;
    hashing.flush()?;
    Ok((hashing.inner, hashing.bytes, hex::encode(hashing.hash.finalize())))
}

/// Appends one regular file member.
fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
}
