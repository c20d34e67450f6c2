//! Errors of the command line: what went wrong, and what to do about it.

use std::process::ExitCode;

use crate::config::ConfigError;
use crate::store::StoreError;
use crate::store::data_dir::LockError;
use crate::store::master_key::MasterKeyError;
use crate::tls::TlsError;

/// A failed command, printed as `error: ...` with an optional `hint: ...`.
#[derive(Debug)]
pub struct CliError {
    message: String,
    hint: Option<String>,
    exit_code: u8,
}

impl CliError {
    /// An error with a message only.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), hint: None, exit_code: 1 }
    }

    /// Exits with `code` and prints nothing: the command printed its own report.
    #[must_use]
    pub fn quiet(code: u8) -> Self {
        Self { message: String::new(), hint: None, exit_code: code }
    }

    /// What was wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do, or a pointer to the config reference when nothing more is known.
    #[must_use]
    pub fn hint_text(&self) -> String {
        self.hint.clone().unwrap_or_else(|| "`examhall config example` prints every key with its default".to_owned())
    }

    /// Exits with `code` instead of 1, for commands that document their exit codes.
    #[must_use]
    pub fn exit_code(mut self, code: u8) -> Self {
        self.exit_code = code;
        self
    }

    /// Adds what the user can do about it.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error to standard error; the exit code (1 unless set).
    #[must_use]
    pub fn report(&self) -> ExitCode {
        if self.message.is_empty() {
            return ExitCode::from(self.exit_code);
        }
        eprintln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.exit_code)
    }
}

impl From<ConfigError> for CliError {
    fn from(error: ConfigError) -> Self {
        Self::new(format!("configuration: {error}")).hint("`examhall config example` prints every key with its default")
    }
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        let cli = Self::new(error.to_string());
        match error.hint() {
            Some(hint) => cli.hint(hint),
            None => cli,
        }
    }
}

impl From<crate::admin::Failure> for CliError {
    fn from(failure: crate::admin::Failure) -> Self {
        let cli = Self::new(failure.message);
        match failure.hint {
            Some(hint) => cli.hint(hint),
            None => cli,
        }
    }
}

impl From<MasterKeyError> for CliError {
    fn from(error: MasterKeyError) -> Self {
        Self::new(error.to_string())
    }
}

impl From<LockError> for CliError {
    fn from(error: LockError) -> Self {
        Self::new(error.to_string())
    }
}

impl From<TlsError> for CliError {
    fn from(error: TlsError) -> Self {
        Self::new(error.to_string())
    }
}

impl From<crate::domain::InvalidValue> for CliError {
    fn from(error: crate::domain::InvalidValue) -> Self {
        Self::new(error.0)
    }
}
