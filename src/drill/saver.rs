//! One browser's autosave queue, as `assets/src/exam/autosave.ts` keeps it
//! (docs/autosave.md): every edit a CodeMirror change set made with the
//! domain's [`ChangeSet`], every item kept as the exact JSON text sent and
//! chained with [`chain_next`], a snapshot every 100 edits or 60 s, batches
//! of at most 500 items and 256 KiB carrying the commitment to the whole
//! queue. It also remembers the code after each item the server has not
//! acknowledged yet, so the read-back can tell what the server must hold.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::time::Instant;

use crate::clock::{Clock, SystemClock};
use crate::domain::Timestamp;
use crate::domain::autosave::{ChainHash, MAX_BATCH_ITEMS, chain_next};
use crate::domain::changeset::{ChangeSet, utf16_len};

/// A batch holds at most this many bytes beyond its first item (the browser's bound).
const MAX_BATCH_BYTES: usize = 256 * 1024;
/// A question's whole code goes along after this many edits…
const SNAPSHOT_EVERY_EDITS: u32 = 100;
/// …or this long after the first edit since the last snapshot.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(60);

/// SHA-256 of an answer's code.
pub type CodeHash = [u8; 32];

/// The code's hash, as receipts give it (lowercase hex of SHA-256 of the UTF-8).
#[must_use]
pub fn code_hash(code: &str) -> CodeHash {
    Sha256::digest(code.as_bytes()).into()
}

/// An item as the browser writes it (`itemText`): these fields, in this order.
#[derive(Serialize)]
struct ItemText<'a> {
    seq: i64,
    kind: &'a str,
    question_id: Option<&'a str>,
    client_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
}

/// A batch to send.
#[derive(Debug, Clone)]
pub struct Batch {
    /// `{"items":[…],"commit":{…}}`.
    pub body: String,
    /// How many items it carries.
    pub items: usize,
}

/// The queue of one attempt on one computer.
#[derive(Debug)]
pub struct Saver {
    question: String,
    /// The last item queued, and the chain after it.
    seq: i64,
    chain: ChainHash,
    /// Items the server has not dealt with, as sent.
    queue: VecDeque<(i64, String)>,
    processed: i64,
    acked: i64,
    code: String,
    /// The cursor, as a byte offset of `code` (always a character boundary).
    cursor: usize,
    since_snapshot: Option<(u32, Instant)>,
    /// The code's hash after each item from the last acknowledged one on.
    history: VecDeque<(i64, CodeHash)>,
    /// The server's clock minus this computer's, in milliseconds.
    clock_offset_ms: i64,
    item_limit: usize,
}

impl Saver {
    /// The queue of a binding: `next_seq` and `chain` from start, the
    /// question and its code as the server sent them.
    #[must_use]
    pub fn new(question: String, code: String, next_seq: i64, chain: ChainHash, server_now: OffsetDateTime) -> Self {
        let seq = next_seq - 1;
        let mut history = VecDeque::new();
        history.push_back((seq, code_hash(&code)));
        let clock_offset_ms = offset_ms(server_now, SystemClock.now(), SystemClock.now());
        Self {
            question,
            seq,
            chain,
            queue: VecDeque::new(),
            processed: seq,
            acked: seq,
            cursor: code.len(),
            code,
            since_snapshot: None,
            history,
            clock_offset_ms,
            item_limit: MAX_BATCH_ITEMS,
        }
    }

    /// The server's time now, as far as this computer can tell.
    #[must_use]
    pub fn server_now(&self) -> OffsetDateTime {
        SystemClock.now() + time::Duration::milliseconds(self.clock_offset_ms)
    }

    /// Learns the server's clock from an answer read between `sent` and `received`.
    pub fn learn_time(&mut self, server_now: OffsetDateTime, sent: OffsetDateTime, received: OffsetDateTime) {
        self.clock_offset_ms = offset_ms(server_now, sent, received);
    }

    /// The last sequence number queued (what a submission waits for).
    #[must_use]
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The highest sequence number the server acknowledged as durable.
    #[must_use]
    pub fn acked(&self) -> i64 {
        self.acked
    }

    /// Whether items wait to be sent.
    #[must_use]
    pub fn pending(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The code as this browser has it.
    #[cfg(test)]
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// How many lines the code has.
    #[must_use]
    pub fn lines(&self) -> usize {
        self.code.lines().count()
    }

    /// The code's hash after each item from the last acknowledged one on.
    #[must_use]
    pub fn history(&self) -> Vec<(i64, CodeHash)> {
        self.history.iter().copied().collect()
    }

    fn queue_item(&mut self, kind: &str, question: bool, changes: Option<Value>, code: bool, data: Option<Value>) {
        self.seq += 1;
        let text = ItemText {
            seq: self.seq,
            kind,
            question_id: question.then_some(self.question.as_str()),
            client_at: Timestamp::from_time(self.server_now()).to_string(),
            changes,
            code: code.then_some(self.code.as_str()),
            data,
        };
        let raw = serde_json::to_string(&text).unwrap_or_default();
        self.chain = chain_next(&self.chain, raw.as_bytes());
        self.queue.push_back((self.seq, raw));
        let hash = if kind == "edit" { code_hash(&self.code) } else { self.history.back().map_or([0; 32], |h| h.1) };
        self.history.push_back((self.seq, hash));
    }

    /// Replaces `deleted_bytes` before the cursor with `inserted`, as one
    /// editor transaction, and queues its change set (and a snapshot when one is due).
    fn edit(&mut self, deleted_bytes: usize, inserted: &str) {
        let from = self.cursor - deleted_bytes;
        let at = utf16_len(&self.code[..from]);
        let deleted = utf16_len(&self.code[from..self.cursor]);
        let Ok(change) = ChangeSet::replace(utf16_len(&self.code), at, deleted, inserted) else { return };
        let Ok(code) = change.apply(&self.code) else { return };
        self.code = code;
        self.cursor = from + inserted.len();
        self.queue_item("edit", true, Some(change.to_json()), false, None);
        let (edits, since) = self.since_snapshot.get_or_insert((0, Instant::now()));
        *edits += 1;
        if *edits >= SNAPSHOT_EVERY_EDITS || since.elapsed() >= SNAPSHOT_EVERY {
            self.snapshot();
        }
    }

    /// Types `text` at the cursor.
    pub fn insert(&mut self, text: &str) {
        self.edit(0, text);
    }

    /// Deletes the character before the cursor, if any.
    pub fn backspace(&mut self) {
        if let Some(c) = self.code[..self.cursor].chars().next_back() {
            self.edit(c.len_utf8(), "");
        }
    }

    /// Moves the cursor to the end of line `line` (0-based), or of the code.
    pub fn cursor_to(&mut self, line: Option<usize>) {
        let end = line.and_then(|n| self.code.match_indices('\n').nth(n).map(|(at, _)| at));
        self.cursor = end.unwrap_or(self.code.len());
    }

    /// Queues the question's whole code.
    pub fn snapshot(&mut self) {
        self.since_snapshot = None;
        self.queue_item("snapshot", true, None, true, None);
    }

    /// Snapshots the question if it was edited since its last snapshot (before a submission).
    pub fn snapshot_edited(&mut self) {
        if self.since_snapshot.is_some_and(|(edits, _)| edits > 0) {
            self.snapshot();
        }
    }

    /// Queues an integrity event; `on_question` for a paste, a copy, a run.
    pub fn event(&mut self, kind: &str, on_question: bool, data: Value) {
        self.queue_item(kind, on_question, None, false, Some(data));
    }

    /// The commitment to the whole queue.
    fn commitment(&self) -> String {
        format!("{{\"seq\":{},\"hash\":\"{}\"}}", self.seq, hex::encode(self.chain))
    }

    /// The next batch: the first items not dealt with, at most 500 and
    /// 256 KiB (at least one); empty for a heartbeat when none wait.
    #[must_use]
    pub fn batch(&self) -> Batch {
        let mut body = String::from("{\"items\":[");
        let (mut items, mut bytes) = (0, 0);
        for (_, raw) in self.queue.iter().take(self.item_limit) {
            if items > 0 && bytes + raw.len() > MAX_BATCH_BYTES {
                break;
            }
            if items > 0 {
                body.push(',');
            }
            body.push_str(raw);
            items += 1;
            bytes += raw.len();
        }
        body.push_str("],\"commit\":");
        body.push_str(&self.commitment());
        body.push('}');
        Batch { body, items }
    }

    /// The server dealt with every item up to `processed`, and holds every
    /// item up to `acked` durably: forget them, and the history before `acked`.
    pub fn dealt_with(&mut self, processed: i64, acked: i64) {
        self.processed = self.processed.max(processed);
        self.acked = self.acked.max(acked);
        self.item_limit = (self.item_limit * 2).min(MAX_BATCH_ITEMS);
        while self.queue.front().is_some_and(|(seq, _)| *seq <= self.processed) {
            self.queue.pop_front();
        }
        while self.history.len() > 1 && self.history.get(1).is_some_and(|(seq, _)| *seq <= self.acked) {
            self.history.pop_front();
        }
    }

    /// A batch of `sent` items was refused as too large: send half as many.
    /// False when a single item is too large (nothing can fix it here).
    pub fn too_large(&mut self, sent: usize) -> bool {
        self.item_limit = (sent / 2).max(1);
        sent > 1
    }

    /// Where the server stands after a refused gap (`acked_seq`): true when
    /// the queue can continue from there, false when this computer no
    /// longer holds what the server lacks.
    pub fn resend_from(&mut self, acked: i64) -> bool {
        if acked > self.processed {
            self.dealt_with(acked, acked);
            return true;
        }
        false
    }
}

/// The server's clock minus this computer's, read halfway through the round trip.
fn offset_ms(server_now: OffsetDateTime, sent: OffsetDateTime, received: OffsetDateTime) -> i64 {
    let trip: time::Duration = received - sent;
    let offset: time::Duration = server_now - (sent + trip / 2);
    i64::try_from(offset.whole_milliseconds()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::autosave::chain_start;
    use crate::domain::save_item::{ItemBody, SaveItem};
    use crate::domain::{AttemptId, QuestionId};

    fn saver(question: QuestionId) -> Saver {
        let chain = chain_start(AttemptId::generate());
        Saver::new(question.to_string(), "def f():\n".to_owned(), 1, chain, SystemClock.now())
    }

    #[test]
    fn the_server_rebuilds_the_typed_code_from_the_queue_and_the_chain_commits_to_it() {
        let question = QuestionId::generate();
        let mut saver = saver(question);
        let start = saver.chain;
        saver.insert("    return 1");
        saver.backspace();
        saver.insert("2 # é 🙂");
        saver.cursor_to(Some(0));
        saver.insert(" # top");
        saver.event("paste", true, serde_json::json!({ "size": 1, "text": "x" }));
        saver.event("focus_lost", false, serde_json::json!({}));
        saver.snapshot();
        let batch = saver.batch();
        let body: Value = serde_json::from_str(&batch.body).expect("JSON");
        let sent = body["items"].as_array().expect("items");
        assert_eq!((batch.items, sent.len()), (7, 7), "four edits, two events, a snapshot");
        let (mut rebuilt, mut chain) = ("def f():\n".to_owned(), start);
        for (seq, raw) in &saver.queue {
            chain = chain_next(&chain, raw.as_bytes());
            let item = SaveItem::parse(raw, &[question]).expect("the server parses every item");
            assert_eq!(item.seq, *seq);
            match item.body {
                ItemBody::Edit(change) => rebuilt = change.apply(&rebuilt).expect("applies"),
                ItemBody::Snapshot(code) => assert_eq!(code, rebuilt, "the snapshot is the rebuilt code"),
                ItemBody::Event(_) => {}
            }
        }
        assert_eq!(rebuilt, "def f(): # top\n    return 2 # é 🙂");
        assert_eq!(rebuilt, saver.code());
        assert_eq!(body["commit"]["seq"], saver.seq());
        assert_eq!(body["commit"]["hash"], hex::encode(chain));
    }

    #[test]
    fn acknowledged_items_leave_the_queue_and_the_history_keeps_the_code_from_the_ack_on() {
        let mut saver = saver(QuestionId::generate());
        for c in "abcdef".chars() {
            saver.insert(&c.to_string());
        }
        saver.dealt_with(4, 4);
        assert_eq!(saver.batch().items, 2);
        let history = saver.history();
        assert_eq!(history.iter().map(|h| h.0).collect::<Vec<_>>(), vec![4, 5, 6]);
        assert_eq!(history[2].1, code_hash(saver.code()));
        assert_eq!(history[0].1, code_hash("def f():\nabcd"));
        assert!(!saver.resend_from(3), "the server lacks what this computer dropped");
        assert!(saver.resend_from(5));
        assert_eq!(saver.batch().items, 1);
        saver.dealt_with(6, 6);
        assert!(!saver.pending() && saver.batch().items == 0, "an empty batch is a heartbeat");
    }

    #[test]
    fn a_snapshot_follows_every_hundredth_edit() {
        let mut saver = saver(QuestionId::generate());
        for _ in 0..250 {
            saver.insert("x");
        }
        let snapshots = saver.queue.iter().filter(|(_, raw)| raw.contains("\"kind\":\"snapshot\"")).count();
        assert_eq!(snapshots, 2);
        assert_eq!(saver.seq(), 252);
    }
}
