//! Commands that change key material (`keys rotate-master`, `keys
//! rekey-org`, `org erase`): they replace files a running server holds
//! open, so they run only while no server runs, holding the data
//! directory's lock themselves, and open `platform.db` with it
//! ([`super::open_platform`]).

use super::CliError;
use crate::config::Config;
use crate::store::data_dir::{DataDirLock, LockError};

/// Takes the data directory for `what` ("rotating the master key"), or says
/// that the server must be stopped first.
pub(super) fn hold(config: &Config, what: &str) -> Result<DataDirLock, CliError> {
    let data = config.data();
    if !data.platform_db().exists() {
        return Err(CliError::new(format!("{} is not initialised", data.root().display()))
            .hint(format!("run: examhall init --data-dir {}", data.root().display())));
    }
    data.lock().map_err(|error| match error {
        LockError::Held { dir } => CliError::new(format!(
            "{what} needs the server stopped, but a running examhall holds {}",
            dir.display()
        ))
        .hint("stop it (systemctl stop examhall), run this command, then start it again (systemctl start examhall)"),
        other @ LockError::Io { .. } => other.into(),
    })
}
