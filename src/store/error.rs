//! The one error type of the storage layer.

use std::path::PathBuf;

/// What went wrong in storage. The HTTP and CLI layers translate each
/// variant once; messages never contain keys or row contents.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The binary was linked against plain SQLite, which ignores `PRAGMA key`
    /// and would write everything in clear text.
    #[error("this build of examhall has no SQLCipher: it would store data unencrypted")]
    NoSqlCipher,
    /// The key does not open the file, or the file is not a SQLCipher database.
    #[error("{path}: wrong key, or not an examhall database")]
    WrongKey {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer examhall.
    #[error("{path}: schema version {found} is newer than this examhall supports ({supported}); upgrade examhall")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: u32,
        /// The newest version this binary knows.
        supported: u32,
    },
    /// A wrapped key could not be unwrapped: wrong master key or damaged record.
    #[error("a wrapped database key could not be opened: wrong master key, or the record is damaged")]
    KeyUnwrap,
    /// Something that must be unique is in use already. The message is a
    /// whole sentence, safe to show: "organization slug physics is already taken".
    #[error("{0}")]
    Taken(String),
    /// A value breaks a rule; `field` names the value (`roster`, `role`,
    /// `email`) so a form can show the message beside it.
    #[error("{message}")]
    Invalid {
        /// The value at fault, as the request names it.
        field: &'static str,
        /// What is wrong and how to put it right, safe to show.
        message: String,
    },
    /// The change does not fit the state of what it changes now (a
    /// published exam cannot be deleted; an attempt is already submitted).
    #[error("{0}")]
    WrongState(String),
    /// No such row, organization or file.
    #[error("{0} not found")]
    NotFound(String),
    /// The database's writer has stopped (the server is shutting down).
    #[error("the database is closing")]
    Closed,
    /// A write job panicked; its changes were rolled back.
    #[error("a write was rolled back after an internal failure")]
    JobPanicked,
    /// An error from SQLite or SQLCipher.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// An audit log does not verify, so it cannot be changed (a checkpoint
    /// must not launder tampering).
    #[error("the audit log is not intact at entry {seq}: {what}")]
    AuditNotIntact {
        /// The first bad entry.
        seq: i64,
        /// What is wrong with it.
        what: String,
    },
    /// An organization's database failed a check at open and is not served
    /// until IT has investigated.
    #[error("{0}")]
    OrgRefused(Box<super::org_refusal::Refusal>),
    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("create", "copy", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl StoreError {
    /// `error`, or [`StoreError::Taken`] saying `what` when it is a UNIQUE
    /// violation.
    pub fn taken_on_unique(error: rusqlite::Error, what: impl FnOnce() -> String) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(code, _)
                if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                Self::Taken(what())
            }
            _ => error.into(),
        }
    }

    /// What IT can do about this error, when there is something to say.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::OrgRefused(refusal) => Some(refusal.what_to_do()),
            Self::NoSqlCipher => {
                Some("build examhall with the rusqlite feature bundled-sqlcipher-vendored-openssl".to_owned())
            }
            Self::WrongKey { .. } | Self::KeyUnwrap => Some(
                "check that storage.master_key_file (or EXAMHALL_MASTER_KEY) is the key this data directory was made with"
                    .to_owned(),
            ),
            Self::NewerSchema { .. } => Some("install the examhall version that wrote this data, or a newer one".to_owned()),
            _ => None,
        }
    }

    /// [`StoreError::Invalid`] of `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }

    /// Wraps an I/O error with what was being done to which file.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { action, path, source }
    }
}
