//! The command line: one subcommand per file, sharing config and store code
//! with the server.
//!
//! Every subcommand accepts the global `--config FILE` and `--data-dir DIR`,
//! before or after its name. Errors say what was wrong and what to do.

mod audit;
mod backup;
mod config_cmd;
mod course;
mod demo;
mod doctor;
mod drill;
mod error;
pub mod init;
mod keys;
mod offline;
pub mod org;
mod reading;
mod receipt;
mod retention;
mod serve;
pub mod setup_link;
mod similarity;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use error::CliError;

use crate::config::Config;
use crate::store::data_dir::DataDirLock;
use crate::store::platform::Platform;

/// examhall: AI-free coding exams, served from your own server.
#[derive(Debug, Parser)]
#[command(name = "examhall", about, disable_version_flag = true)]
pub struct Cli {
    /// Config file (default: /etc/examhall/examhall.toml, if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory; overrides `data_dir` from the config file and environment.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print the version, with the embedded SQLCipher and Pyodide versions.
    #[arg(long, short = 'V', action = clap::ArgAction::Version)]
    version: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the data directory: master key, platform database, self-signed certificate.
    Init(init::Args),
    /// Serve HTTPS until SIGTERM.
    Serve(serve::Args),
    /// Serve a throwaway demo (temporary data, seeded organization) for a first look.
    Demo(demo::Args),
    /// Issue a fresh one-time link that creates the first platform administrator.
    SetupLink,
    /// Manage accounts of an organization.
    #[command(subcommand)]
    User(user::Command),
    /// Manage organizations.
    #[command(subcommand)]
    Org(org::Command),
    /// Manage an organization's courses.
    #[command(subcommand)]
    Course(course::Command),
    /// Manage the sections of a course.
    #[command(subcommand)]
    Section(course::SectionCommand),
    /// Check the tamper-evident audit log of an organization or the platform; accept a refused organization's head.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Back up an exam or an organization to an age-encrypted, signed bundle; check a bundle.
    #[command(subcommand)]
    Backup(backup::Command),
    /// Restore a bundle: an exam into its organization, or an organization onto this appliance.
    Restore(backup::RestoreArgs),
    /// The appliance's keys.
    #[command(subcommand)]
    Keys(keys::Command),
    /// How long each closed exam's data is kept, legal holds, and the purge.
    #[command(subcommand)]
    Retention(retention::Command),
    /// Check that this appliance signed a student's receipt.
    #[command(subcommand)]
    Receipt(receipt::Command),
    /// Is this appliance ready for an exam? Checks config, keys, databases,
    /// audit logs, certificate, disk, clock and backups; exit 0, 1 or 2 for pass, warn or fail.
    Doctor(doctor::Args),
    /// Show the documented configuration.
    #[command(subcommand)]
    Config(config_cmd::Command),
    /// Rank every pair of files in a folder by similarity, with the matching fragments (no data dir needed).
    Similarity(similarity::Args),
    /// Rehearse an exam against a running server with simulated students; erase a drill organization.
    #[command(subcommand)]
    Drill(drill::Command),
}

impl Cli {
    /// The config file read, for messages.
    fn config_file_name(&self) -> String {
        match &self.config {
            Some(file) => file.display().to_string(),
            None if std::path::Path::new(crate::config::DEFAULT_FILE).exists() => {
                crate::config::DEFAULT_FILE.to_owned()
            }
            None => "the built-in defaults and the environment".to_owned(),
        }
    }

    /// The configuration: file and environment, then `--data-dir`.
    fn load_config(&self) -> Result<Config, CliError> {
        let mut config = Config::load(self.config.as_deref())?;
        if let Some(dir) = &self.data_dir {
            config.data_dir.clone_from(dir);
        }
        Ok(config)
    }
}

/// Parses the command line and runs the subcommand; the process exit code.
#[must_use]
pub fn run() -> ExitCode {
    // Everything a subcommand writes (logs, databases, keys, their WAL and
    // temporary files) is for the service user alone.
    crate::store::data_dir::keep_new_files_private();
    let command = Cli::command().version(clap::builder::Str::from(crate::version::long()));
    let matches = command.get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // Pure computation on files: no configuration, data or async runtime.
    if let Command::Similarity(args) = &cli.command {
        return similarity::run(args).map_or_else(|error| error.report(), |()| ExitCode::SUCCESS);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return CliError::new(format!("cannot start the async runtime: {error}")).report(),
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}

/// Opens the platform database of `config`. With `held` (this process holds
/// the data directory, from `offline::hold`) a master key rotation a crash
/// interrupted is finished or undone first; without, the server may be
/// running, and the key that opens `platform.db` is used as it is.
///
/// # Errors
/// When the master key cannot be loaded or `platform.db` cannot be opened.
pub fn open_platform(config: &Config, held: Option<&DataDirLock>) -> Result<Platform, CliError> {
    let master = crate::store::master_rotation::load(&config.data(), &config.master_key_file(), held)?;
    let options = crate::store::OpenOptions { readers: 1, ..crate::store::OpenOptions::default() };
    Ok(Platform::open(&config.data(), std::sync::Arc::new(master), options)?)
}

/// An outcome that does not answer the command sent: a server of another
/// version on the socket.
fn unexpected(outcome: &crate::admin::Outcome) -> CliError {
    CliError::new(format!("the server answered with something else than was asked: {outcome:?}"))
        .hint("run the command line of the same examhall version as the server")
}

async fn dispatch(cli: Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Config(command) => {
            config_cmd::run(command);
            Ok(())
        }
        Command::Init(args) => init::run(&cli.load_config()?, args).await,
        Command::Doctor(args) => doctor::run(cli.load_config(), &cli.config_file_name(), args).await,
        Command::SetupLink => setup_link::run(&cli.load_config()?).await,
        Command::User(command) => user::run(&cli.load_config()?, command).await,
        Command::Course(command) => course::run(&cli.load_config()?, command).await,
        Command::Section(command) => course::run_section(&cli.load_config()?, command).await,
        Command::Serve(args) => serve::run(cli.load_config()?, args).await,
        Command::Demo(args) => demo::run(cli.load_config()?, args).await,
        Command::Org(command) => org::run(&cli.load_config()?, command).await,
        Command::Audit(command) => audit::run(&cli.load_config()?, command).await,
        Command::Backup(command) => backup::run(&cli.load_config()?, command).await,
        Command::Keys(command) => keys::run(&cli.load_config()?, command).await,
        Command::Retention(command) => retention::run(&cli.load_config()?, command).await,
        Command::Receipt(command) => receipt::run(&cli.load_config()?, command).await,
        Command::Restore(args) => backup::restore(&cli.load_config()?, args).await,
        Command::Similarity(args) => similarity::run(args),
        Command::Drill(command) => drill::run(cli.load_config(), command).await,
    }
}
