#!/usr/bin/env bash
# Upgrades in install.sh's test mode without a service manager
# (EXAMHALL_INSTALL_SERVICE_MANAGER=none): the server runs in the background
# on 127.0.0.1 and a free port, from a staging root. A new version that
# cannot serve is rolled back (binary, data, service); a good one stays,
# with the previous binary and a snapshot kept; no room for the snapshot, or
# a held data-directory lock, stops an upgrade before examhall is stopped; a
# failure after it was stopped starts the old version again (before the
# swap) or rolls back (after); --uninstall stops the server.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OLD=$(binary_under_test)
work="" # set by scratch
scratch work
root="$work/root"
data="$root/var/lib/examhall"
port=$(free_port)
export EXAMHALL_INSTALL_SERVICE_MANAGER=none EXAMHALL_INSTALL_READY_TIMEOUT=60
CLEANUP+=("'$REPO/install.sh' --root '$root' --uninstall >/dev/null 2>&1")
ready() { curl -ksf --max-time 3 -o /dev/null "https://127.0.0.1:$port/readyz"; }
server_pid() { cat "$root/run/examhall.pid" 2>/dev/null; }
pid_alive_here() { grep -q '^State:.*[RSD]' "/proc/$1/status" 2>/dev/null; }
# as_service ARGS...: an examhall command as the staging root's service user.
as_service() {
  local uid
  uid=$(awk -F: '$1 == "examhall" { print $3 }' "$root/etc/passwd")
  (cd / && setpriv --reuid="$uid" --regid="$uid" --clear-groups -- env EXAMHALL_LOG__DIR="$root/var/log/examhall" \
    "$root/usr/bin/examhall" --config "$root/etc/examhall/examhall.toml" --data-dir "$data" "$@")
}

section "a first install, started in the background"
if "$REPO/install.sh" --root "$root" --binary "$OLD" --listen "127.0.0.1:$port" >"$work/install.log" 2>&1 && ready; then
  pass "install.sh starts examhall and /readyz answers on 127.0.0.1:$port"
else
  fail "install.sh starts examhall and /readyz answers on 127.0.0.1:$port" "$(tail -n 30 "$work/install.log")"
  finish
fi
if as_service org create --slug physics --name Physics >"$work/org.log" 2>&1; then
  pass "an organization is created through the running server"
else
  fail "an organization is created through the running server" "$(cat "$work/org.log")"
fi

section "an upgrade to a version that cannot serve is rolled back"
# examhall "9.9.9-broken": reports its version, but serving writes into the
# data directory (as a migration would) and exits 1; it reads another
# platform audit head than the old version, as a run that wrote entries
# would. Everything else is the real binary.
broken="$work/bin/examhall-broken"
mkdir -p "$work/bin"
cat >"$broken" <<SCRIPT
#!/bin/sh
data=""
previous=""
for arg in "\$@"; do
  [ "\$previous" = --data-dir ] && data=\$arg
  previous=\$arg
done
case " \$* " in
  *" --version "*) echo "examhall 9.9.9-broken"; exit 0 ;;
  *" serve "*) echo "migrated" >"\$data/written-by-9.9.9"; echo "examhall 9.9.9-broken: cannot serve" >&2; exit 1 ;;
  *" audit head --platform "*) echo "42:$(printf 'ab%.0s' $(seq 32))"; exit 0 ;;
esac
exec "$OLD" "\$@"
SCRIPT
chmod 0755 "$broken"
status=0
"$REPO/install.sh" --root "$root" --binary "$broken" >"$work/broken.log" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q 'the upgrade to examhall 9.9.9-broken failed and was rolled back' "$work/broken.log"; then
  pass "install.sh exits 1 and says the upgrade was rolled back"
else
  fail "install.sh exits 1 and says the upgrade was rolled back" "exit $status" "$(tail -n 30 "$work/broken.log")"
fi
check "the previous binary is back in place" cmp -s "$OLD" "$root/usr/bin/examhall"
check "no examhall.previous is left behind" test ! -e "$root/usr/bin/examhall.previous"
check "the data directory is the snapshot again (the failed run's write is gone)" test ! -e "$data/written-by-9.9.9"
snapshot=$(find "$root/var/lib/examhall-snapshots" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
if [ -n "$snapshot" ]; then pass "a snapshot was taken: ${snapshot#"$root"}"; else fail "a snapshot was taken"; snapshot=/nonexistent; fi
expect_mode "$snapshot" 700 0:0
check "the snapshot holds the whole data directory" test -e "$snapshot/data/platform.db" -a -e "$snapshot/data/master.key"
check "the snapshot holds the binary that wrote it" cmp -s "$OLD" "$snapshot/examhall"
check "what the failed run left is kept beside it" test -e "$snapshot/data.failed/written-by-9.9.9"
check "the snapshot records the audit heads before the upgrade" grep -Eq '^platform [0-9]+:[0-9a-f]{64}$' "$snapshot/heads"
check "... of the organization too" grep -Eq '^org physics [0-9]+:[0-9a-f]{64}$' "$snapshot/heads"
check "the failed run's changed platform head is recorded" grep -q "^platform 42:abab" "$snapshot/heads.failed"
# The checkpoint: accepted by an examhall that has accept-head --replaced,
# else printed for IT to run; either way the exact command and reason.
reason="upgrade to 9.9.9-broken failed; data directory restored from the snapshot of "
if grep -q "recorded in the audit log (--platform 42:abab" "$work/broken.log"; then
  if as_service audit verify --platform 2>&1 | grep -q "replaced head 42:abab.*; $reason"; then
    pass "the platform log holds a checkpoint: the failed run's head was replaced, with the reason"
  else
    fail "the platform log holds a checkpoint: the failed run's head was replaced, with the reason" "$(as_service audit verify --platform 2>&1)"
  fi
elif grep -qF "examhall audit accept-head --platform --replaced 42:abab" "$work/broken.log" && grep -qF "$reason" "$work/broken.log"; then
  pass "the examhall in use cannot record the replaced head: the exact accept-head command is printed"
else
  fail "the replaced platform head is recorded with accept-head --platform --replaced, or the command printed" "$(tail -n 15 "$work/broken.log")"
fi
check "no checkpoint is asked for the organization, whose head did not change" sh -c "! grep -q 'accept-head --org physics' '$work/broken.log'"
if ready && cmp -s "$OLD" "/proc/$(server_pid)/exe"; then
  pass "the previous version is serving again"
else
  fail "the previous version is serving again" "$(tail -n 10 "$root/run/examhall.console.log")"
fi
if as_service org list 2>/dev/null | grep -q physics; then pass "its data is all there (the organization)"; else fail "its data is all there (the organization)"; fi

section "an upgrade that works"
# Another build of the same version: the same program with bytes appended
# (ignored when it runs) is a different file, so install.sh upgrades.
new="$work/bin/examhall-new"
cp "$OLD" "$new"
printf 'another build' >>"$new"
if "$REPO/install.sh" --root "$root" --binary "$new" >"$work/good.log" 2>&1 && ready; then
  pass "install.sh upgrades, and the new binary serves"
else
  fail "install.sh upgrades, and the new binary serves" "$(tail -n 30 "$work/good.log")"
fi
check "the new binary is installed" cmp -s "$new" "$root/usr/bin/examhall"
check "the previous one is kept as examhall.previous" cmp -s "$OLD" "$root/usr/bin/examhall.previous"
check "the running server is the new binary" cmp -s "$new" "/proc/$(server_pid)/exe"
if as_service org list 2>/dev/null | grep -q physics; then pass "the data came through"; else fail "the data came through"; fi

section "snapshots: the newest three are kept"
for build in 2 3; do
  cp "$OLD" "$new.$build"
  printf 'build %s' "$build" >>"$new.$build"
  "$REPO/install.sh" --root "$root" --binary "$new.$build" >"$work/good.$build.log" 2>&1 || fail "upgrade $build exits 0" "$(tail -n 20 "$work/good.$build.log")"
done
count=$(find "$root/var/lib/examhall-snapshots" -mindepth 1 -maxdepth 1 -type d | wc -l)
if [ "$count" -eq 3 ] && [ ! -e "$snapshot" ]; then
  pass "after four upgrades, three snapshots are left and the oldest is gone"
else
  fail "after four upgrades, three snapshots are left and the oldest is gone" "$(ls "$root/var/lib/examhall-snapshots")"
fi

# Stand-ins put first on install.sh's PATH, to make one step of an upgrade fail.
guards="$work/guards"
mkdir -p "$guards"
real_cp=$(command -v cp)
real_mv=$(command -v mv)
# upgrade_with GUARD LOG BINARY: install.sh with one stand-in; its exit code in $status.
upgrade_with() {
  local guard=$1 log=$2 binary=$3 dir="$work/with-$1"
  mkdir -p "$dir"
  ln -sf "$guards/$guard" "$dir/$guard"
  status=0
  env PATH="$dir:$PATH" "$REPO/install.sh" --root "$root" --binary "$binary" >"$log" 2>&1 || status=$?
}
snapshot_count() { find "$root/var/lib/examhall-snapshots" -mindepth 1 -maxdepth 1 -type d | wc -l; }
installed=$(sha256sum <"$root/usr/bin/examhall")
current="$work/bin/current"
cp "$root/usr/bin/examhall" "$current"
next="$new.next"
cp "$OLD" "$next"
printf 'next build' >>"$next"

section "an upgrade without room for the snapshot is refused before examhall is stopped"
# df as on a full disk.
printf '#!/bin/sh\necho "Filesystem 1024-blocks Used Available Capacity Mounted on"\necho "/dev/full 1000 1000 0 100%% /"\n' >"$guards/df"
chmod 0755 "$guards/df"
pid=$(server_pid)
snapshots=$(snapshot_count)
upgrade_with df "$work/full.log" "$next"
if [ "$status" -eq 1 ] && grep -q 'not enough space for a snapshot' "$work/full.log" && grep -q 'examhall was not stopped' "$work/full.log"; then
  pass "install.sh exits 1, saying there is no room and that examhall was not stopped"
else
  fail "install.sh exits 1, saying there is no room and that examhall was not stopped" "exit $status" "$(tail -n 20 "$work/full.log")"
fi
if ready && [ "$(server_pid)" = "$pid" ] && pid_alive_here "$pid"; then
  pass "the same server process still serves: it was never stopped"
else
  fail "the same server process still serves: it was never stopped" "PID before $pid, now $(server_pid)" "$(tail -n 5 "$root/run/examhall.console.log")"
fi
check "... the installed binary is unchanged" test "$(sha256sum <"$root/usr/bin/examhall")" = "$installed"
check "... and no snapshot was taken" test "$(snapshot_count)" = "$snapshots"

section "an upgrade while another process holds (or waits for) the data directory's lock"
flock_ready="$work/flock-held"
# A stand-in for a command waiting for the lock the server holds: it takes
# it the moment the server stops.
flock --no-fork "$data/.lock" sh -c "touch '$flock_ready'; exec sleep 60" &
holder=$!
CLEANUP+=("kill $holder")
for _ in $(seq 50); do grep -q " $holder " /proc/locks && break; sleep 0.1; done
status=0
"$REPO/install.sh" --root "$root" --binary "$next" >"$work/waiting.log" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q "another examhall process holds /var/lib/examhall/.lock (or waits for it).*PID $holder" "$work/waiting.log"; then
  pass "install.sh refuses, naming the waiting process"
else
  fail "install.sh refuses, naming the waiting process" "exit $status" "$(tail -n 20 "$work/waiting.log")"
fi
if ready && [ "$(server_pid)" = "$pid" ]; then pass "... before stopping examhall: the same server still serves"; else fail "... before stopping examhall: the same server still serves" "PID before $pid, now $(server_pid)"; fi
check "... and the installed binary is unchanged" test "$(sha256sum <"$root/usr/bin/examhall")" = "$installed"
# Now with the server stopped and the stand-in holding the lock.
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 100); do [ -e "$flock_ready" ] && break; sleep 0.1; done
status=0
"$REPO/install.sh" --root "$root" --binary "$next" >"$work/held.log" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q "another examhall process holds /var/lib/examhall/.lock" "$work/held.log"; then
  pass "with examhall stopped and the lock held, install.sh refuses, saying why"
else
  fail "with examhall stopped and the lock held, install.sh refuses, saying why" "exit $status" "$(tail -n 20 "$work/held.log")"
fi
check "... and leaves the installed binary alone" test "$(sha256sum <"$root/usr/bin/examhall")" = "$installed"
check "... and takes no snapshot" test "$(snapshot_count)" = "$snapshots"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
# The next run, with the lock free, starts it again (the binary is the same: no upgrade).
"$REPO/install.sh" --root "$root" --binary "$current" >"$work/after-held.log" 2>&1 || true
if ready; then pass "the next run serves again"; else fail "the next run serves again" "$(tail -n 20 "$work/after-held.log")"; fi

section "an upgrade that fails after examhall was stopped starts the old version again"
# cp fails to copy the binary into the snapshot (a full disk, say): after
# the server stopped, before anything changed.
cat >"$guards/cp" <<EOF
#!/bin/sh
for last in "\$@"; do :; done
case "\$last" in */examhall-snapshots/*/examhall) echo "cp: cannot create '\$last': No space left on device (a stand-in)" >&2; exit 1 ;; esac
exec $real_cp "\$@"
EOF
chmod 0755 "$guards/cp"
pid=$(server_pid)
upgrade_with cp "$work/cp-fails.log" "$next"
if [ "$status" -eq 1 ] && grep -q 'starting examhall 0.1.0 again' "$work/cp-fails.log" && grep -q 'is running and ready again' "$work/cp-fails.log"; then
  pass "install.sh exits 1 and says it started the old version again"
else
  fail "install.sh exits 1 and says it started the old version again" "exit $status" "$(tail -n 20 "$work/cp-fails.log")"
fi
if ready && [ "$(server_pid)" != "$pid" ] && cmp -s "/proc/$(server_pid)/exe" "$root/usr/bin/examhall"; then
  pass "the installed version serves again (a new process: it had been stopped)"
else
  fail "the installed version serves again" "$(tail -n 10 "$root/run/examhall.console.log")"
fi
check "... the installed binary is unchanged" test "$(sha256sum <"$root/usr/bin/examhall")" = "$installed"
check "... and the snapshot cut short is gone" test "$(snapshot_count)" = "$snapshots"

section "an upgrade that fails while installing the new binary is rolled back"
# mv fails, once, to put the new binary in place.
cat >"$guards/mv" <<EOF
#!/bin/sh
for last in "\$@"; do :; done
case "\$last" in
  */usr/bin/examhall) if [ ! -e "$work/mv-failed" ]; then touch "$work/mv-failed"; echo "mv: cannot move to '\$last': Input/output error (a stand-in)" >&2; exit 1; fi ;;
esac
exec $real_mv "\$@"
EOF
chmod 0755 "$guards/mv"
upgrade_with mv "$work/mv-fails.log" "$next"
if [ "$status" -eq 1 ] && grep -q 'the upgrade stopped with an error after it began to install examhall 0.1.0; rolling back' "$work/mv-fails.log" &&
  grep -q 'failed and was rolled back' "$work/mv-fails.log"; then
  pass "install.sh exits 1 and rolls back"
else
  fail "install.sh exits 1 and rolls back" "exit $status" "$(tail -n 20 "$work/mv-fails.log")"
fi
check "... the installed binary is the previous one" test "$(sha256sum <"$root/usr/bin/examhall")" = "$installed"
if ready && cmp -s "/proc/$(server_pid)/exe" "$root/usr/bin/examhall"; then pass "... and it serves"; else fail "... and it serves" "$(tail -n 10 "$root/run/examhall.console.log")"; fi

section "--uninstall stops the server and keeps the data"
pid=$(server_pid)
"$REPO/install.sh" --root "$root" --uninstall >"$work/uninstall.log" 2>&1 || fail "--uninstall exits 0" "$(cat "$work/uninstall.log")"
# (A process that exited and that nobody reaped yet counts as stopped.)
check "the server is stopped" sh -c "! grep -q '^State:.*[RSD]' '/proc/$pid/status' 2>/dev/null"
check "the data is kept" test -e "$data/platform.db"
"$REPO/install.sh" --root "$root" --purge --yes >"$work/purge.log" 2>&1 || fail "--purge --yes exits 0" "$(cat "$work/purge.log")"
check "--purge --yes deletes the data and the snapshots" test ! -e "$data" -a ! -e "$root/var/lib/examhall-snapshots"

finish
