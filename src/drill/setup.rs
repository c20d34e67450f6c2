//! The drill's preparation, as an org admin would click it: a course and
//! section, an exam of one Python question with a visible test, the students
//! (candidate links, or accounts with passwords), and publishing with
//! everyone's deadline at the same second, at the end of the duration.

use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::api::Request;
use super::seats::{self, Seat};
use super::staff::{DrillExam, Staff};
use super::{DRILL_COURSE_PREFIX, DrillError, Plan, SignIn};
use crate::clock::{Clock, SystemClock};
use crate::domain::Timestamp;

/// How long the set-up may take before the drill gives up.
const SETUP_LIMIT: Duration = Duration::from_secs(30 * 60);

/// What the set-up made.
pub struct Prepared {
    /// The exam.
    pub exam: DrillExam,
    /// One seat per student.
    pub seats: Vec<Seat>,
    /// The common deadline on this computer's clock.
    pub deadline: Instant,
}

/// Makes the course, exam and students, and publishes the exam so that it
/// closes `plan.duration` from now: everyone's deadline is that second.
///
/// # Errors
/// The first step the server refused.
pub async fn prepare(staff: &mut Staff, plan: &Plan) -> Result<Prepared, DrillError> {
    let work = async {
        let run = run_name(SystemClock.now());
        let course = staff
            .call(
                "creating the drill course",
                Request::post("/api/v1/org/courses", json!({ "code": run, "title": "Exam-day drill" }).to_string()),
                201,
            )
            .await?;
        let course = course["id"].as_str().unwrap_or_default().to_owned();
        let section = staff
            .call(
                "creating the drill section",
                Request::post(format!("/api/v1/org/courses/{course}/sections"), json!({ "name": "Hall" }).to_string()),
                201,
            )
            .await?;
        let section = section["id"].as_str().unwrap_or_default().to_owned();
        let grant = json!({ "user_id": staff.user(), "role": "instructor", "course_id": course });
        staff
            .call(
                "making the admin the course's instructor",
                Request::post("/api/v1/org/grants", grant.to_string()),
                201,
            )
            .await?;
        let now = SystemClock.now();
        let draft = spec(&run, &section, None, now, now + plan.duration + Duration::from_secs(3600), plan.duration);
        let path = format!("/api/v1/courses/{course}/exams");
        let exam = staff.call("creating the drill exam", Request::post(path, draft.to_string()), 201).await?;
        let (id, question) = (
            exam["id"].as_str().unwrap_or_default().to_owned(),
            exam["question_ids"][0].as_str().unwrap_or_default().to_owned(),
        );
        let exam = DrillExam { course, id, question };
        staff.act_on(&exam);
        let seats = match plan.sign_in {
            SignIn::Link => seats::links(staff, plan, &section).await?,
            SignIn::Password => seats::accounts(staff, plan, &run, &section).await?,
        };
        // The window is set last, so that the set-up's time is not the exam's.
        let now = SystemClock.now();
        let closes_at = now + plan.duration;
        let closes_at = closes_at.replace_millisecond(0).unwrap_or(closes_at);
        let window =
            spec(&run, &section, Some(&exam.question), now - Duration::from_secs(60), closes_at, plan.duration);
        staff.call("setting the exam's window", Request::put(staff.exam_path(""), window.to_string()), 200).await?;
        let report = json!({ "tests_run": 1, "tests_failed": 0 });
        staff.call("publishing the exam", Request::post(staff.exam_path("/publish"), report.to_string()), 200).await?;
        let left = (closes_at - SystemClock.now()).try_into().unwrap_or(Duration::ZERO);
        Ok(Prepared { exam, seats, deadline: Instant::now() + left })
    };
    tokio::time::timeout(SETUP_LIMIT, work)
        .await
        .unwrap_or_else(|_| Err(DrillError::new("the set-up took longer than 30 minutes; nothing ran")))
}

/// `DRILL-20261101-093000`: this run's course code and exam title.
fn run_name(now: OffsetDateTime) -> String {
    let digits: String = Timestamp::from_time(now).to_string().chars().filter(char::is_ascii_digit).take(14).collect();
    format!("{DRILL_COURSE_PREFIX}{}-{}", &digits[..8], &digits[8..])
}

/// The drill's exam: one Python question with one visible test, closing at
/// `closes_at`, long enough that every attempt's deadline is the close.
fn spec(
    run: &str,
    section: &str,
    question: Option<&str>,
    opens: OffsetDateTime,
    closes: OffsetDateTime,
    duration: Duration,
) -> Value {
    let minutes = duration.as_secs().div_ceil(60) + 1;
    let mut question_spec = json!({
        "title": "Mean of a list",
        "prompt": "Write `mean_of(values)`: the mean of a list of numbers, `0.0` for an empty list.",
        "starter_code": "# Your answer\n",
        "model_solution": "def mean_of(values):\n    return sum(values) / len(values) if values else 0.0\n",
        "points": 10,
        "tests": [{ "visibility": "visible", "kind": "function", "expression": "mean_of([1, 2, 3])", "expected": "2.0" }],
    });
    if let Some(id) = question {
        question_spec["id"] = json!(id);
    }
    json!({
        "title": format!("Exam-day drill {run}"),
        "instructions": "A rehearsal by `examhall drill`: every student is simulated.",
        "opens_at": Timestamp::from_time(opens).to_string(),
        "closes_at": Timestamp::from_time(closes).to_string(),
        "duration_minutes": minutes,
        "late_policy": "accept_queued",
        "integrity_profile": "standard",
        "section_ids": [section],
        "questions": [question_spec],
    })
}
