//! The `examhall` command: parse the command line, then hand over to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    examhall::cli::run()
}
