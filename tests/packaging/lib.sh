# Shared by the packaging tests (sourced, not run): how a check reports,
# temporary folders that are removed at exit, and bounded waits.
# shellcheck shell=bash
# shellcheck disable=SC2034 # REPO and ROOT_FOR_NAMES are for the tests that source this

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FAILED=0

pass() { printf 'PASS  %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$1"
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/        /'; done
  FAILED=$((FAILED + 1))
}
# skipped WHAT WHY: a check this machine cannot make, said as such, never as
# a PASS; run.sh lists every one in its summary (from $EXAMHALL_TEST_SKIPS).
skipped() {
  printf 'SKIP  %s: %s\n' "$1" "$2"
  [ -z "${EXAMHALL_TEST_SKIPS:-}" ] || printf '%s: %s (%s)\n' "$(basename "$0")" "$1" "$2" >>"$EXAMHALL_TEST_SKIPS"
}
# skip_all WHY: this machine cannot run any of this file's checks; exit 77,
# which run.sh counts as skipped, not passed.
skip_all() {
  printf 'SKIP  all of %s: %s\n' "$(basename "$0")" "$1"
  [ -z "${EXAMHALL_TEST_SKIPS:-}" ] || printf '%s (%s)\n' "$(basename "$0")" "$1" >>"$EXAMHALL_TEST_SKIPS"
  exit 77
}
# check DESCRIPTION COMMAND...: PASS when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what" "failed: $*"; fi
}
section() { printf '\n== %s\n' "$*"; }
# The test file's verdict, as its exit code.
finish() {
  if [ "$FAILED" -gt 0 ]; then
    printf '%s: %d check(s) failed\n' "$(basename "$0")" "$FAILED"
    exit 1
  fi
}

# A temporary folder removed when the test ends, whatever happens; open to
# other users (0755), since the service user must reach the staging roots.
CLEANUP=()
# Undone last first: a server in a folder stops before the folder goes.
cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
# scratch VAR: sets VAR to a new temporary folder (not through $(...), whose
# subshell would forget the cleanup).
scratch() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/examhall-packaging.XXXXXX")
  chmod 0755 "$dir"
  CLEANUP+=("rm -rf '$dir'")
  printf -v "$1" '%s' "$dir"
}

# mode_owner PATH: "MODE UID:GID" of a file, e.g. "700 998:998".
mode_owner() { stat -c '%a %u:%g' "$1"; }

# expect_mode PATH MODE UID:GID: one check of a path's mode and owner.
expect_mode() {
  local got
  got=$(mode_owner "$1" 2>/dev/null || echo missing)
  if [ "$got" = "$2 $3" ]; then pass "${1#"$ROOT_FOR_NAMES"} is $2 $3"; else fail "${1#"$ROOT_FOR_NAMES"} should be $2 $3" "it is: $got"; fi
}
ROOT_FOR_NAMES=""

# A TCP port nobody listens on (the kernel picks it).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-60000 -n 1
}

# The binary under test, given to run.sh (exported by it), copied so a
# rebuild of the original does not change it mid-test.
binary_under_test() {
  if [ -z "${EXAMHALL_TEST_BINARY:-}" ] || [ ! -x "$EXAMHALL_TEST_BINARY" ]; then
    echo "set EXAMHALL_TEST_BINARY to an examhall binary (tests/packaging/run.sh does)" >&2
    exit 2
  fi
  printf '%s' "$EXAMHALL_TEST_BINARY"
}
