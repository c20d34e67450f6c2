//! Synthetic logs: each signal fires where it should, and stays silent in
//! the honest cases (a student pasting their own code, a slow typist, a
//! short network drop, a glance away).

use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::thresholds::{LENIENT, STANDARD, STRICT};
use super::*;
use crate::domain::save_item::SaveItem;

const START: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

/// A log built item by item, with the server's clock and the browser's moving together.
struct Log {
    question: QuestionId,
    items: Vec<(SaveItem, OffsetDateTime, Option<bool>)>,
    server: OffsetDateTime,
}

impl Log {
    fn new() -> Self {
        Self { question: QuestionId::generate(), items: Vec::new(), server: START }
    }

    /// Both clocks move on by `seconds`.
    fn wait(mut self, seconds: i64) -> Self {
        self.server += Duration::seconds(seconds);
        self
    }

    fn push(mut self, fields: Value, applied: Option<bool>) -> Self {
        let mut item = fields;
        item["seq"] = json!(self.items.len() + 1);
        item["client_at"] = json!(crate::clock::rfc3339(self.server));
        let parsed = SaveItem::parse(&item.to_string(), &[self.question]).expect("a valid item");
        self.items.push((parsed, self.server, applied));
        self
    }

    /// An edit inserting `text` (one line), applied by the server.
    fn typed(self, text: &str) -> Self {
        let q = self.question;
        self.push(json!({"kind": "edit", "question_id": q, "changes": [[0, text]]}), Some(true))
    }

    fn clipboard(self, kind: &str, text: &str) -> Self {
        let q = self.question;
        self.push(json!({"kind": kind, "question_id": q, "data": {"text": text, "size": text.len()}}), None)
    }

    fn event(self, kind: &str) -> Self {
        self.push(json!({"kind": kind, "data": {}}), None)
    }

    fn entries(&self) -> Vec<Entry<'_>> {
        self.items
            .iter()
            .map(|(item, server_at, applied)| Entry { item, server_at: *server_at, applied: *applied })
            .collect()
    }

    fn signals(&self, facts: Facts, thresholds: &Thresholds) -> Vec<(SignalKind, Severity)> {
        signals(&self.entries(), facts, thresholds).into_iter().map(|s| (s.kind, s.severity)).collect()
    }

    fn standard(&self) -> Vec<(SignalKind, Severity)> {
        self.signals(Facts::default(), &STANDARD)
    }
}

fn code(length: usize) -> String {
    "x".repeat(length)
}

#[test]
fn a_large_paste_of_text_from_outside_is_raised_and_a_students_own_text_is_not() {
    let outside = Log::new().clipboard("paste", &code(250)).typed(&code(250));
    assert_eq!(outside.standard(), [(SignalKind::LargePaste, Severity::Medium)]);
    let evidence = &signals(&outside.entries(), Facts::default(), &STANDARD)[0].evidence;
    assert_eq!(evidence.iter().map(|e| e.seq).collect::<Vec<_>>(), [1], "the paste event is the evidence");

    let own = Log::new()
        .clipboard("copy", &format!("def helper():\n{}", code(300)))
        .clipboard("paste", &code(250))
        .typed(&code(250));
    assert_eq!(own.standard(), [], "pasting what this attempt copied is moving one's own code");
    let short = Log::new().clipboard("paste", &code(40)).typed(&code(40));
    assert_eq!(short.standard(), []);
    assert_eq!(short.signals(Facts::default(), &STRICT), [], "strict starts at 50 characters");
}

#[test]
fn sudden_code_is_many_characters_in_one_change_with_no_paste_behind_them() {
    let sudden = Log::new().typed("d").typed(&code(300));
    assert_eq!(sudden.standard(), [(SignalKind::SuddenCode, Severity::Medium)]);
    let pasted = Log::new().clipboard("copy", &code(300)).clipboard("paste", &code(300)).typed(&code(300));
    assert_eq!(pasted.standard(), [], "a paste explains its change, and this one is the student's own");
    let small = (0..100).fold(Log::new(), |log, _| log.typed("ab"));
    assert_eq!(small.standard(), [], "small changes are typing");
}

#[test]
fn typing_faster_than_a_person_is_measured_on_the_servers_clock() {
    // 60 characters every 2 s: 30 per second for 20 s.
    let fast = (0..10).fold(Log::new(), |log, _| log.wait(2).typed(&code(60)));
    assert_eq!(fast.standard(), [(SignalKind::TypingBurst, Severity::Medium)]);
    assert_eq!(signals(&fast.entries(), Facts::default(), &STANDARD).len(), 1, "one burst, not one per window");
    // 8 characters every 2 s: a quick but human 4 per second.
    let steady = (0..60).fold(Log::new(), |log, _| log.wait(2).typed(&code(8)));
    assert_eq!(steady.standard(), []);
    // A network drop: two minutes of typing arrive in one batch, which the
    // server's clock measures over the two minutes it took.
    let mut dropped = Log::new().wait(2).typed("a");
    dropped = dropped.wait(120);
    for _ in 0..40 {
        dropped = dropped.typed(&code(12));
    }
    assert_eq!(dropped.standard(), [], "a held-back batch is slow by the server's clock, not fast");
}

#[test]
fn time_away_counts_stretches_without_focus_or_visibility_once() {
    let long = Log::new()
        .event("focus_lost")
        .event("visibility_hidden")
        .wait(90)
        .event("visibility_visible")
        .event("focus_returned");
    let raised = signals(&long.entries(), Facts::default(), &STANDARD);
    assert_eq!(raised.iter().map(|s| s.kind).collect::<Vec<_>>(), [SignalKind::TimeAway]);
    assert!(raised[0].summary.contains("1 time(s), 90 s in all, 90 s at the longest"), "{}", raised[0].summary);
    let glances = (0..3).fold(Log::new(), |log, _| log.event("focus_lost").wait(5).event("focus_returned").wait(60));
    assert_eq!(glances.standard(), [], "three 5-second glances are 15 s");
    assert_eq!(glances.signals(Facts::default(), &LENIENT), []);
    let never_back = Log::new().event("focus_lost").wait(200).typed("a");
    assert_eq!(
        never_back.standard(),
        [(SignalKind::TimeAway, Severity::Medium)],
        "a stretch still open ends at the last item"
    );
}

#[test]
fn fullscreen_exits_count_only_when_the_exam_asks_for_fullscreen() {
    let exited = Log::new().event("fullscreen_exit").event("fullscreen_enter");
    assert_eq!(exited.standard(), []);
    let required = Facts { require_fullscreen: true, ..Facts::default() };
    assert_eq!(exited.signals(required, &STANDARD), [(SignalKind::FullscreenExit, Severity::Medium)]);
    assert_eq!(exited.signals(required, &LENIENT), [], "lenient waits for three exits");
}

#[test]
fn devtools_second_device_and_a_history_mismatch_are_raised_by_their_evidence() {
    let devtools = Log::new().push(json!({"kind": "devtools_shortcut", "data": {"key": "F12"}}), None);
    assert_eq!(devtools.standard(), [(SignalKind::Devtools, Severity::Medium)]);
    assert_eq!(devtools.signals(Facts::default(), &LENIENT), [], "lenient leaves devtools heuristics out");

    let refused = Facts { second_device_refusals: 2, ..Facts::default() };
    assert_eq!(Log::new().signals(refused, &STANDARD), [(SignalKind::SecondDevice, Severity::High)]);

    let q = QuestionId::generate();
    let mut mismatch = Log::new();
    mismatch.question = q;
    let mismatch = mismatch.typed("a").push(json!({"kind": "snapshot", "question_id": q, "code": "b"}), Some(false));
    assert_eq!(mismatch.signals(Facts::default(), &LENIENT), [(SignalKind::HistoryMismatch, Severity::High)]);

    let unexplained = Facts { history_explains_submission: Some(false), ..Facts::default() };
    assert_eq!(Log::new().typed("a").signals(unexplained, &STANDARD), [(SignalKind::HistoryMismatch, Severity::High)]);
    let explained = Facts { history_explains_submission: Some(true), ..Facts::default() };
    assert_eq!(Log::new().typed("a").signals(explained, &STANDARD), [], "a submission its history reproduces");
}

#[test]
fn long_offline_stretches_are_raised_and_a_short_drop_is_not() {
    let long = Log::new().event("network_offline").wait(400).typed("a").event("network_online");
    assert_eq!(long.standard(), [(SignalKind::Offline, Severity::Low)]);
    let short = Log::new().event("network_offline").wait(30).event("network_online");
    assert_eq!(short.standard(), []);
    assert_eq!(short.signals(Facts::default(), &STRICT), []);
}

#[test]
fn stricter_profiles_raise_earlier_and_never_less_severely() {
    let paste = |t: &Thresholds| t.large_paste.map(|r| (r.at, r.severity));
    let (lenient, standard, strict) = (paste(&LENIENT).unwrap(), paste(&STANDARD).unwrap(), paste(&STRICT).unwrap());
    assert!(lenient.0 >= standard.0 && standard.0 >= strict.0);
    assert!(lenient.1 <= standard.1 && standard.1 <= strict.1);
    let sudden = |t: &Thresholds| t.sudden_code.map(|r| r.at).unwrap();
    assert!(sudden(&LENIENT) >= sudden(&STANDARD) && sudden(&STANDARD) >= sudden(&STRICT));
    let away = |t: &Thresholds| t.time_away.map(|r| r.at.longest_seconds).unwrap();
    assert!(away(&LENIENT) >= away(&STANDARD) && away(&STANDARD) >= away(&STRICT));
    for kind in SignalKind::ALL {
        assert!(!kind.as_str().is_empty());
    }
}

#[test]
fn activity_counts_characters_typed_per_minute_by_arrival_and_the_latest_test_run() {
    let q = QuestionId::generate();
    let log = Log { question: q, items: Vec::new(), server: START }
        .typed("abc")
        .wait(30)
        .typed("de")
        .wait(60)
        .typed("fghij")
        .push(json!({"kind": "tests_run", "question_id": q, "data": {"outcomes": [true, false], "total": 2}}), None)
        .push(
            json!({"kind": "tests_run", "question_id": q, "data": {"outcomes": [true, true, true], "total": 3}}),
            None,
        );
    let until = START + Duration::seconds(120);
    assert_eq!(activity::per_minute(&log.entries(), until, 3), [3, 2, 5], "oldest first, the last ending at `until`");
    assert_eq!(activity::per_minute(&log.entries(), START + Duration::seconds(30), 1), [3 + 2]);
    assert_eq!(activity::latest_tests(&log.entries()), Some((3, 3)), "the latest run");
    assert_eq!(activity::latest_tests(&Log::new().typed("x").entries()), None);
    let notable: Vec<bool> = log.items.iter().map(|(item, _, _)| activity::may_raise_signal(item)).collect();
    assert_eq!(notable, [false, false, false, true, true], "small edits wait for the periodic look; events do not");
    let large = Log::new().typed(&"y".repeat(50));
    assert!(activity::may_raise_signal(&large.items[0].0), "a large change may be sudden code");
}
