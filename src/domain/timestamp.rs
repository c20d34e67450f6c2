//! A moment as examhall stores and compares it: UTC, to the millisecond,
//! written in one fixed-width form (`2026-06-01T09:30:00.000Z`), so that
//! the order of the text is the order of time, in SQL and in Rust alike.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::InvalidValue;

/// A moment in UTC, to the millisecond. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// `at` in UTC, its sub-millisecond part dropped.
    #[must_use]
    pub fn from_time(at: OffsetDateTime) -> Self {
        let at = at.to_offset(UtcOffset::UTC);
        Self(at.replace_millisecond(at.millisecond()).unwrap_or(at))
    }

    /// Parses any RFC 3339 time (the fixed form, or an older stored form).
    ///
    /// # Errors
    /// When `text` is not an RFC 3339 time.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(Self::from_time)
            .map_err(|_| InvalidValue(format!("{text:?} is not an RFC 3339 time")))
    }

    /// The moment.
    #[must_use]
    pub fn time(self) -> OffsetDateTime {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.0;
        let Some(year) = u16::try_from(at.year()).ok().filter(|year| *year <= 9999) else {
            // Before year 0: the sign takes one of the four places.
            return write_padded(f, at);
        };
        // Digits written by hand: every saved item stores two of these, and
        // padded formatting was a measurable share of a save
        // (docs/benchmarks.md, "The write path at its limit").
        let mut text = *b"0000-00-00T00:00:00.000Z";
        let fields = [
            (0, 4, year),
            (5, 2, u16::from(u8::from(at.month()))),
            (8, 2, u16::from(at.day())),
            (11, 2, u16::from(at.hour())),
            (14, 2, u16::from(at.minute())),
            (17, 2, u16::from(at.second())),
            (20, 3, at.millisecond()),
        ];
        for (start, width, mut value) in fields {
            for digit in text[start..start + width].iter_mut().rev() {
                *digit = b'0' + u8::try_from(value % 10).unwrap_or_default();
                value /= 10;
            }
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// The fixed form through padded formatting: what the digits written by hand write.
fn write_padded(out: &mut impl fmt::Write, at: OffsetDateTime) -> fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn every_moment_is_written_in_one_width_in_utc_to_the_millisecond() {
        let cases = [
            (datetime!(2026-06-01 09:30:00 UTC), "2026-06-01T09:30:00.000Z"),
            (datetime!(2026-06-01 09:30:00.5 UTC), "2026-06-01T09:30:00.500Z"),
            (datetime!(2026-06-01 09:30:00.123_456_789 UTC), "2026-06-01T09:30:00.123Z"),
            (datetime!(2026-06-01 11:30:00 +02:00), "2026-06-01T09:30:00.000Z"),
        ];
        for (at, text) in cases {
            assert_eq!(Timestamp::from_time(at).to_string(), text);
        }
    }

    #[test]
    fn the_hand_written_digits_agree_with_padded_formatting() {
        let start = datetime!(1999-12-31 23:59:59.999 UTC);
        // A day and a few hours, minutes and milliseconds apart: every month, hour and digit, over six years.
        let moments = (0..2_000).map(|step| start + time::Duration::milliseconds(step * 97_531_357 + step % 13));
        let edges =
            [datetime!(0000-01-01 00:00 UTC), datetime!(9999-12-31 23:59:59.999 UTC), datetime!(-0001-06-01 12:00 UTC)];
        for at in moments.chain(edges) {
            let mut padded = String::new();
            write_padded(&mut padded, at).unwrap();
            assert_eq!(Timestamp::from_time(at).to_string(), padded);
        }
    }

    #[test]
    fn text_order_is_time_order_where_the_old_forms_were_not() {
        // The old form left out a zero fraction: "…00Z" sorted after "…00.500Z".
        let (whole, half) = ("2026-06-01T09:00:00Z", "2026-06-01T09:00:00.500Z");
        assert!(whole > half, "the old texts sort the wrong way round");
        let (whole, half) = (Timestamp::parse(whole).unwrap(), Timestamp::parse(half).unwrap());
        assert!(whole < half && whole.to_string() < half.to_string());
    }

    #[test]
    fn parsing_accepts_every_rfc_3339_form_and_refuses_other_text() {
        let at = Timestamp::parse("2026-06-01T11:30:00.25+02:00").unwrap();
        assert_eq!(at.to_string(), "2026-06-01T09:30:00.250Z");
        assert_eq!(Timestamp::parse(&at.to_string()), Ok(at));
        assert!(Timestamp::parse("2026-06-01 09:30").is_err());
        let json = serde_json::to_string(&at).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), at);
    }
}

/// `#[serde(with = "crate::domain::timestamp::text")]` for an
/// `OffsetDateTime` field: written as a [`Timestamp`] (the fixed form), read
/// from any RFC 3339 time.
pub mod text {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    use super::Timestamp;

    /// Writes `at` in the fixed form.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Timestamp::from_time(*at))
    }

    /// Reads any RFC 3339 time.
    ///
    /// # Errors
    /// When the text is not an RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
        Timestamp::deserialize(deserializer).map(Timestamp::time)
    }
}
