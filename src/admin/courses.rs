//! Course commands on the admin socket: courses and their sections, made
//! by the process holding the data directory with the same services the
//! org admin's page uses (audited as the command line).

use serde::{Deserialize, Serialize};

use super::{Failure, Outcome};
use crate::domain::{OrgId, UserId};
use crate::service::{Actor, OrgActor, courses};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::Actor as AuditActor;

/// A course command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum CourseCommand {
    /// A new course.
    Create {
        /// Its code ("PHYS101").
        code: String,
        /// Its title.
        title: String,
    },
    /// A new section of a course.
    SectionCreate {
        /// The course's code.
        course: String,
        /// The section's name.
        name: String,
    },
}

/// Carries out `command` in organization `org`.
///
/// # Errors
/// What was wrong, and what to do.
pub async fn execute(
    state: &AppState,
    actor: AuditActor,
    org: OrgId,
    command: CourseCommand,
) -> Result<Outcome, Failure> {
    let db = state.registry().org(org).await?;
    // The command line is no person of the organization: no grant of its own to protect.
    let acting = OrgActor { org, db: db.clone(), user: UserId::generate(), actor: Actor::audited(actor) };
    match command {
        CourseCommand::Create { code, title } => {
            let course = courses::create(state, &acting, &code, &title).await.map_err(|error| match error {
                StoreError::Taken(_) => Failure::new(
                    format!("a course with the code {code} exists already"),
                    Some("`examhall course list --org SLUG` shows the courses"),
                ),
                other => other.into(),
            })?;
            Ok(Outcome::CourseCreated { id: course.id.to_string(), code: course.code })
        }
        CourseCommand::SectionCreate { course, name } => {
            let courses = courses::list(&db).await?;
            let Some(found) = courses.iter().find(|c| c.code == course) else {
                return Err(Failure::new(
                    format!("no course has the code {course}"),
                    Some("create it first with `examhall course create --org SLUG --code CODE --title TITLE`"),
                ));
            };
            let section =
                courses::create_section(state, &acting, found.id, &name).await.map_err(|error| match error {
                    StoreError::Taken(_) => Failure::new(format!("{course} has a section {name} already"), None),
                    other => other.into(),
                })?;
            Ok(Outcome::SectionCreated { id: section.id.to_string(), course, name: section.name })
        }
    }
}
