//! Builds the front end (`assets/`, TypeScript + Vite) into `assets/dist/`,
//! which the binary embeds, so that `cargo build` on a fresh clone yields a
//! complete binary. The same build makes `assets/dist-report/`: the
//! similarity report's viewer, which `examhall similarity --html` inlines.
//!
//! Why here and not only in a script: every way of building examhall
//! (`cargo build`, `cargo install`, `cargo test`, IDEs) then embeds a front
//! end that matches its sources. The build runs only when an input changed:
//! a fingerprint of every input is kept in `assets/dist/.fingerprint`
//! (`assets/scripts/fingerprint.mjs` writes the same after `npm run build`
//! run by hand, as the README's first command does so that its progress
//! shows: cargo shows nothing of a build script's output while it runs).
//! `npm ci` runs when `node_modules` is missing or the lock file changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const ASSETS: &str = "assets";
/// The similarity report viewer's script, in `assets/dist-report/`.
const REPORT_SCRIPT: &str = "similarity-report.js";
/// Files and folders whose content decides the front-end build, one a line:
/// read here and by `assets/scripts/fingerprint.mjs`, which must agree.
const INPUTS_FILE: &str = "scripts/fingerprint-inputs.txt";

fn inputs(assets: &Path) -> Vec<String> {
    let text = fs::read_to_string(assets.join(INPUTS_FILE)).expect("read assets/scripts/fingerprint-inputs.txt");
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn main() {
    println!("cargo:rerun-if-env-changed=EXAMHALL_SKIP_UI_BUILD");
    let assets = Path::new(ASSETS);
    let inputs = inputs(assets);
    for input in &inputs {
        println!("cargo:rerun-if-changed={ASSETS}/{input}");
    }
    println!("cargo:rustc-env=EXAMHALL_PYODIDE_VERSION={}", pyodide_version(assets));

    let dist = assets.join("dist");
    let stamp = dist.join(".fingerprint");
    let fingerprint = fingerprint(assets, &inputs);
    let built = dist.join("index.html").exists() && assets.join("dist-report").join(REPORT_SCRIPT).exists();
    if built && fs::read_to_string(&stamp).is_ok_and(|old| old == fingerprint) {
        return;
    }
    if built && std::env::var_os("EXAMHALL_SKIP_UI_BUILD").is_some() {
        return;
    }
    check_node();
    let lock_stamp = assets.join("node_modules").join(".examhall-lock");
    let lock = hash_file(&assets.join("package-lock.json"));
    if fs::read_to_string(&lock_stamp).ok().as_deref() != Some(lock.as_str()) {
        npm(assets, &["ci", "--no-audit", "--no-fund"]);
        fs::write(&lock_stamp, &lock).expect("write node_modules/.examhall-lock");
    }
    npm(assets, &["run", "build"]);
    fs::write(&stamp, fingerprint).expect("write assets/dist/.fingerprint");
}

/// The oldest Node.js the front end's tools run on (`engines` in assets/package.json).
const NODE_MINIMUM: (u32, u32) = (20, 19);

/// Stops the build up front, saying exactly what to install, when Node.js
/// or npm is missing or too old, rather than failing deep in the build.
fn check_node() {
    const HOW: &str = "Install Node.js 20.19 or newer with npm. Debian 13: apt-get install nodejs npm. \
                       Debian 12 ships Node.js 18, too old: install a current one from https://nodejs.org or \
                       the NodeSource packages, then run cargo again.";
    let version = Command::new("node").arg("--version").output().ok().filter(|o| o.status.success());
    let Some(version) = version else {
        panic!(
            "examhall embeds its web front end, and building it needs Node.js and npm; `node` was not found.\n{HOW}"
        );
    };
    let text = String::from_utf8_lossy(&version.stdout).trim().trim_start_matches('v').to_owned();
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    assert!(
        found >= NODE_MINIMUM,
        "examhall's front end needs Node.js {}.{} or newer; this machine has {text}.\n{HOW}",
        NODE_MINIMUM.0,
        NODE_MINIMUM.1
    );
    assert!(
        Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success()),
        "Node.js {text} is here but npm is not.\n{HOW}"
    );
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm").args(args).current_dir(dir).status().expect("run npm");
    assert!(status.success(), "`npm {}` in {} failed; its output is above", args.join(" "), dir.display());
}

/// The exact Pyodide version pinned in `assets/package.json`.
fn pyodide_version(assets: &Path) -> String {
    let text = fs::read_to_string(assets.join("package.json")).expect("read assets/package.json");
    let package: serde_json::Value = serde_json::from_str(&text).expect("assets/package.json is JSON");
    let version = package["dependencies"]["pyodide"].as_str().expect("assets/package.json pins pyodide").to_owned();
    assert!(
        version.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "pin pyodide to an exact version in assets/package.json (found {version})"
    );
    version
}

fn fingerprint(assets: &Path, inputs: &[String]) -> String {
    let mut files = Vec::new();
    for input in inputs {
        collect(&assets.join(input), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(fs::read(&file).unwrap_or_default());
    }
    hex(&hasher.finalize())
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).into_iter().flatten().flatten() {
            collect(&entry.path(), out);
        }
    } else if path.is_file() {
        out.push(path.to_owned());
    }
}

fn hash_file(path: &Path) -> String {
    hex(&Sha256::digest(fs::read(path).unwrap_or_default()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
