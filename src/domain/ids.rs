//! Random identifiers for URLs and files. Never sequential, so they cannot be
//! counted or guessed.

use std::fmt;

use uuid::Uuid;

use super::InvalidValue;

/// An organization's identifier; also the name of its database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(Uuid);

impl OrgId {
    /// A fresh identifier (UUIDv7: random, and sorts by creation time).
    #[must_use]
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the hyphenated form used in URLs, file names and the database.
    ///
    /// # Errors
    /// When `text` is not a hyphenated UUID.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        Uuid::try_parse(text)
            .ok()
            .filter(|_| text.len() == 36)
            .map(Self)
            .ok_or_else(|| InvalidValue("an organization ID is a hyphenated UUID".to_owned()))
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_org_id_round_trips_through_text() {
        let id = OrgId::generate();
        assert_eq!(OrgId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn an_org_id_refuses_other_text() {
        for bad in ["", "physics", "../etc/passwd", "0190f3c2a8e07c3e8a6b1d2f3e4a5b6c"] {
            assert!(OrgId::parse(bad).is_err(), "{bad}");
        }
    }
}
