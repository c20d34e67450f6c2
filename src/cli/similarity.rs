//! `examhall similarity`: rank every pair of files in a folder by how
//! similar their code is, with the matching fragments, for a person to
//! review. Runs on the files alone: no data directory, server or network.
//!
//! Outputs are written to a temporary file beside the destination and
//! renamed into place, so a report is either whole or absent. Exit codes are
//! in [`EXIT_CODES`] (shown by `--help`) and in `docs/integrity.md`.

mod inputs;
mod outputs;

use std::path::PathBuf;
use std::time::Instant;

use clap::builder::PossibleValue;

use super::CliError;
use crate::integrity::similarity::report::Selection;
use crate::integrity::similarity::{self, Language, Settings, Step};

/// What each exit code means; shown after `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the report was written (warnings, such as files that do not parse, are printed and listed in the report)
  2  the command line is wrong (an unknown language, a missing DIR, a score outside 0..1)
  3  the input cannot be compared: DIR is missing or not a folder, it holds no file of the language or only one,
     or a file (or a --base file) cannot be read or is not UTF-8
  4  an output cannot be written (nothing is left half-written)
  1  anything else

A high score is evidence for a person to review side by side, not a verdict.";

/// Exit code: the input cannot be compared.
pub const EXIT_INPUT: u8 = 3;
/// Exit code: an output cannot be written.
pub const EXIT_OUTPUT: u8 = 4;

/// The most pairs an HTML report holds; a browser stays responsive with them.
const HTML_MAX_PAIRS: usize = 500;

/// Options of `examhall similarity`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    /// Language of the files to compare; only files with its extensions (listed with
    /// each language) are read.
    #[arg(long, value_name = "LANG", value_enum)]
    lang: Language,
    /// Folder of submissions: every file of the language in it and its subfolders
    /// (hidden files and folders and symbolic links are skipped).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Starter or template code: fragments that occur in it never count. Repeatable.
    #[arg(long = "base", value_name = "FILE")]
    bases: Vec<PathBuf>,
    /// Write the ranked pairs as CSV (header a,b,score,...). Without any output option, CSV goes to stdout.
    #[arg(long, value_name = "OUT")]
    csv: Option<PathBuf>,
    /// Write the pairs with their matched regions (lines and columns on both sides) as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report: ranked pairs, clusters, side-by-side views
    /// (at most 500 pairs, the most similar).
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,
    /// Report only pairs with a score of at least S (0 to 1).
    #[arg(long, value_name = "S", default_value_t = 0.0, value_parser = parse_score)]
    min_score: f64,
    /// Report only the N most similar pairs.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
}

/// `--lang`: the languages by name, each with the extensions it reads.
impl clap::ValueEnum for Language {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let extensions: Vec<String> = self.extensions().iter().map(|extension| format!(".{extension}")).collect();
        Some(PossibleValue::new(self.name()).help(extensions.join(" ")))
    }
}

fn parse_score(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(score) if (0.0..=1.0).contains(&score) => Ok(score),
        _ => Err(format!("`{text}` is not a score from 0 to 1")),
    }
}

/// Runs the comparison and writes the reports.
pub fn run(args: &Args) -> Result<(), CliError> {
    let started = Instant::now();
    for out in [&args.csv, &args.json, &args.html].into_iter().flatten() {
        outputs::check_destination(out)?;
    }
    let found = inputs::find(&args.dir, args.lang, &args.bases)?;
    eprintln!("examhall similarity: {} {} files under {}", found.len(), args.lang.name(), args.dir.display());
    let sources = inputs::read_all(&args.dir, &found, args.lang)?;
    let bases = inputs::read_bases(&args.bases, args.lang)?;

    let progress = |step: Step| {
        let at = started.elapsed().as_secs_f64();
        match step {
            Step::Tokenized { done, total } => eprintln!("  {at:6.2} s  parsed {done} of {total} files"),
            Step::Indexed { fingerprints, boilerplate } => {
                eprintln!(
                    "  {at:6.2} s  indexed {fingerprints} fingerprints ({boilerplate} more left out as boilerplate)"
                );
            }
            Step::Candidates(count) => {
                eprintln!("  {at:6.2} s  {count} pairs share fingerprints; refining the most similar");
            }
            Step::Refined(count) => eprintln!("  {at:6.2} s  {count} pairs refined by greedy string tiling"),
        }
    };
    let analysis = similarity::analyze(args.lang, sources, &bases, &Settings::default(), &progress);

    let mut warnings = Vec::new();
    for document in &analysis.documents {
        let name = &document.source.name;
        if document.tokens.classes.is_empty() {
            warnings.push(format!("{name} holds no code to compare"));
        } else if document.tokens.parse_errors > 0 {
            warnings.push(format!(
                "{name} does not parse as {} ({} error regions); it was compared on what could be read",
                args.lang.name(),
                document.tokens.parse_errors
            ));
        }
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }

    let selection = Selection { min_score: args.min_score, top: args.top };
    let base_names: Vec<String> = args.bases.iter().map(|base| base.display().to_string()).collect();
    let header =
        similarity::report::Header { language: args.lang.name(), base_files: &base_names, warnings: &warnings };
    let mut written = Vec::new();
    if let Some(out) = &args.csv {
        outputs::write(out, |file| similarity::report::write_csv(&analysis, selection, file))?;
        written.push(out.display().to_string());
    }
    if let Some(out) = &args.json {
        outputs::write(out, |file| similarity::report::write_json(&analysis, &header, selection, false, file))?;
        written.push(out.display().to_string());
    }
    if let Some(out) = &args.html {
        let html_selection =
            Selection { top: Some(args.top.unwrap_or(HTML_MAX_PAIRS).min(HTML_MAX_PAIRS)), ..selection };
        outputs::write(out, |file| similarity::html::write_html(&analysis, &header, html_selection, file))?;
        written.push(out.display().to_string());
    }
    if written.is_empty() {
        let stdout = std::io::stdout().lock();
        similarity::report::write_csv(&analysis, selection, stdout)
            .map_err(|error| CliError::new(format!("cannot write to stdout: {error}")).exit_code(EXIT_OUTPUT))?;
        written.push("stdout".to_owned());
    }

    let reported = selection.pairs(&analysis).len();
    eprintln!(
        "compared {} files ({} pairs): {} share code, {} refined, {reported} reported; wrote {} in {:.2} s",
        analysis.documents.len(),
        analysis.pairs_compared(),
        analysis.pairs.len(),
        analysis.refined_pairs(),
        written.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
