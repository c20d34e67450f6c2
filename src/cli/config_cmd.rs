//! `examhall config`: the documented configuration.

/// Configuration commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the documented default config file (every key, with its default).
    Example,
}

/// Runs a config command.
pub fn run(command: &Command) {
    match command {
        Command::Example => print!("{}", crate::config::EXAMPLE),
    }
}
