#!/usr/bin/env bash
# The systemd unit: its exposure score from systemd's own analysis (no
# running systemd needed), at most 2.0; and the paths it may write.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

unit="$REPO/packaging/systemd/examhall.service"
limit=2.0

# exposure UNIT-FILE: the overall exposure systemd-analyze gives it.
exposure() {
  systemd-analyze security --offline=true "$1" 2>/dev/null |
    sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
# at_most A B: A <= B, for decimals.
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

section "the unit's exposure (systemd-analyze security --offline=true)"
score=$(exposure "$unit")
if [ -n "$score" ] && at_most "$score" "$limit"; then
  pass "packaging/systemd/examhall.service exposure $score <= $limit"
else
  fail "packaging/systemd/examhall.service exposure ${score:-unknown} <= $limit" \
    "$(systemd-analyze security --offline=true "$unit" 2>&1 | grep '✗' || true)"
fi
# With the drop-in for port 443 (a capability, and no user namespace) it must stay within the limit too.
work="" # set by scratch
scratch work
sed -e 's/^CapabilityBoundingSet=$/CapabilityBoundingSet=CAP_NET_BIND_SERVICE/' \
  -e 's/^AmbientCapabilities=$/AmbientCapabilities=CAP_NET_BIND_SERVICE/' \
  -e 's/^PrivateUsers=yes$/PrivateUsers=no/' "$unit" >"$work/examhall.service"
score=$(exposure "$work/examhall.service")
if [ -n "$score" ] && at_most "$score" "$limit"; then
  pass "with the port-443 settings its exposure is $score <= $limit"
else
  fail "with the port-443 settings its exposure is ${score:-unknown} <= $limit"
fi

section "what the unit allows"
check "it runs as the examhall user" grep -qx 'User=examhall' "$unit"
check "it may write only the data and log folders" sh -c "grep '^ReadWritePaths=' '$unit' | grep -qx 'ReadWritePaths=/var/lib/examhall /var/log/examhall'"
check "it has no capabilities" grep -qx 'CapabilityBoundingSet=' "$unit"
check "it starts the installed binary with the installed config" grep -qx 'ExecStart=/usr/bin/examhall --config /etc/examhall/examhall.toml serve' "$unit"
# Each setting says why: every directive follows a comment or another directive.
uncommented=$(awk '/^[A-Z][A-Za-z]*=/ && prev !~ /^(#|[A-Z][A-Za-z]*=)/ { print FILENAME ":" NR ": " $0 } { prev = $0 }' "$unit")
if [ -z "$uncommented" ]; then pass "every group of settings has a comment above it"; else fail "every group of settings has a comment above it" "$uncommented"; fi

finish
