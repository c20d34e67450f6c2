//! What `examhall demo` puts in its organization: a course with two
//! sections, an account for every role of the organization (its
//! administrator, an instructor, a reviewer, a proctor and a few students),
//! and an open exam of two Python questions with visible and hidden tests.

use super::people::{self, NewPerson, Placement};
use crate::auth::password::NewPassword;
use crate::domain::{DisplayName, Email, ExamSpec, Role};
use crate::store::courses::{self, GrantTarget};
use crate::store::{Database, StoreError, exams};

/// The accounts the demo prints.
pub struct Seeded {
    /// (role, e-mail) of every account.
    pub accounts: Vec<(&'static str, String)>,
    /// Their shared password.
    pub password: String,
}

/// A password for the demo accounts, new every run.
fn demo_password() -> String {
    let mut bytes = [0u8; 6];
    crate::store::keys::fill_random(&mut bytes);
    format!("demo-{}", hex::encode(bytes))
}

fn exam_spec(sections: &[crate::domain::SectionId], now: time::OffsetDateTime) -> Result<ExamSpec, StoreError> {
    let value = serde_json::json!({
        "title": "Python warm-up",
        "instructions": "Two short questions. Run your code as often as you like; **Test** runs the visible tests.",
        "opens_at": crate::clock::rfc3339(now - time::Duration::minutes(5)),
        "closes_at": crate::clock::rfc3339(now + time::Duration::hours(4)),
        "duration_minutes": 60, "late_policy": "accept_queued", "integrity_profile": "standard",
        "section_ids": sections,
        "questions": [
            { "title": "Add two numbers", "prompt": "Write `add(a, b)` that returns the sum of `a` and `b`.",
              "starter_code": "def add(a, b):\n    pass\n", "model_solution": "def add(a, b):\n    return a + b\n", "points": 5,
              "tests": [
                { "visibility": "visible", "kind": "function", "expression": "add(2, 3)", "expected": "5" },
                { "visibility": "hidden", "kind": "function", "expression": "add(-4, 4)", "expected": "0" } ] },
            { "title": "Greeting", "prompt": "Read a name from input and print `Hello, <name>!`.",
              "starter_code": "name = input()\n", "model_solution": "name = input()\nprint(f\"Hello, {name}!\")\n", "points": 5,
              "tests": [
                { "visibility": "visible", "kind": "io", "stdin": "Ada\n", "expected": "Hello, Ada!\n" },
                { "visibility": "hidden", "kind": "io", "stdin": "Grace\n", "expected": "Hello, Grace!\n" } ] }
        ]
    });
    serde_json::from_value(value).map_err(|e| StoreError::invalid("exam", format!("the demo exam: {e}")))
}

/// Seeds the demo organization's database, in one transaction.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &Database, now: time::OffsetDateTime) -> Result<Seeded, StoreError> {
    let password = demo_password();
    let hash = NewPassword::parse(&password).map_err(|e| StoreError::invalid("password", e.0))?.hash();
    let people: Vec<(&'static str, &'static str, &'static str)> = vec![
        ("instructor", "instructor@demo.example", "Ines Instructor"),
        ("proctor", "proctor@demo.example", "Paul Proctor"),
        ("student", "student1@demo.example", "Sam Student"),
        ("student", "student2@demo.example", "Sasha Student"),
        ("student", "student3@demo.example", "Sol Student"),
        ("org admin", "admin@demo.example", "Ada Admin"),
        ("reviewer", "reviewer@demo.example", "Rene Reviewer"),
    ];
    let plan = people.clone();
    db.write(move |conn| {
        let course = courses::create_course(conn, "CS101", "Introduction to Programming", now)?;
        let monday = courses::create_section(conn, course.id, "Monday", now)?;
        let thursday = courses::create_section(conn, course.id, "Thursday", now)?;
        for (i, (role, email, name)) in plan.iter().enumerate() {
            let email = Email::parse(email).map_err(|e| StoreError::invalid("email", e.0))?;
            let name = DisplayName::parse(name).map_err(|e| StoreError::invalid("display_name", e.0))?;
            let number = (*role == "student").then(|| format!("S{:04}", i + 1));
            let section = if i % 2 == 0 { monday.id } else { thursday.id };
            let role = match *role {
                "instructor" => (Role::Instructor, GrantTarget::Course(course.id)),
                "reviewer" => (Role::Reviewer, GrantTarget::Course(course.id)),
                "org admin" => (Role::OrgAdmin, GrantTarget::Organization),
                "proctor" => (Role::Proctor, GrantTarget::Section(monday.id)),
                _ => (Role::Student, GrantTarget::Section(section)),
            };
            let person = NewPerson {
                email,
                name,
                student_number: number,
                password_hash: Some(hash.clone()),
                role: Some((role.0, Placement::At(role.1))),
                invitation: None,
            };
            people::create_in(conn, &person, None, now)?;
        }
        let spec = exam_spec(&[monday.id, thursday.id], now)?;
        let exam = exams::create(conn, course.id, &spec, now)?;
        exams::publish(conn, exam, now)?;
        Ok(())
    })
    .await?;
    Ok(Seeded { accounts: people.into_iter().map(|(role, email, _)| (role, email.to_owned())).collect(), password })
}
