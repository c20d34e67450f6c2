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
        let Details { item, text, size, width, height, outer, inner, key, url } = details;
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
        ];
        for (kind, data, expected) in cases {
            assert_eq!(Event::of(kind, Some(data)), Ok(expected), "{kind:?}");
        }
        assert_eq!(Event::of(LogKind::VisibilityHidden, None), Ok(Event::Visibility { hidden: true }));
    }

    #[test]
    fn details_of_the_wrong_type_are_refused_and_edits_are_not_events() {
        assert!(Event::of(LogKind::Resize, Some(json!({"width": "wide"}))).is_err());
        assert!(Event::of(LogKind::Paste, Some(json!({"size": -1}))).is_err());
        assert!(Event::of(LogKind::Edit, None).is_err());
        // Details a kind does not use are ignored, as an older page may send them.
        assert_eq!(Event::of(LogKind::FocusReturned, Some(json!({"extra": 1}))), Ok(Event::Focus { lost: false }));
    }
}
