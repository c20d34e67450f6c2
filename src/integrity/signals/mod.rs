//! Signals: patterns in one attempt's log that a person may want to look
//! at, each with the events behind it. Pure functions of the log, with no
//! storage and no HTTP; the thresholds and severities come from the exam's
//! policy profile ([`thresholds`]).
//!
//! A signal is never a verdict. Each has an honest explanation as often as
//! not (a student pasting their own notes file the exam allows, a fast
//! typist, a laptop lid closed), which is why a person reviews every one and
//! nothing here changes a grade or a submission.
//!
//! Times: the server's clock where it measures what the signal says (when
//! items arrived); the browser's own estimate only where nothing else can
//! measure it (how long a window was hidden), and then the evidence says so.

pub mod activity;
mod detectors;
pub mod thresholds;

use time::OffsetDateTime;

use crate::domain::QuestionId;
use crate::domain::save_item::SaveItem;

pub use self::detectors::away_stretches;
pub use self::thresholds::{Severity, Thresholds};

/// One item of the attempt's log, as the server holds it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The item as the browser sent it, parsed.
    pub item: &'a SaveItem,
    /// When the server received it.
    pub server_at: OffsetDateTime,
    /// For an edit or a snapshot: whether the server's rebuild matched.
    pub applied: Option<bool>,
}

/// What the server itself knows of the attempt, beside its log.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    /// The exam asks for fullscreen (exits are then worth a look).
    pub require_fullscreen: bool,
    /// Times another browser was refused the attempt (the audit log counts them).
    pub second_device_refusals: u32,
    /// Whether replaying the saved edits reproduces the first submission's
    /// code (`None` before a submission).
    pub history_explains_submission: Option<bool>,
}

/// What kind of pattern a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignalKind {
    /// Text pasted into the editor that was not copied or cut in this attempt.
    LargePaste,
    /// Many characters appearing in one change, with no paste behind them.
    SuddenCode,
    /// Typing faster than a person types, over a stretch of time.
    TypingBurst,
    /// The exam page hidden or without focus, in total or at a stretch.
    TimeAway,
    /// Fullscreen left, when the exam asks for it.
    FullscreenExit,
    /// Developer tools suspected from the window's sizes, or their shortcut pressed.
    Devtools,
    /// Another browser tried to open the attempt.
    SecondDevice,
    /// An edit that did not apply to the server's copy of the code, or a
    /// snapshot that did not match it: the history does not explain the code.
    HistoryMismatch,
    /// The browser was offline while the attempt was open.
    Offline,
}

impl SignalKind {
    /// Every kind, in the order they are listed to people.
    pub const ALL: [Self; 9] = [
        Self::HistoryMismatch,
        Self::SecondDevice,
        Self::LargePaste,
        Self::SuddenCode,
        Self::TypingBurst,
        Self::TimeAway,
        Self::FullscreenExit,
        Self::Devtools,
        Self::Offline,
    ];

    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LargePaste => "large_paste",
            Self::SuddenCode => "sudden_code",
            Self::TypingBurst => "typing_burst",
            Self::TimeAway => "time_away",
            Self::FullscreenExit => "fullscreen_exit",
            Self::Devtools => "devtools",
            Self::SecondDevice => "second_device",
            Self::HistoryMismatch => "history_mismatch",
            Self::Offline => "offline",
        }
    }
}

/// One item of the log a signal rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    /// Its sequence number in the attempt's log.
    pub seq: i64,
    /// When the server received it.
    pub server_at: OffsetDateTime,
    /// The browser's estimate of when it happened: shown, never measured on.
    pub client_at: OffsetDateTime,
}

/// A pattern worth a person's look, with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// What kind.
    pub kind: SignalKind,
    /// How much attention the exam's policy gives it.
    pub severity: Severity,
    /// The question it concerns, if one.
    pub question_id: Option<QuestionId>,
    /// What was seen, in one sentence a reviewer reads (never a verdict).
    pub summary: String,
    /// The items behind it, in log order.
    pub evidence: Vec<Evidence>,
}

impl Signal {
    /// What names this signal across derivations (a policy change, a new
    /// save): its kind and its first evidence item, or the kind alone for
    /// one the audit log holds (a second device).
    #[must_use]
    pub fn key(&self) -> String {
        match self.evidence.first() {
            Some(first) => format!("{}:{}", self.kind.as_str(), first.seq),
            None => self.kind.as_str().to_owned(),
        }
    }
}

/// Every signal of one attempt's log (in log order), by the thresholds of
/// its exam's policy; kinds the policy switches off are left out.
#[must_use]
pub fn signals(log: &[Entry<'_>], facts: Facts, thresholds: &Thresholds) -> Vec<Signal> {
    let mut found = Vec::new();
    detectors::history_mismatch(log, facts, thresholds, &mut found);
    detectors::second_device(facts, thresholds, &mut found);
    detectors::large_paste(log, thresholds, &mut found);
    detectors::sudden_code(log, thresholds, &mut found);
    detectors::typing_burst(log, thresholds, &mut found);
    detectors::time_away(log, thresholds, &mut found);
    if facts.require_fullscreen {
        detectors::fullscreen_exit(log, thresholds, &mut found);
    }
    detectors::devtools(log, thresholds, &mut found);
    detectors::offline(log, thresholds, &mut found);
    found
}

/// The evidence of `entry`.
fn evidence(entry: &Entry<'_>) -> Evidence {
    Evidence { seq: entry.item.seq, server_at: entry.server_at, client_at: entry.item.client_at }
}

#[cfg(test)]
mod tests;
