//! What an event of a student's log records, typed per kind: the details
//! each kind carries (`docs/autosave.md`), read from the item's `data`.
//! None of it is evidence of anything by itself; the integrity evidence
//! built on it is for people to read.

use serde::Deserialize;
use serde_json::Value;

use super::InvalidValue;
use super::autosave::LogKind;

/// An event of the log (every kind but edits and snapshots), with its details.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Work of an earlier binding of this attempt found on this computer.
    Recovered {
        /// The item as that binding queued it.
        item: Value,
    },
    /// Text moved through the clipboard: pasted into, or copied or cut from, the editor.
    Clipboard {
        /// Paste, copy or cut.
        action: ClipboardAction,
        /// The text.
        text: String,
        /// Its length as the browser counted it (UTF-16 units).
        size: u64,
    },
    /// The window lost focus (`true`) or got it back.
    Focus {
        /// Lost rather than returned.
        lost: bool,
    },
    /// The page was hidden (`true`) or shown again.
    Visibility {
        /// Hidden rather than shown.
        hidden: bool,
    },
    /// Fullscreen was left (`true`) or entered.
    Fullscreen {
        /// Left rather than entered.
        exited: bool,
    },
    /// The window changed size.
    Resize {
        /// Its inner width, in CSS pixels.
        width: u32,
        /// Its inner height.
        height: u32,
    },
    /// Docked developer tools suspected from the window's sizes (`true`), or
    /// that suspicion ended.
    Devtools {
        /// Suspected rather than cleared.
        suspected: bool,
        /// The window's outer width and height.
        outer: [u32; 2],
        /// Its inner width and height.
        inner: [u32; 2],
    },
    /// A keyboard shortcut that opens developer tools.
    DevtoolsShortcut {
        /// The key pressed with the modifiers.
        key: String,
    },
    /// The browser went offline (`true`) or came back.
    Network {
        /// Offline rather than online.
        offline: bool,
    },
    /// The exam page was loaded again.
    Reload {
        /// The page's path.
        url: String,
    },
    /// The student ran their program in the browser.
    Run {
        /// How the run ended.
        status: RunStatus,
        /// How long it ran, in milliseconds, as the browser measured it.
        ms: u64,
    },
    /// The student ran the question's visible tests in the browser.
    TestsRun {
        /// Whether each test that ran passed, in the question's order.
        outcomes: Vec<bool>,
        /// How many visible tests the question has.
        total: u32,
        /// Stopped before every test ran.
        stopped: bool,
    },
}

/// How a program the student ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// It finished.
    Ok,
    /// It raised an error.
    Error,
    /// The student stopped it (or its time ran out).
    Interrupted,
}

impl Event {
    /// How many of the visible tests passed, for a [`Event::TestsRun`].
    #[must_use]
    pub fn tests_passed(&self) -> Option<usize> {
        match self {
            Self::TestsRun { outcomes, .. } => Some(outcomes.iter().filter(|&&passed| passed).count()),
            _ => None,
        }
    }
}

/// What happened through the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardAction {
    /// Pasted into the editor.
    Paste,
    /// Copied from it.
    Copy,
    /// Cut from it.
    Cut,
}

/// The most test outcomes one `tests_run` event carries: more visible
/// tests than any question has, and a bound on what a made-up event holds.
pub const MAX_TESTS_RUN: usize = 1_000;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Details {
    item: Option<Value>,
    text: Option<String>,
    size: Option<u64>,
    width: Option<u32>,
    height: Option<u32>,
    outer: Option<[u32; 2]>,
    inner: Option<[u32; 2]>,
    key: Option<String>,
    url: Option<String>,
    status: Option<RunStatus>,
    ms: Option<u64>,
    outcomes: Option<Vec<bool>>,
    total: Option<u32>,
    stopped: Option<bool>,
}

impl Event {
    /// The event of `kind` with the details in `data` (a JSON object, or
    /// nothing). Details a kind does not use are ignored; a missing one is
    /// empty or zero, as a browser may not know it.
    ///
    /// # Errors
    /// For an edit or a snapshot (not events), or details of the wrong type.
    pub fn of(kind: LogKind, data: Option<Value>) -> Result<Self, InvalidValue> {
        let details: Details = match data {
            None => Details::default(),
            Some(data) => serde_json::from_value(data)
                .map_err(|e| InvalidValue(format!("the details of a {} event: {e}", kind.as_str())))?,
        };
        let Details { item, text, size, width, height, outer, inner, key, url, status, ms, outcomes, total, stopped } =
            details;
        let clipboard = |action| Self::Clipboard { action, text: text.unwrap_or_default(), size: size.unwrap_or(0) };
        let devtools = |suspected| Self::Devtools {
            suspected,
            outer: outer.unwrap_or_default(),
            inner: inner.unwrap_or_default(),
        };
        Ok(match kind {
            LogKind::Edit | LogKind::Snapshot => {
                return Err(InvalidValue("edits and snapshots are not events".to_owned()));
            }
            LogKind::Recovered => Self::Recovered { item: item.unwrap_or(Value::Null) },
            LogKind::Paste => clipboard(ClipboardAction::Paste),
            LogKind::Copy => clipboard(ClipboardAction::Copy),
            LogKind::Cut => clipboard(ClipboardAction::Cut),
            LogKind::FocusLost => Self::Focus { lost: true },
            LogKind::FocusReturned => Self::Focus { lost: false },
            LogKind::VisibilityHidden => Self::Visibility { hidden: true },
            LogKind::VisibilityVisible => Self::Visibility { hidden: false },
            LogKind::FullscreenExit => Self::Fullscreen { exited: true },
            LogKind::FullscreenEnter => Self::Fullscreen { exited: false },
            LogKind::Resize => Self::Resize { width: width.unwrap_or(0), height: height.unwrap_or(0) },
            LogKind::DevtoolsSuspected => devtools(true),
            LogKind::DevtoolsCleared => devtools(false),
            LogKind::DevtoolsShortcut => Self::DevtoolsShortcut { key: key.unwrap_or_default() },
            LogKind::NetworkOffline => Self::Network { offline: true },
            LogKind::NetworkOnline => Self::Network { offline: false },
            LogKind::Reload => Self::Reload { url: url.unwrap_or_default() },
            LogKind::Run => Self::Run {
                status: status.ok_or_else(|| InvalidValue("a run event says how the run ended".to_owned()))?,
                ms: ms.unwrap_or(0),
            },
            LogKind::TestsRun => {
                let outcomes = outcomes.unwrap_or_default();
                if outcomes.len() > MAX_TESTS_RUN {
                    return Err(InvalidValue(format!("a tests_run event holds at most {MAX_TESTS_RUN} outcomes")));
                }
                Self::TestsRun { outcomes, total: total.unwrap_or(0), stopped: stopped.unwrap_or(false) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_kind_reads_the_details_the_exam_page_sends() {
        let cases = [
            (
                LogKind::Paste,
                json!({"size": 5, "text": "hello"}),
                Event::Clipboard { action: ClipboardAction::Paste, text: "hello".to_owned(), size: 5 },
            ),
            (LogKind::Resize, json!({"width": 800, "height": 600}), Event::Resize { width: 800, height: 600 }),
            (
                LogKind::DevtoolsSuspected,
                json!({"outer": [1280, 800], "inner": [900, 800]}),
                Event::Devtools { suspected: true, outer: [1280, 800], inner: [900, 800] },
            ),
            (LogKind::DevtoolsShortcut, json!({"key": "I"}), Event::DevtoolsShortcut { key: "I".to_owned() }),
            (LogKind::Reload, json!({"url": "/exam/x"}), Event::Reload { url: "/exam/x".to_owned() }),
            (LogKind::FocusLost, json!({}), Event::Focus { lost: true }),
            (LogKind::NetworkOnline, json!({}), Event::Network { offline: false }),
            (LogKind::Recovered, json!({"item": {"seq": 3}}), Event::Recovered { item: json!({"seq": 3}) }),
            (LogKind::Run, json!({"status": "error", "ms": 12}), Event::Run { status: RunStatus::Error, ms: 12 }),
            (
                LogKind::TestsRun,
                json!({"outcomes": [true, false], "total": 3, "stopped": true}),
                Event::TestsRun { outcomes: vec![true, false], total: 3, stopped: true },
            ),
        ];
        for (kind, data, expected) in cases {
            assert_eq!(Event::of(kind, Some(data)), Ok(expected), "{kind:?}");
        }
        assert_eq!(Event::of(LogKind::VisibilityHidden, None), Ok(Event::Visibility { hidden: true }));
        let tests = Event::of(LogKind::TestsRun, Some(json!({"outcomes": [true, false, true], "total": 3})));
        assert_eq!(tests.expect("tests_run").tests_passed(), Some(2));
    }

    #[test]
    fn details_of_the_wrong_type_are_refused_and_edits_are_not_events() {
        assert!(Event::of(LogKind::Resize, Some(json!({"width": "wide"}))).is_err());
        assert!(Event::of(LogKind::Paste, Some(json!({"size": -1}))).is_err());
        assert!(Event::of(LogKind::Edit, None).is_err());
        assert!(Event::of(LogKind::Run, Some(json!({"ms": 3}))).is_err(), "a run says how it ended");
        assert!(Event::of(LogKind::Run, Some(json!({"status": "won"}))).is_err());
        let too_many = json!({"outcomes": vec![true; MAX_TESTS_RUN + 1], "total": 1});
        assert!(Event::of(LogKind::TestsRun, Some(too_many)).is_err());
        // Details a kind does not use are ignored, as an older page may send them.
        assert_eq!(Event::of(LogKind::FocusReturned, Some(json!({"extra": 1}))), Ok(Event::Focus { lost: false }));
    }
}
