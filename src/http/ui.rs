//! The front end, embedded in the binary and served with honest caching.
//!
//! `assets/dist/` (built from `assets/` by `build.rs`) is compiled in with
//! rust-embed. Hashed files under `/assets/` and the versioned Pyodide
//! runtime under `/pyodide/<version>/` never change, so they are cached for a
//! year as immutable; the app shell (`index.html`) is revalidated on every
//! load. ETags come from the content hash, and the brotli and gzip variants
//! made at build time are served to clients that accept them. Unknown page
//! paths get the app shell (the front end routes them); unknown file paths
//! and anything under `/api/` get a problem+json 404.
//!
//! One file has headers of its own: the document Python runs in
//! (`/assets/python-sandbox-<hash>.html`) is sent with its own policy, which
//! puts it in an opaque origin, and may be framed by examhall's pages. No
//! file is served cross-origin: the page hands the Pyodide runtime to that
//! sandbox itself, so nothing here needs CORS.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use super::security_headers::python_sandbox_policy;
use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "assets/dist/"]
struct Dist;

const SHELL: &str = "index.html";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";
/// The Python sandbox document: `assets/python-sandbox-<hash>.html`.
const SANDBOX_PREFIX: &str = "assets/python-sandbox-";
const SANDBOX_SUFFIX: &str = ".html";

/// One servable file with its precompressed variants.
struct Asset {
    content_type: HeaderValue,
    cache_control: &'static str,
    identity: Variant,
    brotli: Option<Variant>,
    gzip: Option<Variant>,
    /// The file's own content security policy, for the Python sandbox document.
    policy: Option<HeaderValue>,
}

struct Variant {
    body: &'static [u8],
    etag: HeaderValue,
}

/// Every embedded file, indexed once by its URL path (without the leading `/`).
struct Index {
    assets: HashMap<String, Asset>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Index {
    let mut assets = HashMap::new();
    for path in Dist::iter() {
        if path.ends_with(".br") || path.ends_with(".gz") || path.starts_with('.') {
            continue;
        }
        let Some(identity) = variant(&path, "") else { continue };
        let policy = if path.starts_with(SANDBOX_PREFIX) && path.ends_with(SANDBOX_SUFFIX) {
            // Without its policy the sandbox would share examhall's origin: then it is not served at all.
            let Some(policy) = python_sandbox_policy(identity.body).and_then(|p| HeaderValue::from_str(&p).ok()) else {
                tracing::error!(path = %path, "the Python sandbox document has no single inline script; not serving it");
                continue;
            };
            Some(policy)
        } else {
            None
        };
        let asset = Asset {
            content_type: content_type(&path),
            cache_control: cache_control(&path),
            identity,
            brotli: variant(&format!("{path}.br"), "br"),
            gzip: variant(&format!("{path}.gz"), "gz"),
            policy,
        };
        assets.insert(path.into_owned(), asset);
    }
    Index { assets }
}

fn variant(path: &str, suffix: &str) -> Option<Variant> {
    let file = Dist::get(path)?;
    let hash = hex::encode(&file.metadata.sha256_hash()[..16]);
    let tag = if suffix.is_empty() { format!("\"{hash}\"") } else { format!("\"{hash}-{suffix}\"") };
    let body: &'static [u8] = match file.data {
        std::borrow::Cow::Borrowed(bytes) => bytes,
        // Only when rust-embed reads from disk; the index lives for the
        // whole process, so leaking once per file is bounded.
        std::borrow::Cow::Owned(bytes) => Box::leak(bytes.into_boxed_slice()),
    };
    Some(Variant { body, etag: HeaderValue::from_str(&tag).ok()? })
}

fn content_type(path: &str) -> HeaderValue {
    let guessed = match path.rsplit('.').next() {
        Some("wasm") => "application/wasm".to_owned(),
        Some("mjs" | "js") => "text/javascript; charset=utf-8".to_owned(),
        Some("json" | "map") => "application/json".to_owned(),
        Some("webmanifest") => "application/manifest+json".to_owned(),
        _ => {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            if mime.type_() == mime_guess::mime::TEXT { format!("{mime}; charset=utf-8") } else { mime.to_string() }
        }
    };
    HeaderValue::from_str(&guessed).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

fn cache_control(path: &str) -> &'static str {
    if path.starts_with("assets/") || path.starts_with(&format!("pyodide/{}/", crate::version::PYODIDE)) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Whether the client accepts `coding` (a `q=0` weight refuses it).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|part| {
            let mut pieces = part.split(';').map(str::trim);
            let name = pieces.next().unwrap_or_default();
            let weight = pieces.find_map(|p| p.strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            name.eq_ignore_ascii_case(coding) && weight > 0.0
        })
}

/// Serves an embedded file, the app shell for page paths, or a 404.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return AppError::NotFound.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return AppError::NotFound.into_response();
    }
    let index = index();
    let asset = match index.assets.get(path) {
        Some(asset) if !path.is_empty() => asset,
        _ if looks_like_a_file(path) => return AppError::NotFound.into_response(),
        _ => match index.assets.get(SHELL) {
            Some(shell) => shell,
            None => return AppError::NotFound.into_response(),
        },
    };
    respond(asset, &headers)
}

/// File extensions a browser asks for as files. A page path may hold a dot
/// too (`/link/<realm>.<token>`), so only these make a path a file.
const FILE_EXTENSIONS: &[&str] =
    &["js", "mjs", "css", "map", "json", "wasm", "zip", "svg", "png", "ico", "txt", "html", "webmanifest", "woff2"];

/// Paths under the asset folders, or ending in a file extension, are files;
/// everything else is a page the front end routes.
fn looks_like_a_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    let extension = last.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    path.starts_with("assets/")
        || path.starts_with("pyodide/")
        || extension.is_some_and(|ext| FILE_EXTENSIONS.contains(&ext.as_str()))
}

fn respond(asset: &Asset, headers: &HeaderMap) -> Response {
    let (chosen, encoding) = match (&asset.brotli, &asset.gzip) {
        (Some(br), _) if accepts(headers, "br") => (br, Some("br")),
        (_, Some(gz)) if accepts(headers, "gzip") => (gz, Some("gzip")),
        _ => (&asset.identity, None),
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == "*" || t.trim() == chosen.etag));
    let mut builder = Response::builder()
        .header(header::ETAG, chosen.etag.clone())
        .header(header::CACHE_CONTROL, asset.cache_control)
        .header(header::VARY, "accept-encoding");
    // On a 304 too: a browser updates the stored headers from it.
    if let Some(policy) = &asset.policy {
        builder = builder
            .header(header::CONTENT_SECURITY_POLICY, policy.clone())
            .header(header::X_FRAME_OPTIONS, "SAMEORIGIN");
    }
    if not_modified {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap_or_default();
    }
    builder = builder.header(header::CONTENT_TYPE, asset.content_type.clone());
    if let Some(encoding) = encoding {
        builder = builder.header(header::CONTENT_ENCODING, encoding);
    }
    builder.body(Body::from(chosen.body)).unwrap_or_default()
}

/// True when the app shell is embedded (the front end was built).
#[must_use]
pub fn has_shell() -> bool {
    index().assets.contains_key(SHELL)
}
