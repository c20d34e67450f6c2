//! The files `examhall similarity` compares: found under DIR, read in
//! parallel, refused as a whole when any cannot be read as UTF-8 text (a
//! submission silently left out would look like a clean one).

use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{EXIT_INPUT, Language};
use crate::cli::CliError;
use crate::integrity::similarity::Source;

/// How many unreadable files an error names before it only counts the rest.
const NAMED_PROBLEMS: usize = 10;

/// A file to compare: its path relative to DIR, with `/` between folders.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// Relative path, as reports name the file.
    pub name: String,
    /// The path to read.
    pub path: PathBuf,
}

/// Every file of `language` under `dir` (sorted by name), except the starter
/// code in `bases`; an error unless there are at least two.
pub fn find(dir: &Path, language: Language, bases: &[PathBuf]) -> Result<Vec<Found>, CliError> {
    let input_error = |message: String| CliError::new(message).exit_code(EXIT_INPUT);
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(input_error(format!("{} is not a folder", dir.display()))
                .hint("give the folder that holds the submissions"));
        }
        Err(error) => {
            return Err(input_error(format!("cannot open the folder {}: {error}", dir.display()))
                .hint("check the path; DIR is the folder that holds the submissions"));
        }
    }
    let skip: Vec<PathBuf> = bases.iter().filter_map(|base| fs::canonicalize(base).ok()).collect();
    let mut found = Vec::new();
    walk(dir, "", language, &skip, &mut found)
        .map_err(|error| input_error(format!("cannot list {}: {error}", dir.display())))?;
    found.sort();
    let kind = format!("{} file", language.name());
    let extensions = language.extensions().iter().map(|ext| format!(".{ext}")).collect::<Vec<_>>().join(" ");
    match found.len() {
        0 => Err(input_error(format!("no {kind} ({extensions}) under {}", dir.display()))
            .hint("check --lang and that DIR is the folder of submissions")),
        1 => Err(input_error(format!(
            "only one {kind} under {} ({}): there is nothing to compare it with",
            dir.display(),
            found[0].name
        ))
        .hint("similarity compares at least two files")),
        _ => Ok(found),
    }
}

fn walk(dir: &Path, prefix: &str, language: Language, skip: &[PathBuf], found: &mut Vec<Found>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') {
            continue;
        }
        let name = if prefix.is_empty() { file_name.clone() } else { format!("{prefix}/{file_name}") };
        // The entry itself, not what a link points to: links can loop or leave DIR.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &name, language, skip, found)?;
        } else if kind.is_file() {
            let extension = Path::new(&file_name).extension().map(|ext| ext.to_string_lossy().into_owned());
            if !extension.is_some_and(|ext| language.accepts_extension(&ext)) {
                continue;
            }
            let path = entry.path();
            if !skip.is_empty() && fs::canonicalize(&path).is_ok_and(|real| skip.contains(&real)) {
                continue;
            }
            found.push(Found { name, path });
        }
    }
    Ok(())
}

/// Reads every found file; an error naming each that cannot be read or is not UTF-8.
pub fn read_all(dir: &Path, found: &[Found], language: Language) -> Result<Vec<Source>, CliError> {
    let read: Vec<Result<Source, String>> = found
        .par_iter()
        .map(|file| read_source(&file.path, language).map(|(text, tsx)| Source { name: file.name.clone(), text, tsx }))
        .collect();
    let problems: Vec<String> = found
        .iter()
        .zip(&read)
        .filter_map(|(file, result)| result.as_ref().err().map(|why| format!("{}: {why}", file.name)))
        .collect();
    if !problems.is_empty() {
        let mut message = format!("{} file(s) under {} cannot be compared:", problems.len(), dir.display());
        for problem in problems.iter().take(NAMED_PROBLEMS) {
            message.push_str("\n  ");
            message.push_str(problem);
        }
        if problems.len() > NAMED_PROBLEMS {
            let _ = write!(message, "\n  and {} more", problems.len() - NAMED_PROBLEMS);
        }
        return Err(CliError::new(message).exit_code(EXIT_INPUT).hint(
            "make each file readable UTF-8 text of at most 2 MiB (e.g. `iconv -f latin1 -t utf-8`), or move it out of DIR; \
             no submission is left out silently",
        ));
    }
    Ok(read.into_iter().filter_map(Result::ok).collect())
}

/// Reads the starter code files.
pub fn read_bases(bases: &[PathBuf], language: Language) -> Result<Vec<Source>, CliError> {
    bases
        .iter()
        .map(|path| {
            let (text, tsx) = read_source(path, language).map_err(|why| {
                CliError::new(format!("cannot use the starter code {}: {why}", path.display()))
                    .exit_code(EXIT_INPUT)
                    .hint("--base takes a readable UTF-8 file of the same language")
            })?;
            Ok(Source { name: path.display().to_string(), text, tsx })
        })
        .collect()
}

/// The largest file compared. Parsing takes about 140 bytes of memory per
/// byte of source, so this bounds one file at a few hundred MiB; no exam
/// answer comes near it.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A file's text (a byte-order mark dropped) and whether it is TSX.
fn read_source(path: &Path, language: Language) -> Result<(String, bool), String> {
    let mut bytes = Vec::new();
    // Read at most one byte past the limit, whatever the file claims to be.
    fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("larger than {} MiB: not a submission to compare", MAX_FILE_BYTES / (1024 * 1024)));
    }
    let mut text = String::from_utf8(bytes)
        .map_err(|error| format!("not UTF-8 text (invalid byte at offset {})", error.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let tsx = language == Language::Typescript && path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("tsx"));
    Ok((text, tsx))
}
