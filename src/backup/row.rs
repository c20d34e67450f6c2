//! A bundle's row read back from its NDJSON line: column → value, in the
//! line's order, without a map or a `String` per value. A restore reads
//! millions of them, so one [`Row`] is filled again for each line: its
//! names and text go into one buffer, its BLOBs into another, and each
//! column records where its value lies.

use std::fmt;

use serde::Deserialize as _;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// One value of a row, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'r> {
    /// JSON `null`.
    Null,
    /// `true` or `false` (SQLite's 1 or 0).
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// Any other number.
    Real(f64),
    /// A JSON string.
    Text(&'r str),
    /// A BLOB, written `{"hex": "..."}`.
    Blob(&'r [u8]),
    /// Any other object, or an array, as its JSON text (examhall writes
    /// neither; such a value goes back as text).
    Json(&'r str),
}

/// Where a piece of a row lies in one of its buffers.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// A column's value, pointing into the row's buffers.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Bool(bool),
    Integer(i64),
    Real(f64),
    Text(Span),
    Blob(Span),
    Json(Span),
}

/// One row: its columns in the line's order.
#[derive(Debug, Default)]
pub struct Row {
    columns: Vec<(Span, Slot)>,
    /// Column names, text and JSON values, one after another.
    text: String,
    /// BLOBs, decoded.
    bytes: Vec<u8>,
}

impl Clone for Row {
    fn clone(&self) -> Self {
        Self { columns: self.columns.clone(), text: self.text.clone(), bytes: self.bytes.clone() }
    }

    /// Keeps this row's buffers: a copy costs no allocation once they are large enough.
    fn clone_from(&mut self, source: &Self) {
        self.columns.clone_from(&source.columns);
        self.text.clone_from(&source.text);
        self.bytes.clone_from(&source.bytes);
    }
}

impl Row {
    /// The row a line holds.
    ///
    /// # Errors
    /// The line is not one JSON object.
    pub fn parse(line: &[u8]) -> Result<Self, serde_json::Error> {
        let mut row = Self::default();
        row.fill(line)?;
        Ok(row)
    }

    /// Makes this the row `line` holds, keeping the buffers.
    ///
    /// # Errors
    /// The line is not one JSON object (the row is then left empty or partial).
    pub fn fill(&mut self, line: &[u8]) -> Result<(), serde_json::Error> {
        self.fill_from(serde_json::Deserializer::from_slice(line))
    }

    /// As [`Row::fill`], for a line known to be UTF-8 (its strings are not checked again).
    ///
    /// # Errors
    /// The line is not one JSON object (the row is then left empty or partial).
    pub fn fill_str(&mut self, line: &str) -> Result<(), serde_json::Error> {
        self.fill_from(serde_json::Deserializer::from_str(line))
    }

    fn fill_from<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        mut deserializer: serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        self.columns.clear();
        self.text.clear();
        self.bytes.clear();
        de::Deserializer::deserialize_map(&mut deserializer, Columns(self))?;
        deserializer.end()
    }

    /// The value of the first column called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Field<'_>> {
        self.columns().find(|(column, _)| *column == name).map(|(_, field)| field)
    }

    /// The text of the column `name`, when it is a JSON string.
    #[must_use]
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Field::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The whole number in the column `name`.
    #[must_use]
    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Field::Integer(n) => Some(n),
            _ => None,
        }
    }

    /// The BLOB in the column `name`.
    #[must_use]
    pub fn blob(&self, name: &str) -> Option<&[u8]> {
        match self.get(name)? {
            Field::Blob(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Each column's name and value, in the line's order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, Field<'_>)> {
        self.columns.iter().map(|(name, slot)| (self.str_at(*name), self.field(*slot)))
    }

    /// The columns' names, in the line's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(name, _)| self.str_at(*name))
    }

    /// How many columns it has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether it has no column.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    fn str_at(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    fn field(&self, slot: Slot) -> Field<'_> {
        match slot {
            Slot::Null => Field::Null,
            Slot::Bool(b) => Field::Bool(b),
            Slot::Integer(n) => Field::Integer(n),
            Slot::Real(x) => Field::Real(x),
            Slot::Text(span) => Field::Text(self.str_at(span)),
            Slot::Blob(span) => Field::Blob(&self.bytes[span.start..span.end]),
            Slot::Json(span) => Field::Json(self.str_at(span)),
        }
    }
}

/// Appends `text` to `buffer`; where it lies.
fn keep(buffer: &mut String, text: &str) -> Span {
    let start = buffer.len();
    buffer.push_str(text);
    Span { start, end: buffer.len() }
}

/// The top-level object: each column in turn.
struct Columns<'a>(&'a mut Row);

impl<'de> Visitor<'de> for Columns<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let row = self.0;
        while let Some(name) = map.next_key_seed(Name(&mut row.text))? {
            let slot = map.next_value_seed(ColumnValue { text: &mut row.text, bytes: &mut row.bytes })?;
            row.columns.push((name, slot));
        }
        Ok(())
    }
}

/// A column's name, kept in the row's text.
struct Name<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Name<'_> {
    type Value = Span;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Span, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Name<'_> {
    type Value = Span;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a column name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Span, E> {
        Ok(keep(self.0, name))
    }
}

/// A column's value, kept in the row's buffers.
struct ColumnValue<'a> {
    text: &'a mut String,
    bytes: &'a mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for ColumnValue<'_> {
    type Value = Slot;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ColumnValue<'_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a column's value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Slot, E> {
        Ok(Slot::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Slot, E> {
        Ok(Slot::Integer(value))
    }

    #[allow(clippy::cast_precision_loss, reason = "past i64 a number is a REAL, as SQLite would store it")]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Slot, E> {
        Ok(i64::try_from(value).map_or(Slot::Real(value as f64), Slot::Integer))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Slot, E> {
        Ok(Slot::Real(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Slot, E> {
        Ok(Slot::Text(keep(self.text, value)))
    }

    /// `{"hex": "..."}` is a BLOB (when the hex is valid); any other object is kept as its JSON text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slot, A::Error> {
        let (mut hex, mut rest) = (None, serde_json::Map::new());
        while let Some(key) = map.next_key_seed(HexKey)? {
            match key {
                None => hex = Some(map.next_value_seed(Hex(self.bytes))?),
                Some(other) => {
                    rest.insert(other, map.next_value::<Value>()?);
                }
            }
        }
        match hex {
            Some(Ok(span)) => Ok(Slot::Blob(span)),
            not_hex => {
                if let Some(Err(value)) = not_hex {
                    rest.insert("hex".to_owned(), value);
                }
                Ok(Slot::Json(keep(self.text, &Value::Object(rest).to_string())))
            }
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Slot, A::Error> {
        let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(Slot::Json(keep(self.text, &value.to_string())))
    }
}

/// A key of an object value: `None` for `"hex"`, else the key.
struct HexKey;

impl<'de> DeserializeSeed<'de> for HexKey {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for HexKey {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<String>, E> {
        Ok((key != "hex").then(|| key.to_owned()))
    }
}

/// The value of `"hex"`: decoded into the row's bytes, or as it was when it is not hex.
struct Hex<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Hex<'_> {
    type Value = Result<Span, Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Hex<'_> {
    type Value = Result<Span, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("hex digits")
    }

    fn visit_str<E: de::Error>(self, digits: &str) -> Result<Self::Value, E> {
        let start = self.0.len();
        if decode_hex(digits.as_bytes(), self.0) {
            return Ok(Ok(Span { start, end: self.0.len() }));
        }
        self.0.truncate(start);
        Ok(Err(Value::String(digits.to_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Value::Null))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Err(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Err(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Err(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Err(Value::from(value)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Value::deserialize(MapAccessDeserializer::new(map))?))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Value::deserialize(SeqAccessDeserializer::new(seq))?))
    }
}

/// Each byte's value as a hex digit (either case), or 16 for any other byte.
const NIBBLES: [u8; 256] = {
    let mut nibbles = [16u8; 256];
    let mut value: u8 = 0;
    while value < 16 {
        let digit = if value < 10 { b'0' + value } else { b'a' + value - 10 };
        nibbles[digit as usize] = value;
        nibbles[digit.to_ascii_uppercase() as usize] = value;
        value += 1;
    }
    nibbles
};

/// Appends the bytes `digits` spell in hex to `out`; false (with part of
/// them appended) when they are not hex.
fn decode_hex(digits: &[u8], out: &mut Vec<u8>) -> bool {
    if !digits.len().is_multiple_of(2) {
        return false;
    }
    out.reserve(digits.len() / 2);
    for pair in digits.chunks_exact(2) {
        let (high, low) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
        if high > 15 || low > 15 {
            return false;
        }
        out.push(high << 4 | low);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_as_its_columns_in_order() {
        let line = br#"{"id":"a\"b","n":-7,"big":18446744073709551615,"x":0.5,"t":true,"none":null,"h":{"hex":"00ff"},"code":"x = 1\n"}"#;
        let row = Row::parse(line).unwrap();
        let columns: Vec<(&str, Field<'_>)> = row.columns().collect();
        assert_eq!(
            columns,
            [
                ("id", Field::Text("a\"b")),
                ("n", Field::Integer(-7)),
                ("big", Field::Real(18_446_744_073_709_551_615.0)),
                ("x", Field::Real(0.5)),
                ("t", Field::Bool(true)),
                ("none", Field::Null),
                ("h", Field::Blob(&[0x00, 0xff])),
                ("code", Field::Text("x = 1\n")),
            ]
        );
        assert_eq!(row.get("code"), Some(Field::Text("x = 1\n")));
        assert_eq!(row.get("missing"), None);
    }

    #[test]
    fn other_objects_and_arrays_are_kept_as_json_text() {
        let row = Row::parse(br#"{"a":{"hex":"zz"},"b":{"k":1},"c":[1,"x"],"d":{"hex":"0a","k":2}}"#).unwrap();
        assert_eq!(row.get("a"), Some(Field::Json(r#"{"hex":"zz"}"#)));
        assert_eq!(row.get("b"), Some(Field::Json(r#"{"k":1}"#)));
        assert_eq!(row.get("c"), Some(Field::Json(r#"[1,"x"]"#)));
        assert_eq!(row.get("d"), Some(Field::Blob(&[0x0a])), "a valid hex makes a BLOB, as before");
        let row = Row::parse(br#"{"a":{"hex":"0123456789abcdefABCDEF"},"b":{"hex":"0g"},"c":{"hex":"012"}}"#).unwrap();
        let bytes = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef];
        assert_eq!(row.get("a"), Some(Field::Blob(&bytes)));
        assert_eq!(row.get("b"), Some(Field::Json(r#"{"hex":"0g"}"#)));
        assert_eq!(row.get("c"), Some(Field::Json(r#"{"hex":"012"}"#)));
    }

    #[test]
    fn a_row_is_filled_again_without_keeping_the_last_one_and_only_objects_are_rows() {
        let mut row = Row::parse(br#"{"a":"one","b":{"hex":"01"}}"#).unwrap();
        row.fill(br#"{"c":2}"#).unwrap();
        assert_eq!(row.columns().collect::<Vec<_>>(), [("c", Field::Integer(2))]);
        for bad in [&b"[1]"[..], b"\"text\"", b"{\"a\":1} trailing", b"{\"a\":", b""] {
            assert!(Row::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
