//! `GET /api/v1/openapi.json`: the API described as OpenAPI 3.1. Every
//! route the server declares is listed here with who may call it, and
//! `tests/api/openapi.rs` fails when the two differ. Bodies are described
//! in prose for now; their schemas are part of the wire types still to come
//! (docs/architecture.md, "What is left").

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Who {
    Anyone,
    SignedIn,
    PlatformAdmin,
    OrgAdmin,
    OrgMember,
    CourseStaff,
    CourseInstructor,
    ExamProctor,
    ExamProctorReadingCode,
    ExamActor,
    Student,
}

impl Who {
    fn describe(self) -> &'static str {
        match self {
            Self::Anyone => {
                "anyone: no session (the token in the path, or the credentials in the body, are the authority)"
            }
            Self::SignedIn => "any signed-in person",
            Self::PlatformAdmin => "a platform admin",
            Self::OrgAdmin => "an org admin of the caller's organization",
            Self::OrgMember => "any member of the caller's organization",
            Self::CourseStaff => "an instructor or reviewer of the course in the path",
            Self::CourseInstructor => "an instructor of the course in the path",
            Self::ExamProctor => {
                "an instructor or reviewer of the course in the path, or a proctor of a section the published exam is for (their sections only)"
            }
            Self::ExamProctorReadingCode => {
                "an instructor or reviewer of the course in the path, or a proctor of the student's section when the exam's policy lets proctors read code"
            }
            Self::ExamActor => {
                "an instructor of the course in the path, or a proctor of a section the published exam is for (their sections' students only); not reviewers"
            }
            Self::Student => {
                "a student who may take the exam in the path (the binding's secret in X-Exam-Secret after start)"
            }
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Self::Anyone | Self::SignedIn => "sessions and links",
            Self::PlatformAdmin => "platform",
            Self::OrgAdmin | Self::OrgMember => "organization",
            Self::CourseStaff
            | Self::CourseInstructor
            | Self::ExamProctor
            | Self::ExamProctorReadingCode
            | Self::ExamActor => "courses and exams",
            Self::Student => "taking an exam",
        }
    }
}

/// Every operation: method, path, who, the success status, what it does.
const OPERATIONS: &[(&str, &str, Who, u16, &str)] = &[
    ("get", "/healthz", Who::Anyone, 200, "The process is alive."),
    ("get", "/readyz", Who::Anyone, 200, "Every database is open (503 until then)."),
    ("get", "/api/v1/openapi.json", Who::Anyone, 200, "This document."),
    ("post", "/api/v1/session", Who::Anyone, 200, "Signs in with e-mail and password; sets the session cookie."),
    ("get", "/api/v1/session", Who::SignedIn, 200, "Who is signed in, their roles and the CSRF token."),
    ("delete", "/api/v1/session", Who::SignedIn, 204, "Signs out."),
    ("get", "/api/v1/sessions", Who::SignedIn, 200, "The caller's live sessions."),
    ("delete", "/api/v1/sessions/{id}", Who::SignedIn, 204, "Ends one of the caller's sessions."),
    ("post", "/api/v1/password", Who::SignedIn, 204, "Changes the caller's password; other sessions end."),
    ("get", "/api/v1/links/{token}", Who::Anyone, 200, "What a one-time link is for, while it works."),
    (
        "post",
        "/api/v1/links/{token}",
        Who::Anyone,
        204,
        "Redeems a one-time link: sets a password (or creates the first platform admin).",
    ),
    ("get", "/api/v1/candidate-links/{token}", Who::Anyone, 200, "What a candidate link opens, while it works."),
    ("post", "/api/v1/candidate-links/{token}", Who::Anyone, 200, "Signs a candidate in, once."),
    ("get", "/api/v1/platform/orgs", Who::PlatformAdmin, 200, "Every organization."),
    (
        "get",
        "/api/v1/platform/status",
        Who::PlatformAdmin,
        200,
        "Version, the certificate's expiry, database sizes and the last daily check of each audit log.",
    ),
    (
        "post",
        "/api/v1/platform/doctor",
        Who::PlatformAdmin,
        200,
        "Runs the doctor's checks now (databases, audit logs, certificate, disk, clock, backups) and returns the report.",
    ),
    ("post", "/api/v1/platform/orgs", Who::PlatformAdmin, 201, "Creates an organization."),
    (
        "patch",
        "/api/v1/platform/orgs/{id}",
        Who::PlatformAdmin,
        200,
        "Renames an organization or switches it on or off.",
    ),
    (
        "post",
        "/api/v1/platform/orgs/{id}/admins",
        Who::PlatformAdmin,
        201,
        "Invites an org admin (again: a new link for one who has not set a password); returns the one-time link.",
    ),
    (
        "get",
        "/api/v1/platform/orgs/{id}/admins",
        Who::PlatformAdmin,
        200,
        "The organization's administrators: signed in or not, and whether a link of theirs is open.",
    ),
    (
        "post",
        "/api/v1/platform/orgs/{id}/admins/{user_id}/link",
        Who::PlatformAdmin,
        201,
        "A new invitation (or, after they set a password, reset) link for an administrator who lost theirs.",
    ),
    ("get", "/api/v1/org/users", Who::OrgAdmin, 200, "Every person of the organization, with their roles."),
    ("post", "/api/v1/org/users", Who::OrgAdmin, 201, "Creates a person; returns their invitation link."),
    ("patch", "/api/v1/org/users/{id}", Who::OrgAdmin, 200, "Renames, disables or enables a person."),
    ("post", "/api/v1/org/users/{id}/password-reset", Who::OrgAdmin, 201, "Issues a password-reset link."),
    (
        "post",
        "/api/v1/org/invitations",
        Who::OrgAdmin,
        201,
        "Invitation links in bulk for people without a password yet (sign-in slips, a CSV).",
    ),
    (
        "delete",
        "/api/v1/org/users/{id}/sign-in-limits",
        Who::OrgAdmin,
        204,
        "Clears the failed sign-ins counted against a person.",
    ),
    ("get", "/api/v1/org/courses", Who::OrgAdmin, 200, "Every course with its sections."),
    ("post", "/api/v1/org/courses", Who::OrgAdmin, 201, "Creates a course."),
    ("post", "/api/v1/org/courses/{id}/sections", Who::OrgAdmin, 201, "Creates a section of a course."),
    ("get", "/api/v1/org/grants", Who::OrgAdmin, 200, "Every role granted."),
    ("post", "/api/v1/org/grants", Who::OrgAdmin, 201, "Grants a role."),
    ("delete", "/api/v1/org/grants/{id}", Who::OrgAdmin, 204, "Revokes a role; its holder is signed out."),
    ("post", "/api/v1/org/roster/preview", Who::OrgAdmin, 200, "What importing a roster CSV would do, row by row."),
    ("post", "/api/v1/org/roster/import", Who::OrgAdmin, 200, "Imports a roster CSV: every row, or none."),
    ("get", "/api/v1/org/audit", Who::OrgAdmin, 200, "The audit log, filtered and paged."),
    ("get", "/api/v1/org/backups", Who::OrgAdmin, 200, "Per exam, the last good backup and the last error."),
    (
        "get",
        "/api/v1/org/users/{id}/export",
        Who::OrgAdmin,
        200,
        "Everything held about one person, as JSON (audited).",
    ),
    (
        "get",
        "/api/v1/org/users/{id}/export.csv",
        Who::OrgAdmin,
        200,
        "Everything held about one person, as CSV (audited).",
    ),
    (
        "post",
        "/api/v1/org/users/{id}/erasure",
        Who::OrgAdmin,
        202,
        "Records a request to erase a student, carried out by the next purge once their exams are purged (202); staff or erased: 409.",
    ),
    ("delete", "/api/v1/org/users/{id}/erasure", Who::OrgAdmin, 204, "Cancels a recorded erasure request."),
    (
        "get",
        "/api/v1/org/retention",
        Who::OrgAdmin,
        200,
        "The retention policy, legal holds, what is due and what was purged.",
    ),
    ("put", "/api/v1/org/retention", Who::OrgAdmin, 204, "Sets how long closed exams' evidence and data are kept."),
    (
        "put",
        "/api/v1/org/retention/holds/{exam_id}",
        Who::OrgAdmin,
        204,
        "Puts an exam on legal hold: no purge touches it.",
    ),
    ("delete", "/api/v1/org/retention/holds/{exam_id}", Who::OrgAdmin, 204, "Releases an exam's legal hold."),
    ("get", "/api/v1/org/audit.csv", Who::OrgAdmin, 200, "The audit log as CSV (the export is audited)."),
    ("get", "/api/v1/me/courses", Who::OrgMember, 200, "The courses and sections where the caller holds a role."),
    (
        "get",
        "/api/v1/me/watching",
        Who::OrgMember,
        200,
        "The published exams the sections the caller proctors sit, each opening the live monitor of those sections.",
    ),
    ("get", "/api/v1/courses/{course_id}/exams", Who::CourseStaff, 200, "The course's exams."),
    ("post", "/api/v1/courses/{course_id}/exams", Who::CourseInstructor, 201, "Creates a draft exam."),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}",
        Who::CourseStaff,
        200,
        "An exam with its questions and tests.",
    ),
    (
        "put",
        "/api/v1/courses/{course_id}/exams/{exam_id}",
        Who::CourseInstructor,
        200,
        "Replaces an exam's text, questions and tests.",
    ),
    ("delete", "/api/v1/courses/{course_id}/exams/{exam_id}", Who::CourseInstructor, 204, "Deletes a draft."),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/duplicate",
        Who::CourseInstructor,
        201,
        "A new draft with the exam's questions.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/publish",
        Who::CourseInstructor,
        200,
        "Publishes a draft whose tests all passed against the model solutions.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/window",
        Who::CourseInstructor,
        200,
        "Closes the exam early or extends it.",
    ),
    (
        "put",
        "/api/v1/courses/{course_id}/exams/{exam_id}/extra-time",
        Who::CourseInstructor,
        204,
        "Sets extra time for some students.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts",
        Who::ExamProctor,
        200,
        "Every student the caller watches (course staff: all the exam's sections; a proctor: theirs), their attempt and receipt.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/students/{user_id}/extra-time",
        Who::ExamActor,
        200,
        "Gives one student more minutes, for a reason (proctors within the exam's policy); their running deadline moves at once.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/case-file",
        Who::CourseStaff,
        200,
        "The attempt's case file (`examhall-case-file/1`): timeline, signals with evidence and decisions, similar pairs with their fragments and decisions, submissions with receipts, code. Audited each time.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/case-file.tar",
        Who::CourseStaff,
        200,
        "The case file as one tar archive: the printable page, the JSON document, each receipt's exact text and the code. Audited each time.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/reopen",
        Who::CourseInstructor,
        200,
        "Reopens a submitted attempt for some minutes, with a reason (audited); the student continues on any of their browsers and their next submission is a new one naming the first.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/announcements",
        Who::ExamProctor,
        200,
        "The exam's announcements the caller watches, newest first, each with who of their students read it.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/announcements",
        Who::ExamActor,
        201,
        "Sends an announcement to one section (or, for course instructors, every section); it reaches open exam pages at once. Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/policy",
        Who::ExamProctor,
        200,
        "The exam's policy: the thresholds its signals are derived with (and its profile's), and what proctors may do.",
    ),
    (
        "put",
        "/api/v1/courses/{course_id}/exams/{exam_id}/policy",
        Who::CourseInstructor,
        200,
        "Sets the exam's policy (audited with the old and new values); signals are derived with the new thresholds at once.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/monitor",
        Who::ExamProctor,
        200,
        "The live monitor now: every student the caller watches, their attempt, latest save and last contact.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/monitor/events",
        Who::ExamProctor,
        200,
        "The live monitor as server-sent events: `snapshot` (the whole monitor) first and after anything about the exam as a whole, then `student` (one row) as each student saves, starts, moves or submits.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/signals/reviews",
        Who::CourseStaff,
        201,
        "Records a decision on one signal (dismissed, noted or referred to the exam board) with a comment; appended, never changed.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/code",
        Who::ExamProctorReadingCode,
        200,
        "The student and each question's code now (audited once per viewing).",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/replay",
        Who::ExamProctorReadingCode,
        200,
        "Each question's edits in order from its starter code, and the first submission they must explain.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/timeline",
        Who::ExamProctor,
        200,
        "The attempt's timeline: its log, typed, with stretches away from the page measured, merged in the server's order with what the server recorded (start, moves, refused browsers, submission) and the incident notes about the student.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/similarity",
        Who::CourseStaff,
        200,
        "The latest stored similarity run of one question (query `question`; `run` is null before the first): the submissions' ranked pairs, starter code excluded, with their matching fragments, when and why it ran, and every decision on its pairs, newest first. Evidence, never a verdict.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/similarity/runs",
        Who::CourseStaff,
        201,
        "Runs similarity over one question's submissions now (`question_id`) and stores the run; one run at a time per server, and a request that waited while a run of the same question began gets that run (200).",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/similarity/reviews",
        Who::CourseStaff,
        201,
        "Records a decision on one pair of the question's latest run (dismissed, noted or referred to the exam board) with a comment; appended, never changed.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading",
        Who::CourseStaff,
        200,
        "The exam's grading: every question with all its tests (hidden ones too) and the SHA-256 that names each test's results, each question's scheme, the marking options and release, and the latest submission of every attempt with its scores so far (per question: points once every test has a result and the rubric is marked, their source, the second marker's points) and its referred integrity reviews. While marking is anonymous, no names.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}",
        Who::CourseStaff,
        200,
        "One submission to grade (the latest of its attempt): its answers with the SHA-256 of each, and every result stored for it, older tests' too.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}/results",
        Who::CourseStaff,
        200,
        "Stores the results a grader's browser got running the submission's answers against the question's current tests (outcome, bounded excerpts of expected and actual values and output, duration); a result already stored for the same code and test stays as it was. Answers how many were new.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/submissions/{submission_id}/marks",
        Who::CourseStaff,
        204,
        "A grader's mark of one answer: the rubric items awarded, points replacing the computed ones, feedback for the student, as the first or (when the exam has one) the second marker. The latest mark of each marker counts; earlier ones stay in the history. Audited.",
    ),
    (
        "put",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/questions/{question_id}/scheme",
        Who::CourseInstructor,
        204,
        "How a question's points divide: a weight per test and rubric items (description and points); the tests share what the rubric leaves. Audited.",
    ),
    (
        "put",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/options",
        Who::CourseInstructor,
        204,
        "The exam's marking options: anonymous marking (names hidden from graders until release), a second marker, and whether students see how many hidden tests they passed. Audited.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/release",
        Who::CourseInstructor,
        204,
        "Releases the results to the exam's students, once the exam has closed and every submission has points. Audited.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/grading/withdraw",
        Who::CourseInstructor,
        204,
        "Withdraws released results: students no longer see them. Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/attempts.csv",
        Who::CourseInstructor,
        200,
        "The exam's attempts as CSV, one row per attempt: student, section, start, deadline, extra time, submission time and reason, receipt hashes (docs/exports.md). Streamed from one read snapshot; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/attempts.json",
        Who::CourseInstructor,
        200,
        "The exam's attempts as a JSON array, one object per attempt with the CSV's columns as keys (docs/exports.md). Streamed; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/events.csv",
        Who::CourseInstructor,
        200,
        "Every attempt's session log as CSV, one row per item: attempt, student, sequence, kind, times, and the item's exact JSON (docs/exports.md). Streamed row by row from one read snapshot; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/events.json",
        Who::CourseInstructor,
        200,
        "Every attempt's session log as a JSON array, one object per item (docs/exports.md). Streamed; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/signals.csv",
        Who::CourseInstructor,
        200,
        "The attempts' integrity signals as CSV, one row per signal and decision on it, with the review history (docs/exports.md). Streamed; audited. Evidence, never a verdict.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/signals.json",
        Who::CourseInstructor,
        200,
        "The attempts' integrity signals and their review history as a JSON array (docs/exports.md). Streamed; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/similarity.csv",
        Who::CourseInstructor,
        200,
        "The similar pairs of each question's latest run as CSV, one row per pair and decision on it (docs/exports.md). Streamed; audited. Evidence, never a verdict.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/similarity.json",
        Who::CourseInstructor,
        200,
        "The similar pairs and their decisions as a JSON array (docs/exports.md). Streamed; audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/grades.csv",
        Who::CourseInstructor,
        200,
        "The grades as CSV, one row per student: each question's points and the total, empty until graded (docs/exports.md). Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/grades.json",
        Who::CourseInstructor,
        200,
        "The grades as a JSON array, one object per student (docs/exports.md). Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/moodle.csv",
        Who::CourseInstructor,
        200,
        "The totals shaped for Moodle's \"Import grades from CSV\" (identify users by e-mail address; candidates left out). Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/exports/canvas.csv",
        Who::CourseInstructor,
        200,
        "The totals shaped for Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, the exam, a Points Possible row; candidates left out). Audited.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/incidents",
        Who::ExamProctor,
        200,
        "The exam's incident notes about what the caller watches, newest first.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/incidents",
        Who::ExamProctor,
        201,
        "Adds an incident note about a student or a section the caller watches (proctors too); appended, never changed.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/signals",
        Who::CourseStaff,
        200,
        "The attempt's signals: patterns in its log worth a person's look, with their evidence and a severity from the exam's policy. Never a verdict.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}",
        Who::CourseStaff,
        200,
        "An attempt's submissions and late items.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/move",
        Who::ExamActor,
        201,
        "Issues a one-time code (15 minutes, 5 tries) that moves the running attempt to the computer where the student types it; the old browser stops saving.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/attempts/{attempt_id}/late-items/apply",
        Who::CourseInstructor,
        200,
        "Applies the accepted late items: a new submission and receipt.",
    ),
    (
        "get",
        "/api/v1/courses/{course_id}/exams/{exam_id}/candidates",
        Who::CourseInstructor,
        200,
        "The exam's candidate links.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/candidates",
        Who::CourseInstructor,
        201,
        "Issues candidate links (JSON, or CSV with the settings in the query).",
    ),
    (
        "delete",
        "/api/v1/courses/{course_id}/exams/{exam_id}/candidates/{id}",
        Who::CourseInstructor,
        204,
        "Revokes a candidate link.",
    ),
    (
        "post",
        "/api/v1/courses/{course_id}/exams/{exam_id}/candidates/{id}/reissue",
        Who::CourseInstructor,
        201,
        "Issues a candidate link again; the old one stops working.",
    ),
    ("get", "/api/v1/me/exams", Who::Student, 200, "The exams the caller may take, with their attempts."),
    ("get", "/api/v1/me/exams/{id}", Who::Student, 200, "An exam's landing page: rules and times, no questions."),
    (
        "post",
        "/api/v1/me/exams/{id}/start",
        Who::Student,
        201,
        "Starts the attempt and binds this browser (or takes over a moved one).",
    ),
    ("post", "/api/v1/me/exams/{id}/resume", Who::Student, 200, "Everything saved so far, after a reload."),
    (
        "post",
        "/api/v1/me/exams/{id}/saves",
        Who::Student,
        200,
        "Stores a batch of the autosave queue (docs/autosave.md).",
    ),
    ("post", "/api/v1/me/exams/{id}/submit", Who::Student, 200, "Hands the attempt in; returns the receipt."),
    ("get", "/api/v1/me/exams/{id}/receipt", Who::Student, 200, "The receipt of a submitted attempt."),
    (
        "get",
        "/api/v1/me/exams/{id}/submission",
        Who::Student,
        200,
        "The code of each question as the latest submission holds it, for the receipt file.",
    ),
    (
        "get",
        "/api/v1/me/exams/{id}/results",
        Who::Student,
        200,
        "The student's own results once released: points, feedback, rubric items and the visible tests' results (hidden tests at most as counts). Before release, only that they are not released.",
    ),
    (
        "get",
        "/api/v1/me/exams/{id}/announcements",
        Who::Student,
        200,
        "The announcements that reach the student, newest first.",
    ),
    (
        "get",
        "/api/v1/me/exams/{id}/announcements/events",
        Who::Student,
        200,
        "The announcements as server-sent events: `announcements` (the whole list) on connecting and after each new one. At most 3 open per person; past that 503.",
    ),
    ("post", "/api/v1/me/exams/{id}/announcements/read", Who::Student, 204, "The student read an announcement."),
];

/// The document, built once.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for &(method, path, who, status, summary) in OPERATIONS {
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let security = match who {
            Who::Anyone => json!([]),
            _ if method == "get" => json!([{ "session": [] }]),
            _ => json!([{ "session": [], "csrf": [] }]),
        };
        let operation = json!({
            "summary": summary,
            "tags": [who.tag()],
            "parameters": parameters,
            "security": security,
            "x-examhall-who": who.describe(),
            "responses": {
                status.to_string(): { "description": "Done." },
                "default": {
                    "description": "A problem: 401 without a session, 404 for anything outside the caller's scope.",
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                }
            }
        });
        let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        entry[method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "examhall",
            "version": crate::version::APP,
            "description": "The HTTP API of examhall. Errors are application/problem+json (RFC 9457) with a stable type. \
                            Anything outside the caller's scope is a 404, as an unknown id is."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "__Host-examhall" },
                "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token" }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": { "type": "string", "description": "urn:examhall:problem:<kind>" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "error_id": { "type": "string", "description": "For a 500: the id under which the detail was logged." },
                        "acked_seq": { "type": "integer", "description": "For a save batch with a gap." },
                        "field": { "type": "string", "description": "For an invalid value: which one." }
                    }
                }
            }
        }
    })
}

async fn openapi() -> Json<&'static Value> {
    Json(document())
}

/// The route of the document.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi))
}
