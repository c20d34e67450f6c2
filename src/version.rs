//! Versions of the parts this binary embeds, for `--version`, logs and backups.

/// The examhall version (from `Cargo.toml`).
pub const APP: &str = env!("CARGO_PKG_VERSION");

/// The Pyodide runtime embedded in the front end; it is served from
/// `/pyodide/<PYODIDE>/`. Set by `build.rs` from `assets/package.json`.
pub const PYODIDE: &str = env!("EXAMHALL_PYODIDE_VERSION");

/// The long version text: examhall, SQLCipher (asked of the linked library at
/// run time, so a build without SQLCipher shows it) and Pyodide.
#[must_use]
pub fn long() -> String {
    let sqlcipher =
        crate::store::sqlcipher_version().unwrap_or_else(|_| "MISSING (this build cannot encrypt)".to_owned());
    format!("{APP}\nSQLCipher {sqlcipher}\nPyodide {PYODIDE}")
}
