#!/usr/bin/env bash
# Runs shellcheck on every shell script of the packaging: install.sh, the Debian
# maintainer scripts (POSIX sh) and these tests.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

section "shellcheck"
cd "$REPO"
for script in install.sh tests/packaging/*.sh; do
  if output=$(shellcheck -x "$script" 2>&1); then pass "shellcheck $script"; else fail "shellcheck $script" "$output"; fi
done
for script in packaging/debian/postinst packaging/debian/preinst packaging/debian/prerm packaging/debian/postrm packaging/debian/conffile.sh; do
  if output=$(shellcheck -s sh "$script" 2>&1); then pass "shellcheck -s sh $script"; else fail "shellcheck -s sh $script" "$output"; fi
done
for script in install.sh packaging/debian/postinst packaging/debian/preinst packaging/debian/prerm packaging/debian/postrm; do
  check "$script is executable" test -x "$script"
done
check "install.sh stops at the first failing command (set -euo pipefail)" grep -qx 'set -euo pipefail' install.sh

finish
