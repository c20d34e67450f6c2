//! The rules of autosave, as pure functions: what an item of a student's
//! queue may hold, how the queue is chained, and what the server does with
//! an item by the time it arrives. `docs/autosave.md` describes the protocol
//! these rules belong to.
//!
//! The deadline is proven by the server, never by the client's clock: every
//! save and heartbeat carries a *commitment*, the client's highest queued
//! sequence number and the running hash of its queue up to it. After the
//! deadline, an item is accepted (beside the frozen submission, never into
//! it) only when the items up to a commitment the server heard before the
//! deadline reproduce that commitment's hash, within a short window.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{AttemptId, InvalidValue, LatePolicy};

/// The most bytes one item may take on the wire (its JSON text). The exam
/// page never makes a larger one: the editor refuses answers over
/// [`MAX_ANSWER_UNITS`], and a snapshot of such an answer fits.
pub const MAX_ITEM_BYTES: usize = 1024 * 1024;
/// The most items in one batch.
pub const MAX_BATCH_ITEMS: usize = 500;
/// The longest answer, in UTF-16 units (what the editor counts).
pub const MAX_ANSWER_UNITS: usize = 100_000;

/// What an item of the queue records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// An editor transaction: a CodeMirror change set.
    Edit,
    /// The whole code of a question, so the server can verify its rebuild.
    Snapshot,
    /// Work of an earlier binding of this attempt found on this computer:
    /// kept as evidence, never applied.
    Recovered,
    /// Text pasted into the editor.
    Paste,
    /// Text copied from the editor.
    Copy,
    /// Text cut from the editor.
    Cut,
    /// The window lost focus.
    FocusLost,
    /// The window got focus back.
    FocusReturned,
    /// The page was hidden (another tab, minimised).
    VisibilityHidden,
    /// The page was shown again.
    VisibilityVisible,
    /// Fullscreen was left.
    FullscreenExit,
    /// Fullscreen was entered.
    FullscreenEnter,
    /// The window changed size.
    Resize,
    /// Docked developer tools suspected from the window's size.
    DevtoolsSuspected,
    /// That suspicion ended.
    DevtoolsCleared,
    /// A keyboard shortcut that opens developer tools.
    DevtoolsShortcut,
    /// The browser went offline.
    NetworkOffline,
    /// The browser came back online.
    NetworkOnline,
    /// The exam page was loaded again.
    Reload,
    /// The student ran their program (Run).
    Run,
    /// The student ran the question's visible tests (Test).
    TestsRun,
}

impl LogKind {
    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Snapshot => "snapshot",
            Self::Recovered => "recovered",
            Self::Paste => "paste",
            Self::Copy => "copy",
            Self::Cut => "cut",
            Self::FocusLost => "focus_lost",
            Self::FocusReturned => "focus_returned",
            Self::VisibilityHidden => "visibility_hidden",
            Self::VisibilityVisible => "visibility_visible",
            Self::FullscreenExit => "fullscreen_exit",
            Self::FullscreenEnter => "fullscreen_enter",
            Self::Resize => "resize",
            Self::DevtoolsSuspected => "devtools_suspected",
            Self::DevtoolsCleared => "devtools_cleared",
            Self::DevtoolsShortcut => "devtools_shortcut",
            Self::NetworkOffline => "network_offline",
            Self::NetworkOnline => "network_online",
            Self::Reload => "reload",
            Self::Run => "run",
            Self::TestsRun => "tests_run",
        }
    }
}

/// A SHA-256 value of the queue's chain.
pub type ChainHash = [u8; 32];

/// Where an attempt's chain starts: bound to the attempt, so a queue cannot
/// be replayed into another attempt.
#[must_use]
pub fn chain_start(attempt: AttemptId) -> ChainHash {
    let mut hash = Sha256::new();
    hash.update(b"examhall autosave chain v1\0");
    hash.update(attempt.to_string().as_bytes());
    hash.finalize().into()
}

/// The chain after `item`, whose exact JSON text (as sent) is `raw`.
#[must_use]
pub fn chain_next(previous: &ChainHash, raw: &[u8]) -> ChainHash {
    let mut hash = Sha256::new();
    hash.update(previous);
    hash.update(raw);
    hash.finalize().into()
}

/// The client's word about its queue: every item up to `seq` is queued, and
/// the chain over them is `hash`. It proves nothing by itself; heard before
/// the deadline, it is what late items must reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitment {
    /// The highest sequence number queued.
    pub seq: i64,
    /// The chain over the queue up to `seq`.
    pub hash: ChainHash,
}

impl Commitment {
    /// Parses `seq` and a 64-character lowercase hex `hash`.
    ///
    /// # Errors
    /// A sequence below 0 or a hash that is not 32 bytes of hex.
    pub fn parse(seq: i64, hash: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue("commit: a sequence number and a 64-character hex hash".to_owned());
        if seq < 0 {
            return Err(invalid());
        }
        let bytes = hex::decode(hash).map_err(|_| invalid())?;
        let hash: ChainHash = bytes.try_into().map_err(|_| invalid())?;
        Ok(Self { seq, hash })
    }
}

/// How the server treats a batch, decided by its own clock alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the deadline and not submitted: items go into the answers.
    Open,
    /// After the deadline (or the submission): items can only be kept
    /// beside the submission, and only when proven queued in time.
    Late(LateRule),
}

/// Why late items are refused outright, or that they may be proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateRule {
    /// Items up to the commitment heard before the deadline may be accepted.
    MayProve,
    /// The student submitted: nothing more counts.
    Submitted,
    /// The exam's policy accepts nothing after the deadline.
    PolicyRefuses,
    /// The window after the deadline has passed.
    WindowClosed,
}

impl LateRule {
    /// The reason stored with refused items, and shown to staff.
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Self::MayProve => "not_committed",
            Self::Submitted => "after_submission",
            Self::PolicyRefuses => "late_policy",
            Self::WindowClosed => "window_closed",
        }
    }
}

/// The phase of an attempt at `now`. `submitted_by_student` is true once the
/// student handed it in (a submission at the deadline leaves the window open).
#[must_use]
pub fn phase(
    now: OffsetDateTime,
    deadline: OffsetDateTime,
    submitted_by_student: bool,
    submitted: bool,
    policy: LatePolicy,
    window: time::Duration,
) -> Phase {
    if submitted_by_student {
        return Phase::Late(LateRule::Submitted);
    }
    if now <= deadline && !submitted {
        return Phase::Open;
    }
    if policy == LatePolicy::Refuse {
        return Phase::Late(LateRule::PolicyRefuses);
    }
    if now > deadline + window {
        return Phase::Late(LateRule::WindowClosed);
    }
    Phase::Late(LateRule::MayProve)
}

/// What becomes of one late item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateVerdict {
    /// Within the commitment, but the items up to it have not all arrived.
    Pending,
    /// The items up to the commitment reproduce its hash: kept beside the
    /// submission for the instructor to apply or not.
    Accepted,
    /// Refused and quarantined, with the reason.
    Refused(&'static str),
}

/// Judges the late item `seq`, whose chain (continued by the server from
/// its own acknowledged chain) is `chain`, against the commitment the server
/// heard before the deadline.
#[must_use]
pub fn judge_late(rule: LateRule, commitment: Option<Commitment>, seq: i64, chain: &ChainHash) -> LateVerdict {
    if rule != LateRule::MayProve {
        return LateVerdict::Refused(rule.reason());
    }
    match commitment {
        Some(c) if seq < c.seq => LateVerdict::Pending,
        Some(c) if seq == c.seq && *chain == c.hash => LateVerdict::Accepted,
        Some(c) if seq == c.seq => LateVerdict::Refused("hash_mismatch"),
        _ => LateVerdict::Refused(rule.reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DEADLINE: OffsetDateTime = datetime!(2026-06-01 10:00 UTC);
    const WINDOW: time::Duration = time::Duration::minutes(5);

    fn phase_at(now: OffsetDateTime, by_student: bool, submitted: bool, policy: LatePolicy) -> Phase {
        phase(now, DEADLINE, by_student, submitted, policy, WINDOW)
    }

    #[test]
    fn the_server_clock_alone_decides_the_phase() {
        let before = DEADLINE - time::Duration::seconds(1);
        let after = DEADLINE + time::Duration::seconds(1);
        assert_eq!(phase_at(before, false, false, LatePolicy::AcceptQueued), Phase::Open);
        assert_eq!(
            phase_at(DEADLINE, false, false, LatePolicy::AcceptQueued),
            Phase::Open,
            "the deadline itself counts"
        );
        assert_eq!(phase_at(after, false, false, LatePolicy::AcceptQueued), Phase::Late(LateRule::MayProve));
        assert_eq!(phase_at(after, false, true, LatePolicy::AcceptQueued), Phase::Late(LateRule::MayProve));
        assert_eq!(phase_at(after, false, false, LatePolicy::Refuse), Phase::Late(LateRule::PolicyRefuses));
        assert_eq!(phase_at(before, true, true, LatePolicy::AcceptQueued), Phase::Late(LateRule::Submitted));
        let past_window = DEADLINE + WINDOW + time::Duration::seconds(1);
        assert_eq!(phase_at(past_window, false, true, LatePolicy::AcceptQueued), Phase::Late(LateRule::WindowClosed));
    }

    #[test]
    fn late_items_count_only_when_they_reproduce_a_commitment_heard_in_time() {
        let start = chain_start(AttemptId::generate());
        let one = chain_next(&start, br#"{"seq":1}"#);
        let two = chain_next(&one, br#"{"seq":2}"#);
        let committed = Some(Commitment { seq: 2, hash: two });
        assert_eq!(judge_late(LateRule::MayProve, committed, 1, &one), LateVerdict::Pending);
        assert_eq!(judge_late(LateRule::MayProve, committed, 2, &two), LateVerdict::Accepted);
        let forged = chain_next(&one, br#"{"seq":2,"other":"content"}"#);
        assert_eq!(judge_late(LateRule::MayProve, committed, 2, &forged), LateVerdict::Refused("hash_mismatch"));
        assert_eq!(judge_late(LateRule::MayProve, committed, 3, &two), LateVerdict::Refused("not_committed"));
        assert_eq!(judge_late(LateRule::MayProve, None, 1, &one), LateVerdict::Refused("not_committed"));
        assert_eq!(judge_late(LateRule::WindowClosed, committed, 1, &one), LateVerdict::Refused("window_closed"));
    }

    #[test]
    fn the_chain_depends_on_the_attempt_the_order_and_every_byte() {
        let (a, b) = (AttemptId::generate(), AttemptId::generate());
        assert_ne!(chain_start(a), chain_start(b));
        let start = chain_start(a);
        let ab = chain_next(&chain_next(&start, b"a"), b"b");
        let ba = chain_next(&chain_next(&start, b"b"), b"a");
        assert_ne!(ab, ba);
        assert_ne!(chain_next(&start, b"a "), chain_next(&start, b"a"));
    }

    #[test]
    fn the_chain_has_a_known_answer_the_browser_must_match() {
        // The exam page computes the same with Web Crypto (assets/src/exam/chain.ts);
        // its browser test checks this very value.
        let attempt = AttemptId::parse("01900000-0000-7000-8000-000000000001").expect("id");
        let start = chain_start(attempt);
        let next = chain_next(&start, br#"{"seq":1,"kind":"edit"}"#);
        assert_eq!(hex::encode(start), KNOWN_START);
        assert_eq!(hex::encode(next), KNOWN_NEXT);
    }

    const KNOWN_START: &str = "d6928d019ce66c0181f1b1ef4eb609b0a8746e37a132fc9c301f4194b49ed4ee";
    const KNOWN_NEXT: &str = "86b1a0a49364452fb27450fa1f7c939eb5aed1f93d88a572be9bb518827b3e61";

    #[test]
    fn commitments_parse_only_well_formed_hashes() {
        assert!(Commitment::parse(3, &"ab".repeat(32)).is_ok());
        assert!(Commitment::parse(-1, &"ab".repeat(32)).is_err());
        assert!(Commitment::parse(3, "abc").is_err());
        assert!(Commitment::parse(3, &"zz".repeat(32)).is_err());
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in [LogKind::Edit, LogKind::Snapshot, LogKind::FocusLost, LogKind::DevtoolsShortcut, LogKind::Reload] {
            let json = serde_json::to_value(kind).expect("serialises");
            assert_eq!(json.as_str(), Some(kind.as_str()));
        }
        assert!(serde_json::from_str::<LogKind>("\"anything_else\"").is_err());
    }
}
