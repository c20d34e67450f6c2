//! What people type into examhall: trimmed, bounded in characters, and free
//! of control characters, checked in one place so every form refuses the
//! same things in the same words.

use crate::store::StoreError;

/// One line of 1 to `max` characters (a name, a code, a reason), trimmed.
///
/// # Errors
/// [`StoreError::Invalid`] naming `field` (`what` in the message).
pub fn one_line(field: &'static str, what: &str, text: &str, max: usize) -> Result<String, StoreError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(StoreError::invalid(field, format!("{what}: use 1 to {max} characters on one line")));
    }
    Ok(text.to_owned())
}

/// Text of several lines, at least `min` and at most `max` characters (a
/// note, an announcement, a comment that may be empty), trimmed.
///
/// # Errors
/// [`StoreError::Invalid`] naming `field` (`what` in the message).
pub fn lines(field: &'static str, what: &str, text: &str, min: usize, max: usize) -> Result<String, StoreError> {
    let text = text.trim();
    let length = text.chars().count();
    if length < min || length > max || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(StoreError::invalid(field, format!("{what}: use {min} to {max} characters of text")));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(one_line("f", "a name", "  Ada  ", 5).unwrap(), "Ada");
        assert!(one_line("f", "a name", "   ", 5).is_err());
        assert!(one_line("f", "a name", "abcdef", 5).is_err());
        assert!(one_line("f", "a name", "a\nb", 5).is_err(), "one line");
        assert_eq!(lines("f", "a note", " a\nb ", 1, 5).unwrap(), "a\nb");
        assert_eq!(lines("f", "a comment", "  ", 0, 5).unwrap(), "", "a comment may be empty");
        assert!(lines("f", "a note", "", 1, 5).is_err());
        assert!(lines("f", "a note", "a\u{7}b", 1, 5).is_err());
    }
}
