//! One student's attempt as its staff read it: the student, each question's
//! code now, and the log of what happened, typed.

use serde::Serialize;
use serde_json::{Value, json};

use crate::domain::log_event::{ClipboardAction, Event, RunStatus};
use crate::domain::save_item::ItemBody;
use crate::domain::{QuestionId, Timestamp, UserId};
use crate::service::review::{self, AttemptCode};
use crate::store::attempts::log::LoggedItem;

/// The student and their code.
#[derive(Serialize)]
pub struct Code {
    user_id: UserId,
    display_name: String,
    email: String,
    answers: Vec<Answer>,
}

#[derive(Serialize)]
struct Answer {
    question_id: QuestionId,
    code: String,
}

impl From<AttemptCode> for Code {
    fn from(code: AttemptCode) -> Self {
        Self {
            user_id: code.student.id,
            display_name: code.student.display_name,
            email: code.student.email,
            answers: code.answers.into_iter().map(|(question_id, code)| Answer { question_id, code }).collect(),
        }
    }
}

/// One item of the attempt's log.
#[derive(Serialize)]
pub struct TimelineItem {
    seq: i64,
    kind: &'static str,
    question_id: Option<QuestionId>,
    /// The browser's estimate: shown, never evidence.
    client_at: Timestamp,
    /// When the server received it.
    server_at: Timestamp,
    /// For an edit or a snapshot: whether the server's copy matched.
    applied: Option<bool>,
    /// For an edit: the characters it inserted (UTF-16 units).
    inserted: Option<usize>,
    /// For an event: what it recorded.
    details: Value,
}

fn clipboard(action: ClipboardAction) -> &'static str {
    match action {
        ClipboardAction::Paste => "paste",
        ClipboardAction::Copy => "copy",
        ClipboardAction::Cut => "cut",
    }
}

fn run_status(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Ok => "ok",
        RunStatus::Error => "error",
        RunStatus::Interrupted => "interrupted",
    }
}

/// What an event recorded, as JSON for people to read.
fn details(event: &Event) -> Value {
    match event {
        Event::Recovered { item } => json!({ "item": item }),
        Event::Clipboard { action, text, size } => json!({ "action": clipboard(*action), "text": text, "size": size }),
        Event::Focus { lost } => json!({ "lost": lost }),
        Event::Visibility { hidden } => json!({ "hidden": hidden }),
        Event::Fullscreen { exited } => json!({ "exited": exited }),
        Event::Resize { width, height } => json!({ "width": width, "height": height }),
        Event::Devtools { suspected, outer, inner } => {
            json!({ "suspected": suspected, "outer": outer, "inner": inner })
        }
        Event::DevtoolsShortcut { key } => json!({ "key": key }),
        Event::Network { offline } => json!({ "offline": offline }),
        Event::Reload { url } => json!({ "url": url }),
        Event::Run { status, ms } => json!({ "status": run_status(*status), "ms": ms }),
        Event::TestsRun { outcomes, total, stopped } => {
            json!({ "outcomes": outcomes, "total": total, "stopped": stopped, "passed": event.tests_passed() })
        }
    }
}

impl From<&LoggedItem> for TimelineItem {
    fn from(logged: &LoggedItem) -> Self {
        let item = &logged.item;
        let (inserted, details) = match &item.body {
            ItemBody::Edit(changes) => (Some(changes.inserted_len()), Value::Null),
            ItemBody::Snapshot(_) => (None, Value::Null),
            ItemBody::Event(event) => (None, details(event)),
        };
        Self {
            seq: item.seq,
            kind: item.kind.as_str(),
            question_id: item.question_id,
            client_at: Timestamp::from_time(item.client_at),
            server_at: logged.server_at,
            applied: logged.applied,
            inserted,
            details,
        }
    }
}

/// What replaying an attempt needs.
#[derive(Serialize)]
pub struct Replay {
    questions: Vec<QuestionReplay>,
    /// The log sequence number the first submission was frozen at, if submitted.
    submitted_at_seq: Option<i64>,
}

#[derive(Serialize)]
struct QuestionReplay {
    question_id: QuestionId,
    title: String,
    starter_code: String,
    edits: Vec<ReplayEdit>,
    /// The question's code in the first submission, if submitted.
    submitted: Option<String>,
}

#[derive(Serialize)]
struct ReplayEdit {
    seq: i64,
    server_at: Timestamp,
    /// `ChangeSet.toJSON()`, as the browser sent it.
    changes: Value,
}

impl From<review::Replay> for Replay {
    fn from(replay: review::Replay) -> Self {
        let questions = replay
            .questions
            .into_iter()
            .map(|q| QuestionReplay {
                question_id: q.question_id,
                title: q.title,
                starter_code: q.starter_code,
                edits: q
                    .edits
                    .into_iter()
                    .map(|(seq, server_at, changes)| ReplayEdit { seq, server_at, changes })
                    .collect(),
                submitted: q.submitted,
            })
            .collect();
        Self { questions, submitted_at_seq: replay.submitted_at_seq }
    }
}
