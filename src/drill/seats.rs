//! The students' seats: a candidate link each, or an account each with a
//! password set through its invitation link, made by the drill's admin.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};

use super::api::Request;
use super::staff::Staff;
use super::{DrillError, Plan};
use crate::clock::{Clock, SystemClock};
use crate::domain::Timestamp;

/// Candidate links issued per request (the server's bound).
const LINKS_PER_REQUEST: usize = 2000;
/// Accounts made at once with `--sign-in password` (each costs the server a hash).
const ACCOUNTS_AT_ONCE: usize = 8;

/// How one student signs in.
pub enum Seat {
    /// A candidate link: its id (for a reissue) and token.
    Link {
        /// The link's id.
        id: String,
        /// `org-….TOKEN`, as the link's URL ends.
        token: String,
    },
    /// An account and its password.
    Password {
        /// Sign-in e-mail.
        email: String,
        /// Its password.
        password: SecretString,
    },
}

/// A candidate link per student.
pub(super) async fn links(staff: &Staff, plan: &Plan, section: &str) -> Result<Vec<Seat>, DrillError> {
    let now = SystemClock.now();
    let (from, until) = (now - Duration::from_secs(300), now + plan.duration + Duration::from_secs(2 * 3600));
    let mut seats = Vec::with_capacity(plan.students);
    for first in (0..plan.students).step_by(LINKS_PER_REQUEST) {
        let last = (first + LINKS_PER_REQUEST).min(plan.students);
        let candidates: Vec<Value> =
            (first..last).map(|i| json!({ "label": format!("Drill student {}", i + 1) })).collect();
        let batch = json!({
            "section_id": section,
            "valid_from": Timestamp::from_time(from).to_string(),
            "valid_until": Timestamp::from_time(until).to_string(),
            "candidates": candidates,
        });
        let issued = staff
            .call("issuing candidate links", Request::post(staff.exam_path("/candidates"), batch.to_string()), 201)
            .await?;
        for link in issued.as_array().into_iter().flatten() {
            let token = link["link"].as_str().and_then(|l| l.strip_prefix("/candidate/")).unwrap_or_default();
            seats.push(Seat::Link { id: link["id"].as_str().unwrap_or_default().to_owned(), token: token.to_owned() });
        }
    }
    if seats.len() != plan.students {
        return Err(DrillError::new(format!("the server issued {} links for {} students", seats.len(), plan.students)));
    }
    Ok(seats)
}

/// An account per student, with a password set through its invitation
/// link (the server hashes each, a few at a time).
pub(super) async fn accounts(staff: &Staff, plan: &Plan, run: &str, section: &str) -> Result<Vec<Seat>, DrillError> {
    let mut secret = [0u8; 12];
    crate::random::fill_random(&mut secret);
    let password = format!("drill-{}", hex::encode(secret));
    let tag = run.to_ascii_lowercase();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..ACCOUNTS_AT_ONCE.min(plan.students) {
        let (staff, next, tag, section, password) =
            (staff.clone(), Arc::clone(&next), tag.clone(), section.to_owned(), password.clone());
        let students = plan.students;
        workers.push(tokio::spawn(async move {
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= students {
                    return Ok(made);
                }
                let email = format!("s{:05}.{tag}@drill.invalid", i + 1);
                let person = json!({ "email": email, "display_name": format!("Drill student {}", i + 1), "role": "student", "section_id": section });
                let created = staff.call("creating a student", Request::post("/api/v1/org/users", person.to_string()), 201).await?;
                let token = created["link"].as_str().and_then(|l| l.strip_prefix("/link/")).unwrap_or_default();
                let body = json!({ "password": password }).to_string();
                staff.call("setting a student's password", Request::post(format!("/api/v1/links/{token}"), body), 204).await?;
                made.push((i, email));
            }
        }));
    }
    let mut made: Vec<(usize, String)> = Vec::with_capacity(plan.students);
    for worker in workers {
        made.extend(worker.await.map_err(|e| DrillError::new(format!("creating students: {e}")))??);
    }
    made.sort_unstable();
    let password = SecretString::from(password);
    Ok(made.into_iter().map(|(_, email)| Seat::Password { email, password: password.clone() }).collect())
}
