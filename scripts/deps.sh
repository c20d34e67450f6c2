#!/usr/bin/env bash
# Checks examhall's dependencies, without network beyond the package
# registries: cargo-deny's bans, licences and sources (deny.toml), the
# RustSec advisories against the snapshot kept beside the repository in
# ../shared/advisory-db, and `npm audit` of the front end where the npm
# registry answers it. Installs the pinned cargo-deny when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: its checks and its advisory-database layout are what deny.toml and
# the folder name below were written for.
CARGO_DENY_VERSION=0.20.2
if [ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  echo "== installing cargo-deny $CARGO_DENY_VERSION from crates.io (a few minutes, once per machine)"
  cargo install --locked --quiet "cargo-deny@$CARGO_DENY_VERSION"
fi

echo "== dependencies: bans, licences and sources (deny.toml)"
# Every platform's crates, so that cargo-deny's view of the graph needs no network.
cargo fetch --locked --quiet
cargo deny --offline check --hide-inclusion-graph bans licenses sources

echo "== dependencies: RustSec advisories (the snapshot in ../shared/advisory-db)"
bundle=${EXAMHALL_ADVISORY_BUNDLE:-../shared/advisory-db/advisory-db.bundle}
if [ ! -f "$bundle" ]; then
  echo "error: $bundle is missing; the advisory check reads the RustSec snapshot kept beside" >&2
  echo "the repository (shared/advisory-db/advisory-db.bundle) and never fetches one" >&2
  exit 1
fi
databases=$(mktemp -d)
trap 'rm -rf "$databases"' EXIT
# cargo-deny keeps the database of its default URL in a folder of this name.
git -c init.defaultBranch=main clone --quiet "$bundle" "$databases/advisory-db-3157b0e258782691"
EXAMHALL_ADVISORY_DBS="$databases" cargo deny --offline check --hide-inclusion-graph advisories

echo "== front end: npm audit (high and critical advisories fail)"
node scripts/npm-audit.mjs
