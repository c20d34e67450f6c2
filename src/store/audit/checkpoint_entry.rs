//! What a checkpoint entry records, for everyone who reads the log: the
//! checks, the history, and the checkpoints themselves.

use super::AuditHead;

/// The action of every checkpoint entry.
pub const ACTION: &str = "audit.checkpoint";

/// The action of an entry emptied by a [`Kind::Trim`] checkpoint.
pub const EMPTIED: &str = "audit.emptied";

/// What a checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Entries were taken out of the chain and appended again, changed.
    Rewrite,
    /// A head kept outside, no longer in the log, was accepted as replaced.
    Accept,
    /// Entries past their retention were emptied in place: each keeps its
    /// sequence number, time and hashes, so the chain still links.
    Trim,
}

impl Kind {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rewrite => "rewrite",
            Self::Accept => "accept",
            Self::Trim => "trim",
        }
    }
}

/// A checkpoint, as its entry records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The checkpoint entry's sequence number.
    pub seq: i64,
    /// When (as stored).
    pub at: String,
    /// Who, for humans.
    pub actor_label: String,
    /// Rewrite or accept.
    pub kind: Kind,
    /// Why, as the person or the upgrade gave it.
    pub reason: String,
    /// The head replaced.
    pub old_head: AuditHead,
    /// The entry the checkpoint entry follows.
    pub new_head: AuditHead,
    /// The checkpoint entry's own hash.
    pub hash: [u8; 32],
    /// For a trim: the range it emptied.
    pub trimmed: Option<Trimmed>,
}

/// The range a trim checkpoint emptied: entries `from` to `through`, every
/// one written before `before`, each emptied but checkpoint entries, and
/// `digest` the SHA-256 of each one's place, time and hashes (see
/// [`super::verify_trims::RangeDigest`]), so an emptied run cannot change unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trimmed {
    /// The first entry of the range (the one after the last trim's).
    pub from: i64,
    /// The last.
    pub through: i64,
    /// Every entry of the range was written before this (as stored).
    pub before: String,
    /// SHA-256 of the range, hex.
    pub digest: String,
}

impl Checkpoint {
    /// The head the checkpoint entry makes: where the log stood right after it.
    #[must_use]
    pub fn head(&self) -> AuditHead {
        AuditHead { seq: self.seq, hash: self.hash }
    }
}
