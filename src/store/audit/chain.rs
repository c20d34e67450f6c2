//! The hash chain: exactly which bytes an entry's hash covers.
//!
//! An auditor must be able to check a log without examhall, so the encoding
//! is fixed, simple and unambiguous:
//!
//! ```text
//! hash = SHA-256( F("examhall audit log v1")
//!               ‖ F(seq as 8 bytes, big-endian two's complement)
//!               ‖ F(at) ‖ F(actor) ‖ F(actor_label) ‖ F(action) ‖ F(target)
//!               ‖ F(outcome) ‖ F(client_addr) ‖ F(details) ‖ F(prev_hash) )
//!
//! F(bytes) = length of bytes as 8 bytes, big-endian ‖ bytes
//! F(NULL)  = FF FF FF FF FF FF FF FF            (no bytes follow)
//! ```
//!
//! Every text field is taken exactly as stored in its column (UTF-8, no
//! normalisation): `at` is RFC 3339 UTC with milliseconds
//! (`2026-01-05T09:00:00.000Z`), `outcome` is `success`, `failure` or
//! `denied`, `client_addr` is the address in its usual text form, and
//! `details` is the JSON text as stored. Only `target` and `client_addr` may
//! be NULL. `prev_hash` is the previous entry's `hash` (32 bytes), or 32
//! zero bytes for entry 1. The length prefixes mean that no two different
//! entries encode to the same bytes, and NULL differs from an empty text.
//!
//! The same in a few lines of Python, for an auditor with a decrypted copy:
//!
//! ```text
//! def f(b): return b"\xff" * 8 if b is None else len(b).to_bytes(8, "big") + b
//! def t(s): return None if s is None else s.encode()
//! def entry_hash(seq, at, actor, label, action, target, outcome, addr, details, prev):
//!     parts = [b"examhall audit log v1", seq.to_bytes(8, "big", signed=True), t(at), t(actor),
//!              t(label), t(action), t(target), t(outcome), t(addr), t(details), prev]
//!     return hashlib.sha256(b"".join(f(p) for p in parts)).digest()
//! ```

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

/// The `prev_hash` of entry 1, and the hash of the empty log's head.
pub const GENESIS: [u8; 32] = [0; 32];

/// Separates these hashes from every other SHA-256 use, and names the
/// encoding's version.
const DOMAIN: &[u8] = b"examhall audit log v1";

/// The length prefix that stands for NULL; no real field is this long.
const NULL: [u8; 8] = [0xff; 8];

/// The stored form of `at`: fixed width, so that text order is time order.
const AT_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// The fields of one entry as stored, which is what the hash covers.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// RFC 3339 UTC, milliseconds.
    pub at: &'a [u8],
    /// Who acted.
    pub actor: &'a [u8],
    /// Who acted, for humans.
    pub actor_label: &'a [u8],
    /// The dotted verb.
    pub action: &'a [u8],
    /// What was acted on.
    pub target: Option<&'a [u8]>,
    /// `success`, `failure` or `denied`.
    pub outcome: &'a [u8],
    /// The client's address.
    pub client_addr: Option<&'a [u8]>,
    /// JSON object text.
    pub details: &'a [u8],
    /// The previous entry's hash.
    pub prev_hash: &'a [u8],
}

/// The hash of one entry; see the module documentation for the encoding.
#[must_use]
pub fn entry_hash(fields: &Fields<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let seq = fields.seq.to_be_bytes();
    let parts = [
        Some(DOMAIN),
        Some(&seq[..]),
        Some(fields.at),
        Some(fields.actor),
        Some(fields.actor_label),
        Some(fields.action),
        fields.target,
        Some(fields.outcome),
        fields.client_addr,
        Some(fields.details),
        Some(fields.prev_hash),
    ];
    for part in parts {
        match part {
            Some(bytes) => {
                hasher.update((bytes.len() as u64).to_be_bytes());
                hasher.update(bytes);
            }
            None => hasher.update(NULL),
        }
    }
    hasher.finalize().into()
}

/// `at` in its stored form: UTC, milliseconds, always the same width.
#[must_use]
pub fn format_at(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    // The format has no fallible component for years 0..=9999; outside that
    // range the Unix time still orders and identifies the moment.
    utc.format(AT_FORMAT).unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Fields<'static> {
        Fields {
            seq: 1,
            at: b"2026-01-05T09:00:00.000Z",
            actor: b"cli:alice",
            actor_label: b"alice",
            action: b"org.create",
            target: Some(b"0190f5c2-0000-7000-8000-000000000000"),
            outcome: b"success",
            client_addr: None,
            details: br#"{"name":"Physics","slug":"physics"}"#,
            prev_hash: &GENESIS,
        }
    }

    #[test]
    fn the_encoding_is_stable() {
        // Computed with the Python in the module documentation. A change here
        // breaks every stored chain: bump the version in DOMAIN instead.
        assert_eq!(
            hex::encode(entry_hash(&sample())),
            "2ecfd862ff1dd55e007a532a8ec754304c072702747785eab749bdb9eb174619"
        );
    }

    #[test]
    fn null_differs_from_empty_and_fields_do_not_run_into_each_other() {
        let base = sample();
        let empty_target = Fields { target: Some(b""), ..base };
        let null_target = Fields { target: None, ..base };
        assert_ne!(entry_hash(&empty_target), entry_hash(&null_target));
        let moved = Fields { actor: b"cli:alicea", actor_label: b"lice", ..base };
        let original = Fields { actor: b"cli:alice", actor_label: b"alice", ..base };
        assert_ne!(entry_hash(&moved), entry_hash(&original));
        assert_ne!(entry_hash(&Fields { seq: 2, ..base }), entry_hash(&base));
    }

    #[test]
    fn times_are_stored_in_utc_with_fixed_width_milliseconds() {
        let at = time::macros::datetime!(2026-01-05 10:00:00.5 +01:00);
        assert_eq!(format_at(at), "2026-01-05T09:00:00.500Z");
        let whole = time::macros::datetime!(2026-01-05 09:00 UTC);
        assert_eq!(format_at(whole), "2026-01-05T09:00:00.000Z");
        assert!(format_at(whole) < format_at(at));
    }
}
