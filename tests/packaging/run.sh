#!/usr/bin/env bash
# tests/packaging/run.sh BINARY: every test of examhall's packaging against
# a built examhall binary (a debug build is fine; nothing is compiled here):
#
#   lint.sh          shellcheck on install.sh, the maintainer scripts, these tests
#   unit.sh          the systemd unit's exposure score (systemd-analyze, offline)
#   install-root.sh  install.sh into a staging root, twice; refusals; uninstall, purge
#   upgrade.sh       upgrade, forced failure and rollback, without a service manager
#   deb.sh           the Debian package: contents, lintian, dpkg into a scratch root
#   systemd.sh       install.sh and the package under a real systemd, in a
#                    throwaway container of this machine (SKIP where it cannot boot)
#
# Runs as root (the tests own files as other users and run dpkg --root).
# Installs what a fresh Debian machine lacks: shellcheck, lintian and
# systemd-container (apt), cargo-deb (cargo install, about 2 minutes of
# compiling, once).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/examhall" >&2; exit 2; }
[ -x "$1" ] || { echo "$0: $1 is not an executable examhall binary" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: the packaging tests run as root (they chown to other users and run dpkg --root)" >&2; exit 2; }
started=$SECONDS

missing=()
for tool in shellcheck lintian systemd-analyze systemd-nspawn dpkg-deb curl openssl flock setpriv; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  packages=$(printf '%s\n' "${missing[@]}" | sed -e 's/^systemd-analyze$/systemd/' -e 's/^systemd-nspawn$/systemd-container/' -e 's/^dpkg-deb$/dpkg/' -e 's/^flock$/util-linux/' -e 's/^setpriv$/util-linux/' | sort -u | tr '\n' ' ')
  echo "== installing Debian packages: $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq $packages >/dev/null
fi
if ! cargo deb --version >/dev/null 2>&1; then
  echo "== installing cargo-deb from crates.io (about 2 minutes, once)"
  cargo install cargo-deb --locked -j 1
fi

# The binary is copied: a rebuild of the original must not change it mid-run.
work=$(mktemp -d "${TMPDIR:-/tmp}/examhall-packaging-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
cp "$1" "$work/examhall"
export EXAMHALL_TEST_BINARY="$work/examhall"
# deb.sh leaves the package it built here, for systemd.sh.
export EXAMHALL_TEST_DEB_OUT="$work/examhall.deb" EXAMHALL_TEST_DEB="$work/examhall.deb"

failed=()
for test in lint unit install-root upgrade deb systemd; do
  begun=$SECONDS
  if bash "$here/$test.sh"; then status=ok; else status=FAILED; failed+=("$test.sh"); fi
  printf -- '-- %s.sh: %s in %ss\n' "$test" "$status" "$((SECONDS - begun))"
done

printf '\npackaging tests took %ss\n' "$((SECONDS - started))"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all packaging tests passed"
