//! A populated world for access tests: two organizations, courses, sections,
//! and one person per role, each signed in.

use examhall::auth::password::NewPassword;
use examhall::domain::{CourseId, DisplayName, Email, ExamId, ExamSpec, OrgId, Role, SectionId, UserId};
use examhall::service::exams::{self, TestReport};
use examhall::service::people::{self, NewPerson, Placement};
use examhall::service::{CourseActor, ExamStaff, OrgActor};
use examhall::store::courses::GrantTarget;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

pub const PASSWORD: &str = "lantern-orbit-walnut-7";

/// [`PASSWORD`]'s hash, computed once per test binary: a world holds a
/// dozen people, and each hash costs an argon2 run.
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| NewPassword::parse(PASSWORD).unwrap().hash()).clone()
}

/// A signed-in caller: the session cookie and its CSRF token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Sends a request as `caller` (or anonymously) with a JSON body.
    pub async fn call(
        &self,
        caller: Option<&Caller>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(caller) = caller {
            request = request.header("cookie", &caller.cookie).header("x-csrf-token", &caller.csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// Whether `caller`'s session is alive.
    pub async fn alive(&self, caller: &Caller) -> bool {
        self.call(Some(caller), Method::GET, "/api/v1/session", None).await.status() == 200
    }

    /// GETs `path` as `caller` and returns the JSON body.
    pub async fn json_of(&self, caller: &Caller, path: &str) -> Value {
        self.call(Some(caller), Method::GET, path, None).await.json().await.unwrap()
    }

    /// Signs in and returns the caller, or panics with the status.
    pub async fn sign_in(&self, org: Option<&str>, email: &str, password: &str) -> Caller {
        let mut body = serde_json::json!({ "email": email, "password": password });
        if let Some(org) = org {
            body["org"] = org.into();
        }
        let response = self.call(None, Method::POST, "/api/v1/session", Some(body)).await;
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let view: Value = response.json().await.unwrap();
        Caller { cookie, csrf: view["csrf_token"].as_str().unwrap().to_owned() }
    }

    /// Creates the first platform admin through the set-up link, signs in.
    pub async fn platform_admin(&self) -> Caller {
        let token = crate::helpers::setup_link(&self.state).await.expect("no platform admin yet");
        let body = serde_json::json!({ "email": "it@uni.example", "display_name": "IT", "password": PASSWORD });
        let response = self.call(None, Method::POST, &format!("/api/v1/links/platform.{token}"), Some(body)).await;
        assert_eq!(response.status(), 204);
        self.sign_in(None, "it@uni.example", PASSWORD).await
    }

    /// Adds a person with `role` at `target` to organization `org`, through
    /// the service that creates people (unaudited, as IT's import would be
    /// audited by its own entry).
    pub async fn add_person(&self, org: OrgId, email: &str, role: Role, target: GrantTarget) -> UserId {
        let db = self.state.registry().org(org).await.unwrap();
        let person = NewPerson {
            email: Email::parse(email).unwrap(),
            name: DisplayName::parse(email).unwrap(),
            student_number: None,
            password_hash: Some(password_hash()),
            role: Some((role, Placement::At(target))),
            invitation: None,
        };
        people::create(&db, person, None, time::OffsetDateTime::UNIX_EPOCH).await.unwrap().user.id
    }
}

/// The actor fixtures act as: the system, as the command line would.
fn system() -> examhall::service::Actor {
    examhall::service::Actor::audited(examhall::store::audit::Actor::system())
}

/// Everyone the access tests need.
pub struct World {
    pub physics: OrgId,
    pub chemistry: OrgId,
    pub course: CourseId,
    pub section: SectionId,
    pub platform: Caller,
    pub admin: Caller,
    pub instructor: Caller,
    pub reviewer: Caller,
    pub proctor: Caller,
    pub student: Caller,
    pub student_user: UserId,
    pub other_student: Caller,
    pub other_proctor: Caller,
    pub other_instructor: Caller,
    pub other_reviewer: Caller,
    pub other_admin: Caller,
    pub chemistry_user: UserId,
    pub exam: ExamId,
    /// A published exam of PHYS101 section A, open all of the exam day
    /// ([`crate::helpers::EXAM_DAY`], 08:00 to 17:00 UTC).
    pub open_exam: ExamId,
}

/// Two organizations; physics has PHYS101 (sections A, B) and PHYS201 (C).
pub async fn world(app: &TestApp) -> World {
    let physics = app.create_org("physics", "Physics").await.id;
    let chemistry = app.create_org("chemistry", "Chemistry").await.id;
    let db = app.state.registry().org(physics).await.unwrap();
    let it = OrgActor { org: physics, db: db.clone(), user: UserId::generate(), actor: system() };
    let course_named = |code, title| examhall::service::courses::create(&app.state, &it, code, title);
    let (one, two) =
        (course_named("PHYS101", "Mechanics").await.unwrap(), course_named("PHYS201", "Optics").await.unwrap());
    let section_named = |course, name| examhall::service::courses::create_section(&app.state, &it, course, name);
    let section = section_named(one.id, "A").await.unwrap().id;
    let other_section = section_named(one.id, "B").await.unwrap().id;
    let third_section = section_named(two.id, "C").await.unwrap().id;
    let (course, other_course) = (one.id, two.id);
    let add = |email: &'static str, role, target| async move {
        app.add_person(physics, email, role, target).await;
        app.sign_in(Some("physics"), email, PASSWORD).await
    };
    let admin = add("admin@physics.example", Role::OrgAdmin, GrantTarget::Organization).await;
    let instructor = add("instructor@physics.example", Role::Instructor, GrantTarget::Course(course)).await;
    let reviewer = add("reviewer@physics.example", Role::Reviewer, GrantTarget::Course(course)).await;
    let proctor = add("proctor@physics.example", Role::Proctor, GrantTarget::Section(section)).await;
    let student_user =
        app.add_person(physics, "student@physics.example", Role::Student, GrantTarget::Section(section)).await;
    let student = app.sign_in(Some("physics"), "student@physics.example", PASSWORD).await;
    let other_student = add("student-b@physics.example", Role::Student, GrantTarget::Section(other_section)).await;
    let other_proctor = add("proctor-b@physics.example", Role::Proctor, GrantTarget::Section(other_section)).await;
    let other_instructor =
        add("instructor-201@physics.example", Role::Instructor, GrantTarget::Course(other_course)).await;
    let other_reviewer = add("reviewer-201@physics.example", Role::Reviewer, GrantTarget::Course(other_course)).await;
    app.add_person(physics, "student-c@physics.example", Role::Student, GrantTarget::Section(third_section)).await;
    let chemistry_user =
        app.add_person(chemistry, "admin@chemistry.example", Role::OrgAdmin, GrantTarget::Organization).await;
    let other_admin = app.sign_in(Some("chemistry"), "admin@chemistry.example", PASSWORD).await;
    let platform = app.platform_admin().await;
    let mut world = World {
        physics,
        chemistry,
        course,
        section,
        platform,
        admin,
        instructor,
        reviewer,
        proctor,
        student,
        student_user,
        other_student,
        other_proctor,
        other_instructor,
        other_reviewer,
        other_admin,
        chemistry_user,
        exam: ExamId::generate(),
        open_exam: ExamId::generate(),
    };
    let spec: ExamSpec = serde_json::from_value(crate::access::exam_body(&world)).unwrap();
    let teacher =
        CourseActor { org: physics, db, user: UserId::generate(), actor: system(), course, role: Role::Instructor };
    let draft = exams::create(&app.state, &teacher, spec.clone()).await.unwrap().id;
    let open = exams::create(&app.state, &teacher, spec).await.unwrap();
    let tests = open.spec.questions.iter().map(|q| q.tests.len()).sum();
    let on = ExamStaff { staff: teacher, exam: open };
    let open = exams::publish(&app.state, &on, TestReport { run: tests, failed: 0 }).await.unwrap().id;
    world.exam = draft;
    world.open_exam = open;
    world
}

impl World {
    /// An instructor of PHYS101 on `exam` as the services see one, for
    /// reading what staff would see without a session (which a test that
    /// moved the clock past the idle timeout no longer has).
    pub async fn teaching(&self, app: &TestApp, exam: ExamId) -> ExamStaff {
        let db = app.state.registry().org(self.physics).await.unwrap();
        let now = app.state.clock().now();
        let found = exams::find(&db, self.course, exam, now).await.unwrap().expect("the exam");
        let staff = CourseActor {
            org: self.physics,
            db,
            user: UserId::generate(),
            actor: system(),
            course: self.course,
            role: Role::Instructor,
        };
        ExamStaff { staff, exam: found }
    }

    /// A world whose IDs are all `id`, for checking route patterns only.
    pub fn placeholder(id: &str) -> Self {
        let caller = Caller { cookie: String::new(), csrf: String::new() };
        Self {
            physics: OrgId::parse(id).unwrap(),
            chemistry: OrgId::parse(id).unwrap(),
            course: CourseId::parse(id).unwrap(),
            section: SectionId::parse(id).unwrap(),
            platform: caller.clone(),
            admin: caller.clone(),
            instructor: caller.clone(),
            reviewer: caller.clone(),
            proctor: caller.clone(),
            student: caller.clone(),
            student_user: UserId::parse(id).unwrap(),
            other_student: caller.clone(),
            other_proctor: caller.clone(),
            other_instructor: caller.clone(),
            other_reviewer: caller.clone(),
            other_admin: caller,
            chemistry_user: UserId::parse(id).unwrap(),
            exam: ExamId::parse(id).unwrap(),
            open_exam: ExamId::parse(id).unwrap(),
        }
    }
}
