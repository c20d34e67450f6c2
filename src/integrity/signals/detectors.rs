//! One function per kind of signal, each adding what it finds.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::thresholds::Thresholds;
use super::{Entry, Evidence, Facts, Signal, SignalKind, evidence};
use crate::domain::changeset::utf16_len;
use crate::domain::log_event::{ClipboardAction, Event};
use crate::domain::save_item::ItemBody;

/// How many items around an edit a paste may be and still explain it: the
/// page records the paste just before the editor's change.
const PASTE_REACH: usize = 3;

fn event<'a>(entry: &Entry<'a>) -> Option<&'a Event> {
    match &entry.item.body {
        ItemBody::Event(event) => Some(event),
        _ => None,
    }
}

/// The UTF-16 units an edit inserts.
fn inserted(entry: &Entry<'_>) -> usize {
    match &entry.item.body {
        ItemBody::Edit(changes) => changes.inserted_len(),
        _ => 0,
    }
}

/// A paste's length: the browser's count, or the text's when longer.
fn pasted_len(size: u64, text: &str) -> usize {
    usize::try_from(size).unwrap_or(usize::MAX).max(utf16_len(text))
}

fn seconds(from: OffsetDateTime, to: OffsetDateTime) -> u32 {
    u32::try_from((to - from).whole_seconds().max(0)).unwrap_or(u32::MAX)
}

/// Edits the server could not apply, snapshots that did not match, and a
/// submission its replayed history does not reproduce.
pub(super) fn history_mismatch(log: &[Entry<'_>], facts: Facts, thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.history_mismatch else { return };
    if facts.history_explains_submission == Some(false) {
        found.push(Signal {
            kind: SignalKind::HistoryMismatch,
            severity: rule.severity,
            question_id: None,
            summary: "replaying the saved changes does not reproduce the submitted code: the history does not explain the submission".to_owned(),
            evidence: Vec::new(),
        });
    }
    let bad: Vec<Evidence> = log.iter().filter(|e| e.applied == Some(false)).map(evidence).collect();
    if bad.is_empty() {
        return;
    }
    let summary = format!(
        "{} change(s) or snapshot(s) did not match the server's copy of the code: the saved history does not explain the code",
        bad.len()
    );
    found.push(Signal {
        kind: SignalKind::HistoryMismatch,
        severity: rule.severity,
        question_id: None,
        summary,
        evidence: bad,
    });
}

/// Another browser tried to open the attempt (the audit log's count).
pub(super) fn second_device(facts: Facts, thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.second_device else { return };
    if facts.second_device_refusals < rule.at {
        return;
    }
    let summary = format!("another browser was refused this attempt {} time(s)", facts.second_device_refusals);
    found.push(Signal {
        kind: SignalKind::SecondDevice,
        severity: rule.severity,
        question_id: None,
        summary,
        evidence: Vec::new(),
    });
}

/// Pastes of text that was not copied or cut earlier in this attempt.
pub(super) fn large_paste(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.large_paste else { return };
    let mut taken: Vec<&str> = Vec::new();
    for entry in log {
        let Some(Event::Clipboard { action, text, size }) = event(entry) else { continue };
        if *action != ClipboardAction::Paste {
            taken.push(text);
            continue;
        }
        let length = pasted_len(*size, text);
        // Its own text moved about (a copy or cut of this attempt holds it) is no signal.
        let own = !text.is_empty() && taken.iter().any(|copied| copied.contains(text.as_str()));
        if own || length < rule.at as usize {
            continue;
        }
        found.push(Signal {
            kind: SignalKind::LargePaste,
            severity: rule.severity,
            question_id: entry.item.question_id,
            summary: format!("pasted {length} characters that were not copied or cut in this attempt"),
            evidence: vec![evidence(entry)],
        });
    }
}

/// The edits a paste explains: each paste event accounts for the largest
/// edit of its question within [`PASTE_REACH`] items of it.
fn pasted_edits(log: &[Entry<'_>]) -> HashSet<usize> {
    let mut explained = HashSet::new();
    for (index, entry) in log.iter().enumerate() {
        let Some(Event::Clipboard { action: ClipboardAction::Paste, .. }) = event(entry) else { continue };
        let near = index.saturating_sub(PASTE_REACH)..(index + PASTE_REACH + 1).min(log.len());
        let largest = near
            .filter(|&i| {
                matches!(log[i].item.body, ItemBody::Edit(_)) && log[i].item.question_id == entry.item.question_id
            })
            .max_by_key(|&i| inserted(&log[i]));
        explained.extend(largest);
    }
    explained
}

/// Many characters in one change, with no paste behind them.
pub(super) fn sudden_code(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.sudden_code else { return };
    let pasted = pasted_edits(log);
    for (index, entry) in log.iter().enumerate() {
        let length = inserted(entry);
        if length < rule.at as usize || pasted.contains(&index) {
            continue;
        }
        found.push(Signal {
            kind: SignalKind::SuddenCode,
            severity: rule.severity,
            question_id: entry.item.question_id,
            summary: format!("{length} characters appeared in one change, with no paste recorded"),
            evidence: vec![evidence(entry)],
        });
    }
}

/// Typing faster than a person types, measured on the server's clock
/// between the batches that brought the edits (a batch held back by a
/// network drop arrives late and so counts slow, never fast).
pub(super) fn typing_burst(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.typing_burst else { return };
    let pasted = pasted_edits(log);
    // Typed characters per arrival, in arrival order: (server time, characters, first and last item).
    let mut arrivals: Vec<(OffsetDateTime, usize, usize, usize)> = Vec::new();
    for (index, entry) in log.iter().enumerate() {
        let typed = if pasted.contains(&index) { 0 } else { inserted(entry) };
        match arrivals.last_mut() {
            Some(last) if last.0 == entry.server_at => {
                last.1 += typed;
                last.3 = index;
            }
            _ => arrivals.push((entry.server_at, typed, index, index)),
        }
    }
    let limit = f64::from(rule.at.chars_per_second);
    // Maximal bursts: (first item, last item, fastest rate), overlapping windows merged.
    let mut bursts: Vec<(usize, usize, f64)> = Vec::new();
    let mut start = 0;
    for end in 1..arrivals.len() {
        // The latest start at least `over_seconds` before this arrival.
        while start + 1 < end && seconds(arrivals[start + 1].0, arrivals[end].0) >= rule.at.over_seconds {
            start += 1;
        }
        let span = seconds(arrivals[start].0, arrivals[end].0);
        let typed: usize = arrivals[start + 1..=end].iter().map(|a| a.1).sum();
        #[allow(clippy::cast_precision_loss, reason = "characters in an attempt are far below 2^52")]
        let rate = typed as f64 / f64::from(span.max(1));
        if span < rule.at.over_seconds || rate <= limit {
            continue;
        }
        let (first, last) = (arrivals[start + 1].2, arrivals[end].3);
        match bursts.last_mut() {
            Some(open) if first <= open.1 + 1 => {
                open.1 = last;
                open.2 = open.2.max(rate);
            }
            _ => bursts.push((first, last, rate)),
        }
    }
    for burst in bursts {
        push_burst(log, burst, rule.severity, found);
    }
}

fn push_burst(
    log: &[Entry<'_>],
    (first, last, fastest): (usize, usize, f64),
    severity: super::Severity,
    found: &mut Vec<Signal>,
) {
    found.push(Signal {
        kind: SignalKind::TypingBurst,
        severity,
        question_id: log[first].item.question_id,
        summary: format!(
            "typed at up to {fastest:.0} characters per second between these changes, by the server's clock"
        ),
        evidence: vec![evidence(&log[first]), evidence(&log[last])],
    });
}

/// The exam page hidden or without focus: stretches between a loss and the
/// return, on the server's clock (a stretch still open ends at the last item).
pub(super) fn time_away(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.time_away else { return };
    let stretches = away_stretches(log);
    let length = |&(from, to): &(usize, usize)| seconds(log[from].server_at, log[to].server_at);
    let total: u32 = stretches.iter().map(length).sum();
    let longest = stretches.iter().map(length).max().unwrap_or(0);
    if total < rule.at.total_seconds && longest < rule.at.longest_seconds {
        return;
    }
    let evidence = stretches.iter().flat_map(|&(from, to)| [evidence(&log[from]), evidence(&log[to])]).collect();
    found.push(Signal {
        kind: SignalKind::TimeAway,
        severity: rule.severity,
        question_id: None,
        summary: format!(
            "away from the exam page {} time(s), {total} s in all, {longest} s at the longest (server's clock, to within a few seconds)",
            stretches.len()
        ),
        evidence,
    });
}

/// The stretches away from the exam page (focus lost or the page hidden,
/// counted once when both), as the indexes of the items that began and
/// ended each; one still open ends at the log's last item.
#[must_use]
pub fn away_stretches(log: &[Entry<'_>]) -> Vec<(usize, usize)> {
    let (mut focus_lost, mut hidden) = (false, false);
    let mut away_since: Option<usize> = None;
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    for (index, entry) in log.iter().enumerate() {
        match event(entry) {
            Some(Event::Focus { lost }) => focus_lost = *lost,
            Some(Event::Visibility { hidden: now }) => hidden = *now,
            _ => continue,
        }
        match (away_since, focus_lost || hidden) {
            (None, true) => away_since = Some(index),
            (Some(since), false) => {
                stretches.push((since, index));
                away_since = None;
            }
            _ => {}
        }
    }
    if let Some(since) = away_since {
        stretches.push((since, log.len() - 1));
    }
    stretches
}

/// Counts the events `matches` picks and raises one signal at `at`.
fn counted(
    log: &[Entry<'_>],
    rule: Option<super::thresholds::Rule<u32>>,
    kind: SignalKind,
    matches: impl Fn(&Event) -> bool,
    describe: impl Fn(usize) -> String,
    found: &mut Vec<Signal>,
) {
    let Some(rule) = rule else { return };
    let hits: Vec<Evidence> = log.iter().filter(|e| event(e).is_some_and(&matches)).map(evidence).collect();
    if hits.is_empty() || hits.len() < rule.at as usize {
        return;
    }
    found.push(Signal {
        kind,
        severity: rule.severity,
        question_id: None,
        summary: describe(hits.len()),
        evidence: hits,
    });
}

/// Fullscreen left (called only when the exam asks for fullscreen).
pub(super) fn fullscreen_exit(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let is_exit = |e: &Event| matches!(e, Event::Fullscreen { exited: true });
    let describe = |n| format!("left fullscreen {n} time(s) in an exam that asks for it");
    counted(log, thresholds.fullscreen_exit, SignalKind::FullscreenExit, is_exit, describe, found);
}

/// Developer tools suspected from the window's sizes, or their shortcut pressed.
pub(super) fn devtools(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let is_devtools = |e: &Event| matches!(e, Event::Devtools { suspected: true, .. } | Event::DevtoolsShortcut { .. });
    let describe =
        |n| format!("{n} sign(s) of developer tools (a docked panel's window sizes, or the shortcut pressed)");
    counted(log, thresholds.devtools, SignalKind::Devtools, is_devtools, describe, found);
}

/// Stretches offline, as the browser measured them: while offline, the
/// server hears nothing, so only the browser's clock can tell how long.
pub(super) fn offline(log: &[Entry<'_>], thresholds: &Thresholds, found: &mut Vec<Signal>) {
    let Some(rule) = thresholds.offline else { return };
    let mut since: Option<usize> = None;
    for (index, entry) in log.iter().enumerate() {
        match (event(entry), since) {
            (Some(Event::Network { offline: true }), None) => since = Some(index),
            (Some(Event::Network { offline: false }), Some(from)) => {
                since = None;
                let length = seconds(log[from].item.client_at, entry.item.client_at);
                if length < rule.at {
                    continue;
                }
                found.push(Signal {
                    kind: SignalKind::Offline,
                    severity: rule.severity,
                    question_id: None,
                    summary: format!("offline for {length} s, as the browser measured it"),
                    evidence: vec![evidence(&log[from]), evidence(entry)],
                });
            }
            _ => {}
        }
    }
}
