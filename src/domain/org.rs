//! An organization's human names: the short slug IT types, and the display name.

use std::fmt;

use super::InvalidValue;

/// The short, stable name of an organization (`physics`, `cs-dept`), used on
/// the command line and in URLs: 2 to 40 lowercase letters, digits and
/// single hyphens, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgSlug(String);

impl OrgSlug {
    /// Checks the slug rules.
    ///
    /// # Errors
    /// When `text` breaks a rule; the message says which.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = |why: &str| Err(InvalidValue(format!("organization slug: {why}")));
        if !(2..=40).contains(&text.len()) {
            return invalid("use 2 to 40 characters");
        }
        if !text.starts_with(|c: char| c.is_ascii_lowercase()) {
            return invalid("start with a lowercase letter");
        }
        if !text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return invalid("use only lowercase letters a-z, digits and hyphens");
        }
        if text.ends_with('-') || text.contains("--") {
            return invalid("hyphens go between letters or digits, one at a time");
        }
        Ok(Self(text.to_owned()))
    }

    /// The slug as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization's display name ("Faculty of Physics"): 1 to 200
/// characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(String);

impl OrgName {
    /// Trims and checks a display name.
    ///
    /// # Errors
    /// When the name is empty, too long, or holds control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 200 {
            return Err(InvalidValue("organization name: use 1 to 200 characters".to_owned()));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(InvalidValue("organization name: no control characters".to_owned()));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_rules() {
        for good in ["physics", "cs-dept", "f2", "a1-b2-c3"] {
            assert!(OrgSlug::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "p", "Physics", "1abc", "cs--dept", "cs-", "cs_dept", "café", &"a".repeat(41)] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(OrgName::parse("  Faculty of Physics ").unwrap().as_str(), "Faculty of Physics");
        assert!(OrgName::parse("   ").is_err());
        assert!(OrgName::parse("a\u{0}b").is_err());
        assert!(OrgName::parse(&"x".repeat(201)).is_err());
    }
}
