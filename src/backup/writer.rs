//! Writing a bundle as it streams: rows in, tar → zstd → age → the output,
//! with the SHA-256 and size of what reaches the output. Nothing but the
//! encrypted stream is ever written.

use std::io::{self, Write};

use sha2::{Digest, Sha256};

use super::{CHUNK_BYTES, MANIFEST, Manifest, Member, SIGNATURE};
use crate::signing::SigningKey;

/// The zstd level: fast, and most of what a higher level would gain on NDJSON.
const ZSTD_LEVEL: i32 = 3;

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

/// A bundle being written: add each table's rows, then [`BundleWriter::finish`].
pub struct BundleWriter<W: Write> {
    tar: Pipeline<W>,
    members: Vec<Member>,
    /// The table being written, its next chunk number, and the chunk so far.
    current: Option<(String, u32, Vec<u8>, u64)>,
}

impl<W: Write> BundleWriter<W> {
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
        Ok(Self { tar, members: Vec::new(), current: None })
    }

    /// Adds one row of `table` (a JSON object, without its line break).
    /// Rows of one table come together; a new table ends the previous one.
    ///
    /// # Errors
    /// Write errors of the output.
    pub fn row(&mut self, table: &str, line: &[u8]) -> io::Result<()> {
        if self.current.as_ref().is_none_or(|(name, ..)| name != table) {
            self.end_table()?;
            self.current = Some((table.to_owned(), 1, Vec::new(), 0));
        }
        let full = self.current.as_ref().is_some_and(|(_, _, chunk, _)| chunk.len() + line.len() + 1 > CHUNK_BYTES);
        if full {
            self.end_chunk()?;
        }
        let (_, _, chunk, rows) = self.current.as_mut().expect("a table is open");
        chunk.extend_from_slice(line);
        chunk.push(b'\n');
        *rows += 1;
        Ok(())
    }

    /// Ends the table being written, if it has rows left.
    fn end_table(&mut self) -> io::Result<()> {
        if self.current.as_ref().is_some_and(|(_, _, chunk, _)| !chunk.is_empty()) {
            self.end_chunk()?;
        }
        self.current = None;
        Ok(())
    }

    /// Appends the chunk so far as a member, and starts the table's next one.
    fn end_chunk(&mut self) -> io::Result<()> {
        let Some((table, number, chunk, rows)) = self.current.take() else { return Ok(()) };
        let name = format!("data/{table}-{number:04}.ndjson");
        append(&mut self.tar, &name, &chunk)?;
        self.members.push(Member {
            name,
            table: table.clone(),
            rows,
            bytes: chunk.len() as u64,
            sha256: hex::encode(Sha256::digest(&chunk)),
        });
        self.current = Some((table, number + 1, Vec::new(), 0));
        Ok(())
    }

    /// Appends the manifest (`head`, with the members) and its signature by
    /// `key`, and ends every layer of the stream.
    ///
    /// # Errors
    /// Write errors of the output.
    pub fn finish(mut self, mut head: Manifest, key: &SigningKey) -> io::Result<Written<W>> {
        self.end_table()?;
        head.members = std::mem::take(&mut self.members);
        head.signing_key = hex::encode(key.public().0);
        let manifest = serde_json::to_vec_pretty(&head).map_err(io::Error::other)?;
        append(&mut self.tar, MANIFEST, &manifest)?;
        append(&mut self.tar, SIGNATURE, &key.sign(&manifest))?;
        let compressed = self.tar.into_inner()?;
        let encrypted = compressed.finish()?;
        let mut hashing = encrypted.finish()?;
        hashing.flush()?;
        Ok(Written {
            output: hashing.inner,
            manifest: head,
            bytes: hashing.bytes,
            sha256: hex::encode(hashing.hash.finalize()),
        })
    }
}

/// Appends one regular file member.
fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
}
