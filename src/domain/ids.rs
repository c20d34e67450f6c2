//! Random identifiers for URLs and files. Never sequential, so they cannot be
//! counted or guessed, and each kind is its own type, so one can never be
//! passed for another.

use super::InvalidValue;

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh identifier (UUIDv7: random, and sorts by creation time).
            #[must_use]
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Parses the hyphenated form used in URLs, files and the database.
            ///
            /// # Errors
            /// When `text` is not a hyphenated UUID.
            pub fn parse(text: &str) -> Result<Self, InvalidValue> {
                uuid::Uuid::try_parse(text)
                    .ok()
                    .filter(|_| text.len() == 36)
                    .map(Self)
                    .ok_or_else(|| InvalidValue(format!("{} is a hyphenated UUID", $what)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

random_id!(
    /// An organization; also the name of its database file.
    OrgId,
    "an organization ID"
);
random_id!(
    /// A person's account inside an organization.
    UserId,
    "a user ID"
);
random_id!(
    /// A course of an organization.
    CourseId,
    "a course ID"
);
random_id!(
    /// A section (group of students) of a course.
    SectionId,
    "a section ID"
);
random_id!(
    /// A role granted to a user.
    GrantId,
    "a grant ID"
);
random_id!(
    /// A sign-in session (not its secret token).
    SessionId,
    "a session ID"
);
random_id!(
    /// An exam of a course.
    ExamId,
    "an exam ID"
);
random_id!(
    /// A student's attempt at an exam.
    AttemptId,
    "an exam session ID"
);
random_id!(
    /// A question of an exam.
    QuestionId,
    "a question ID"
);

random_id!(
    /// A frozen submission of an attempt (its receipt's `submission_id`).
    SubmissionId,
    "a submission ID"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_text() {
        let id = OrgId::generate();
        assert_eq!(OrgId::parse(&id.to_string()), Ok(id));
        let user = UserId::generate();
        assert_eq!(serde_json::from_value::<UserId>(serde_json::to_value(user).unwrap()).unwrap(), user);
    }

    #[test]
    fn an_id_refuses_other_text() {
        for bad in ["", "physics", "../etc/passwd", "0190f3c2a8e07c3e8a6b1d2f3e4a5b6c"] {
            assert!(OrgId::parse(bad).is_err(), "{bad}");
        }
    }
}
