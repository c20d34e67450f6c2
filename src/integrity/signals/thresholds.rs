//! The one table of thresholds and severities, per policy profile
//! (`docs/integrity.md` shows it to people). A kind a profile leaves out
//! is never raised under it.

use serde::{Deserialize, Serialize};

use crate::domain::IntegrityProfile;

/// How much attention a signal asks for. Never a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; often innocent.
    Low,
    /// Worth a look.
    Medium,
    /// Look first.
    High,
}

impl Severity {
    /// The name stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// One kind's setting: raised at `severity` from `at` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule<T> {
    /// How much attention it asks for.
    pub severity: Severity,
    /// From where it is raised.
    pub at: T,
}

/// Typing faster than `chars_per_second` over at least `over_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// Characters per second (UTF-16 units) above which typing is a burst.
    pub chars_per_second: u32,
    /// The shortest stretch measured, in seconds of the server's clock.
    pub over_seconds: u32,
}

/// Away from the exam `total_seconds` in all, or `longest_seconds` at a stretch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Away {
    /// In all.
    pub total_seconds: u32,
    /// At a stretch.
    pub longest_seconds: u32,
}

/// Every kind's setting under one profile, or as an instructor adjusted
/// it for one exam (`null` switches a kind off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Edits or snapshots that do not match the server's copy (always on).
    #[serde(deserialize_with = "present")]
    pub history_mismatch: Option<Rule<()>>,
    /// Refusals of another browser.
    #[serde(deserialize_with = "present")]
    pub second_device: Option<Rule<u32>>,
    /// Characters in one paste of text not copied or cut in this attempt.
    #[serde(deserialize_with = "present")]
    pub large_paste: Option<Rule<u32>>,
    /// Characters appearing in one change with no paste behind them.
    #[serde(deserialize_with = "present")]
    pub sudden_code: Option<Rule<u32>>,
    /// Typing speed.
    #[serde(deserialize_with = "present")]
    pub typing_burst: Option<Rule<Burst>>,
    /// Time with the exam page hidden or without focus.
    #[serde(deserialize_with = "present")]
    pub time_away: Option<Rule<Away>>,
    /// Fullscreen exits (when the exam asks for fullscreen).
    #[serde(deserialize_with = "present")]
    pub fullscreen_exit: Option<Rule<u32>>,
    /// Developer-tools events (suspicions and shortcuts).
    #[serde(deserialize_with = "present")]
    pub devtools: Option<Rule<u32>>,
    /// Seconds offline at a stretch.
    #[serde(deserialize_with = "present")]
    pub offline: Option<Rule<u32>>,
}

/// Reads a kind's setting that must be written out: `null` switches the
/// kind off, and a kind left out is refused rather than taken for "off" (a
/// table written before a kind existed must not switch it off unseen).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

const fn rule<T>(severity: Severity, at: T) -> Rule<T> {
    Rule { severity, at }
}

const fn away(total_seconds: u32, longest_seconds: u32) -> Away {
    Away { total_seconds, longest_seconds }
}

const fn burst(chars_per_second: u32, over_seconds: u32) -> Burst {
    Burst { chars_per_second, over_seconds }
}

use Severity::{High, Low, Medium};

/// Few signals: only what is hard to explain innocently gets attention.
pub const LENIENT: Thresholds = Thresholds {
    history_mismatch: Some(rule(High, ())),
    second_device: Some(rule(Medium, 1)),
    large_paste: Some(rule(Low, 500)),
    sudden_code: Some(rule(Low, 400)),
    typing_burst: Some(rule(Low, burst(20, 10))),
    time_away: Some(rule(Low, away(600, 300))),
    fullscreen_exit: Some(rule(Low, 3)),
    devtools: None,
    offline: Some(rule(Low, 600)),
};

/// The default.
pub const STANDARD: Thresholds = Thresholds {
    history_mismatch: Some(rule(High, ())),
    second_device: Some(rule(High, 1)),
    large_paste: Some(rule(Medium, 200)),
    sudden_code: Some(rule(Medium, 200)),
    typing_burst: Some(rule(Medium, burst(15, 10))),
    time_away: Some(rule(Medium, away(180, 60))),
    fullscreen_exit: Some(rule(Medium, 1)),
    devtools: Some(rule(Medium, 1)),
    offline: Some(rule(Low, 300)),
};

/// Every signal, early.
pub const STRICT: Thresholds = Thresholds {
    history_mismatch: Some(rule(High, ())),
    second_device: Some(rule(High, 1)),
    large_paste: Some(rule(High, 50)),
    sudden_code: Some(rule(High, 80)),
    typing_burst: Some(rule(High, burst(12, 10))),
    time_away: Some(rule(High, away(60, 20))),
    fullscreen_exit: Some(rule(High, 1)),
    devtools: Some(rule(High, 1)),
    offline: Some(rule(Medium, 120)),
};

impl Thresholds {
    /// The thresholds of `profile`.
    #[must_use]
    pub const fn of(profile: IntegrityProfile) -> Self {
        match profile {
            IntegrityProfile::Lenient => LENIENT,
            IntegrityProfile::Standard => STANDARD,
            IntegrityProfile::Strict => STRICT,
        }
    }
}

/// The largest number any setting takes: more than a day in seconds, more
/// than any answer in characters. Beyond it a kind is as good as off, and
/// saying so with `null` is clearer.
pub const MAX_SETTING: u32 = 100_000;

impl Thresholds {
    /// Whether an instructor's adjusted table can stand: the history check
    /// stays on (a submission its history does not explain is never
    /// ordinary), and every number is from 1 to [`MAX_SETTING`].
    ///
    /// # Errors
    /// What is wrong, in words for the instructor.
    pub fn check(&self) -> Result<(), String> {
        use super::SignalKind as K;
        if self.history_mismatch.is_none() {
            return Err("history_mismatch cannot be switched off".to_owned());
        }
        let numbers: [(K, Vec<u32>); 8] = [
            (K::SecondDevice, self.second_device.map(|r| vec![r.at]).unwrap_or_default()),
            (K::LargePaste, self.large_paste.map(|r| vec![r.at]).unwrap_or_default()),
            (K::SuddenCode, self.sudden_code.map(|r| vec![r.at]).unwrap_or_default()),
            (
                K::TypingBurst,
                self.typing_burst.map(|r| vec![r.at.chars_per_second, r.at.over_seconds]).unwrap_or_default(),
            ),
            (K::TimeAway, self.time_away.map(|r| vec![r.at.total_seconds, r.at.longest_seconds]).unwrap_or_default()),
            (K::FullscreenExit, self.fullscreen_exit.map(|r| vec![r.at]).unwrap_or_default()),
            (K::Devtools, self.devtools.map(|r| vec![r.at]).unwrap_or_default()),
            (K::Offline, self.offline.map(|r| vec![r.at]).unwrap_or_default()),
        ];
        for (kind, values) in numbers {
            if values.iter().any(|v| !(1..=MAX_SETTING).contains(v)) {
                return Err(format!("{}: every number must be from 1 to {MAX_SETTING}", kind.as_str()));
            }
        }
        Ok(())
    }
}

impl Thresholds {
    /// One kind's setting in words, as `docs/integrity.md` shows it.
    #[must_use]
    pub fn describe(&self, kind: super::SignalKind) -> String {
        use super::SignalKind as K;
        fn on<T>(rule: Option<Rule<T>>, what: impl Fn(&T) -> String) -> String {
            rule.map_or_else(|| "off".to_owned(), |r| format!("{}, {}", what(&r.at), r.severity.as_str()))
        }
        match kind {
            K::HistoryMismatch => on(self.history_mismatch, |()| "any".to_owned()),
            K::SecondDevice => on(self.second_device, |n| format!("{n} refusal(s)")),
            K::LargePaste => on(self.large_paste, |n| format!("{n} characters")),
            K::SuddenCode => on(self.sudden_code, |n| format!("{n} characters in one change")),
            K::TypingBurst => {
                on(self.typing_burst, |b| format!("over {}/s for {} s", b.chars_per_second, b.over_seconds))
            }
            K::TimeAway => {
                on(self.time_away, |a| format!("{} s in all or {} s at once", a.total_seconds, a.longest_seconds))
            }
            K::FullscreenExit => on(self.fullscreen_exit, |n| format!("{n} exit(s)")),
            K::Devtools => on(self.devtools, |n| format!("{n} sign(s)")),
            K::Offline => on(self.offline, |n| format!("{n} s at once")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SignalKind;
    use super::*;

    #[test]
    fn a_kind_left_out_of_a_table_is_refused_and_only_null_switches_one_off() {
        let mut table = serde_json::to_value(STANDARD).unwrap();
        table["devtools"] = serde_json::Value::Null;
        let off: Thresholds = serde_json::from_value(table.clone()).unwrap();
        assert_eq!(off.devtools, None);
        table.as_object_mut().unwrap().remove("offline");
        assert!(serde_json::from_value::<Thresholds>(table).is_err(), "a missing kind is not 'off'");
    }

    #[test]
    fn the_table_in_docs_integrity_is_this_table() {
        let docs = include_str!("../../../docs/integrity.md");
        for kind in SignalKind::ALL {
            let row = docs
                .lines()
                .find(|line| line.starts_with(&format!("| `{}` ", kind.as_str())))
                .unwrap_or_else(|| panic!("docs/integrity.md has no row for {}", kind.as_str()));
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let expected = [LENIENT.describe(kind), STANDARD.describe(kind), STRICT.describe(kind)];
            assert_eq!(&cells[3..6], &expected.iter().map(String::as_str).collect::<Vec<_>>()[..], "{row}");
        }
    }
}
