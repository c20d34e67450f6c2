//! The drill's org admin, signed in: the set-up's requests, the check
//! that the organization holds only drills, the help a proctor gives a
//! student stuck after a crash (a new candidate link, a move code), and the
//! read-back (the roster with its receipts, each attempt's code).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::api::{Answer, Api, NetworkError, Request, Tls};
use super::stats::{Kind, Stats};
use super::{Credentials, DRILL_COURSE_PREFIX, DrillError, Plan};

/// The drill's exam, as the students' requests name it.
#[derive(Debug, Clone)]
pub struct DrillExam {
    /// The course's id.
    pub course: String,
    /// The exam's id.
    pub id: String,
    /// Its one question's id.
    pub question: String,
}

/// The org admin, signed in.
#[derive(Clone)]
pub struct Staff {
    api: Api,
    org: String,
    user: String,
    exam: Option<DrillExam>,
    stats: Arc<Stats>,
}

/// An answer with a status other than `expected`, as a set-up error.
fn refused(what: &str, sent: Result<Answer, NetworkError>) -> DrillError {
    match sent {
        Ok(answer) => DrillError::new(format!("{what}: the server answered {}: {}", answer.status, answer.body)),
        Err(error) => DrillError::new(format!("{what}: no answer from the server: {}", error.0))
            .hint("is examhall serving at --url? (examhall serve, or systemctl status examhall)"),
    }
}

impl Staff {
    /// Signs in as the org admin of `plan.org`.
    ///
    /// # Errors
    /// A refused sign-in, or an account that is not the organization's admin.
    pub async fn sign_in(
        plan: &Plan,
        tls: &Tls,
        credentials: &Credentials,
        stats: Arc<Stats>,
    ) -> Result<Self, DrillError> {
        let mut api = Api::new(&plan.target, tls, None)?;
        let body = super::api::password_body(&plan.org, &credentials.email, &credentials.password);
        let stop = Instant::now() + Duration::from_secs(120);
        let sent = api.retrying(&stats, Kind::Staff, Request::post("/api/v1/session", body), stop).await.sent;
        let answer = match sent {
            Ok(answer) if answer.status == 200 => answer,
            Ok(answer) if answer.status == 401 => {
                return Err(DrillError::new(format!(
                    "the drill's org admin {} could not sign in to {}",
                    credentials.email, plan.org
                ))
                .hint(
                    "set EXAMHALL_DRILL_EMAIL and EXAMHALL_DRILL_PASSWORD to an org admin of the drill organization",
                ));
            }
            other => return Err(refused("signing in", other)),
        };
        api.signed_in(&answer);
        let view = answer.json();
        let admin = view["roles"].as_array().is_some_and(|roles| roles.iter().any(|r| r["role"] == "org_admin"));
        if !admin {
            return Err(DrillError::new(format!("{} is not an org admin of {}", credentials.email, plan.org))
                .hint("the drill needs an org admin: examhall user create --org SLUG --role org_admin --email … --password-stdin"));
        }
        let user = view["user"]["id"].as_str().unwrap_or_default().to_owned();
        Ok(Self { api, org: plan.org.clone(), user, exam: None, stats })
    }

    /// The same admin, acting on the drill's `exam`.
    #[must_use]
    pub fn on(mut self, exam: &DrillExam) -> Self {
        self.exam = Some(exam.clone());
        self
    }

    /// From now on, acting on the drill's `exam`.
    pub fn act_on(&mut self, exam: &DrillExam) {
        self.exam = Some(exam.clone());
    }

    /// The admin's user id.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The drill question's id.
    #[must_use]
    pub fn question(&self) -> &str {
        self.exam.as_ref().map_or("", |e| e.question.as_str())
    }

    /// Sends `request` as the admin, expecting `expected`; its JSON.
    pub(super) async fn call(&self, what: &str, request: Request, expected: u16) -> Result<Value, DrillError> {
        let stop = Instant::now() + Duration::from_secs(120);
        match self.api.retrying(&self.stats, Kind::Staff, request, stop).await.sent {
            Ok(answer) if answer.status == expected => Ok(answer.json()),
            other => Err(refused(what, other)),
        }
    }

    /// Refuses an organization that holds a course no drill made: a drill
    /// writes students, attempts and audit entries that only erasing the
    /// whole organization removes.
    ///
    /// # Errors
    /// When it holds another course, or the list cannot be read.
    pub async fn check_only_drill_data(&self) -> Result<(), DrillError> {
        let courses = self.call("listing the courses", Request::get("/api/v1/org/courses"), 200).await?;
        let foreign: Vec<&str> = courses
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|course| course["code"].as_str())
            .filter(|code| !code.starts_with(DRILL_COURSE_PREFIX))
            .collect();
        if let Some(code) = foreign.first() {
            return Err(DrillError::new(format!(
                "{} holds the course {code}, which no drill made: a drill runs only in an organization of its own",
                self.org
            ))
            .hint("create a separate organization for drills (see examhall drill run --help)"));
        }
        Ok(())
    }

    pub(super) fn exam_path(&self, rest: &str) -> String {
        let exam = self.exam.as_ref().map_or(("", ""), |e| (e.course.as_str(), e.id.as_str()));
        format!("/api/v1/courses/{}/exams/{}{rest}", exam.0, exam.1)
    }

    /// A new candidate link for link `id` (its student's first one never
    /// answered): the token of the new one.
    pub async fn reissue(&self, id: &str) -> Option<String> {
        let path = self.exam_path(&format!("/candidates/{id}/reissue"));
        let issued = self.call("reissuing a link", Request::post(path, "{}"), 201).await.ok()?;
        issued["link"].as_str().and_then(|link| link.strip_prefix("/candidate/")).map(str::to_owned)
    }

    /// A move code for `user`'s attempt (its browser never got its binding).
    pub async fn move_code(&self, user: &str) -> Option<String> {
        let attempt = self
            .roster()
            .await
            .ok()?
            .into_iter()
            .find(|row| row["user_id"] == user)
            .and_then(|row| row["attempt"]["id"].as_str().map(str::to_owned))?;
        let path = self.exam_path(&format!("/attempts/{attempt}/move"));
        let issued = self.call("a move code", Request::post(path, "{}"), 201).await.ok()?;
        issued["code"].as_str().map(str::to_owned)
    }

    /// Every student of the exam, their attempt and receipt.
    ///
    /// # Errors
    /// When the roster cannot be read.
    pub async fn roster(&self) -> Result<Vec<Value>, DrillError> {
        let rows = self.call("reading the roster", Request::get(self.exam_path("/attempts")), 200).await?;
        Ok(rows.as_array().cloned().unwrap_or_default())
    }

    /// An attempt's code now, per question.
    ///
    /// # Errors
    /// When it cannot be read.
    pub async fn code(&self, attempt: &str) -> Result<Value, DrillError> {
        let path = self.exam_path(&format!("/attempts/{attempt}/code"));
        self.call("reading an attempt's code", Request::get(path), 200).await
    }
}
