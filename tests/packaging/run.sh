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
#                    throwaway container of this machine (skipped only where the
#                    machine cannot make one: no overlayfs, no privilege for
#                    namespaces or cgroups; or where systemd runs the machine)
#
# A test file that this machine cannot run at all exits 77 and is reported as
# skipped, with why; a single check it cannot make prints SKIP. Both are
# listed in the closing summary, apart from the passes.
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

# Each skipped check or file adds a line here (lib.sh).
export EXAMHALL_TEST_SKIPS="$work/skips"
: >"$EXAMHALL_TEST_SKIPS"

failed=()
for test in lint unit install-root upgrade deb systemd; do
  begun=$SECONDS
  code=0
  bash "$here/$test.sh" || code=$?
  case "$code" in
    0) status=ok ;;
    77) status=SKIPPED ;;
    *) status=FAILED; failed+=("$test.sh") ;;
  esac
  printf -- '-- %s.sh: %s in %ss\n' "$test" "$status" "$((SECONDS - begun))"
done

printf '\npackaging tests took %ss\n' "$((SECONDS - started))"
skips=()
while IFS= read -r line; do skips+=("$line"); done <"$EXAMHALL_TEST_SKIPS"
skip_note=""
if [ "${#skips[@]}" -gt 0 ]; then
  skip_note=", ${#skips[@]} skipped: $(printf '%s; ' "${skips[@]}")"
  skip_note=${skip_note%; }
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}${skip_note:+ (and${skip_note#,})}"
  exit 1
fi
echo "all packaging tests passed${skip_note}"
