//! Who acts, as services see them: already proven by whoever calls.

use std::net::IpAddr;

use crate::domain::{CourseId, OrgId, Role, SectionId, UserId};
use crate::notices::{Bus, ExamEvent, Notice};
use crate::store::Database;
use crate::store::audit::AuditEvent;
use crate::store::exams::Exam;

/// Someone acting, as the audit log names them, and from where: a
/// signed-in person, or IT at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Who: a user's id, or `cli:<login>` for the command line.
    pub id: String,
    /// How the audit log shows them (an e-mail address, a login).
    pub label: String,
    /// The address the request came from, when it came over the network.
    pub client: Option<IpAddr>,
}

impl Actor {
    /// A signed-in person, from `client`.
    #[must_use]
    pub fn user(id: UserId, email: &str, client: Option<IpAddr>) -> Self {
        Self { id: id.to_string(), label: email.to_owned(), client }
    }

    /// Someone not signed in, named by `label` (never by what they typed).
    #[must_use]
    pub fn anonymous(label: &str, client: Option<IpAddr>) -> Self {
        Self { id: "anonymous".to_owned(), label: label.to_owned(), client }
    }

    /// The command line's actor (`audit::Actor::command_line`).
    #[must_use]
    pub fn audited(actor: crate::store::audit::Actor) -> Self {
        Self { id: actor.id, label: actor.label, client: None }
    }

    /// An audit entry for `action` by this actor.
    #[must_use]
    pub fn event(&self, action: &str) -> AuditEvent {
        let event = AuditEvent::new(self.id.clone(), self.label.clone(), action);
        match self.client {
            Some(addr) => event.client(addr),
            None => event,
        }
    }
}

/// A student (or candidate) proven to may take `exam` of organization
/// `org`: the exam is published, one of their sections sits it, and a
/// candidate account is the candidate of this exam.
#[derive(Clone)]
pub struct ExamTaker {
    /// The organization.
    pub org: OrgId,
    /// Its database.
    pub db: Database,
    /// The student.
    pub student: UserId,
    /// The student, as the audit log names them.
    pub actor: Actor,
    /// The exam, as it stands now.
    pub exam: Exam,
}

/// An instructor or reviewer of `course`, proven by the caller.
#[derive(Clone)]
pub struct CourseActor {
    /// The organization.
    pub org: OrgId,
    /// Its database.
    pub db: Database,
    /// The staff member.
    pub user: UserId,
    /// The staff member, as the audit log names them.
    pub actor: Actor,
    /// The course.
    pub course: CourseId,
    /// Instructor or reviewer (instructor when both); proctor for an
    /// [`ExamWatch`] of a proctor.
    pub role: Role,
}

/// Course staff acting on one exam of their course.
#[derive(Clone)]
pub struct ExamStaff {
    /// Who, and in which course.
    pub staff: CourseActor,
    /// The exam, as it stood when the request began.
    pub exam: Exam,
}

/// Someone watching an exam: its course's instructors and reviewers see
/// every section of it, a proctor only the sections they proctor.
#[derive(Clone)]
pub struct ExamWatch {
    /// Who (as course staff, or a proctor of the course), and which exam.
    pub on: ExamStaff,
    /// Whose students they see.
    pub sections: Watched,
}

/// The students a watcher of an exam sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// Every section the exam is for.
    Every,
    /// These sections of it (never empty).
    Sections(Vec<SectionId>),
}

impl ExamWatch {
    /// The sections of the exam the watcher sees.
    #[must_use]
    pub fn section_ids(&self) -> Vec<SectionId> {
        self.sections.only().map_or_else(|| self.on.exam.spec.section_ids.clone(), <[_]>::to_vec)
    }
}

impl Watched {
    /// The sections to list, or `None` for all of them.
    #[must_use]
    pub fn only(&self) -> Option<&[SectionId]> {
        match self {
            Self::Every => None,
            Self::Sections(sections) => Some(sections),
        }
    }
}

/// Course staff acting on one attempt at an exam of their course.
#[derive(Clone)]
pub struct AttemptStaff {
    /// Who, and which exam.
    pub on: ExamStaff,
    /// The attempt, as it stood when the request began.
    pub attempt: crate::store::attempts::Attempt,
}

/// A member of an organization acting in it (an org admin, for the
/// services that need one; the caller proves the role).
#[derive(Clone)]
pub struct OrgActor {
    /// The organization.
    pub org: OrgId,
    /// Its database.
    pub db: Database,
    /// Who.
    pub user: UserId,
    /// Who, as the audit log names them.
    pub actor: Actor,
}

impl ExamTaker {
    /// Tells the listeners of this exam what happened; call after the commit.
    pub fn tell(&self, bus: &Bus, event: ExamEvent) {
        bus.publish(Notice { org: self.org, exam: self.exam.id, event });
    }
}

impl ExamStaff {
    /// Tells the listeners of this exam what happened; call after the commit.
    pub fn tell(&self, bus: &Bus, event: ExamEvent) {
        bus.publish(Notice { org: self.staff.org, exam: self.exam.id, event });
    }
}
