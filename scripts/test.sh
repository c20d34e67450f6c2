#!/usr/bin/env bash
# Runs every check and test of examhall: formatting, lints, the front end's
# type check and lint, the dependency checks (scripts/deps.sh: cargo-deny and
# the RustSec snapshot beside the repository, npm audit), the Rust unit and
# integration tests, and the browser tests in headless Chromium and the abuse
# tests against the binary built from this checkout. Installs what a fresh
# Debian machine lacks (Chromium, age, zstd, the npm packages, the pinned
# cargo-deny).
set -euo pipefail
cd "$(dirname "$0")/.."

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

echo "== front end: install, type check, lint"
(cd assets && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm run --silent lint)

echo "== Rust: format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

scripts/deps.sh

echo "== Rust: unit and integration tests"
cargo test --locked

echo "== browser tests (headless Chromium against target/debug/examhall)"
# Chromium grants a page no storage (the exam's offline copy) once the disk
# runs low: what is left is printed, for a failure's reader.
df -h "${TMPDIR:-/tmp}" | tail -n 1
EXAMHALL_BIN="$PWD/target/debug/examhall" npm --prefix assets run --silent test:browser

echo "== similarity corpus: labels, fixtures and the evaluation script"
python3 scripts/similarity/build_labels.py --check
python3 -m unittest discover -s scripts/similarity -p 'test_*.py'

echo "== abuse tests (floods against the real binary: memory, a legitimate user's latency, the data after)"
EXAMHALL_BIN="$PWD/target/debug/examhall" node --test tests/abuse/abuse.test.mjs
