//! Courses, sections, and role grants inside one organization.

use rusqlite::{Connection, Row, params};
use time::OffsetDateTime;

use super::StoreError;
use crate::clock::rfc3339;
use crate::domain::{CourseId, GrantId, Role, Scope, SectionId, UserId};

/// A course.
#[derive(Debug, Clone)]
pub struct Course {
    /// Identifier.
    pub id: CourseId,
    /// Short code, unique in the organization ("PHYS101").
    pub code: String,
    /// Full title.
    pub title: String,
    /// Its sections.
    pub sections: Vec<Section>,
}

/// A section of a course.
#[derive(Debug, Clone)]
pub struct Section {
    /// Identifier.
    pub id: SectionId,
    /// Its course.
    pub course_id: CourseId,
    /// Name, unique in the course ("A", "Monday lab").
    pub name: String,
}

/// A role held by a person at a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Identifier.
    pub id: GrantId,
    /// Whose.
    pub user_id: UserId,
    /// Which role.
    pub role: Role,
    /// The course (course and section roles).
    pub course_id: Option<CourseId>,
    /// The section (section roles).
    pub section_id: Option<SectionId>,
}

impl Grant {
    /// Whether this grant gives `role` on `course` (directly, or through a
    /// section of it for section roles).
    #[must_use]
    pub fn covers_course(&self, course: CourseId) -> bool {
        self.course_id == Some(course)
    }
}

/// Creates a course.
///
/// # Errors
/// [`StoreError::Taken`] when the code is taken.
pub fn create_course(conn: &Connection, code: &str, title: &str, now: OffsetDateTime) -> Result<Course, StoreError> {
    let id = CourseId::generate();
    conn.execute(
        "INSERT INTO courses (id, code, title, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, code, title, rfc3339(now)],
    )
    .map_err(|e| accounts_conflict(e, format!("the course code {code} is already taken")))?;
    Ok(Course { id, code: code.to_owned(), title: title.to_owned(), sections: Vec::new() })
}

/// Creates a section of `course`.
///
/// # Errors
/// [`StoreError::Taken`] when the name is taken in the course.
pub fn create_section(
    conn: &Connection,
    course: CourseId,
    name: &str,
    now: OffsetDateTime,
) -> Result<Section, StoreError> {
    let id = SectionId::generate();
    conn.execute(
        "INSERT INTO sections (id, course_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, course, name, rfc3339(now)],
    )
    .map_err(|e| accounts_conflict(e, format!("the section name {name} is already taken")))?;
    Ok(Section { id, course_id: course, name: name.to_owned() })
}

fn accounts_conflict(error: rusqlite::Error, what: String) -> StoreError {
    StoreError::taken_on_unique(error, || what)
}

/// Every course with its sections, by code.
///
/// # Errors
/// Storage errors.
pub fn list_courses(conn: &Connection) -> Result<Vec<Course>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT id, code, title FROM courses ORDER BY code")?;
    let courses = statement
        .query_map([], |row| {
            Ok(Course { id: row.get(0)?, code: row.get(1)?, title: row.get(2)?, sections: Vec::new() })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut statement = conn.prepare_cached("SELECT id, course_id, name FROM sections ORDER BY name")?;
    let sections = statement
        .query_map([], |row| Ok(Section { id: row.get(0)?, course_id: row.get(1)?, name: row.get(2)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(courses
        .into_iter()
        .map(|mut course| {
            course.sections = sections.iter().filter(|s| s.course_id == course.id).cloned().collect();
            course
        })
        .collect())
}

/// The course with `id`, with its sections.
///
/// # Errors
/// Storage errors.
pub fn course(conn: &Connection, id: CourseId) -> Result<Option<Course>, StoreError> {
    Ok(list_courses(conn)?.into_iter().find(|c| c.id == id))
}

/// A course as a student sees it beside an exam: its code and title (sent
/// as is to the student's exam list and landing page).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CourseName {
    /// Short code ("PHYS101").
    pub code: String,
    /// Full title.
    pub title: String,
}

/// The code and title of course `id`, without its sections.
///
/// # Errors
/// Storage errors.
pub fn course_name(conn: &Connection, id: CourseId) -> Result<Option<CourseName>, StoreError> {
    use rusqlite::OptionalExtension;
    let mut statement = conn.prepare_cached("SELECT code, title FROM courses WHERE id = ?1")?;
    let found = statement.query_row([id], |row| Ok(CourseName { code: row.get(0)?, title: row.get(1)? }));
    Ok(found.optional()?)
}

/// The course of section `id`.
///
/// # Errors
/// Storage errors.
pub fn section_course(conn: &Connection, id: SectionId) -> Result<Option<CourseId>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT course_id FROM sections WHERE id = ?1", [id], |row| row.get(0)).optional()?)
}

/// Where a role is granted.
#[derive(Debug, Clone, Copy)]
pub enum GrantTarget {
    /// The organization.
    Organization,
    /// A course.
    Course(CourseId),
    /// A section.
    Section(SectionId),
}

/// Grants `role` to `user` at `target`; the target must match the role's scope.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown course or section; [`StoreError::Taken`]
/// when the grant exists; [`StoreError::Invalid`] when the target does not fit the role.
pub fn grant(
    conn: &Connection,
    user: UserId,
    role: Role,
    target: GrantTarget,
    now: OffsetDateTime,
) -> Result<Grant, StoreError> {
    let (course_id, section_id) = match (role.scope(), target) {
        (Scope::Organization, GrantTarget::Organization) => (None, None),
        (Scope::Course, GrantTarget::Course(course)) => {
            if self::course(conn, course)?.is_none() {
                return Err(StoreError::NotFound("course".to_owned()));
            }
            (Some(course), None)
        }
        (Scope::Section, GrantTarget::Section(section)) => {
            let course = section_course(conn, section)?.ok_or_else(|| StoreError::NotFound("section".to_owned()))?;
            (Some(course), Some(section))
        }
        _ => {
            return Err(StoreError::invalid(
                "role",
                format!("the scope of role {} does not fit its target", role.as_str()),
            ));
        }
    };
    let id = GrantId::generate();
    conn.execute(
        "INSERT INTO grants (id, user_id, role, course_id, section_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, user, role.as_str(), course_id, section_id, rfc3339(now)],
    )
    .map_err(|e| accounts_conflict(e, "this person has this role there already".to_owned()))?;
    Ok(Grant { id, user_id: user, role, course_id, section_id })
}

fn grant_from_row(row: &Row<'_>) -> rusqlite::Result<Grant> {
    let role: String = row.get(2)?;
    Ok(Grant {
        id: row.get(0)?,
        user_id: row.get(1)?,
        role: Role::parse(&role)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
        course_id: row.get(3)?,
        section_id: row.get(4)?,
    })
}

/// The grants of `user`.
///
/// # Errors
/// Storage errors.
pub fn grants_of(conn: &Connection, user: UserId) -> Result<Vec<Grant>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, user_id, role, course_id, section_id FROM grants WHERE user_id = ?1 ORDER BY created_at",
    )?;
    let rows = statement.query_map([user], grant_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The grants of `user`, or none in a database without grants (platform.db).
///
/// # Errors
/// Storage errors.
pub fn grants_of_if_org(conn: &Connection, user: UserId) -> Result<Vec<Grant>, StoreError> {
    let has_grants: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'grants'", [], |r| {
            r.get(0)
        })?;
    if has_grants { grants_of(conn, user) } else { Ok(Vec::new()) }
}

/// Every grant of the organization.
///
/// # Errors
/// Storage errors.
pub fn all_grants(conn: &Connection) -> Result<Vec<Grant>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT id, user_id, role, course_id, section_id FROM grants ORDER BY created_at")?;
    let rows = statement.query_map([], grant_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes a grant and ends the holder's sessions (their rights changed);
/// returns the removed grant.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown grant.
pub fn revoke(conn: &Connection, id: GrantId) -> Result<Grant, StoreError> {
    use rusqlite::OptionalExtension;
    let grant = conn
        .query_row("SELECT id, user_id, role, course_id, section_id FROM grants WHERE id = ?1", [id], grant_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound("grant".to_owned()))?;
    conn.execute("DELETE FROM grants WHERE id = ?1", [id])?;
    Ok(grant)
}
