//! People: e-mail addresses, display names, roles.

use std::fmt;

use super::InvalidValue;

/// An e-mail address, trimmed and lowercased; the sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Email(String);

impl Email {
    /// Checks the shape `local@domain.tld` (no spaces, one `@`, a dot in the
    /// domain, at most 254 characters).
    ///
    /// # Errors
    /// When the text is not an e-mail address.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let text = text.trim().to_lowercase();
        let invalid = || InvalidValue("e-mail: use an address like name@university.edu".to_owned());
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        let shape_ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"',;".contains(c));
        if shape_ok { Ok(Self(text)) } else { Err(invalid()) }
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown to staff: 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and checks a name.
    ///
    /// # Errors
    /// When the name is empty, too long, or holds control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 200 || trimmed.chars().any(char::is_control) {
            return Err(InvalidValue("name: use 1 to 200 characters, no control characters".to_owned()));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person may do, and at which scope (see the design's role table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, courses, sections, grants, retention and backups of one organization.
    OrgAdmin,
    /// Writes, schedules, monitors, reviews, grades and exports a course's exams.
    Instructor,
    /// Reads and reviews evidence and grades a course; changes no exam.
    Reviewer,
    /// Watches one section live and notes incidents.
    Proctor,
    /// Takes the exams of one section.
    Student,
}

/// The scope a role is granted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole organization.
    Organization,
    /// One course.
    Course,
    /// One section of a course.
    Section,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 5] = [Self::OrgAdmin, Self::Instructor, Self::Reviewer, Self::Proctor, Self::Student];

    /// The scope this role is granted at.
    #[must_use]
    pub fn scope(self) -> Scope {
        match self {
            Self::OrgAdmin => Scope::Organization,
            Self::Instructor | Self::Reviewer => Scope::Course,
            Self::Proctor | Self::Student => Scope::Section,
        }
    }

    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgAdmin => "org_admin",
            Self::Instructor => "instructor",
            Self::Reviewer => "reviewer",
            Self::Proctor => "proctor",
            Self::Student => "student",
        }
    }

    /// Parses the stored form.
    ///
    /// # Errors
    /// For an unknown role.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| InvalidValue("role: one of org_admin, instructor, reviewer, proctor, student".to_owned()))
    }

    /// Whether this is a staff role (sees staff screens).
    #[must_use]
    pub fn is_staff(self) -> bool {
        self != Self::Student
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Uni.EDU ").unwrap().as_str(), "ada@uni.edu");
        for bad in ["", "ada", "ada@uni", "@uni.edu", "a b@uni.edu", "a@@uni.edu", "a@uni.edu.", "<a>@uni.edu"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip_and_know_their_scope() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::Proctor.scope(), Scope::Section);
        assert_eq!(Role::Reviewer.scope(), Scope::Course);
        assert!(Role::parse("platform_admin").is_err());
    }
}
