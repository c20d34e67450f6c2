//! Rows on their way from the thread that reads them to the bundle's
//! writer thread: each value copied as it is into a compact batch (a tag,
//! then the number or the length and bytes), and written out there as an
//! NDJSON line. Reading a row costs the reading thread a copy of its
//! values and no more; the JSON is made beside it.

use std::io;

use super::json_text;

/// One value of a row handed to a bundle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// NULL.
    Null,
    /// An INTEGER.
    Integer(i64),
    /// A REAL.
    Real(f64),
    /// TEXT, as SQLite holds it (not always valid UTF-8).
    Text(&'a [u8]),
    /// A BLOB.
    Blob(&'a [u8]),
}

const NULL: u8 = 0;
const INTEGER: u8 = 1;
const REAL: u8 = 2;
const TEXT: u8 = 3;
const BLOB: u8 = 4;

/// Appends `value` to a batch.
///
/// # Errors
/// A TEXT or BLOB of 4 GiB or more (SQLite holds at most 1 GiB).
pub fn push(batch: &mut Vec<u8>, value: Value<'_>) -> io::Result<()> {
    match value {
        Value::Null => batch.push(NULL),
        Value::Integer(n) => {
            batch.push(INTEGER);
            batch.extend_from_slice(&n.to_le_bytes());
        }
        Value::Real(x) => {
            batch.push(REAL);
            batch.extend_from_slice(&x.to_le_bytes());
        }
        Value::Text(bytes) | Value::Blob(bytes) => {
            let length = u32::try_from(bytes.len()).map_err(|_| io::Error::other("a value of 4 GiB or more"))?;
            batch.push(if matches!(value, Value::Text(_)) { TEXT } else { BLOB });
            batch.extend_from_slice(&length.to_le_bytes());
            batch.extend_from_slice(bytes);
        }
    }
    Ok(())
}

/// Reads a batch back, row by row.
pub struct Reader<'b> {
    batch: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    /// Reads `batch` from its start.
    #[must_use]
    pub fn new(batch: &'b [u8]) -> Self {
        Self { batch, at: 0 }
    }

    /// Whether every row has been read.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.at >= self.batch.len()
    }

    /// Writes the next row, whose columns' JSON keys (`"name":`) are
    /// `keys`, as one NDJSON line (with its line break) into `out`.
    ///
    /// # Errors
    /// The batch ends in the middle of a row or holds an unknown tag (a bug).
    pub fn line(&mut self, keys: &[Vec<u8>], out: &mut Vec<u8>) -> io::Result<()> {
        out.push(b'{');
        for (index, key) in keys.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key);
            match self.take(1)?[0] {
                NULL => out.extend_from_slice(b"null"),
                INTEGER => write_number(out, &i64::from_le_bytes(self.eight()?))?,
                REAL => write_number(out, &f64::from_le_bytes(self.eight()?))?,
                tag @ (TEXT | BLOB) => {
                    let length = u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| cut())?);
                    let bytes = self.take(usize::try_from(length).map_err(|_| cut())?)?;
                    if tag == TEXT {
                        json_text::push_text(out, bytes);
                    } else {
                        json_text::push_blob(out, bytes);
                    }
                }
                _ => return Err(io::Error::other("a batch of rows holds an unknown value")),
            }
        }
        out.extend_from_slice(b"}\n");
        Ok(())
    }

    fn take(&mut self, count: usize) -> io::Result<&'b [u8]> {
        let bytes = self.batch.get(self.at..self.at + count).ok_or_else(cut)?;
        self.at += count;
        Ok(bytes)
    }

    fn eight(&mut self) -> io::Result<[u8; 8]> {
        self.take(8)?.try_into().map_err(|_| cut())
    }
}

/// A number as serde_json writes it (a REAL that is not finite as `null`).
fn write_number(out: &mut Vec<u8>, number: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(out, number).map_err(io::Error::other)
}

fn cut() -> io::Error {
    io::Error::other("a batch of rows ends in the middle of a row")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_out_of_a_batch_as_the_json_lines_of_their_values() {
        let keys: Vec<Vec<u8>> = ["\"id\":", "\"n\":", "\"x\":", "\"code\":", "\"chain\":", "\"none\":"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        let mut batch = Vec::new();
        for value in [
            Value::Text(b"a-1"),
            Value::Integer(-42),
            Value::Real(0.25),
            Value::Text(b"print(\"hi\")\n"),
            Value::Blob(&[0xde, 0xad]),
            Value::Null,
        ] {
            push(&mut batch, value).unwrap();
        }
        for value in [Value::Text(b""), Value::Integer(i64::MAX), Value::Real(f64::NAN)] {
            push(&mut batch, value).unwrap();
        }
        for value in [Value::Text(b"bad \xff"), Value::Blob(&[]), Value::Null] {
            push(&mut batch, value).unwrap();
        }
        let (mut reader, mut out) = (Reader::new(&batch), Vec::new());
        reader.line(&keys, &mut out).unwrap();
        assert!(!reader.is_done());
        reader.line(&keys, &mut out).unwrap();
        assert!(reader.is_done());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"a-1\",\"n\":-42,\"x\":0.25,\"code\":\"print(\\\"hi\\\")\\n\",\"chain\":{\"hex\":\"dead\"},\"none\":null}\n\
             {\"id\":\"\",\"n\":9223372036854775807,\"x\":null,\"code\":\"bad \u{fffd}\",\"chain\":{\"hex\":\"\"},\"none\":null}\n"
        );
        let mut out = Vec::new();
        assert!(Reader::new(&batch[..batch.len() - 1]).line(&keys[..1], &mut out).is_ok(), "the first value is whole");
        assert!(Reader::new(&batch[..3]).line(&keys, &mut out).is_err(), "a row cut short is an error");
    }
}
