//! One student's attempt as its staff read it: the student, each question's
//! code now, and the log of what happened, typed.

use serde::Serialize;
use serde_json::{Value, json};

use crate::domain::log_event::{ClipboardAction, Event, RunStatus};
use crate::domain::save_item::ItemBody;
use crate::domain::{QuestionId, Timestamp, UserId};
use crate::integrity::signals::away_stretches;
use crate::service::review::{self, AttemptCode};
use crate::store::attempts::log::LoggedItem;
use crate::store::audit::AuditRecord;
use crate::store::incidents::Incident;

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

/// One entry of the attempt's timeline: an item of its log (`source`
/// `log`), something the server itself recorded about it (`server`: its
/// start, a move, a refused browser, its submission), or an incident note
/// about the student or their section (`note`).
#[derive(Serialize)]
pub struct TimelineItem {
    source: &'static str,
    /// The log item's sequence number; `null` for the server's facts and notes.
    seq: Option<i64>,
    kind: String,
    question_id: Option<QuestionId>,
    /// The browser's estimate: shown, never evidence. `null` but for log items.
    client_at: Option<Timestamp>,
    /// When the server received or recorded it.
    server_at: Timestamp,
    /// For an edit or a snapshot: whether the server's copy matched.
    applied: Option<bool>,
    /// For an edit: the characters it inserted (UTF-16 units).
    inserted: Option<usize>,
    /// On the item that ended a stretch away from the exam page: its length,
    /// in seconds of the server's clock.
    away_seconds: Option<i64>,
    /// What it recorded.
    details: Value,
}

impl TimelineItem {
    /// The attempt's whole timeline: its log, with each stretch away from
    /// the page measured, the server's facts and the incident notes, in the
    /// order the server saw them.
    #[must_use]
    pub fn merged(logged: &[LoggedItem], facts: review::ServerFacts) -> Vec<Self> {
        let entries = crate::service::review::entries(logged);
        let mut log: Vec<Self> = logged.iter().map(Self::from).collect();
        for (from, to) in away_stretches(&entries) {
            log[to].away_seconds = Some((entries[to].server_at - entries[from].server_at).whole_seconds());
        }
        // The start first: the log's first items arrive in the same instant.
        let start =
            Self::server("attempt.start", Timestamp::from_time(facts.started_at), json!({ "outcome": "success" }));
        let mut items = vec![start];
        items.extend(log);
        items.extend(facts.audited.into_iter().filter_map(Self::audited));
        items.extend(facts.notes.into_iter().map(Self::note));
        // Stable: log items keep their order among themselves.
        items.sort_by_key(|item| item.server_at);
        items
    }

    fn audited(record: AuditRecord) -> Option<Self> {
        let at = Timestamp::parse(&record.at).ok()?;
        let event = record.event;
        let mut details = json!({ "by": event.actor_label, "outcome": event.outcome.as_str() });
        if let (Some(into), Value::Object(more)) = (details.as_object_mut(), event.details) {
            into.extend(more);
        }
        Some(Self::server(&event.action, at, details))
    }

    fn server(kind: &str, at: Timestamp, details: Value) -> Self {
        Self {
            source: "server",
            seq: None,
            kind: kind.to_owned(),
            question_id: None,
            client_at: None,
            server_at: at,
            applied: None,
            inserted: None,
            away_seconds: None,
            details,
        }
    }

    fn note(note: Incident) -> Self {
        let Incident { note: text, made_by_name, made_at, student, .. } = note;
        Self {
            source: "note",
            seq: None,
            kind: "incident_note".to_owned(),
            question_id: None,
            client_at: None,
            server_at: made_at,
            applied: None,
            inserted: None,
            away_seconds: None,
            details: json!({ "note": text, "by": made_by_name, "whole_section": student.is_none() }),
        }
    }
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
            source: "log",
            seq: Some(item.seq),
            kind: item.kind.as_str().to_owned(),
            question_id: item.question_id,
            client_at: Some(Timestamp::from_time(item.client_at)),
            server_at: logged.server_at,
            applied: logged.applied,
            inserted,
            away_seconds: None,
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
