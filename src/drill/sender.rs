//! The exam page's sender (`assets/src/exam/autosave.ts`), for one
//! simulated browser: a batch at most every 2 s while the student types,
//! the rest of the queue at once after each answer, a heartbeat after 15 s
//! without a save, a growing pause (1, 2, 4 … 30 s, never less than
//! `Retry-After`) while the network or the server is down, a resend from
//! where the server stands after a sequence gap, half the batch after a 413.
//! One request at a time; the student types on while it is on its way.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::Instant;

use super::api::{Api, Request, Sent, next_backoff, record};
use super::saver::Saver;
use super::stats::{Kind, Stats};
use crate::clock::{Clock, SystemClock};

/// The browser's pace: a batch at most every 2 s while the student types.
const MIN_INTERVAL: Duration = Duration::from_secs(2);
/// A heartbeat after this long without a save.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A save this close to the deadline belongs to the deadline burst.
const DEADLINE_SECOND: Duration = Duration::from_secs(1);

/// A time the server sent, in RFC 3339.
pub fn parse_time(value: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value.as_str()?, &time::format_description::well_known::Rfc3339).ok()
}

/// A save request on its way.
pub struct Flight {
    sent: Sent,
    took: Duration,
    kind: Kind,
    /// Another student's sign-in was under way when it left.
    during_sign_in: bool,
    items: usize,
    sent_wall: OffsetDateTime,
    received_wall: OffsetDateTime,
}

/// One browser's sender.
pub struct Sender {
    /// The browser's connection.
    pub api: Api,
    /// The binding's secret.
    pub secret: Arc<str>,
    /// `/api/v1/me/exams/{id}`.
    pub path: String,
    /// The attempt's deadline, as the server last said it.
    deadline_at: OffsetDateTime,
    inflight: Option<JoinHandle<Flight>>,
    send_at: Option<Instant>,
    last_sent: Instant,
    backoff: Duration,
    /// Why saving ended on this page, if it did.
    ended: Option<&'static str>,
}

impl Sender {
    /// A sender for the attempt at `path`, bound with `secret`.
    pub fn new(api: Api, secret: Arc<str>, path: String, deadline_at: OffsetDateTime) -> Self {
        let now = Instant::now();
        Self {
            api,
            secret,
            path,
            deadline_at,
            inflight: None,
            send_at: None,
            last_sent: now,
            backoff: Duration::ZERO,
            ended: None,
        }
    }

    /// Whether saving ended on this page (the attempt closed, or the server refused the queue).
    pub fn ended(&self) -> bool {
        self.ended.is_some()
    }

    /// Whether no request is on its way.
    pub fn idle(&self) -> bool {
        self.inflight.is_none()
    }

    /// When the sender's timer fires next, if it is set.
    pub fn timer(&self) -> Option<Instant> {
        self.send_at
    }

    /// The deadline on this computer's clock, from the server's word, as
    /// seen at `now` (in the past once it passed).
    pub fn deadline(&self, saver: &Saver, now: Instant) -> Instant {
        let left = self.deadline_at - saver.server_now();
        match Duration::try_from(left) {
            Ok(left) => now + left,
            Err(_) => now.checked_sub(Duration::try_from(-left).unwrap_or_default()).unwrap_or(now),
        }
    }

    /// Whether the deadline has passed, by the server's clock as far as this computer can tell.
    pub fn overdue(&self, saver: &Saver) -> bool {
        saver.server_now() >= self.deadline_at
    }

    /// Sends what is queued as soon as it can (blur, submit, the deadline).
    pub fn flush(&mut self, now: Instant) {
        self.send_at = Some(now);
    }

    /// The network is back: send at once instead of waiting out the pause.
    pub fn retry_now(&mut self, now: Instant) {
        self.backoff = Duration::ZERO;
        self.send_at = Some(now);
    }

    /// After an edit: send at most every 2 s.
    pub fn schedule(&mut self, now: Instant) {
        if self.send_at.is_none() {
            self.send_at = Some((self.last_sent + MIN_INTERVAL).max(now));
        }
    }

    /// Sends when the timer is due, or a heartbeat when one is due
    /// (`tick`: the page's once-a-second look), unless `offline`.
    pub fn poll(&mut self, saver: &Saver, stats: &Stats, now: Instant, tick: bool, offline: bool) {
        if offline || self.inflight.is_some() {
            return;
        }
        if self.send_at.is_some_and(|at| now >= at) {
            self.send(saver, stats, false);
        } else if tick && self.send_at.is_none() && now >= self.last_sent + HEARTBEAT {
            self.send(saver, stats, true);
        }
    }

    /// The answer to the request on its way (pending while there is none).
    pub async fn answer(&mut self) -> Result<Flight, JoinError> {
        let result = match self.inflight.as_mut() {
            Some(flight) => flight.await,
            None => std::future::pending().await,
        };
        self.inflight = None;
        result
    }

    /// Sends the next batch (or, for a heartbeat, an empty one).
    fn send(&mut self, saver: &Saver, stats: &Stats, heartbeat: bool) {
        self.send_at = None;
        if self.ended.is_some() {
            return;
        }
        let batch = saver.batch();
        if batch.items == 0 && !heartbeat {
            return;
        }
        let now = Instant::now();
        let deadline = self.deadline(saver, now);
        let kind = match batch.items {
            0 => Kind::Heartbeat,
            _ if now + DEADLINE_SECOND >= deadline && now < deadline + DEADLINE_SECOND => Kind::Deadline,
            _ => Kind::Save,
        };
        stats.save_bytes.fetch_add(batch.body.len() as u64, Ordering::Relaxed);
        let request = Request::post(format!("{}/saves", self.path), batch.body).secret(&self.secret);
        let (api, items) = (self.api.clone(), batch.items);
        let during_sign_in = stats.signing_in.load(Ordering::Relaxed) > 0;
        self.last_sent = now;
        self.inflight = Some(tokio::spawn(async move {
            let (sent_wall, began) = (SystemClock.now(), Instant::now());
            let sent = api.send(request).await;
            let received_wall = SystemClock.now();
            Flight { took: began.elapsed(), sent, kind, during_sign_in, items, sent_wall, received_wall }
        }));
    }

    /// Acts on a save's answer as the browser's sender does.
    pub fn answered(&mut self, result: Result<Flight, JoinError>, saver: &mut Saver, stats: &Stats, offline: bool) {
        let flight = match result {
            Ok(flight) => flight,
            Err(error) => {
                stats.error("drill", format!("a save request stopped: {error}"));
                return self.retry_later(None);
            }
        };
        record(stats, flight.kind, flight.took, &flight.sent);
        let answer_status = flight.sent.as_ref().ok().map(|answer| answer.status);
        if flight.kind == Kind::Save && flight.during_sign_in && super::stats::answered(answer_status) {
            stats.latency(Kind::SaveDuringSignIn, flight.took);
        }
        let Ok(answer) = flight.sent else { return self.retry_later(None) };
        match answer.status {
            200 => {
                let body = answer.json();
                let (processed, acked) =
                    (body["processed_seq"].as_i64().unwrap_or(0), body["acked_seq"].as_i64().unwrap_or(0));
                saver.dealt_with(processed, acked);
                if let Some(server_now) = parse_time(&body["server_now"]) {
                    saver.learn_time(server_now, flight.sent_wall, flight.received_wall);
                }
                if let Some(deadline) = parse_time(&body["deadline_at"]) {
                    self.deadline_at = deadline;
                }
                self.backoff = Duration::ZERO;
                if flight.items > 0 {
                    stats.saves.fetch_add(1, Ordering::Relaxed);
                    stats.items.fetch_add(flight.items as u64, Ordering::Relaxed);
                }
                if body["phase"] == "closed" {
                    self.ended = Some("closed");
                } else if saver.pending() && !offline {
                    self.send(saver, stats, false);
                }
            }
            // The server stands further on than this computer knew: resend from there.
            409 if answer.problem() == "sequence-gap"
                && saver.resend_from(answer.json()["acked_seq"].as_i64().unwrap_or(-1)) =>
            {
                self.send(saver, stats, false);
            }
            413 if saver.too_large(flight.items) => self.send(saver, stats, false),
            429 | 503 => self.retry_later(answer.retry_after),
            408 | 500.. => {
                stats.unexpected(flight.kind, answer.status, &answer.body);
                self.retry_later(answer.retry_after);
            }
            _ => {
                stats.unexpected(flight.kind, answer.status, &answer.body);
                self.ended = Some("refused");
            }
        }
    }

    /// The browser's growing pause, never shorter than `Retry-After`.
    fn retry_later(&mut self, retry_after: Option<u64>) {
        self.backoff = next_backoff(self.backoff);
        let wait = self.backoff.max(Duration::from_secs(retry_after.unwrap_or(0)));
        self.send_at = Some(Instant::now() + wait);
    }
}
