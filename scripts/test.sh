#!/usr/bin/env bash
# Runs every check and test of examhall: formatting, lints, the front end's
# type check and lint, the dependency checks (scripts/deps.sh: cargo-deny and
# the RustSec snapshot beside the repository, npm audit), the Rust unit and
# integration tests, and the browser tests in headless Chromium and the abuse
# tests against the binary built from this checkout. Installs what a fresh
# Debian machine lacks (Chromium, age, zstd, the npm packages, the pinned
# cargo-deny, prometheus-client from PyPI, and for the packaging tests
# shellcheck, lintian, systemd-container and cargo-deb).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the build needs and apt cannot pick by version: checked up front, so a
# missing or old tool is named with how to get it, not met deep in a build.
need() { echo "examhall's tests need $1" >&2; exit 1; }
version_at_least() { # $1 found, $2 wanted (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
command -v cargo >/dev/null || need "Rust 1.89 or newer: install it with rustup (https://rustup.rs), then open a new shell."
rust=$(rustc --version | awk '{print $2}')
version_at_least "$rust" 1.89 || need "Rust 1.89 or newer (found $rust): rustup update stable."
command -v node >/dev/null || need "Node.js 20.19 or newer with npm: Debian 13: apt-get install nodejs npm; Debian 12 ships 18, too old: install one from https://nodejs.org or NodeSource."
node=$(node --version | tr -d v)
version_at_least "$node" 20.19 || need "Node.js 20.19 or newer (found $node): Debian 12 ships 18; install one from https://nodejs.org or NodeSource."
for tool in cc make perl; do
  command -v "$tool" >/dev/null || need "$tool to build the bundled SQLCipher and OpenSSL: apt-get install build-essential perl."
done

# Chromium for the browser tests; age, zstd and openssl for the backup tests,
# which open bundles with the standard tools as a university would.
missing=()
for tool in chromium age zstd openssl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Prometheus project's own text-format parser, which the metrics tests
# read every scrape with (tests/api/prometheus_samples.py).
python3 -c "import prometheus_client" 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check "prometheus-client==0.21.1"

echo "== front end: install, type check, lint"
(cd assets && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm run --silent lint)

echo "== Rust: format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

scripts/deps.sh

echo "== Rust: unit and integration tests"
cargo test --locked

# The binary the browser and abuse tests drive: the one `cargo test` built,
# wherever CARGO_TARGET_DIR puts it.
binary="${CARGO_TARGET_DIR:-$PWD/target}/debug/examhall"
case "$binary" in /*) ;; *) binary="$PWD/$binary" ;; esac

echo "== packaging: install.sh, the systemd unit, the Debian package"
# Installs shellcheck, lintian and systemd-container (apt) and cargo-deb
# (once) if missing; boots a throwaway container where the machine allows it.
tests/packaging/run.sh "$binary"

echo "== browser tests (headless Chromium against $binary)"
# Chromium grants a page no storage (the exam's offline copy) once the disk
# runs low: what is left is printed, for a failure's reader.
df -h "${TMPDIR:-/tmp}" | tail -n 1
EXAMHALL_BIN="$binary" npm --prefix assets run --silent test:browser

echo "== similarity corpus: labels, fixtures and the evaluation script"
python3 scripts/similarity/build_labels.py --check
python3 -m unittest discover -s scripts/similarity -p 'test_*.py'

echo "== abuse tests (floods against the real binary: memory, a legitimate user's latency, the data after)"
EXAMHALL_BIN="$binary" node --test tests/abuse/abuse.test.mjs
