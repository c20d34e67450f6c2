//! The typed test client: one method per endpoint of the API, as a caller
//! (signed in, or anonymous) would use it. Tests say what they do
//! (`app.as_(&w.instructor).publish(course, exam, body)`) instead of
//! spelling paths and methods; a renamed route changes here only.
//!
//! Bodies stay JSON values, so a test can send exactly the malformed or
//! hostile body it means to. The access matrix (`access.rs`) keeps its raw
//! requests on purpose: it walks the route table itself. The attempt's own
//! routes (resume, saves, submit) are driven by [`crate::exam_client`], which
//! sends the exact bytes of the queue and the binding's secret.

use std::fmt::Display;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::people::Caller;

/// Requests to the API on behalf of one caller. Copied freely: it holds
/// two references.
#[derive(Clone, Copy)]
pub struct Api<'a> {
    app: &'a TestApp,
    caller: Option<&'a Caller>,
}

impl TestApp {
    /// The API as `caller` uses it.
    pub fn as_<'a>(&'a self, caller: &'a Caller) -> Api<'a> {
        Api { app: self, caller: Some(caller) }
    }

    /// The API as someone who is not signed in uses it.
    pub fn anonymous(&self) -> Api<'_> {
        Api { app: self, caller: None }
    }
}

/// `/api/v1/courses/{course}/exams/{exam}`.
fn exam_path(course: impl Display, exam: impl Display) -> String {
    format!("/api/v1/courses/{course}/exams/{exam}")
}

impl Api<'_> {
    async fn send(self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.app.call(self.caller, method, path, body).await
    }

    /// A request no typed method makes (a missing header, a made-up path),
    /// for a test that means to send exactly that.
    pub async fn raw(self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.send(method, path, body).await
    }

    async fn get(self, path: &str) -> Response {
        self.send(Method::GET, path, None).await
    }

    async fn post(self, path: &str, body: Option<Value>) -> Response {
        self.send(Method::POST, path, body).await
    }

    async fn put(self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(body)).await
    }

    async fn delete(self, path: &str) -> Response {
        self.send(Method::DELETE, path, None).await
    }

    /// Sends `text` as `content_type` (a body no typed method sends), with the caller's cookie and CSRF token.
    pub async fn raw_text(self, path: &str, content_type: &str, text: &str) -> Response {
        self.post_text(path, content_type, text).await
    }

    /// Sends `text` as `content_type`, with the caller's cookie and CSRF token.
    async fn post_text(self, path: &str, content_type: &str, text: &str) -> Response {
        let mut request =
            self.app.client.post(self.app.url(path)).header("content-type", content_type).body(text.to_owned());
        if let Some(caller) = self.caller {
            request = request.header("cookie", &caller.cookie).header("x-csrf-token", &caller.csrf);
        }
        request.send().await.unwrap()
    }

    // Sessions, passwords and links.

    /// `POST /api/v1/session`: signs in.
    pub async fn sign_in(self, body: Value) -> Response {
        self.post("/api/v1/session", Some(body)).await
    }

    /// `GET /api/v1/session`: who is signed in.
    pub async fn session(self) -> Response {
        self.get("/api/v1/session").await
    }

    /// `DELETE /api/v1/session`: signs out.
    pub async fn sign_out(self) -> Response {
        self.delete("/api/v1/session").await
    }

    /// `GET /api/v1/sessions`: the caller's live sessions.
    pub async fn sessions(self) -> Response {
        self.get("/api/v1/sessions").await
    }

    /// `DELETE /api/v1/sessions/{id}`: ends one of them.
    pub async fn end_session(self, id: impl Display) -> Response {
        self.delete(&format!("/api/v1/sessions/{id}")).await
    }

    /// `POST /api/v1/password`: changes the caller's password.
    pub async fn change_password(self, body: Value) -> Response {
        self.post("/api/v1/password", Some(body)).await
    }

    /// `GET /api/v1/links/{token}`: what a one-time link is for.
    pub async fn link(self, token: &str) -> Response {
        self.get(&format!("/api/v1/links/{token}")).await
    }

    /// `POST /api/v1/links/{token}`: redeems a one-time link.
    pub async fn redeem_link(self, token: &str, body: Value) -> Response {
        self.post(&format!("/api/v1/links/{token}"), Some(body)).await
    }

    /// `POST /api/v1/candidate-links/{token}`: signs a candidate in.
    pub async fn redeem_candidate_link(self, token: &str) -> Response {
        self.post(&format!("/api/v1/candidate-links/{token}"), Some(serde_json::json!({}))).await
    }

    // The platform.

    /// `POST /api/v1/platform/orgs/{id}/admins`.
    pub async fn invite_org_admin(self, org: impl Display, body: Value) -> Response {
        self.post(&format!("/api/v1/platform/orgs/{org}/admins"), Some(body)).await
    }

    /// `POST /api/v1/platform/orgs/{id}/admins/{user_id}/link`.
    pub async fn reissue_org_admin_link(self, org: impl Display, user: impl Display) -> Response {
        self.post(&format!("/api/v1/platform/orgs/{org}/admins/{user}/link"), None).await
    }

    /// `GET /api/v1/links/{token}`: what a one-time link is for, while it works.
    pub async fn run_doctor(self) -> Response {
        self.raw(Method::POST, "/api/v1/platform/doctor", None).await
    }

    pub async fn describe_link(self, token: &str) -> Response {
        self.get(&format!("/api/v1/links/{token}")).await
    }

    /// `PATCH /api/v1/platform/orgs/{id}`: renames, deactivates or reactivates.
    pub async fn update_org(self, id: impl Display, body: Value) -> Response {
        self.send(Method::PATCH, &format!("/api/v1/platform/orgs/{id}"), Some(body)).await
    }

    // An organization's people, courses, roster and log.

    /// `GET /api/v1/org/users`.
    pub async fn users(self) -> Response {
        self.get("/api/v1/org/users").await
    }

    /// `POST /api/v1/org/users`.
    pub async fn create_user(self, body: Value) -> Response {
        self.post("/api/v1/org/users", Some(body)).await
    }

    /// `PATCH /api/v1/org/users/{id}`.
    pub async fn update_user(self, id: impl Display, body: Value) -> Response {
        self.send(Method::PATCH, &format!("/api/v1/org/users/{id}"), Some(body)).await
    }

    /// `POST /api/v1/org/users/{id}/password-reset`.
    pub async fn invitations(self, body: Value) -> Response {
        self.post("/api/v1/org/invitations", Some(body)).await
    }

    pub async fn reset_password(self, id: impl Display) -> Response {
        self.post(&format!("/api/v1/org/users/{id}/password-reset"), None).await
    }

    /// `DELETE /api/v1/org/users/{id}/sign-in-limits`.
    pub async fn clear_sign_in_limits(self, id: impl Display) -> Response {
        self.delete(&format!("/api/v1/org/users/{id}/sign-in-limits")).await
    }

    /// `POST /api/v1/org/users/{id}/erasure`.
    pub async fn erase_person(self, id: impl Display) -> Response {
        self.post(&format!("/api/v1/org/users/{id}/erasure"), None).await
    }

    /// `DELETE /api/v1/org/users/{id}/erasure`.
    pub async fn cancel_erasure(self, id: impl Display) -> Response {
        self.delete(&format!("/api/v1/org/users/{id}/erasure")).await
    }

    /// `POST /api/v1/org/courses`.
    pub async fn create_course(self, body: Value) -> Response {
        self.post("/api/v1/org/courses", Some(body)).await
    }

    /// `GET /api/v1/org/grants`.
    pub async fn grants(self) -> Response {
        self.get("/api/v1/org/grants").await
    }

    /// `POST /api/v1/org/grants`.
    pub async fn grant(self, body: Value) -> Response {
        self.post("/api/v1/org/grants", Some(body)).await
    }

    /// `DELETE /api/v1/org/grants/{id}`.
    pub async fn revoke_grant(self, id: impl Display) -> Response {
        self.delete(&format!("/api/v1/org/grants/{id}")).await
    }

    /// `POST /api/v1/org/roster/import` with a CSV file.
    pub async fn import_roster(self, csv: &str) -> Response {
        self.post_text("/api/v1/org/roster/import", "text/csv", csv).await
    }

    /// `GET /api/v1/org/backups`.
    pub async fn backups(self) -> Response {
        self.get("/api/v1/org/backups").await
    }

    /// `PUT /api/v1/org/retention`.
    pub async fn set_retention(self, body: serde_json::Value) -> Response {
        self.put("/api/v1/org/retention", body).await
    }

    /// `PUT /api/v1/org/retention/holds/{exam}`.
    pub async fn hold_exam(self, exam: impl std::fmt::Display, reason: &str) -> Response {
        self.put(&format!("/api/v1/org/retention/holds/{exam}"), serde_json::json!({ "reason": reason })).await
    }

    /// `DELETE /api/v1/org/retention/holds/{exam}`.
    pub async fn release_exam(self, exam: impl std::fmt::Display) -> Response {
        self.delete(&format!("/api/v1/org/retention/holds/{exam}")).await
    }

    /// `GET /api/v1/org/audit?{query}`.
    pub async fn audit(self, query: &str) -> Response {
        self.get(&format!("/api/v1/org/audit?{query}")).await
    }

    /// `GET /api/v1/org/audit.csv`.
    pub async fn audit_csv(self) -> Response {
        self.get("/api/v1/org/audit.csv").await
    }

    // A course's exams, as its staff.

    /// `POST /api/v1/courses/{course}/exams`: a new draft.
    pub async fn create_exam(self, course: impl Display, body: Value) -> Response {
        self.post(&format!("/api/v1/courses/{course}/exams"), Some(body)).await
    }

    /// `GET .../exams/{exam}`.
    pub async fn exam(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&exam_path(course, exam)).await
    }

    /// `PUT .../exams/{exam}`: edits it.
    pub async fn update_exam(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.send(Method::PUT, &exam_path(course, exam), Some(body)).await
    }

    /// `DELETE .../exams/{exam}`: deletes a draft.
    pub async fn delete_exam(self, course: impl Display, exam: impl Display) -> Response {
        self.delete(&exam_path(course, exam)).await
    }

    /// `POST .../exams/{exam}/duplicate`.
    pub async fn duplicate_exam(self, course: impl Display, exam: impl Display) -> Response {
        self.post(&format!("{}/duplicate", exam_path(course, exam)), None).await
    }

    /// `POST .../exams/{exam}/publish` with the model solutions' test report.
    pub async fn publish(self, course: impl Display, exam: impl Display, report: Value) -> Response {
        self.post(&format!("{}/publish", exam_path(course, exam)), Some(report)).await
    }

    /// `POST .../exams/{exam}/window`: closes it early or moves its close.
    pub async fn set_window(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.post(&format!("{}/window", exam_path(course, exam)), Some(body)).await
    }

    /// `PUT .../exams/{exam}/extra-time`.
    pub async fn extra_time(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.send(Method::PUT, &format!("{}/extra-time", exam_path(course, exam)), Some(body)).await
    }

    /// `GET .../exams/{exam}/attempts`: every student, their attempt and receipt.
    pub async fn exam_attempts(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/attempts", exam_path(course, exam))).await
    }

    /// `GET .../attempts/{attempt}`: its submissions and late items.
    pub async fn attempt(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.get(&format!("{}/attempts/{attempt}", exam_path(course, exam))).await
    }

    /// `GET .../attempts/{attempt}/signals`: patterns in its log worth a look.
    pub async fn signals(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.get(&format!("{}/attempts/{attempt}/signals", exam_path(course, exam))).await
    }

    /// `POST .../attempts/{attempt}/signals/reviews`: a decision on one signal.
    pub async fn review_signal(
        self,
        course: impl Display,
        exam: impl Display,
        attempt: impl Display,
        body: Value,
    ) -> Response {
        self.post(&format!("{}/attempts/{attempt}/signals/reviews", exam_path(course, exam)), Some(body)).await
    }

    /// `GET .../similarity?question={question}`: its latest run and the decisions on its pairs.
    pub async fn similarity(self, course: impl Display, exam: impl Display, question: impl Display) -> Response {
        self.get(&format!("{}/similarity?question={question}", exam_path(course, exam))).await
    }

    /// `POST .../similarity/runs`: runs similarity over the question's submissions now.
    pub async fn run_similarity(self, course: impl Display, exam: impl Display, question: impl Display) -> Response {
        let body = json!({ "question_id": question.to_string() });
        self.post(&format!("{}/similarity/runs", exam_path(course, exam)), Some(body)).await
    }

    /// `GET .../grading`: the tests and every latest submission with its scores.
    pub async fn grading(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/grading", exam_path(course, exam))).await
    }

    /// `GET .../grading/submissions/{submission}`: its answers and stored results.
    pub async fn grading_work(self, course: impl Display, exam: impl Display, submission: impl Display) -> Response {
        self.get(&format!("{}/grading/submissions/{submission}", exam_path(course, exam))).await
    }

    /// `POST .../grading/submissions/{submission}/results` with `{"results": results}`.
    pub async fn record_results(
        self,
        course: impl Display,
        exam: impl Display,
        submission: impl Display,
        results: Value,
    ) -> Response {
        let path = format!("{}/grading/submissions/{submission}/results", exam_path(course, exam));
        self.post(&path, Some(json!({ "results": results }))).await
    }

    /// `POST .../grading/submissions/{submission}/marks` with `mark`.
    pub async fn mark(
        self,
        course: impl Display,
        exam: impl Display,
        submission: impl Display,
        mark: Value,
    ) -> Response {
        self.post(&format!("{}/grading/submissions/{submission}/marks", exam_path(course, exam)), Some(mark)).await
    }

    /// `PUT .../grading/questions/{question}/scheme` with `scheme`.
    pub async fn set_scheme(
        self,
        course: impl Display,
        exam: impl Display,
        question: impl Display,
        scheme: Value,
    ) -> Response {
        self.put(&format!("{}/grading/questions/{question}/scheme", exam_path(course, exam)), scheme).await
    }

    /// `PUT .../grading/options` with `options`.
    pub async fn marking_options(self, course: impl Display, exam: impl Display, options: Value) -> Response {
        self.put(&format!("{}/grading/options", exam_path(course, exam)), options).await
    }

    /// `POST .../grading/release` (`true`) or `.../grading/withdraw`.
    pub async fn release_results(self, course: impl Display, exam: impl Display, released: bool) -> Response {
        let what = if released { "release" } else { "withdraw" };
        self.post(&format!("{}/grading/{what}", exam_path(course, exam)), None).await
    }

    /// `GET /api/v1/me/exams/{exam}/results`: the student's own results.
    pub async fn my_results(self, exam: impl Display) -> Response {
        self.get(&format!("/api/v1/me/exams/{exam}/results")).await
    }

    /// `GET .../exports/{file}`: one of the exam's exports (`events.csv`, `grades.json`, ...).
    pub async fn export(self, course: impl Display, exam: impl Display, file: &str) -> Response {
        self.get(&format!("{}/exports/{file}", exam_path(course, exam))).await
    }

    /// `POST .../similarity/reviews`: a decision on one pair of the latest run.
    pub async fn review_pair(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.post(&format!("{}/similarity/reviews", exam_path(course, exam)), Some(body)).await
    }

    /// `GET .../attempts/{attempt}/code`: the student and each question's code now.
    pub async fn code(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.get(&format!("{}/attempts/{attempt}/code", exam_path(course, exam))).await
    }

    /// `GET .../attempts/{attempt}/replay`: each question's edits and the first submission.
    pub async fn replay(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.get(&format!("{}/attempts/{attempt}/replay", exam_path(course, exam))).await
    }

    /// `GET .../attempts/{attempt}/timeline`: the attempt's log, typed.
    pub async fn timeline(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.get(&format!("{}/attempts/{attempt}/timeline", exam_path(course, exam))).await
    }

    /// `POST .../attempts/{attempt}/move`: a one-time code that moves it to another computer.
    pub async fn move_code(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.post(&format!("{}/attempts/{attempt}/move", exam_path(course, exam)), None).await
    }

    /// `POST .../attempts/{attempt}/late-items/apply`.
    pub async fn apply_late_items(self, course: impl Display, exam: impl Display, attempt: impl Display) -> Response {
        self.post(&format!("{}/attempts/{attempt}/late-items/apply", exam_path(course, exam)), None).await
    }

    /// `GET .../exams/{exam}/candidates`.
    pub async fn candidates(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/candidates", exam_path(course, exam))).await
    }

    /// `POST .../exams/{exam}/candidates` with a JSON batch.
    pub async fn issue_candidates(self, course: impl Display, exam: impl Display, batch: Value) -> Response {
        self.post(&format!("{}/candidates", exam_path(course, exam)), Some(batch)).await
    }

    /// `DELETE .../candidates/{id}`.
    pub async fn revoke_candidate(self, course: impl Display, exam: impl Display, id: impl Display) -> Response {
        self.delete(&format!("{}/candidates/{id}", exam_path(course, exam))).await
    }

    /// `POST .../candidates/{id}/reissue`.
    pub async fn reissue_candidate(self, course: impl Display, exam: impl Display, id: impl Display) -> Response {
        self.post(&format!("{}/candidates/{id}/reissue", exam_path(course, exam)), None).await
    }

    /// `GET .../exams/{exam}/incidents`.
    pub async fn incidents(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/incidents", exam_path(course, exam))).await
    }

    /// `POST .../exams/{exam}/incidents`: a note about a student or a section.
    pub async fn add_incident(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.post(&format!("{}/incidents", exam_path(course, exam)), Some(body)).await
    }

    /// `POST .../exams/{exam}/students/{student}/extra-time`: more time for one student.
    pub async fn give_extra_time(
        self,
        course: impl Display,
        exam: impl Display,
        student: impl Display,
        body: Value,
    ) -> Response {
        self.post(&format!("{}/students/{student}/extra-time", exam_path(course, exam)), Some(body)).await
    }

    /// `POST .../attempts/{attempt}/reopen`: a submitted attempt, open again for `minutes`.
    pub async fn reopen(
        self,
        course: impl Display,
        exam: impl Display,
        attempt: impl Display,
        minutes: u32,
        reason: &str,
    ) -> Response {
        let body = json!({ "minutes": minutes, "reason": reason });
        self.post(&format!("{}/attempts/{attempt}/reopen", exam_path(course, exam)), Some(body)).await
    }

    /// `POST .../exams/{exam}/announcements`: to one section or (staff) every section.
    pub async fn announce(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.post(&format!("{}/announcements", exam_path(course, exam)), Some(body)).await
    }

    /// `GET .../exams/{exam}/announcements`: what the caller watches, with who read each.
    pub async fn announcements(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/announcements", exam_path(course, exam))).await
    }

    /// `GET /api/v1/me/exams/{exam}/announcements`: what reaches the student.
    pub async fn my_announcements(self, exam: impl Display) -> Response {
        self.get(&format!("/api/v1/me/exams/{exam}/announcements")).await
    }

    /// `POST /api/v1/me/exams/{exam}/announcements/read`.
    pub async fn read_announcement(self, exam: impl Display, id: &str) -> Response {
        self.post(&format!("/api/v1/me/exams/{exam}/announcements/read"), Some(json!({ "id": id }))).await
    }

    /// `GET .../exams/{exam}/policy`.
    pub async fn policy(self, course: impl Display, exam: impl Display) -> Response {
        self.get(&format!("{}/policy", exam_path(course, exam))).await
    }

    /// `PUT .../exams/{exam}/policy`.
    pub async fn set_policy(self, course: impl Display, exam: impl Display, body: Value) -> Response {
        self.put(&format!("{}/policy", exam_path(course, exam)), body).await
    }

    // Taking exams.

    /// `GET /api/v1/me/exams`.
    pub async fn my_exams(self) -> Response {
        self.get("/api/v1/me/exams").await
    }

    /// `GET /api/v1/me/exams/{exam}`: the landing page.
    pub async fn my_exam(self, exam: impl Display) -> Response {
        self.get(&format!("/api/v1/me/exams/{exam}")).await
    }

    /// `POST /api/v1/me/exams/{exam}/start`.
    pub async fn start(self, exam: impl Display) -> Response {
        self.post(&format!("/api/v1/me/exams/{exam}/start"), None).await
    }

    /// `POST /api/v1/me/exams/{exam}/start` on another computer, with a move code.
    pub async fn start_moving(self, exam: impl Display, code: &str) -> Response {
        self.post(&format!("/api/v1/me/exams/{exam}/start"), Some(json!({ "move_code": code }))).await
    }

    /// `GET /api/v1/me/exams/{exam}/receipt`.
    pub async fn receipt(self, exam: impl Display) -> Response {
        self.get(&format!("/api/v1/me/exams/{exam}/receipt")).await
    }
}
