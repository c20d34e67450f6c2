//! The access matrix's table: every route the server declares, who may use
//! it, and what that caller gets with the same real ids (the positive
//! control that keeps a 404 from passing for the wrong reason).

use reqwest::Method;
use serde_json::{Value, json};

use crate::people::{PASSWORD, World};

/// Who may use a route.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// Any signed-in person (their own data only).
    Session,
    /// Only the person whose session the path names.
    SessionOwner,
    /// Platform admins.
    Platform,
    /// Any member of an organization (their own data only).
    OrgMember,
    /// Org admins of the organization.
    OrgAdmin,
    /// Instructors and reviewers of the course.
    CourseStaff,
    /// Instructors of the course.
    CourseInstructor,
    /// Instructors and reviewers of the course, and proctors of a section
    /// the (published) exam is for.
    ExamWatcher,
    /// Instructors of the course, and proctors of a section the exam is
    /// for: those who act on the exam day (reviewers only read).
    ExamActor,
    /// Students of a section that takes the exam.
    ExamStudent,
}

/// The allowed caller of a positive control.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    Platform,
    Admin,
    Instructor,
    Reviewer,
    Proctor,
    Student,
    /// A new session of this person, signed in just before the request.
    SignedInAs(&'static str),
}

pub enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

pub struct Case {
    pub method: Method,
    pub path: String,
    pub body: Body,
    pub access: Access,
    /// The path names an object of physics (so other tenants must get 404).
    pub names_physics_object: bool,
    /// Send the student's attempt secret (`X-Exam-Secret`), as the exam client does.
    pub with_secret: bool,
    /// The positive control: this caller, same request, gets this status.
    pub allowed: (Who, u16),
}

/// Real objects of physics that the cases name, made before the matrix runs
/// (see `access::fixture`); all one placeholder for the completeness check.
pub struct Ids {
    /// A person to disable, one to issue a reset link for, one to grant a role to.
    pub disable_user: String,
    pub reset_user: String,
    pub grant_user: String,
    /// A second administrator of physics, to issue a new link for.
    pub org_admin: String,
    /// A grant of another person, to revoke.
    pub grant: String,
    /// A session of `owner@physics.example`, to end.
    pub owner_session: String,
    /// Drafts to delete and to publish, and a published exam to close early.
    pub deletable_exam: String,
    pub publishable_exam: String,
    pub closable_exam: String,
    /// A candidate link of the world's draft exam.
    pub candidate: String,
    /// The student's attempt at the open exam, and another student's, to move.
    pub attempt: String,
    pub movable_attempt: String,
    /// An announcement of the open exam to the student's section.
    pub announcement: String,
    /// The open exam's first question.
    pub question: String,
}

impl Ids {
    pub fn placeholder(id: &str) -> Self {
        Self {
            disable_user: id.into(),
            reset_user: id.into(),
            grant_user: id.into(),
            org_admin: id.into(),
            grant: id.into(),
            owner_session: id.into(),
            deletable_exam: id.into(),
            publishable_exam: id.into(),
            closable_exam: id.into(),
            candidate: id.into(),
            attempt: id.into(),
            movable_attempt: id.into(),
            announcement: id.into(),
            question: id.into(),
        }
    }
}

/// A valid exam for PHYS101 (section A).
pub fn exam_body(w: &World) -> Value {
    json!({
        "title": "Midterm", "opens_at": "2026-06-01T08:00:00Z", "closes_at": "2026-06-01T17:00:00Z",
        "duration_minutes": 90, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": [w.section],
        "questions": [{ "title": "Add", "prompt": "Write `add(a, b)`.", "starter_code": "def add(a, b):\n    pass\n",
            "model_solution": "def add(a, b):\n    return a + b\n", "points": 5,
            "tests": [
                { "visibility": "visible", "kind": "function", "expression": "add(1, 2)", "expected": "3" },
                { "visibility": "hidden", "kind": "function", "expression": "add(-1, 1)", "expected": "0" }
            ] }]
    })
}

fn case(method: Method, path: String, body: Body, access: Access, names: bool, allowed: (Who, u16)) -> Case {
    Case { method, path, body, access, names_physics_object: names, with_secret: false, allowed }
}

/// Every case, in the order the matrix runs them (a positive control may
/// change state; none removes an object a later case names).
pub fn cases(w: &World, ids: &Ids) -> Vec<Case> {
    vec![
        case(Method::GET, "/api/v1/platform/orgs".into(), Body::None, Access::Platform, false, (Who::Platform, 200)),
        case(Method::GET, "/api/v1/platform/status".into(), Body::None, Access::Platform, false, (Who::Platform, 200)),
        case(Method::POST, "/api/v1/platform/doctor".into(), Body::None, Access::Platform, false, (Who::Platform, 200)),
        case(
            Method::POST,
            "/api/v1/platform/orgs".into(),
            Body::Json(json!({"slug": "newone", "name": "New"})),
            Access::Platform,
            false,
            (Who::Platform, 201),
        ),
        case(
            Method::PATCH,
            format!("/api/v1/platform/orgs/{}", w.physics),
            Body::Json(json!({"name": "Renamed"})),
            Access::Platform,
            true,
            (Who::Platform, 200),
        ),
        case(
            Method::POST,
            format!("/api/v1/platform/orgs/{}/admins", w.physics),
            Body::Json(json!({"email": "boss@physics.example", "display_name": "Boss"})),
            Access::Platform,
            true,
            (Who::Platform, 201),
        ),
        case(
            Method::GET,
            format!("/api/v1/platform/orgs/{}/admins", w.physics),
            Body::None,
            Access::Platform,
            true,
            (Who::Platform, 200),
        ),
        case(
            Method::POST,
            format!("/api/v1/platform/orgs/{}/admins/{}/link", w.physics, ids.org_admin),
            Body::None,
            Access::Platform,
            true,
            (Who::Platform, 201),
        ),
    ]
    .into_iter()
    .chain(org_admin_cases(w, ids))
    .chain(retention_cases(w))
    .chain(person_export_cases(w))
    .chain(session_cases(ids))
    .chain(exam_cases(w, ids))
    .chain(candidate_cases(w, ids))
    .collect()
}

/// Everything held about one person (a subject-access export).
fn person_export_cases(w: &World) -> Vec<Case> {
    ["export", "export.csv"]
        .into_iter()
        .map(|form| {
            let path = format!("/api/v1/org/users/{}/{form}", w.student_user);
            case(Method::GET, path, Body::None, Access::OrgAdmin, true, (Who::Admin, 200))
        })
        .chain(person_erasure_cases(w))
        .collect()
}

/// Erasing a student: they have an attempt, so the request is recorded
/// (202), then cancelled (204); nothing is erased.
fn person_erasure_cases(w: &World) -> Vec<Case> {
    let path = format!("/api/v1/org/users/{}/erasure", w.student_user);
    vec![
        case(Method::POST, path.clone(), Body::None, Access::OrgAdmin, true, (Who::Admin, 202)),
        case(Method::DELETE, path, Body::None, Access::OrgAdmin, true, (Who::Admin, 204)),
    ]
}

/// An organization's retention policy and legal holds.
fn retention_cases(w: &World) -> Vec<Case> {
    vec![
        case(Method::GET, "/api/v1/org/retention".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(
            Method::PUT,
            "/api/v1/org/retention".into(),
            Body::Json(json!({"evidence_days": 60, "exam_days": 365})),
            Access::OrgAdmin,
            false,
            (Who::Admin, 204),
        ),
        case(
            Method::PUT,
            format!("/api/v1/org/retention/holds/{}", w.open_exam),
            Body::Json(json!({"reason": "appeal 12 in progress"})),
            Access::OrgAdmin,
            true,
            (Who::Admin, 204),
        ),
        case(
            Method::DELETE,
            format!("/api/v1/org/retention/holds/{}", w.open_exam),
            Body::None,
            Access::OrgAdmin,
            true,
            (Who::Admin, 204),
        ),
    ]
}

/// An organization's people, courses, roster and audit log (org admins).
fn org_admin_cases(w: &World, ids: &Ids) -> Vec<Case> {
    let roster = "student_number,name,email,course,section\nS900,New Student,new@physics.example,PHYS101,A\n";
    vec![
        case(Method::GET, "/api/v1/org/users".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(
            Method::POST,
            "/api/v1/org/users".into(),
            Body::Json(json!({"email": "x@physics.example", "display_name": "X"})),
            Access::OrgAdmin,
            false,
            (Who::Admin, 201),
        ),
        case(
            Method::PATCH,
            format!("/api/v1/org/users/{}", ids.disable_user),
            Body::Json(json!({"status": "disabled"})),
            Access::OrgAdmin,
            true,
            (Who::Admin, 200),
        ),
        case(
            Method::POST,
            "/api/v1/org/invitations".into(),
            Body::Json(json!({"user_ids": [ids.reset_user.clone()]})),
            Access::OrgAdmin,
            true,
            (Who::Admin, 201),
        ),
        case(
            Method::POST,
            format!("/api/v1/org/users/{}/password-reset", ids.reset_user),
            Body::None,
            Access::OrgAdmin,
            true,
            (Who::Admin, 201),
        ),
        case(
            Method::DELETE,
            format!("/api/v1/org/users/{}/sign-in-limits", ids.reset_user),
            Body::None,
            Access::OrgAdmin,
            true,
            (Who::Admin, 204),
        ),
        case(Method::GET, "/api/v1/org/courses".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(
            Method::POST,
            "/api/v1/org/courses".into(),
            Body::Json(json!({"code": "NEW1", "title": "New"})),
            Access::OrgAdmin,
            false,
            (Who::Admin, 201),
        ),
        case(
            Method::POST,
            format!("/api/v1/org/courses/{}/sections", w.course),
            Body::Json(json!({"name": "Z"})),
            Access::OrgAdmin,
            true,
            (Who::Admin, 201),
        ),
        case(Method::GET, "/api/v1/org/grants".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(
            Method::POST,
            "/api/v1/org/grants".into(),
            Body::Json(json!({"user_id": ids.grant_user, "role": "proctor", "section_id": w.section})),
            Access::OrgAdmin,
            true,
            (Who::Admin, 201),
        ),
        case(
            Method::DELETE,
            format!("/api/v1/org/grants/{}", ids.grant),
            Body::None,
            Access::OrgAdmin,
            true,
            (Who::Admin, 204),
        ),
        case(
            Method::POST,
            "/api/v1/org/roster/preview".into(),
            Body::Csv(roster),
            Access::OrgAdmin,
            false,
            (Who::Admin, 200),
        ),
        case(
            Method::POST,
            "/api/v1/org/roster/import".into(),
            Body::Csv(roster),
            Access::OrgAdmin,
            false,
            (Who::Admin, 200),
        ),
        case(Method::GET, "/api/v1/org/audit".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(Method::GET, "/api/v1/org/backups".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
        case(Method::GET, "/api/v1/org/audit.csv".into(), Body::None, Access::OrgAdmin, false, (Who::Admin, 200)),
    ]
}

/// A person's own session and account routes.
fn session_cases(ids: &Ids) -> Vec<Case> {
    let new_password = json!({"current_password": PASSWORD, "new_password": "another-strong-phrase-9"});
    vec![
        case(Method::GET, "/api/v1/me/courses".into(), Body::None, Access::OrgMember, false, (Who::Student, 200)),
        case(Method::GET, "/api/v1/me/watching".into(), Body::None, Access::OrgMember, false, (Who::Proctor, 200)),
        case(Method::GET, "/api/v1/session".into(), Body::None, Access::Session, false, (Who::Admin, 200)),
        case(
            Method::DELETE,
            "/api/v1/session".into(),
            Body::None,
            Access::Session,
            false,
            (Who::SignedInAs("leaver@physics.example"), 204),
        ),
        case(Method::GET, "/api/v1/sessions".into(), Body::None, Access::Session, false, (Who::Admin, 200)),
        case(
            Method::DELETE,
            format!("/api/v1/sessions/{}", ids.owner_session),
            Body::None,
            Access::SessionOwner,
            true,
            (Who::SignedInAs("owner@physics.example"), 204),
        ),
        case(
            Method::POST,
            "/api/v1/password".into(),
            Body::Json(new_password),
            Access::Session,
            false,
            (Who::SignedInAs("changer@physics.example"), 204),
        ),
    ]
}

/// Exam routes; each names PHYS101 and one of its exams, objects of physics.
fn exam_cases(w: &World, ids: &Ids) -> Vec<Case> {
    let staff = |method: Method, path: String, body: Body, access: Access, allowed: (Who, u16)| Case {
        method,
        path,
        body,
        access,
        names_physics_object: true,
        with_secret: false,
        allowed,
    };
    let student = |method: Method, path: String, body: Body, status: u16| Case {
        method,
        path,
        body,
        access: Access::ExamStudent,
        names_physics_object: true,
        with_secret: true,
        allowed: (Who::Student, status),
    };
    let exams = format!("/api/v1/courses/{}/exams", w.course);
    let exam = format!("{exams}/{}", w.exam);
    let open = format!("{exams}/{}", w.open_exam);
    let mine = format!("/api/v1/me/exams/{}", w.open_exam);
    let (instructor, reviewer) = (Access::CourseInstructor, Access::CourseStaff);
    let mut cases = vec![
        staff(Method::GET, exams.clone(), Body::None, reviewer, (Who::Reviewer, 200)),
        staff(Method::POST, exams.clone(), Body::Json(exam_body(w)), instructor, (Who::Instructor, 201)),
        staff(Method::GET, exam.clone(), Body::None, reviewer, (Who::Reviewer, 200)),
        staff(Method::PUT, exam.clone(), Body::Json(exam_body(w)), instructor, (Who::Instructor, 200)),
        staff(
            Method::DELETE,
            format!("{exams}/{}", ids.deletable_exam),
            Body::None,
            instructor,
            (Who::Instructor, 204),
        ),
        staff(Method::POST, format!("{exam}/duplicate"), Body::None, instructor, (Who::Instructor, 201)),
        staff(
            Method::POST,
            format!("{exams}/{}/publish", ids.publishable_exam),
            Body::Json(json!({"tests_run": 2, "tests_failed": 0})),
            instructor,
            (Who::Instructor, 200),
        ),
        staff(
            Method::POST,
            format!("{exams}/{}/window", ids.closable_exam),
            Body::Json(json!({})),
            instructor,
            (Who::Instructor, 200),
        ),
        staff(
            Method::PUT,
            format!("{exam}/extra-time"),
            Body::Json(json!({"user_ids": [w.student_user], "minutes": 30})),
            instructor,
            (Who::Instructor, 204),
        ),
    ];
    cases.extend(watching_cases(&open, &w.section.to_string(), &w.student_user.to_string(), staff));
    cases.extend(attempt_cases(ids, &open, staff));
    cases.extend(similarity_cases(ids, &open, staff));
    cases.extend(grading_cases(&open, staff));
    cases.extend(export_cases(&open, staff));
    cases.extend([
        student(Method::GET, mine.clone(), Body::None, 200),
        // The student started in the fixture: a second start is the refusal of a second device.
        student(Method::POST, format!("{mine}/start"), Body::None, 409),
        student(Method::POST, format!("{mine}/resume"), Body::None, 200),
        student(Method::POST, format!("{mine}/saves"), Body::Json(json!({"items": []})), 200),
        student(Method::POST, format!("{mine}/submit"), Body::Json(json!({"seq": 0})), 200),
        student(Method::GET, format!("{mine}/receipt"), Body::None, 200),
        student(Method::GET, format!("{mine}/submission"), Body::None, 200),
        student(Method::GET, format!("{mine}/results"), Body::None, 200),
        student(Method::GET, format!("{mine}/announcements"), Body::None, 200),
        student(Method::GET, format!("{mine}/announcements/events"), Body::None, 200),
        student(Method::POST, format!("{mine}/announcements/read"), Body::Json(json!({"id": ids.announcement})), 204),
        Case {
            method: Method::GET,
            path: "/api/v1/me/exams".into(),
            body: Body::None,
            access: Access::OrgMember,
            names_physics_object: false,
            with_secret: false,
            allowed: (Who::Student, 200),
        },
    ]);
    cases
}

/// The routes of watching and reviewing an exam's attempts (after the
/// authoring cases, before the student's own, as the positive controls need).
fn watching_cases(
    open: &str,
    section: &str,
    student: &str,
    staff: impl Fn(Method, String, Body, Access, (Who, u16)) -> Case,
) -> Vec<Case> {
    let instructor = Access::CourseInstructor;
    vec![
        staff(Method::GET, format!("{open}/attempts"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(Method::GET, format!("{open}/monitor"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(Method::GET, format!("{open}/monitor/events"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(Method::GET, format!("{open}/incidents"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(Method::GET, format!("{open}/policy"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(Method::GET, format!("{open}/announcements"), Body::None, Access::ExamWatcher, (Who::Proctor, 200)),
        staff(
            Method::POST,
            format!("{open}/announcements"),
            Body::Json(json!({"section_id": section, "body": "Ten minutes left."})),
            Access::ExamActor,
            (Who::Proctor, 201),
        ),
        // The instructor's positive control: the world's policy gives proctors no time.
        staff(
            Method::POST,
            format!("{open}/students/{student}/extra-time"),
            Body::Json(json!({"minutes": 5, "reason": "the fire alarm"})),
            Access::ExamActor,
            (Who::Instructor, 200),
        ),
        staff(
            Method::PUT,
            format!("{open}/policy"),
            Body::Json(json!({"thresholds": null, "proctors_read_code": false, "proctor_extra_minutes": 10})),
            instructor,
            (Who::Instructor, 200),
        ),
        staff(
            Method::POST,
            format!("{open}/incidents"),
            Body::Json(json!({"section_id": section, "note": "the fire alarm rang for two minutes"})),
            Access::ExamWatcher,
            (Who::Proctor, 201),
        ),
    ]
}

/// The routes of one attempt, as its watchers read it and its instructors act on it.
fn attempt_cases(ids: &Ids, open: &str, staff: impl Fn(Method, String, Body, Access, (Who, u16)) -> Case) -> Vec<Case> {
    let (instructor, reviewer) = (Access::CourseInstructor, Access::CourseStaff);
    vec![
        staff(Method::GET, format!("{open}/attempts/{}", ids.attempt), Body::None, reviewer, (Who::Reviewer, 200)),
        staff(
            Method::GET,
            format!("{open}/attempts/{}/signals", ids.attempt),
            Body::None,
            reviewer,
            (Who::Reviewer, 200),
        ),
        staff(
            Method::POST,
            format!("{open}/attempts/{}/signals/reviews", ids.attempt),
            Body::Json(json!({"signal": "second_device", "decision": "noted", "comment": "the student's laptop died"})),
            reviewer,
            (Who::Reviewer, 201),
        ),
        staff(Method::GET, format!("{open}/attempts/{}/code", ids.attempt), Body::None, reviewer, (Who::Reviewer, 200)),
        staff(
            Method::GET,
            format!("{open}/attempts/{}/replay", ids.attempt),
            Body::None,
            reviewer,
            (Who::Reviewer, 200),
        ),
        staff(
            Method::GET,
            format!("{open}/attempts/{}/timeline", ids.attempt),
            Body::None,
            Access::ExamWatcher,
            (Who::Proctor, 200),
        ),
        staff(
            Method::POST,
            format!("{open}/attempts/{}/move", ids.movable_attempt),
            Body::None,
            Access::ExamActor,
            (Who::Proctor, 201),
        ),
        // Nothing arrived late: the route found the attempt and says there is nothing to apply.
        staff(
            Method::POST,
            format!("{open}/attempts/{}/late-items/apply", ids.attempt),
            Body::None,
            instructor,
            (Who::Instructor, 409),
        ),
        staff(
            Method::GET,
            format!("{open}/attempts/{}/case-file", ids.attempt),
            Body::None,
            reviewer,
            (Who::Reviewer, 200),
        ),
        staff(
            Method::GET,
            format!("{open}/attempts/{}/case-file.tar", ids.attempt),
            Body::None,
            reviewer,
            (Who::Reviewer, 200),
        ),
        // Not submitted yet: the route found the attempt and says it cannot reopen it.
        staff(
            Method::POST,
            format!("{open}/attempts/{}/reopen", ids.attempt),
            Body::Json(json!({"minutes": 10, "reason": "submitted by mistake"})),
            instructor,
            (Who::Instructor, 409),
        ),
    ]
}

/// Similarity between the open exam's submissions (instructors and reviewers).
fn similarity_cases(
    ids: &Ids,
    open: &str,
    staff: impl Fn(Method, String, Body, Access, (Who, u16)) -> Case,
) -> Vec<Case> {
    vec![
        staff(
            Method::GET,
            format!("{open}/similarity?question={}", ids.question),
            Body::None,
            Access::CourseStaff,
            (Who::Reviewer, 200),
        ),
        staff(
            Method::POST,
            format!("{open}/similarity/runs"),
            Body::Json(json!({"question_id": ids.question})),
            Access::CourseStaff,
            (Who::Reviewer, 201),
        ),
        // Nothing is submitted yet, so no run holds a pair: the route found
        // the exam and refuses a "pair" of one attempt.
        staff(
            Method::POST,
            format!("{open}/similarity/reviews"),
            Body::Json(json!({"question_id": ids.question, "attempts": [ids.attempt, ids.attempt],
                "decision": "noted", "comment": "the same code, shown in lectures"})),
            Access::CourseStaff,
            (Who::Reviewer, 422),
        ),
    ]
}

/// Grading the open exam's submissions (instructors and reviewers).
fn grading_cases(open: &str, staff: impl Fn(Method, String, Body, Access, (Who, u16)) -> Case) -> Vec<Case> {
    // Nothing is submitted yet: a submission the exam does not hold is not
    // found, and a result for a question the exam does not have is refused
    // before anything is looked up, which tells a route that let the caller
    // in from one that did not.
    let nobody = "00000000-0000-7000-8000-000000000000";
    vec![
        staff(Method::GET, format!("{open}/grading"), Body::None, Access::CourseStaff, (Who::Reviewer, 200)),
        staff(
            Method::GET,
            format!("{open}/grading/submissions/{nobody}"),
            Body::None,
            Access::CourseStaff,
            (Who::Reviewer, 404),
        ),
        staff(
            Method::POST,
            format!("{open}/grading/submissions/{nobody}/results"),
            Body::Json(json!({"results": [{"question_id": nobody, "test_sha256": "0".repeat(64),
                "outcome": "passed", "duration_ms": 1}]})),
            Access::CourseStaff,
            (Who::Reviewer, 422),
        ),
        staff(
            Method::POST,
            format!("{open}/grading/submissions/{nobody}/marks"),
            Body::Json(json!({"question_id": nobody, "points": -1})),
            Access::CourseStaff,
            (Who::Reviewer, 422),
        ),
        staff(
            Method::PUT,
            format!("{open}/grading/questions/{nobody}/scheme"),
            Body::Json(json!({"test_weights": [], "rubric": [{"description": "loop", "points": 0.001}]})),
            Access::CourseInstructor,
            (Who::Instructor, 422),
        ),
        staff(
            Method::PUT,
            format!("{open}/grading/options"),
            Body::Json(json!({"anonymous": false, "second_marker": true, "hidden_counts": false})),
            Access::CourseInstructor,
            (Who::Instructor, 204),
        ),
        // The exam is still open: releasing is refused, and there is nothing to withdraw.
        staff(
            Method::POST,
            format!("{open}/grading/release"),
            Body::None,
            Access::CourseInstructor,
            (Who::Instructor, 409),
        ),
        staff(
            Method::POST,
            format!("{open}/grading/withdraw"),
            Body::None,
            Access::CourseInstructor,
            (Who::Instructor, 409),
        ),
    ]
}

/// The open exam's exports (instructors only; each allowed export is audited).
fn export_cases(open: &str, staff: impl Fn(Method, String, Body, Access, (Who, u16)) -> Case) -> Vec<Case> {
    crate::exports::FILES
        .into_iter()
        .map(|file| {
            let path = format!("{open}/exports/{file}");
            staff(Method::GET, path, Body::None, Access::CourseInstructor, (Who::Instructor, 200))
        })
        .collect()
}

/// The candidate links of the world's draft exam (course instructors).
fn candidate_cases(w: &World, ids: &Ids) -> Vec<Case> {
    let staff = |method: Method, path: String, body: Body, access: Access, allowed: (Who, u16)| Case {
        method,
        path,
        body,
        access,
        names_physics_object: true,
        with_secret: false,
        allowed,
    };
    let exam = format!("/api/v1/courses/{}/exams/{}", w.course, w.exam);
    let window = json!({"section_id": w.section, "valid_from": "2026-06-01T08:00:00Z",
        "valid_until": "2026-06-01T16:00:00Z", "candidates": [{"label": "Guest"}]});
    let instructor = Access::CourseInstructor;
    vec![
        staff(Method::GET, format!("{exam}/candidates"), Body::None, instructor, (Who::Instructor, 200)),
        staff(Method::POST, format!("{exam}/candidates"), Body::Json(window), instructor, (Who::Instructor, 201)),
        // Before the link is revoked: a new link for the same candidate replaces it.
        staff(
            Method::POST,
            format!("{exam}/candidates/{}/reissue", ids.candidate),
            Body::None,
            instructor,
            (Who::Instructor, 201),
        ),
        staff(
            Method::DELETE,
            format!("{exam}/candidates/{}", ids.candidate),
            Body::None,
            instructor,
            (Who::Instructor, 204),
        ),
    ]
}

/// Routes open without a session, each guarded otherwise: health has no
/// data, sign-in checks the password, links are authorised by their token.
pub const OPEN: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/session"),
    ("GET", "/api/v1/links/{token}"),
    ("POST", "/api/v1/links/{token}"),
    ("GET", "/api/v1/candidate-links/{token}"),
    ("POST", "/api/v1/candidate-links/{token}"),
];
