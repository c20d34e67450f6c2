//! The sitting: one student at the keyboard while the page saves
//! ([`super::sender`]), as the exam page does (`TakeScreen.tsx`): typing
//! until they hand in (a snapshot, everything saved, `{seq}` to submit) or,
//! for students who leave it to the deadline, until the timer ends (the last
//! flush, then the receipt the deadline made); losing the network once if
//! it is their turn.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::api::{Api, Request, gave_up};
use super::saver::{CodeHash, Saver};
use super::sender::{Sender, parse_time};
use super::stats::Kind;
use super::typing::{Act, BACK_TO_END, Typist};
use super::{Shared, in_share};

/// How often the page's timer ticks (and looks whether a heartbeat is due).
const TICK: Duration = Duration::from_secs(1);
/// Manual submissions come no later than this before the deadline.
const SUBMIT_BEFORE_DEADLINE: Duration = Duration::from_secs(4);
/// How often a receipt is asked for after the deadline (the browser asks
/// five times, 1.5 s apart; a server that is restarting gets longer).
const RECEIPT_TRIES: u32 = 12;

/// What a student did, for the read-back.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Their account.
    pub user: Option<String>,
    /// Their attempt, once started.
    pub attempt: Option<String>,
    /// The highest sequence number the server acknowledged.
    pub acked: i64,
    /// The code's hash after each item from the acknowledged one on.
    pub history: Vec<(i64, CodeHash)>,
    /// Handed in by themselves (the server's receipt says so).
    pub submitted_by_student: bool,
    /// Left to the automatic submission at the deadline.
    pub left_to_deadline: bool,
}

/// What the student does next at the keyboard.
enum Next {
    Act(Act),
    FocusBack,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Typing,
    /// Waiting for the queue to be saved, then submitting.
    SettlingToSubmit,
    /// After the deadline: the last flush, then the receipt.
    SettlingToReceipt,
}

struct Sitting<'a> {
    shared: &'a Shared,
    saver: Saver,
    sender: Sender,
    typist: Typist,
    phase: Phase,
    next: (Instant, Next),
    next_tick: Instant,
    outage: Option<(Instant, Instant)>,
    offline: bool,
    submit_at: Option<Instant>,
}

/// Sits the exam started with `view`; fills `outcome` as it goes.
pub async fn sit(shared: &Shared, index: usize, api: Api, view: &Value, outcome: &mut Outcome) {
    let Some(mut sitting) = Sitting::new(shared, index, api, view, outcome.left_to_deadline) else {
        shared.stats.error("start view", format!("a start answer the drill cannot read: {view}"));
        return;
    };
    shared.stats.typing.fetch_add(1, Ordering::Relaxed);
    let submitted = sitting.run().await;
    if sitting.phase == Phase::Typing {
        shared.stats.typing.fetch_sub(1, Ordering::Relaxed);
    }
    if sitting.offline {
        shared.stats.offline.fetch_sub(1, Ordering::Relaxed);
    }
    shared.stats.done.fetch_add(1, Ordering::Relaxed);
    outcome.acked = sitting.saver.acked();
    outcome.history = sitting.saver.history();
    outcome.submitted_by_student = submitted == Some(true);
    if submitted.is_some() {
        shared.stats.submitted.fetch_add(1, Ordering::Relaxed);
    }
}

impl<'a> Sitting<'a> {
    fn new(shared: &'a Shared, index: usize, api: Api, view: &Value, to_deadline: bool) -> Option<Self> {
        let binding = &view["binding"];
        let chain: [u8; 32] = hex::decode(binding["chain"].as_str()?).ok()?.try_into().ok()?;
        let question = shared.exam.question.clone();
        let code = view["answers"]
            .as_array()
            .and_then(|answers| answers.iter().find(|a| a["question_id"] == question.as_str()))
            .map_or(&view["questions"][0]["starter_code"], |answer| &answer["code"])
            .as_str()?
            .to_owned();
        let saver = Saver::new(question, code, binding["next_seq"].as_i64()?, chain, parse_time(&view["server_now"])?);
        let plan = &shared.plan;
        let mut typist = Typist::new(plan.seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let now = Instant::now();
        let left = shared.deadline.saturating_duration_since(now);
        let rng = typist.rng();
        // Outages: 5-20 s, starting a little after the start, ending before the last seconds.
        let outage = in_share(index, plan.offline_share).then(|| {
            let from = now + rng.seconds(2.0, (left.as_secs_f64() * 0.6).max(2.5));
            let until = (from + rng.seconds(5.0, 20.0)).min(shared.deadline - Duration::from_secs(3));
            (from, until)
        });
        let submit_at = (!to_deadline).then(|| {
            let before = plan.duration.mul_f64(rng.between(0.08, 0.4)).max(SUBMIT_BEFORE_DEADLINE);
            let latest = shared.deadline.checked_sub(SUBMIT_BEFORE_DEADLINE).unwrap_or(now);
            shared.deadline.checked_sub(before).unwrap_or(now).max(now + left / 2).min(latest)
        });
        let path = format!("/api/v1/me/exams/{}", shared.exam.id);
        let secret = Arc::from(binding["secret"].as_str()?);
        Some(Self {
            sender: Sender::new(api, secret, path, parse_time(&view["attempt"]["deadline_at"])?),
            shared,
            saver,
            typist,
            phase: Phase::Typing,
            next: (now, Next::Act(Act::Pause(Duration::ZERO))),
            next_tick: now + TICK,
            outage: outage.filter(|(from, until)| from < until),
            offline: false,
            submit_at,
        })
    }

    /// Runs until handed in (`Some(true)`: by the student, `Some(false)`:
    /// at the deadline), or `None` when no receipt came.
    async fn run(&mut self) -> Option<bool> {
        let stop = self.shared.hard_stop;
        while Instant::now() < stop {
            let now = Instant::now();
            self.network(now);
            let deadline = self.sender.deadline(&self.saver, now);
            if self.phase != Phase::SettlingToReceipt && now >= deadline {
                self.stop_typing(Phase::SettlingToReceipt);
                self.sender.flush(now);
            }
            if self.phase == Phase::Typing && self.submit_at.is_some_and(|at| now >= at) && !self.offline {
                self.stop_typing(Phase::SettlingToSubmit);
                self.saver.snapshot_edited();
                self.sender.flush(now);
            }
            if self.phase == Phase::Typing && now >= self.next.0 {
                self.act(now);
            }
            let tick = now >= self.next_tick;
            self.sender.poll(&self.saver, &self.shared.stats, now, tick, self.offline);
            if tick {
                self.next_tick = now + TICK;
            }
            let sender = &self.sender;
            let settled = sender.idle() && !self.offline && (sender.ended() || !self.saver.pending());
            match self.phase {
                Phase::SettlingToSubmit if settled => match self.submit().await {
                    Some(by_student) => return Some(by_student),
                    None => self.phase = Phase::SettlingToReceipt,
                },
                Phase::SettlingToReceipt if settled && sender.overdue(&self.saver) => return self.receipt().await,
                _ => {}
            }
            self.wait(deadline, stop).await;
        }
        None
    }

    /// Sleeps until the next thing to do, or until a save is answered.
    /// Only what can happen counts: while offline, the sender's timer and
    /// the submission wait for the network (the outage's end wakes it), and
    /// while a save is on its way, its answer wakes it, not the timer.
    async fn wait(&mut self, deadline: Instant, stop: Instant) {
        let mut wake = self.next_tick.min(stop);
        if deadline > Instant::now() {
            wake = wake.min(deadline);
        }
        if self.phase == Phase::Typing {
            wake = wake.min(self.next.0);
            if let Some(at) = self.submit_at.filter(|_| !self.offline) {
                wake = wake.min(at);
            }
        }
        if let Some(at) = self.sender.timer().filter(|_| !self.offline && self.sender.idle()) {
            wake = wake.min(at);
        }
        if let Some((from, until)) = self.outage {
            wake = wake.min(if self.offline { until } else { from });
        }
        let answered = tokio::select! {
            flight = self.sender.answer() => Some(flight),
            () = tokio::time::sleep_until(wake) => None,
        };
        if let Some(flight) = answered {
            self.sender.answered(flight, &mut self.saver, &self.shared.stats, self.offline);
        }
    }

    fn stop_typing(&mut self, phase: Phase) {
        if self.phase == Phase::Typing {
            self.shared.stats.typing.fetch_sub(1, Ordering::Relaxed);
        }
        self.phase = phase;
    }

    /// Going offline and back: no request leaves while offline; back
    /// online, the queue goes at once (the page's `online` event).
    fn network(&mut self, now: Instant) {
        let Some((from, until)) = self.outage else { return };
        let stats = &self.shared.stats;
        if !self.offline && now >= from && now < until {
            self.offline = true;
            stats.offline.fetch_add(1, Ordering::Relaxed);
            stats.outages.fetch_add(1, Ordering::Relaxed);
            stats.events.fetch_add(1, Ordering::Relaxed);
            self.saver.event("network_offline", false, json!({}));
        } else if now >= until {
            if self.offline {
                stats.offline.fetch_sub(1, Ordering::Relaxed);
                stats.events.fetch_add(1, Ordering::Relaxed);
                self.saver.event("network_online", false, json!({}));
            }
            self.offline = false;
            self.outage = None;
            self.sender.retry_now(now);
        }
    }

    /// Does what the typist does next, and plans the act after.
    fn act(&mut self, now: Instant) {
        let next = std::mem::replace(&mut self.next.1, Next::FocusBack);
        let stats = &self.shared.stats;
        let mut typed = true;
        match next {
            Next::FocusBack => {
                self.saver.event("focus_returned", false, json!({}));
                stats.events.fetch_add(1, Ordering::Relaxed);
            }
            Next::Act(Act::Key(BACK_TO_END)) => {
                self.saver.cursor_to(None);
                typed = false;
            }
            Next::Act(Act::Key(c)) => self.saver.insert(c.encode_utf8(&mut [0; 4])),
            Next::Act(Act::Backspace) => self.saver.backspace(),
            Next::Act(Act::Paste(text)) => {
                let size = text.encode_utf16().count();
                self.saver.event("paste", true, json!({ "size": size, "text": text }));
                self.saver.insert(&text);
                stats.events.fetch_add(1, Ordering::Relaxed);
            }
            Next::Act(Act::Cursor(line)) => {
                self.saver.cursor_to(line);
                typed = false;
            }
            Next::Act(Act::LookAway(away)) => {
                self.saver.event("focus_lost", false, json!({}));
                stats.events.fetch_add(1, Ordering::Relaxed);
                self.next = (now + away, Next::FocusBack);
                self.sender.schedule(now);
                return;
            }
            Next::Act(Act::Pause(_)) => typed = false,
        }
        if typed {
            self.sender.schedule(now);
        }
        let (gap, act) = self.typist.next(self.saver.lines());
        let gap = match &act {
            Act::Pause(pause) => *pause,
            _ => gap,
        };
        self.next = (now + gap, Next::Act(act));
    }

    /// Hands in with the last sequence queued: `Some(true)` by the student,
    /// `Some(false)` when the deadline had submitted it, `None` when the
    /// server would not take it (then the deadline will).
    async fn submit(&mut self) -> Option<bool> {
        let (stats, stop) = (&self.shared.stats, self.shared.hard_stop);
        let body = json!({ "seq": self.saver.seq() }).to_string();
        let sender = &self.sender;
        let request = Request::post(format!("{}/submit", sender.path), body).secret(&sender.secret);
        match sender.api.retrying(stats, Kind::Submit, request, stop).await.sent {
            Ok(answer) if answer.status == 200 => Some(answer.json()["receipt"]["reason"] == "student"),
            // The deadline came first (a long wait for the server): its receipt stands.
            Ok(answer) if answer.status == 409 && sender.overdue(&self.saver) => None,
            other => {
                gave_up(stats, Kind::Submit, &other);
                None
            }
        }
    }

    /// The receipt the deadline made: `Some(false)`, or `Some(true)` if the
    /// student had handed in after all; `None` when none came.
    async fn receipt(&mut self) -> Option<bool> {
        let (stats, stop) = (&self.shared.stats, self.shared.hard_stop);
        let mut last = None;
        for _ in 0..RECEIPT_TRIES {
            let request = Request::get(format!("{}/receipt", self.sender.path));
            match self.sender.api.retrying(stats, Kind::Receipt, request, stop).await.sent {
                Ok(answer) if answer.status == 200 => return Some(answer.json()["receipt"]["reason"] == "student"),
                other => last = Some(other),
            }
            tokio::time::sleep_until((Instant::now() + Duration::from_millis(1500)).min(stop)).await;
        }
        if let Some(last) = last {
            gave_up(stats, Kind::Receipt, &last);
        }
        None
    }
}
