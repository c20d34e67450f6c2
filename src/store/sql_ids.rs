//! How identifiers and timestamps are stored: as their text (hyphenated
//! ids, fixed-width times). Here, not in `domain/`, which knows no database.

use crate::domain::{
    AttemptId, CourseId, ExamId, GrantId, OrgId, QuestionId, SectionId, SessionId, SubmissionId, Timestamp, UserId,
};

macro_rules! stored_as_text {
    ($($name:ident),* $(,)?) => {$(
        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                Self::parse(text).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}

stored_as_text!(
    OrgId,
    UserId,
    CourseId,
    SectionId,
    GrantId,
    SessionId,
    ExamId,
    AttemptId,
    QuestionId,
    SubmissionId,
    Timestamp
);
