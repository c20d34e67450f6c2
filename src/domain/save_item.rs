//! One item of a student's autosave queue, as it arrives: parsed from its
//! exact JSON text (kept, because the queue's chain is over that text) and
//! checked against every bound before anything is stored.
//!
//! Shapes (`docs/autosave.md`):
//! - `{"seq","kind":"edit","question_id","client_at","changes"}`: a CodeMirror change set;
//! - `{"seq","kind":"snapshot","question_id","client_at","code"}`: a question's whole code;
//! - any other kind: `{"seq","kind","question_id"?,"client_at","data"?}` with
//!   `data` a JSON object (the event's details).

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::autosave::{LogKind, MAX_ANSWER_UNITS, MAX_ITEM_BYTES};
use super::changeset::{ChangeSet, within_utf16_len};
use super::log_event::Event;
use super::{InvalidValue, QuestionId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    seq: i64,
    kind: LogKind,
    #[serde(default)]
    question_id: Option<QuestionId>,
    #[serde(with = "time::serde::rfc3339")]
    client_at: OffsetDateTime,
    #[serde(default)]
    changes: Option<Value>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    data: Option<Value>,
}

/// What an item carries beyond its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    /// An edit of a question's code.
    Edit(ChangeSet),
    /// A question's whole code.
    Snapshot(String),
    /// An event (or recovered work): details for people to read, never applied.
    Event(Event),
}

/// A checked queue item.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveItem {
    /// The client's sequence number, from 1 per attempt.
    pub seq: i64,
    /// What it records.
    pub kind: LogKind,
    /// The question it concerns (always for edits and snapshots).
    pub question_id: Option<QuestionId>,
    /// The client's estimate of the server's time: shown to people, never evidence.
    pub client_at: OffsetDateTime,
    /// What it carries.
    pub body: ItemBody,
    /// The exact JSON text received, stored and chained.
    pub raw: String,
}

impl SaveItem {
    /// Parses and checks one item's JSON text; `questions` are the exam's.
    ///
    /// # Errors
    /// What is wrong, naming the item's sequence number when it has one.
    pub fn parse(raw: &str, questions: &[QuestionId]) -> Result<Self, InvalidValue> {
        if raw.len() > MAX_ITEM_BYTES {
            return Err(InvalidValue(format!("an item is larger than {} KiB", MAX_ITEM_BYTES / 1024)));
        }
        let wire: Wire = serde_json::from_str(raw).map_err(|e| InvalidValue(format!("an item is malformed: {e}")))?;
        let seq = wire.seq;
        let invalid = |rule: &str| InvalidValue(format!("item {seq}: {rule}"));
        if seq < 1 {
            return Err(invalid("sequence numbers start at 1"));
        }
        if wire.question_id.is_some_and(|q| !questions.contains(&q)) {
            return Err(invalid("names a question of another exam"));
        }
        let body = match wire.kind {
            LogKind::Edit => {
                let (Some(changes), None, None, Some(_)) = (&wire.changes, &wire.code, &wire.data, wire.question_id)
                else {
                    return Err(invalid("an edit carries a question and its changes only"));
                };
                ItemBody::Edit(ChangeSet::from_json(changes).map_err(|e| invalid(&e.0))?)
            }
            LogKind::Snapshot => {
                let (None, Some(code), None, Some(_)) = (&wire.changes, wire.code, &wire.data, wire.question_id) else {
                    return Err(invalid("a snapshot carries a question and its code only"));
                };
                if !within_utf16_len(&code, MAX_ANSWER_UNITS) {
                    return Err(invalid("the code is longer than an answer may be"));
                }
                ItemBody::Snapshot(code)
            }
            _ => {
                if wire.changes.is_some() || wire.code.is_some() {
                    return Err(invalid("only edits and snapshots carry code"));
                }
                if wire.data.as_ref().is_some_and(|d| !d.is_object()) {
                    return Err(invalid("an event's data is an object"));
                }
                ItemBody::Event(Event::of(wire.kind, wire.data).map_err(|e| invalid(&e.0))?)
            }
        };
        Ok(Self {
            seq,
            kind: wire.kind,
            question_id: wire.question_id,
            client_at: wire.client_at,
            body,
            raw: raw.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question() -> QuestionId {
        QuestionId::parse("01900000-0000-7000-8000-00000000000a").expect("id")
    }

    fn parse(raw: &str) -> Result<SaveItem, InvalidValue> {
        SaveItem::parse(raw, &[question()])
    }

    #[test]
    fn edits_snapshots_and_events_parse_with_their_exact_text() {
        let q = question();
        let edit = format!(
            r#"{{"seq":1,"kind":"edit","question_id":"{q}","client_at":"2026-06-01T10:00:00Z","changes":[[0,"x"]]}}"#
        );
        let parsed = parse(&edit).expect("edit");
        assert!(matches!(parsed.body, ItemBody::Edit(_)));
        assert_eq!(parsed.raw, edit);
        let snapshot = format!(
            r#"{{"seq":2,"kind":"snapshot","question_id":"{q}","client_at":"2026-06-01T10:00:00Z","code":"x"}}"#
        );
        assert_eq!(parse(&snapshot).expect("snapshot").body, ItemBody::Snapshot("x".to_owned()));
        let event = r#"{"seq":3,"kind":"focus_lost","client_at":"2026-06-01T10:00:00Z","data":{}}"#;
        assert_eq!(parse(event).expect("event").body, ItemBody::Event(Event::Focus { lost: true }));
        let paste = r#"{"seq":4,"kind":"paste","client_at":"2026-06-01T10:00:00Z","data":{"size":2,"text":"hi"}}"#;
        let pasted = Event::Clipboard {
            action: crate::domain::log_event::ClipboardAction::Paste,
            text: "hi".to_owned(),
            size: 2,
        };
        assert_eq!(parse(paste).expect("paste").body, ItemBody::Event(pasted));
        let wrong = r#"{"seq":5,"kind":"resize","client_at":"2026-06-01T10:00:00Z","data":{"width":"wide"}}"#;
        assert!(parse(wrong).unwrap_err().0.starts_with("item 5: the details of a resize event"));
    }

    #[test]
    fn every_field_is_bounded_and_checked() {
        let q = question();
        let other = QuestionId::generate();
        let at = "2026-06-01T10:00:00Z";
        let bad = [
            format!(r#"{{"seq":0,"kind":"focus_lost","client_at":"{at}"}}"#),
            format!(r#"{{"seq":1,"kind":"made_up_kind","client_at":"{at}"}}"#),
            format!(r#"{{"seq":1,"kind":"edit","question_id":"{other}","client_at":"{at}","changes":[]}}"#),
            format!(r#"{{"seq":1,"kind":"edit","question_id":"{q}","client_at":"{at}"}}"#),
            format!(
                r#"{{"seq":1,"kind":"edit","question_id":"{q}","client_at":"{at}","changes":[[0,"x"]],"code":"x"}}"#
            ),
            format!(r#"{{"seq":1,"kind":"snapshot","question_id":"{q}","client_at":"{at}"}}"#),
            format!(r#"{{"seq":1,"kind":"paste","client_at":"{at}","data":"text"}}"#),
            format!(r#"{{"seq":1,"kind":"paste","client_at":"{at}","code":"x"}}"#),
            format!(r#"{{"seq":1,"kind":"paste","client_at":"{at}","extra":1}}"#),
            r#"{"seq":1,"kind":"paste","client_at":"yesterday"}"#.to_owned(),
            format!(
                r#"{{"seq":1,"kind":"snapshot","question_id":"{q}","client_at":"{at}","code":"{}"}}"#,
                "x".repeat(MAX_ANSWER_UNITS + 1)
            ),
            format!(
                r#"{{"seq":1,"kind":"paste","client_at":"{at}","data":{{"text":"{}"}}}}"#,
                "x".repeat(MAX_ITEM_BYTES)
            ),
        ];
        for raw in bad {
            assert!(parse(&raw).is_err(), "accepted: {}", &raw[..raw.len().min(120)]);
        }
    }
}
