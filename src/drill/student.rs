//! One simulated student, from the door to the start of the attempt: arrive
//! during the ramp, sign in (a candidate link or a password), open the
//! exam's page, start; then the sitting ([`super::sitting`]). A link spent
//! or a binding lost to a crash is fixed the way a proctor fixes it: a new
//! link, a move code.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::json;

use super::api::{Api, Request, Tls, gave_up};
use super::seats::Seat;
use super::sitting::Outcome;
use super::stats::Kind;
use super::{Shared, in_share};

/// Runs student `index` of the drill; always ends by the hard stop.
pub async fn run(shared: Arc<Shared>, index: usize, seat: Seat, tls: Tls) -> Outcome {
    let mut outcome = Outcome::default();
    let plan = &shared.plan;
    let mut api = match Api::new(&plan.target, &tls, plan.target.source_address(index)) {
        Ok(api) => api,
        Err(error) => {
            shared.stats.error("drill client", error.message);
            return outcome;
        }
    };
    // A little after the hard stop, in case a request was in flight at it.
    let last_word = shared.hard_stop + std::time::Duration::from_secs(35);
    let lived = tokio::time::timeout_at(last_word, live(&shared, index, seat, &mut api, &mut outcome)).await;
    if lived.is_err() {
        shared
            .stats
            .error("drill hard stop", format!("student {} was still busy when the drill's time ran out", index + 1));
    }
    outcome
}

async fn live(shared: &Arc<Shared>, index: usize, seat: Seat, api: &mut Api, outcome: &mut Outcome) {
    let plan = &shared.plan;
    #[allow(clippy::cast_precision_loss, reason = "at most 20,000 students")]
    let arrival = plan.ramp.mul_f64(index as f64 / plan.students as f64);
    tokio::time::sleep_until(shared.deadline - plan.duration + arrival).await;
    shared.stats.signing_in.fetch_add(1, Ordering::Relaxed);
    let began = tokio::time::Instant::now();
    let signed_in = sign_in(shared, seat, api).await;
    shared.stats.signing_in.fetch_sub(1, Ordering::Relaxed);
    let Some(user) = signed_in else { return };
    shared.stats.latency(Kind::SignInWait, began.elapsed());
    outcome.user = Some(user);
    shared.stats.signed_in.fetch_add(1, Ordering::Relaxed);
    let path = format!("/api/v1/me/exams/{}", shared.exam.id);
    let landing = api.retrying(&shared.stats, Kind::Open, Request::get(path), shared.hard_stop).await.sent;
    if !matches!(&landing, Ok(answer) if answer.status == 200) {
        gave_up(&shared.stats, Kind::Open, &landing);
    }
    let Some(view) = start(shared, api, outcome.user.as_deref().unwrap_or_default()).await else { return };
    shared.stats.started.fetch_add(1, Ordering::Relaxed);
    outcome.attempt = view["attempt"]["id"].as_str().map(str::to_owned);
    outcome.left_to_deadline = in_share(index, plan.auto_submit_share);
    super::sitting::sit(shared, index, api.clone(), &view, outcome).await;
}

/// Signs in through the seat; the student's user id.
async fn sign_in(shared: &Shared, seat: Seat, api: &mut Api) -> Option<String> {
    let (stats, stop) = (&shared.stats, shared.hard_stop);
    let answer = match seat {
        Seat::Password { email, password } => {
            let body = super::api::password_body(&shared.plan.org, &email, &password);
            api.retrying(stats, Kind::SignIn, Request::post("/api/v1/session", body), stop).await.sent
        }
        Seat::Link { id, token } => {
            let request = Request::post(format!("/api/v1/candidate-links/{token}"), "{}");
            let tried = api.retrying(stats, Kind::SignIn, request, stop).await;
            // A link that worked but whose answer was lost (the server went
            // down) is spent: a proctor issues a new one.
            let spent = matches!(&tried.sent, Ok(a) if a.status == 404) && tried.unanswered > 0;
            let reissued = if spent { shared.staff.reissue(&id).await } else { None };
            match reissued {
                Some(token) => {
                    stats.links_reissued.fetch_add(1, Ordering::Relaxed);
                    let request = Request::post(format!("/api/v1/candidate-links/{token}"), "{}");
                    api.retrying(stats, Kind::SignIn, request, stop).await.sent
                }
                None => tried.sent,
            }
        }
    };
    match answer {
        Ok(answer) if answer.status == 200 => {
            api.signed_in(&answer);
            answer.json()["user"]["id"].as_str().map(str::to_owned)
        }
        other => {
            gave_up(stats, Kind::SignIn, &other);
            None
        }
    }
}

/// Starts the attempt; its view. A binding whose answer was lost (the
/// server went down) is taken over with a move code from the admin.
async fn start(shared: &Shared, api: &Api, user: &str) -> Option<serde_json::Value> {
    let (stats, stop) = (&shared.stats, shared.hard_stop);
    let path = format!("/api/v1/me/exams/{}/start", shared.exam.id);
    let tried = api.retrying(stats, Kind::Start, Request::post(path.clone(), ""), stop).await;
    let elsewhere = matches!(&tried.sent, Ok(a) if a.status == 403 && a.problem() == "other-device");
    let mut answer = tried.sent;
    let code = if elsewhere && tried.unanswered > 0 { shared.staff.move_code(user).await } else { None };
    if let Some(code) = code {
        stats.attempts_moved.fetch_add(1, Ordering::Relaxed);
        let body = json!({ "move_code": code }).to_string();
        answer = api.retrying(stats, Kind::Start, Request::post(path, body), stop).await.sent;
    }
    match answer {
        Ok(answer) if answer.status == 201 => Some(answer.json()),
        other => {
            gave_up(stats, Kind::Start, &other);
            None
        }
    }
}
