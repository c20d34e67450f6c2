//! What [`super::verify`] holds emptied entries to: every trim's range
//! follows the last from entry 1 on; within a range every entry was written
//! before the trim's cut-off, is emptied unless it is a checkpoint entry,
//! and the range's place, times and hashes match the digest the trim
//! recorded; outside every range no entry is emptied; and each trim's
//! cut-off lies at least [`FLOOR_DAYS`] before its own entry.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use sha2::{Digest, Sha256};

use super::checkpoint_entry::{Checkpoint, Trimmed};

/// No trim empties entries younger than this many days, whatever a policy
/// or the platform's minimum says; [`super::verify`] refuses one that does.
pub const FLOOR_DAYS: i64 = 30;

/// One entry, as the walk read it.
pub(super) struct Seen<'a> {
    pub seq: i64,
    pub at: &'a [u8],
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
    pub emptied: bool,
    pub checkpoint: bool,
}

/// The walk through the trims' ranges.
pub(super) struct Ranges {
    trims: Vec<Trimmed>,
    current: usize,
    digest: RangeDigest,
    confirmed: usize,
}

impl Ranges {
    /// The ranges the log's trim entries name, oldest first; what is wrong
    /// with how they follow each other, if anything.
    pub(super) fn new(trims: Vec<Trimmed>) -> Result<Self, (i64, String)> {
        let mut expected_from = 1;
        for trim in &trims {
            if trim.from != expected_from {
                return Err((
                    trim.from.min(expected_from),
                    format!(
                        "a trim names entries {} to {} but the one before it ended at {}: emptied ranges must follow \
                         each other from entry 1",
                        trim.from,
                        trim.through,
                        expected_from - 1
                    ),
                ));
            }
            expected_from = trim.through + 1;
        }
        Ok(Self { trims, current: 0, digest: RangeDigest::default(), confirmed: 0 })
    }

    /// The last entry emptied (0 when none was).
    pub(super) fn emptied_through(&self) -> i64 {
        self.trims.last().map_or(0, |t| t.through)
    }

    /// Checks one entry against the ranges.
    pub(super) fn entry(&mut self, seen: &Seen<'_>) -> Result<(), String> {
        let seq = seen.seq;
        let Some(trim) = self.trims.get(self.current).filter(|t| seq >= t.from && seq <= t.through) else {
            return if seen.emptied {
                Err(format!(
                    "entry {seq} was emptied, but no retention checkpoint's range holds it: its content was removed \
                     around the database's safeguards"
                ))
            } else {
                Ok(())
            };
        };
        if seen.at >= trim.before.as_bytes() {
            return Err(format!(
                "entry {seq} lies in the range a trim emptied (entries {} to {}) but was written at or after its \
                 cut-off {}",
                trim.from, trim.through, trim.before
            ));
        }
        if !seen.emptied && !seen.checkpoint {
            return Err(format!(
                "entry {seq} lies in the range a trim emptied (entries {} to {}) but holds content: it was put back",
                trim.from, trim.through
            ));
        }
        self.digest.add(seq, seen.at, seen.prev_hash, seen.hash);
        if seq == trim.through {
            let digest = std::mem::take(&mut self.digest).finish();
            if digest != trim.digest {
                return Err(format!(
                    "entries {} to {}, emptied by a trim, were changed since: their places, times or hashes are not \
                     what the trim recorded",
                    trim.from, trim.through
                ));
            }
            self.current += 1;
        }
        Ok(())
    }

    /// Checks a trim's checkpoint entry, reached by the walk: it is the
    /// next trim, its range lies wholly before it and was checked, and its
    /// cut-off lies at least [`FLOOR_DAYS`] before it.
    pub(super) fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), String> {
        let Some(trimmed) = &checkpoint.trimmed else { return Ok(()) };
        let seq = checkpoint.seq;
        if self.trims.get(self.confirmed) != Some(trimmed) || self.current <= self.confirmed {
            return Err(format!("trim checkpoint entry {seq} does not match the range the log's trims name"));
        }
        self.confirmed += 1;
        let parse = |text: &str| OffsetDateTime::parse(text, &Rfc3339).ok();
        match (parse(&trimmed.before), parse(&checkpoint.at)) {
            (Some(before), Some(at)) if before <= at - time::Duration::days(FLOOR_DAYS) => Ok(()),
            _ => Err(format!(
                "trim checkpoint entry {seq} empties entries written before {}, less than {FLOOR_DAYS} days before it",
                trimmed.before
            )),
        }
    }
}

/// The digest of a trim's range: SHA-256 over each entry's sequence number
/// (8 bytes, big-endian), its time (as stored) and a zero byte, its
/// `prev_hash` and its hash, in order.
#[derive(Default)]
pub(super) struct RangeDigest(Sha256);

impl RangeDigest {
    pub(super) fn add(&mut self, seq: i64, at: &[u8], prev_hash: &[u8], hash: &[u8]) {
        self.0.update(seq.to_be_bytes());
        self.0.update(at);
        self.0.update([0]);
        self.0.update(prev_hash);
        self.0.update(hash);
    }

    pub(super) fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}
