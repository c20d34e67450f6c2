//! Exports of one exam for its course's instructors: attempts, the session
//! log, signals with their review history, similar pairs, grades, and the
//! grades shaped for Moodle's and Canvas's gradebooks, as CSV or JSON
//! (docs/exports.md describes every file and column).
//!
//! Each export is audited (`exam.export`, with its kind and format), and the
//! entry is committed before a byte of the file leaves. The file is then
//! written on a blocking thread from one read transaction, so it is one
//! consistent snapshot, row by row into a bounded channel ([`sheet`]): the
//! memory an export takes does not grow with the exam. At most
//! [`crate::state::MAX_EXPORTS`] run at once, one per organization (each
//! holds a read connection for as long as its download takes); another is
//! refused as busy.

mod gradebook;
mod pairs;
mod records;
mod sheet;

use rusqlite::Connection;
use tokio::sync::mpsc::{self, Receiver};
use tracing::Instrument;

pub use self::sheet::Format;
use self::sheet::{Chunk, Sink, Stop};
use super::{ExamStaff, ServiceError};
use crate::domain::OrgId;
use crate::service::grading::{self, Grading};
use crate::state::AppState;
use crate::store::exams::Exam;
use crate::store::{Database, StoreError, audit};
use crate::stream_slots::Slot;

/// Chunks the channel holds ahead of the client (each about
/// [`sheet::CHUNK_BYTES`]).
const IN_FLIGHT: usize = 4;

/// How long a caller refused as busy is told to wait.
pub const RETRY_AFTER_SECS: u64 = 10;

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One row per attempt: student, section, times, extra time, submission and receipt hashes.
    Attempts,
    /// One row per item of every attempt's session log.
    Events,
    /// One row per integrity signal and decision on it.
    Signals,
    /// One row per similar pair of each question's latest run and decision on it.
    Similarity,
    /// One row per student: each question's points and the total.
    Grades,
    /// The totals for Moodle's "Import grades from CSV" (CSV only).
    Moodle,
    /// The totals for Canvas's gradebook import (CSV only).
    Canvas,
}

impl Kind {
    /// Every kind, in the order docs/exports.md lists them.
    pub const ALL: [Self; 7] =
        [Self::Attempts, Self::Events, Self::Signals, Self::Similarity, Self::Grades, Self::Moodle, Self::Canvas];

    /// The name in the file's path and in the audit entry.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Attempts => "attempts",
            Self::Events => "events",
            Self::Signals => "signals",
            Self::Similarity => "similarity",
            Self::Grades => "grades",
            Self::Moodle => "moodle",
            Self::Canvas => "canvas",
        }
    }

    /// Whether it comes as `format`: the gradebooks only as the CSV their importers read.
    #[must_use]
    pub fn comes_as(self, format: Format) -> bool {
        format == Format::Csv || !matches!(self, Self::Moodle | Self::Canvas)
    }

    fn needs_grading(self) -> bool {
        matches!(self, Self::Grades | Self::Moodle | Self::Canvas)
    }
}

impl Format {
    /// The file's extension, and the format's name in the audit entry.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// The body's `Content-Type`.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

/// The export a file name asks for (`events.csv`), if it is one.
#[must_use]
pub fn file(name: &str) -> Option<(Kind, Format)> {
    let (kind, extension) = name.rsplit_once('.')?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == kind)?;
    let format = [Format::Csv, Format::Json].into_iter().find(|f| f.extension() == extension)?;
    kind.comes_as(format).then_some((kind, format))
}

/// The file's name: the exam's title in safe characters (ASCII letters,
/// digits, `-`, `_`, `.`; anything else one `_`), the kind, the extension.
#[must_use]
pub fn file_name(title: &str, kind: Kind, format: Format) -> String {
    let mut safe = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() || "-.".contains(c) {
            safe.push(c);
        } else if !safe.ends_with('_') {
            safe.push('_');
        }
    }
    let safe: String = safe.trim_matches(['_', '.', '-']).chars().take(80).collect();
    let safe = if safe.is_empty() { "exam" } else { safe.trim_end_matches(['_', '.', '-']) };
    format!("{safe}-{}.{}", kind.name(), format.extension())
}

/// A file on its way: its name and media type, and its bytes as they are read.
pub struct Download {
    /// The file's name, in safe characters.
    pub file_name: String,
    /// Its `Content-Type`.
    pub media_type: &'static str,
    /// Its bytes.
    pub chunks: Chunks,
}

/// An export's bytes as the reading thread sends them. The file ends only
/// at the reader's explicit end (an empty chunk, which no part of a file
/// is); a stream that ends any other way (reading failed, the client
/// stalled, the reader stopped) ends with an error, so the client's
/// download breaks instead of passing for a whole file.
pub struct Chunks {
    first: Option<Vec<u8>>,
    rx: Receiver<Chunk>,
    ended: bool,
}

impl Chunks {
    /// The next chunk; `None` at the end of the file.
    pub async fn next(&mut self) -> Option<std::io::Result<Vec<u8>>> {
        if self.ended {
            return None;
        }
        let next = match self.first.take() {
            Some(first) => Some(Ok(first)),
            None => self.rx.recv().await,
        };
        match next {
            Some(Ok(bytes)) if bytes.is_empty() => {
                self.ended = true;
                None
            }
            Some(Ok(bytes)) => Some(Ok(bytes)),
            Some(Err(_)) => Some(Err(std::io::Error::other("the export failed; the server log says why"))),
            None => Some(Err(std::io::Error::other("the export stopped before the end of its file"))),
        }
    }
}

/// The file name and media type `kind` as `format` would have, without
/// exporting anything (an HTTP HEAD: no turn taken, nothing audited).
///
/// # Errors
/// [`StoreError::NotFound`] for a gradebook asked as JSON.
pub fn describe(on: &ExamStaff, kind: Kind, format: Format) -> Result<(String, &'static str), StoreError> {
    if !kind.comes_as(format) {
        return Err(StoreError::NotFound("export".to_owned()));
    }
    Ok((file_name(&on.exam.spec.title, kind, format), format.media_type()))
}

/// Exports `kind` of the exam as `format` for the instructor of `on`: takes
/// an export's turn, audits the export, and starts reading. Answers once
/// the file's header is read, with the rest of the file to follow.
///
/// # Errors
/// [`StoreError::NotFound`] for a gradebook asked as JSON;
/// [`ServiceError::Busy`] when the organization's export, or
/// [`crate::state::MAX_EXPORTS`] in all, are running;
/// storage errors before the first byte.
pub async fn export(state: &AppState, on: &ExamStaff, kind: Kind, format: Format) -> Result<Download, ServiceError> {
    if !kind.comes_as(format) {
        return Err(StoreError::NotFound("export".to_owned()).into());
    }
    let turn = state.exports().take(on.staff.org).ok_or(ServiceError::Busy { retry_after_secs: RETRY_AFTER_SECS })?;
    let grading = if kind.needs_grading() { Some(grading::overview(on).await?) } else { None };
    if grading.as_ref().is_some_and(|g| g.anonymous) {
        return Err(StoreError::WrongState(
            "marking is anonymous until the results are released: export the grades after releasing them".to_owned(),
        )
        .into());
    }
    let now = state.clock().now();
    let details = serde_json::json!({ "kind": kind.name(), "format": format.extension() });
    let event = on.staff.actor.event("exam.export").target(on.exam.id.to_string()).details(details);
    on.staff.db.write(move |conn| audit::append(conn, &event, now).map(|_| ())).await?;
    let job = Job { exam: on.exam.clone(), kind, format, grading };
    let chunks = start(&on.staff.db, job, turn).await?;
    Ok(Download { file_name: file_name(&on.exam.spec.title, kind, format), media_type: format.media_type(), chunks })
}

/// What one export writes.
struct Job {
    exam: Exam,
    kind: Kind,
    format: Format,
    grading: Option<Grading>,
}

/// Starts reading `job` on one of `db`'s read connections; answers with the
/// file once its first chunk (the header) is there, or with the error that
/// kept it from starting.
async fn start(db: &Database, job: Job, turn: Slot<OrgId>) -> Result<Chunks, StoreError> {
    let (tx, mut rx) = mpsc::channel::<Chunk>(IN_FLIGHT);
    let (db, told) = (db.clone(), tx.clone());
    let (kind, format) = (job.kind.name(), job.format.extension());
    let reading = async move {
        let runtime = tokio::runtime::Handle::current();
        let read = db
            .read(move |conn| {
                let _turn = turn;
                Ok(write(conn, &job, Sink { tx, runtime }))
            })
            .await;
        let failed = match read {
            Ok(Ok(rows)) => {
                tracing::info!(rows, "exported");
                // The file's end, said out loud: without it the body breaks.
                let _ = told.send(Ok(Vec::new())).await;
                None
            }
            Ok(Err(Stop::Gone)) => {
                tracing::info!("the client left before the export ended");
                None
            }
            Ok(Err(Stop::Stalled)) => {
                tracing::warn!("the export stopped: its client took nothing for too long");
                None
            }
            Ok(Err(Stop::Store(error))) | Err(error) => Some(error),
        };
        if let Some(error) = failed {
            tracing::error!(%error, "an export failed");
            let _ = told.send(Err(error)).await;
        }
    };
    tokio::spawn(reading.instrument(tracing::info_span!("export", kind, format)));
    match rx.recv().await {
        Some(Ok(first)) => Ok(Chunks { first: Some(first), rx, ended: false }),
        Some(Err(error)) => Err(error),
        None => Err(StoreError::Closed),
    }
}

/// Writes the whole file from one read transaction: one snapshot.
fn write(conn: &Connection, job: &Job, sink: Sink) -> Result<u64, Stop> {
    let snapshot = conn.unchecked_transaction()?;
    let exam = &job.exam;
    let grading = || job.grading.as_ref().ok_or_else(|| Stop::Store(StoreError::NotFound("grading".to_owned())));
    let rows = match job.kind {
        Kind::Attempts => records::attempts(&snapshot, exam, job.format, sink),
        Kind::Events => records::events(&snapshot, exam, job.format, sink),
        Kind::Signals => records::signals(&snapshot, exam, job.format, sink),
        Kind::Similarity => pairs::similarity(&snapshot, exam, job.format, sink),
        Kind::Grades => gradebook::grades(&snapshot, exam, grading()?, job.format, sink),
        Kind::Moodle => gradebook::moodle(&snapshot, exam, grading()?, sink),
        Kind::Canvas => gradebook::canvas(&snapshot, exam, grading()?, sink),
    }?;
    // Nothing was written: ending the transaction only lets its snapshot go.
    snapshot.rollback()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_safe_characters_only() {
        assert_eq!(file_name("Midterm 2026: Part A", Kind::Grades, Format::Csv), "Midterm_2026_Part_A-grades.csv");
        assert_eq!(file_name("../../etc/passwd", Kind::Events, Format::Json), "etc_passwd-events.json");
        assert_eq!(file_name("\"; rm -rf", Kind::Moodle, Format::Csv), "rm_-rf-moodle.csv");
        assert_eq!(file_name("Prüfung «Ä»", Kind::Canvas, Format::Csv), "Pr_fung-canvas.csv");
        assert_eq!(file_name("", Kind::Attempts, Format::Csv), "exam-attempts.csv");
    }

    #[test]
    fn only_the_documented_files_are_exports() {
        assert_eq!(file("events.csv"), Some((Kind::Events, Format::Csv)));
        assert_eq!(file("grades.json"), Some((Kind::Grades, Format::Json)));
        assert_eq!(file("canvas.csv"), Some((Kind::Canvas, Format::Csv)));
        for refused in ["canvas.json", "moodle.json", "events.xml", "events", "audit.csv", "events.csv.json"] {
            assert_eq!(file(refused), None, "{refused}");
        }
    }

    async fn drain(mut chunks: Chunks) -> (Vec<u8>, Option<std::io::Error>) {
        let mut body = Vec::new();
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(bytes) => body.extend(bytes),
                Err(error) => return (body, Some(error)),
            }
        }
        (body, None)
    }

    #[tokio::test]
    async fn a_file_ends_only_at_the_readers_end_and_any_other_end_breaks_the_body() {
        let (tx, rx) = mpsc::channel::<Chunk>(4);
        tx.send(Ok(b"rest\r\n".to_vec())).await.unwrap();
        tx.send(Ok(Vec::new())).await.unwrap();
        let whole = Chunks { first: Some(b"head\r\n".to_vec()), rx, ended: false };
        let (body, error) = drain(whole).await;
        assert_eq!((body.as_slice(), error.is_none()), (b"head\r\nrest\r\n".as_slice(), true));

        // The reader stopped (a stalled client, a crash) without saying the file ended.
        let (tx, rx) = mpsc::channel::<Chunk>(4);
        tx.send(Ok(b"rest\r\n".to_vec())).await.unwrap();
        drop(tx);
        let (body, error) = drain(Chunks { first: Some(b"head\r\n".to_vec()), rx, ended: false }).await;
        assert_eq!(body, b"head\r\nrest\r\n");
        assert!(error.is_some_and(|e| e.to_string().contains("before the end")));
    }
}
