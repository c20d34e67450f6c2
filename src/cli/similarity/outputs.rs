//! Report files, written whole or not at all: into a temporary file in the
//! destination's folder, then renamed over the destination (a rename within
//! one file system is atomic).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::EXIT_OUTPUT;
use crate::cli::CliError;

fn folder_of(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn output_error(out: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::new(format!("cannot write {}: {why}", out.display()))
        .exit_code(EXIT_OUTPUT)
        .hint("check that its folder exists and is writable; nothing was written")
}

/// Fails early, before a long comparison, when `out` cannot be written.
pub fn check_destination(out: &Path) -> Result<(), CliError> {
    let folder = folder_of(out);
    if !folder.is_dir() {
        return Err(output_error(out, format!("the folder {} does not exist", folder.display())));
    }
    if out.is_dir() {
        return Err(output_error(out, "it is a folder"));
    }
    Ok(())
}

/// Writes `out` through `write`, atomically.
pub fn write(out: &Path, write: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>) -> Result<(), CliError> {
    let temporary = tempfile::Builder::new()
        .prefix(".examhall-similarity-")
        .tempfile_in(folder_of(out))
        .map_err(|error| output_error(out, error))?;
    let mut writer = BufWriter::new(temporary.as_file());
    write(&mut writer).and_then(|()| writer.flush()).map_err(|error| output_error(out, error))?;
    drop(writer);
    temporary.as_file().sync_all().map_err(|error| output_error(out, error))?;
    // The temporary file is removed if anything above failed.
    temporary.persist(out).map_err(|error| output_error(out, error.error))?;
    Ok(())
}
