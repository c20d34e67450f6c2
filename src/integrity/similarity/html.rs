//! The self-contained HTML report: the viewer built from
//! `assets/src/similarity/` (embedded in the binary from
//! `assets/dist-report/`), its stylesheet and the report's JSON, inlined
//! into one file that an instructor can open anywhere, offline, and show an
//! exam board.
//!
//! The file loads nothing: its content security policy allows only the one
//! inline script and the one inline stylesheet, by their SHA-256 hashes.

use std::io::{self, Write};

use base64::Engine as _;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use super::Analysis;
use super::report::{Header, Selection, write_json};

#[derive(RustEmbed)]
#[folder = "assets/dist-report/"]
struct Viewer;

/// The viewer's script and stylesheet, as `vite.report.config.ts` names them.
const SCRIPT: &str = "similarity-report.js";
const STYLESHEET: &str = "similarity-report.css";
/// The element the viewer reads its data from.
pub const DATA_ELEMENT_ID: &str = "similarity-data";

fn embedded(name: &str) -> io::Result<String> {
    let file = Viewer::get(name).ok_or_else(|| io::Error::other(format!("the viewer's {name} is not embedded")))?;
    String::from_utf8(file.data.into_owned()).map_err(io::Error::other)
}

fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

/// Writes the HTML report of the selected pairs.
pub fn write_html(
    analysis: &Analysis,
    header: &Header<'_>,
    selection: Selection,
    mut out: impl Write,
) -> io::Result<()> {
    // `</script` in the code would end the element early; `<\/` means the same in JavaScript.
    let script = embedded(SCRIPT)?.replace("</script", "<\\/script");
    let style = embedded(STYLESHEET)?.replace("</style", "<\\/style");
    let mut data = Vec::new();
    write_json(analysis, header, selection, true, &mut data)?;
    // Inside a JSON string `<` may be written `\u003c`; outside strings JSON has none.
    let data = String::from_utf8(data).map_err(io::Error::other)?.replace('<', "\\u003c");

    let policy = format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(&script),
        csp_hash(&style)
    );
    let files = analysis.documents.len();
    write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Similarity report: {files} {language} files</title>\n<style>{style}</style>\n</head>\n<body>\n\
         <noscript><p>This report needs JavaScript to show the pairs. The same data is in the \
         <code>{DATA_ELEMENT_ID}</code> element of this file, as JSON.</p></noscript>\n\
         <div id=\"app\"></div>\n\
         <script type=\"application/json\" id=\"{DATA_ELEMENT_ID}\">{data}</script>\n\
         <script>{script}</script>\n</body>\n</html>\n",
        language = header.language,
    )?;
    out.flush()
}
