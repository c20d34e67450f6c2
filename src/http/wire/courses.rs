//! Courses, sections and the roles people hold in them.

use serde::Serialize;

use crate::domain::{CourseId, GrantId, Role, SectionId, UserId};
use crate::store::courses;

/// A course with its sections.
#[derive(Serialize)]
pub struct Course {
    id: CourseId,
    /// Short code, unique in the organization ("PHYS101").
    code: String,
    title: String,
    sections: Vec<Section>,
}

impl From<courses::Course> for Course {
    fn from(course: courses::Course) -> Self {
        Self {
            id: course.id,
            code: course.code,
            title: course.title,
            sections: course.sections.into_iter().map(Section::from).collect(),
        }
    }
}

/// A section of a course.
#[derive(Serialize)]
pub struct Section {
    id: SectionId,
    course_id: CourseId,
    name: String,
}

impl From<courses::Section> for Section {
    fn from(section: courses::Section) -> Self {
        Self { id: section.id, course_id: section.course_id, name: section.name }
    }
}

/// A role one person holds: in the organization, a course or a section.
#[derive(Serialize)]
pub struct Grant {
    id: GrantId,
    user_id: UserId,
    role: Role,
    course_id: Option<CourseId>,
    section_id: Option<SectionId>,
}

impl From<&courses::Grant> for Grant {
    fn from(grant: &courses::Grant) -> Self {
        Self {
            id: grant.id,
            user_id: grant.user_id,
            role: grant.role,
            course_id: grant.course_id,
            section_id: grant.section_id,
        }
    }
}

/// Every grant of `grants`, as the API sends them.
#[must_use]
pub fn grants(grants: &[courses::Grant]) -> Vec<Grant> {
    grants.iter().map(Grant::from).collect()
}
