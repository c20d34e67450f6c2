//! `examhall drill`: an exam rehearsed against a running server from the
//! outside (docs/drill.md). With an org admin's credentials it prepares a
//! drill course, section, exam and students over the HTTP API, then runs
//! every student concurrently through the browser's own save protocol
//! (docs/autosave.md), and at the end reads every attempt back to count
//! what was lost.
//!
//! This module is a client of the server: it uses the domain's rules (change
//! sets, the autosave chain, receipts) and the clock, never the store or the
//! services, so what it measures is what a browser would see.

mod api;
mod procfs;
mod report;
mod saver;
mod seats;
mod sender;
mod setup;
mod sitting;
mod staff;
mod stats;
mod student;
mod target;
mod typing;
mod verify;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::time::Instant;

pub use api::accepting_any_certificate;
pub use report::Report;
pub use target::Target;

/// The most simulated students one drill runs.
pub const MAX_STUDENTS: usize = 20_000;
/// The longest exam one drill runs.
pub const MAX_DURATION: Duration = Duration::from_secs(4 * 3600);
/// The shortest: time for students to start, type and submit.
pub const MIN_DURATION: Duration = Duration::from_secs(10);
/// How long after the deadline a drill may still take (the automatic
/// submissions, reading every attempt back) before it stops for good.
pub const STOP_MARGIN: Duration = Duration::from_secs(180);

/// Every course a drill makes has a code that starts so; an organization
/// holding any other course is not a drill organization.
pub const DRILL_COURSE_PREFIX: &str = "DRILL-";

/// Whether `slug` names a drill organization: `drill` or `drill-…`. Both
/// `drill run` and `drill clean` refuse any other, so a drill never writes
/// into, and a clean never erases, a real organization.
#[must_use]
pub fn is_drill_slug(slug: &str) -> bool {
    slug == "drill" || slug.starts_with("drill-")
}

/// How simulated students sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// A candidate link each (no password hashing on the server).
    Link,
    /// An account with a password each: the 09:00 sign-in storm.
    Password,
}

/// What to rehearse, checked by [`Plan::check`].
#[derive(Debug, Clone)]
pub struct Plan {
    /// The server.
    pub target: Target,
    /// The drill organization's slug.
    pub org: String,
    /// How many students.
    pub students: usize,
    /// From publishing to the common deadline.
    pub duration: Duration,
    /// Students start spread over this long after publishing.
    pub ramp: Duration,
    /// Candidate links or passwords.
    pub sign_in: SignIn,
    /// The share of students who leave the submission to the deadline.
    pub auto_submit_share: f64,
    /// The share of students who lose the network once for 5-20 s.
    pub offline_share: f64,
    /// Seeds every student's typing, pauses and outages.
    pub seed: u64,
    /// The server's process on this host, to sample its CPU and memory.
    pub server_pid: Option<u32>,
}

/// The org admin the drill acts as.
pub struct Credentials {
    /// Sign-in e-mail.
    pub email: String,
    /// Password.
    pub password: SecretString,
}

/// Why a drill could not run (a refused target, a failed set-up).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DrillError {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl DrillError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), hint: None }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl Plan {
    /// Checks the bounds and that the organization is a drill's, before
    /// anything is sent.
    ///
    /// # Errors
    /// The first bound broken.
    pub fn check(&self) -> Result<(), DrillError> {
        if !is_drill_slug(&self.org) {
            return Err(DrillError::new(format!(
                "{} is not a drill organization: a drill runs only in one whose slug is `drill` or starts with `drill-`",
                self.org
            ))
            .hint("create one for drills: examhall org create --slug drill --name \"Exam-day drill\" (see examhall drill run --help)"));
        }
        if !(1..=MAX_STUDENTS).contains(&self.students) {
            return Err(DrillError::new(format!("--students: 1 to {MAX_STUDENTS}")));
        }
        if !(MIN_DURATION..=MAX_DURATION).contains(&self.duration) {
            return Err(DrillError::new("--duration: 10 s to 4 h"));
        }
        if self.ramp >= self.duration / 2 {
            return Err(DrillError::new("--ramp: shorter than half the duration, so every student has time to type"));
        }
        for (name, share) in [("--auto-submit-share", self.auto_submit_share), ("--offline-share", self.offline_share)]
        {
            if !(0.0..=1.0).contains(&share) {
                return Err(DrillError::new(format!("{name}: a share from 0 to 1")));
            }
        }
        Ok(())
    }
}

/// Whether student `index` is among `share` of all students, spread
/// evenly (exactly `share` of them, rounded down).
fn in_share(index: usize, share: f64) -> bool {
    #[allow(clippy::cast_precision_loss, reason = "at most 20,000 students")]
    let (this, next) = (index as f64 * share, (index + 1) as f64 * share);
    next.floor() > this.floor()
}

/// What every student task shares: the exam, the clock marks, the counters.
struct Shared {
    plan: Plan,
    exam: staff::DrillExam,
    stats: Arc<stats::Stats>,
    /// The admin's session, for what a proctor would do for a stuck student
    /// (a new candidate link, a move code).
    staff: staff::Staff,
    /// When the students' common deadline falls, on this computer's clock.
    deadline: Instant,
    /// When everything stops, whatever is left.
    hard_stop: Instant,
}

/// Runs the drill: set-up, every student, the read-back; the report.
///
/// # Errors
/// When the target or organization is refused or the set-up fails; a drill
/// that ran returns its report, whatever it found.
pub async fn run(plan: Plan, credentials: Credentials) -> Result<Report, DrillError> {
    plan.check()?;
    api::open_file_room(plan.students)?;
    let tls = api::tls_config(&plan.target)?;
    let stats = Arc::new(stats::Stats::default());
    let mut staff = staff::Staff::sign_in(&plan, &tls, &credentials, Arc::clone(&stats)).await?;
    staff.check_only_drill_data().await?;
    let setup_started = Instant::now();
    let prepared = setup::prepare(&mut staff, &plan).await?;
    let setup_time = setup_started.elapsed();
    let deadline = prepared.deadline;
    let shared =
        Arc::new(Shared { hard_stop: deadline + STOP_MARGIN, deadline, exam: prepared.exam, stats, staff, plan });
    let sampler = procfs::Sampler::start(shared.plan.server_pid, shared.hard_stop);
    let itself = procfs::Sampler::start(Some(std::process::id()), shared.hard_stop);
    let progress = tokio::spawn(stats::progress(Arc::clone(&shared), sampler.latest()));
    let mut tasks = Vec::with_capacity(shared.plan.students);
    for (index, seat) in prepared.seats.into_iter().enumerate() {
        tasks.push(tokio::spawn(student::run(Arc::clone(&shared), index, seat, tls.clone())));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        // A student task always ends by the hard stop; one that panicked is a defect, reported as such.
        match task.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => shared.stats.error("drill", format!("a simulated student stopped: {error}")),
        }
    }
    progress.abort();
    stats::progress_done(&shared);
    let used = report::Used { server: sampler.finish().await, drill: itself.finish().await };
    let verification = verify::read_back(&shared, &tls, &credentials, &outcomes).await;
    Ok(Report::new(&shared, setup_time, &outcomes, verification, used))
}
