//! A student's browser as the save protocol sees it (docs/autosave.md): the
//! binding, a queue of items kept as their exact JSON text, the chain over
//! them, and the code of each question, from which change sets are made the
//! way the editor makes them. Tests drive the real server with it.

use std::collections::HashMap;

use examhall::domain::autosave::{ChainHash, chain_next};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::people::{Caller, World};

/// One browser bound to one attempt.
pub struct ExamClient {
    pub caller: Caller,
    pub base: String,
    pub secret: String,
    pub attempt: String,
    /// The last item queued: its sequence number and the chain after it.
    pub seq: i64,
    pub chain: ChainHash,
    /// Queued items not yet dealt with by the server, as sent.
    pub queue: Vec<(i64, String)>,
    /// Each question's code as this browser has it.
    pub codes: HashMap<String, String>,
    pub view: Value,
}

/// A client time stamp: the server never takes it as evidence.
pub const AT: &str = "2026-06-01T09:30:00Z";

fn chain_of(hex_text: &str) -> ChainHash {
    hex::decode(hex_text).unwrap().try_into().unwrap()
}

impl ExamClient {
    /// Starts (or, once staff allowed a move, takes over) the attempt at `exam`.
    pub async fn start(app: &TestApp, caller: &Caller, exam: &str) -> Self {
        let response = app.as_(caller).start(exam).await;
        Self::started(caller, exam, response).await
    }

    /// Takes the attempt at `exam` over on another computer, with the move code staff issued.
    pub async fn moved(app: &TestApp, caller: &Caller, exam: &str, code: &str) -> Self {
        let response = app.as_(caller).start_moving(exam, code).await;
        Self::started(caller, exam, response).await
    }

    async fn started(caller: &Caller, exam: &str, response: reqwest::Response) -> Self {
        let base = format!("/api/v1/me/exams/{exam}");
        assert_eq!(response.status(), 201, "start");
        let view: Value = response.json().await.unwrap();
        let binding = &view["binding"];
        let mut codes = HashMap::new();
        for question in view["questions"].as_array().unwrap() {
            codes.insert(
                question["id"].as_str().unwrap().to_owned(),
                question["starter_code"].as_str().unwrap().to_owned(),
            );
        }
        for answer in view["answers"].as_array().unwrap() {
            codes.insert(
                answer["question_id"].as_str().unwrap().to_owned(),
                answer["code"].as_str().unwrap().to_owned(),
            );
        }
        Self {
            caller: caller.clone(),
            base,
            secret: binding["secret"].as_str().unwrap().to_owned(),
            attempt: view["attempt"]["id"].as_str().unwrap().to_owned(),
            seq: binding["next_seq"].as_i64().unwrap() - 1,
            chain: chain_of(binding["chain"].as_str().unwrap()),
            queue: Vec::new(),
            codes,
            view,
        }
    }

    /// The open exam of `w`, started by its student.
    pub async fn student(app: &TestApp, w: &World) -> Self {
        Self::start(app, &w.student, &w.open_exam.to_string()).await
    }

    /// The id of question `index` of the exam.
    pub fn question(&self, index: usize) -> String {
        self.view["questions"][index]["id"].as_str().unwrap().to_owned()
    }

    /// Queues an item with the next sequence number; returns its text.
    pub fn queue_item(&mut self, mut fields: Value) -> String {
        self.seq += 1;
        fields["seq"] = json!(self.seq);
        let raw = serde_json::to_string(&fields).unwrap();
        self.chain = chain_next(&self.chain, raw.as_bytes());
        self.queue.push((self.seq, raw.clone()));
        raw
    }

    /// Queues an edit that replaces `question`'s code with `code`, as one change set
    /// (keeping the common prefix, as the editor's minimal changes do).
    pub fn edit_to(&mut self, question: &str, code: &str) -> String {
        let old = self.codes.get(question).cloned().unwrap_or_default();
        let old16: Vec<u16> = old.encode_utf16().collect();
        let new16: Vec<u16> = code.encode_utf16().collect();
        let prefix = old16.iter().zip(&new16).take_while(|(a, b)| a == b).count();
        let inserted = String::from_utf16(&new16[prefix..]).unwrap();
        let mut changes = Vec::new();
        if prefix > 0 {
            changes.push(json!(prefix));
        }
        let deleted = old16.len() - prefix;
        let lines: Vec<&str> = inserted.split('\n').collect();
        let mut replace = vec![json!(deleted)];
        if !inserted.is_empty() {
            replace.extend(lines.iter().map(|line| json!(line)));
        }
        changes.push(Value::Array(replace));
        self.codes.insert(question.to_owned(), code.to_owned());
        self.queue_item(json!({ "kind": "edit", "question_id": question, "client_at": AT, "changes": changes }))
    }

    /// Types `text` at the end of `question`'s code, one edit per character.
    pub fn type_text(&mut self, question: &str, text: &str) {
        for c in text.chars() {
            let code = format!("{}{c}", self.codes.get(question).cloned().unwrap_or_default());
            self.edit_to(question, &code);
        }
    }

    /// Queues a snapshot of `question`'s code as this browser has it.
    pub fn snapshot(&mut self, question: &str) -> String {
        let code = self.codes.get(question).cloned().unwrap_or_default();
        self.queue_item(json!({ "kind": "snapshot", "question_id": question, "client_at": AT, "code": code }))
    }

    /// Queues an integrity event.
    pub fn event(&mut self, kind: &str, data: &Value) -> String {
        self.queue_item(json!({ "kind": kind, "client_at": AT, "data": data }))
    }

    /// Queues an event about `question` (a paste, a copy, a run), as the page does.
    pub fn event_on(&mut self, question: &str, kind: &str, data: &Value) -> String {
        self.queue_item(json!({ "kind": kind, "question_id": question, "client_at": AT, "data": data }))
    }

    /// The commitment to the whole queue.
    pub fn commitment(&self) -> Value {
        json!({ "seq": self.seq, "hash": hex::encode(self.chain) })
    }

    /// Posts `raws` with this browser's commitment, as the exam page does.
    pub async fn post_raw(&self, app: &TestApp, raws: &[String], commit: Option<Value>) -> reqwest::Response {
        let mut body = format!("{{\"items\":[{}]", raws.join(","));
        if let Some(commit) = commit {
            body.push_str(",\"commit\":");
            body.push_str(&commit.to_string());
        }
        body.push('}');
        self.post(app, "saves", body).await
    }

    /// Posts `body` to `<exam>/<path>` with the binding's secret.
    pub async fn post(&self, app: &TestApp, path: &str, body: String) -> reqwest::Response {
        app.client
            .post(app.url(&format!("{}/{path}", self.base)))
            .header("cookie", &self.caller.cookie)
            .header("x-csrf-token", &self.caller.csrf)
            .header("x-exam-secret", &self.secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Gets `<exam>/<path>` with the binding's secret.
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        app.client
            .get(app.url(&format!("{}/{path}", self.base)))
            .header("cookie", &self.caller.cookie)
            .header("x-exam-secret", &self.secret)
            .send()
            .await
            .unwrap()
    }

    /// Sends every queued item with the commitment; forgets what the server dealt with.
    pub async fn flush(&mut self, app: &TestApp) -> Value {
        let raws: Vec<String> = self.queue.iter().map(|(_, raw)| raw.clone()).collect();
        let response = self.post_raw(app, &raws, Some(self.commitment())).await;
        assert_eq!(response.status(), 200, "flush");
        let answer: Value = response.json().await.unwrap();
        let processed = answer["processed_seq"].as_i64().unwrap();
        self.queue.retain(|(seq, _)| *seq > processed);
        answer
    }

    /// Submits once the server holds everything queued here.
    pub async fn submit(&self, app: &TestApp) -> reqwest::Response {
        self.post(app, "submit", json!({ "seq": self.seq }).to_string()).await
    }
}
