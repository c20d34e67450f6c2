//! One export's file as it is written: a header of column names, then one
//! row at a time, encoded as CSV or as a JSON array of objects (the same
//! names as keys, in the same order), and handed on in chunks of about
//! [`CHUNK_BYTES`] through a bounded channel. A chunk waits for the client
//! to take the one before, so however many rows an export has, it holds
//! one chunk and the channel's few.
//!
//! CSV cells are text a spreadsheet may run: a cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
//! Excel, LibreOffice and Google Sheets show it as text instead of
//! evaluating it (student names, code and log details are the students'
//! own words). JSON values are data and stay exactly as stored.

use std::borrow::Cow;
use std::io;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::mpsc::Sender;

use crate::domain::Timestamp;
use crate::store::StoreError;

/// About how many bytes a chunk of the body holds.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// The longest a written part may wait before it is sent, however small:
/// a client sees progress, and the connection never looks idle while rows
/// come slowly (signals are derived attempt by attempt).
const SEND_EVERY: Duration = Duration::from_secs(1);

/// The longest the client may leave a chunk untaken before the export
/// stops: it holds a read connection and a snapshot meanwhile.
const STALL: Duration = Duration::from_secs(120);

/// Why writing stopped before the end.
#[derive(Debug)]
pub enum Stop {
    /// Reading failed.
    Store(StoreError),
    /// The client went away (the body was dropped).
    Gone,
    /// The client took nothing for [`STALL`].
    Stalled,
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<rusqlite::Error> for Stop {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(error.into())
    }
}

/// What the body's stream carries: a chunk, or the failure that ends it.
pub type Chunk = Result<Vec<u8>, StoreError>;

/// Where chunks go: the body's channel, fed from the reading thread.
pub struct Sink {
    /// The channel to the body.
    pub tx: Sender<Chunk>,
    /// The runtime, to wait on the channel with a time limit.
    pub runtime: Handle,
}

impl Sink {
    fn send(&self, bytes: Vec<u8>) -> Result<(), Stop> {
        let sent = self.runtime.block_on(tokio::time::timeout(STALL, self.tx.send(Ok(bytes))));
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Stop::Gone),
            Err(_) => Err(Stop::Stalled),
        }
    }
}

/// An export's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV (UTF-8, CRLF line ends, a header row).
    Csv,
    /// A JSON array, one object per row and per line.
    Json,
}

/// One value of a row. `None` is an empty cell, `null` in JSON.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// Text.
    Text(Option<Cow<'a, str>>),
    /// A whole number.
    Int(Option<i64>),
    /// True or false.
    Bool(Option<bool>),
    /// Points in hundredths, written as a decimal with up to two places.
    Points(Option<u64>),
    /// A number with a fraction (a similarity score).
    Real(Option<f64>),
    /// A time, in the stored fixed form (`2026-06-01T09:30:00.000Z`).
    Time(Option<Timestamp>),
    /// A JSON document's text: embedded as JSON, written as text in CSV.
    Json(Option<&'a str>),
}

impl<'a> Cell<'a> {
    /// Text borrowed from a row.
    #[must_use]
    pub fn text(text: &'a str) -> Self {
        Self::Text(Some(Cow::Borrowed(text)))
    }

    /// Text made for the row.
    #[must_use]
    pub fn owned(text: String) -> Self {
        Self::Text(Some(Cow::Owned(text)))
    }

    /// Text that may be missing.
    #[must_use]
    pub fn maybe(text: Option<&'a str>) -> Self {
        Self::Text(text.map(Cow::Borrowed))
    }

    /// A value written with `Display` (an identifier).
    #[must_use]
    pub fn show(value: impl std::fmt::Display) -> Self {
        Self::owned(value.to_string())
    }
}

/// `hundredths / 100` with up to two decimal places: `250` is `2.5`, `300` is `3`.
#[must_use]
pub fn decimal(hundredths: u64) -> String {
    let (whole, part) = (hundredths / 100, hundredths % 100);
    match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

/// `text` as a CSV cell a spreadsheet shows as text (see the module documentation).
#[must_use]
pub fn neutralised(text: &str) -> Cow<'_, str> {
    // A leading `'` too: the one a reader strips must be ours.
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    // Every cell that is not a number is quoted: a spreadsheet whose list
    // separator is `;` (German, French, Dutch Excel) would otherwise split
    // an unquoted `ok;=FORMULA()` and run its second half.
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::with_capacity(CHUNK_BYTES + 8192))
}

/// An export's file being written.
pub struct Sheet {
    format: Format,
    columns: Vec<String>,
    csv: csv::Writer<Vec<u8>>,
    json: Vec<u8>,
    rows: u64,
    sent_at: Instant,
    sink: Sink,
}

impl Sheet {
    /// Starts the file with its header (sent at once: the first chunk says
    /// the export began).
    ///
    /// # Errors
    /// [`Stop`] when the client is gone.
    pub fn open(format: Format, columns: Vec<String>, sink: Sink) -> Result<Self, Stop> {
        let mut sheet =
            Self { format, columns, csv: csv_writer(), json: Vec::new(), rows: 0, sent_at: Instant::now(), sink };
        match format {
            Format::Csv => {
                for name in &sheet.columns {
                    sheet.csv.write_field(neutralised(name).as_bytes()).map_err(encoding)?;
                }
                sheet.csv.write_record(None::<&[u8]>).map_err(encoding)?;
            }
            Format::Json => sheet.json.extend_from_slice(b"[\n"),
        }
        sheet.send()?;
        Ok(sheet)
    }

    /// Writes one row: its cells in the order of the columns.
    ///
    /// # Errors
    /// [`Stop`] when the client is gone or stalls.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), Stop> {
        debug_assert_eq!(cells.len(), self.columns.len(), "a cell per column");
        match self.format {
            Format::Csv => {
                for cell in cells {
                    csv_cell(&mut self.csv, cell)?;
                }
                self.csv.write_record(None::<&[u8]>).map_err(encoding)?;
            }
            Format::Json => {
                if self.rows > 0 {
                    self.json.extend_from_slice(b",\n");
                }
                self.json.push(b'{');
                for (at, (name, cell)) in self.columns.iter().zip(cells).enumerate() {
                    if at > 0 {
                        self.json.push(b',');
                    }
                    json_string(&mut self.json, name);
                    self.json.push(b':');
                    json_value(&mut self.json, cell);
                }
                self.json.push(b'}');
            }
        }
        self.rows += 1;
        let pending = match self.format {
            Format::Csv => self.csv.get_ref().len(),
            Format::Json => self.json.len(),
        };
        if pending >= CHUNK_BYTES || (pending > 0 && self.sent_at.elapsed() >= SEND_EVERY) {
            self.send()?;
        }
        Ok(())
    }

    /// Ends the file and sends what is left; returns how many rows it has.
    ///
    /// # Errors
    /// [`Stop`] when the client is gone or stalls.
    pub fn finish(mut self) -> Result<u64, Stop> {
        if self.format == Format::Json {
            self.json.extend_from_slice(if self.rows > 0 { b"\n]\n" } else { b"]\n" });
        }
        self.send()?;
        Ok(self.rows)
    }

    fn send(&mut self) -> Result<(), Stop> {
        let bytes = match self.format {
            Format::Csv => {
                std::mem::replace(&mut self.csv, csv_writer()).into_inner().map_err(|e| encoding(e.into_error()))?
            }
            Format::Json => std::mem::replace(&mut self.json, Vec::with_capacity(CHUNK_BYTES + 8192)),
        };
        self.sent_at = Instant::now();
        if bytes.is_empty() { Ok(()) } else { self.sink.send(bytes) }
    }
}

fn encoding(error: impl Into<io::Error>) -> Stop {
    Stop::Store(StoreError::Io { action: "encode", path: "the export".into(), source: error.into() })
}

fn csv_cell(out: &mut csv::Writer<Vec<u8>>, cell: &Cell<'_>) -> Result<(), Stop> {
    let written = match cell {
        Cell::Text(Some(text)) => out.write_field(neutralised(text).as_bytes()),
        Cell::Json(Some(text)) => out.write_field(neutralised(text).as_bytes()),
        Cell::Int(Some(number)) => out.write_field(number.to_string()),
        Cell::Bool(Some(yes)) => out.write_field(if *yes { "true" } else { "false" }),
        Cell::Points(Some(hundredths)) => out.write_field(decimal(*hundredths)),
        Cell::Real(Some(number)) if number.is_finite() => out.write_field(number.to_string()),
        Cell::Time(Some(at)) => out.write_field(at.to_string()),
        Cell::Text(None)
        | Cell::Json(None)
        | Cell::Int(None)
        | Cell::Bool(None)
        | Cell::Points(None)
        | Cell::Real(_)
        | Cell::Time(None) => out.write_field(""),
    };
    written.map_err(encoding)
}

fn json_string(out: &mut Vec<u8>, text: &str) {
    // Writing a string into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

fn json_value(out: &mut Vec<u8>, cell: &Cell<'_>) {
    match cell {
        Cell::Text(Some(text)) => json_string(out, text),
        Cell::Int(Some(number)) => out.extend_from_slice(number.to_string().as_bytes()),
        Cell::Bool(Some(yes)) => out.extend_from_slice(if *yes { b"true" } else { b"false" }),
        // A decimal with at most two places is a JSON number as it is written.
        Cell::Points(Some(hundredths)) => out.extend_from_slice(decimal(*hundredths).as_bytes()),
        Cell::Real(Some(number)) if number.is_finite() => {
            let _ = serde_json::to_writer(&mut *out, number);
        }
        Cell::Time(Some(at)) => json_string(out, &at.to_string()),
        // Stored documents were checked on arrival; one that does not read
        // as JSON now goes out as a string rather than break the file.
        Cell::Json(Some(text)) => match serde_json::from_str::<&serde_json::value::RawValue>(text) {
            Ok(raw) => out.extend_from_slice(raw.get().as_bytes()),
            Err(_) => json_string(out, text),
        },
        Cell::Text(None)
        | Cell::Json(None)
        | Cell::Int(None)
        | Cell::Bool(None)
        | Cell::Points(None)
        | Cell::Real(_)
        | Cell::Time(None) => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_have_at_most_two_decimal_places() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(250), "2.5");
        assert_eq!(decimal(300), "3");
        assert_eq!(decimal(333), "3.33");
        assert_eq!(decimal(1005), "10.05");
    }

    #[test]
    fn formula_triggers_are_neutralised_and_nothing_else() {
        for trigger in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'t Hooft"] {
            assert_eq!(neutralised(trigger), format!("'{trigger}"));
        }
        for plain in ["Ada", " =x", "", "1-2"] {
            assert_eq!(neutralised(plain), plain);
        }
    }
}
