#!/usr/bin/env bash
# install.sh and the Debian package under a real, running systemd. This
# machine's root, with a throwaway overlay on top (nothing written reaches
# the disk), is booted as a container by systemd-nspawn, with a network of
# its own (loopback only). It checks what the tests without a service manager
# cannot: the hardened unit really runs examhall (as its user, without
# capabilities, under seccomp), install.sh's systemd mode, the master key as
# an encrypted credential, a rollback under systemd, and the package's
# scripts starting the service. Where this machine cannot make such a
# container (no systemd-nspawn, no overlayfs, no privilege for namespaces or
# cgroups), or systemd runs the machine itself, it exits 77 (skipped) and
# says why; a container that should boot and does not is a failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

BIN=$(binary_under_test)
command -v systemd-nspawn >/dev/null || skip_all "systemd-nspawn is not installed (apt-get install systemd-container)"
command -v nsenter >/dev/null || skip_all "nsenter (util-linux) is missing"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip_all "the kernel has no overlayfs"
[ ! -d /run/systemd/system ] || skip_all "systemd runs this machine, and this test boots its own in a container only where it does not"
unshare -m true 2>/dev/null || skip_all "no privilege to make a mount namespace here (a container without CAP_SYS_ADMIN?)"

work="" # set by scratch
scratch work
share="$work/share"
mkdir -p "$share" "$work/ovl" "$work/merged"
cp "$BIN" "$share/examhall"
[ -z "${EXAMHALL_TEST_DEB:-}" ] || cp "$EXAMHALL_TEST_DEB" "$share/examhall.deb"
# The container's processes go into cgroups of our own, removed at the end.
cgroup_name="examhall-packaging-$$"
cgroup_dirs=()
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  cgroup_dirs=("/sys/fs/cgroup/$cgroup_name")
else
  for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    [ ! -d "$hierarchy" ] || cgroup_dirs+=("$hierarchy/$cgroup_name")
  done
fi
for dir in "${cgroup_dirs[@]}"; do
  { mkdir "$dir" && rmdir "$dir"; } 2>/dev/null || skip_all "cannot make a cgroup (${dir%/*} is not writable here)"
done

cat >"$work/boot.sh" <<EOF
#!/bin/sh
# Runs in a mount namespace of its own: the overlay is gone when it ends.
set -e
for dir in ${cgroup_dirs[*]}; do mkdir "\$dir" && echo \$\$ >"\$dir/cgroup.procs"; done
mount -t tmpfs -o size=2g tmpfs "$work/ovl"
mkdir "$work/ovl/upper" "$work/ovl/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/ovl/upper,workdir=$work/ovl/work" "$work/merged"
exec systemd-nspawn -D "$work/merged" --register=no --keep-unit --private-network -b --console=passive \\
  --bind-ro="$share:/opt/share" --bind-ro="$REPO:/src"
EOF
chmod 0755 "$work/boot.sh"
unshare -m --propagation private "$work/boot.sh" >"$work/nspawn.log" 2>&1 &
nspawn=$!
stop_container() {
  kill -TERM "$nspawn" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$nspawn" 2>/dev/null || true
  wait "$nspawn" 2>/dev/null || true
  local dir
  for dir in "${cgroup_dirs[@]}"; do
    [ ! -d "$dir" ] || find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}
CLEANUP+=(stop_container)

# The container's init, once systemd says it is up (at most a minute).
init=""
booted=false
for _ in $(seq 600); do
  kill -0 "$nspawn" 2>/dev/null || break
  [ -n "$init" ] || init=$(pgrep -P "$nspawn" | head -n 1 || true)
  if [ -n "$init" ]; then
    case "$(nsenter -t "$init" -a -- systemctl is-system-running 2>/dev/null || true)" in
      running | degraded) booted=true; break ;;
    esac
  fi
  sleep 0.1
done
if ! $booted; then
  fail "a container of this machine boots with systemd as its init" "$(tail -n 20 "$work/nspawn.log")"
  finish
fi
inside() { nsenter -t "$init" -a -- "$@"; }
# run_inside LOG COMMAND...: a shell command in the container, output to LOG; its exit code.
run_inside() {
  local log=$1
  shift
  timeout 300 nsenter -t "$init" -a -- /bin/bash -c "cd / && $*" >"$log" 2>&1
}
ready() { inside curl -ksf --max-time 3 -o /dev/null "https://127.0.0.1:${1:-8443}/readyz"; }
main_pid() { inside systemctl show -p MainPID --value examhall; }
pass "a container of this machine booted with systemd as its init"

section "install.sh with systemd"
if run_inside "$work/install.log" /src/install.sh --binary /opt/share/examhall --hostname exams.test && ready; then
  pass "install.sh installs and starts the service, and /readyz answers"
else
  fail "install.sh installs and starts the service, and /readyz answers" "$(tail -n 30 "$work/install.log")"
  finish
fi
check "the service is enabled" inside systemctl --quiet is-enabled examhall
pid=$(main_pid)
status=$(inside cat "/proc/$pid/status")
uid=$(inside id -u examhall)
check "examhall runs as the examhall user" grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" <<<"$status"
check "without any capability" grep -q '^CapEff:\s*0000000000000000$' <<<"$status"
check "unable to gain privileges" grep -q '^NoNewPrivs:\s*1$' <<<"$status"
check "under a seccomp filter" grep -q '^Seccomp:\s*2$' <<<"$status"
score=$(inside systemd-analyze security examhall | sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
if awk -v s="${score:-9}" 'BEGIN { exit !(s <= 2.0) }'; then pass "its exposure, as systemd runs it, is $score"; else fail "its exposure, as systemd runs it, is ${score:-unknown}"; fi
# examhall's own checks of the installation (a self-signed certificate is a warning).
status=0
run_inside "$work/doctor.log" runuser -u examhall -- /usr/bin/examhall --config /etc/examhall/examhall.toml doctor || status=$?
if [ "$status" -le 1 ]; then
  pass "examhall doctor finds nothing wrong with the installation (exit $status: $(grep -c WARN "$work/doctor.log") warning(s))"
else
  fail "examhall doctor finds nothing wrong with the installation" "exit $status" "$(cat "$work/doctor.log")"
fi
run_inside "$work/again.log" /src/install.sh --binary /opt/share/examhall || fail "a second run exits 0" "$(tail -n 20 "$work/again.log")"
check "a second run leaves the running server alone" test "$(main_pid)" = "$pid"

section "port 443: the drop-in install.sh writes for it"
if run_inside "$work/443.log" /src/install.sh --binary /opt/share/examhall --listen 0.0.0.0:443 && ready 443; then
  pass "with --listen 0.0.0.0:443, examhall binds 443 (CAP_NET_BIND_SERVICE from the drop-in) and is ready"
else
  fail "with --listen 0.0.0.0:443, examhall binds 443 and is ready" "$(tail -n 20 "$work/443.log")"
fi
if run_inside "$work/8443.log" /src/install.sh --binary /opt/share/examhall --listen 0.0.0.0:8443 && ready &&
  inside test ! -e /etc/systemd/system/examhall.service.d/privileged-port.conf; then
  pass "back on 8443, the drop-in is gone"
else
  fail "back on 8443, the drop-in is gone" "$(tail -n 20 "$work/8443.log")"
fi

section "the master key as an encrypted credential, converted during an upgrade that fails"
# Other builds of the same version (bytes appended), so install.sh upgrades.
# shellcheck disable=SC2016 # $n is the inner shell's
inside /bin/sh -c 'mkdir -p /root/bin && for n in 2 3; do cp /opt/share/examhall /root/bin/examhall-$n && printf "build $n" >>/root/bin/examhall-$n; done'
# First an upgrade with the key still a file: its snapshot holds a copy of it.
if run_inside "$work/build2.log" /src/install.sh --binary /root/bin/examhall-2 && ready; then
  pass "an upgrade with the key in a file"
else
  fail "an upgrade with the key in a file" "$(tail -n 30 "$work/build2.log")"
fi
first_snapshot=$(inside sh -c 'ls -d /var/lib/examhall-snapshots/*/ | sort | tail -n 1')
first_snapshot=${first_snapshot%/}
check "its snapshot holds the plain master key" inside test -e "$first_snapshot/data/master.key"
# cp fails to copy the binary into the snapshot: after the service stopped.
inside /bin/sh -c 'mkdir -p /root/guard && cat >/root/guard/cp && chmod 0755 /root/guard/cp' <<'EOF'
#!/bin/sh
for last in "$@"; do :; done
case "$last" in */examhall-snapshots/*/examhall) echo "cp: cannot create '$last': No space left on device (a stand-in)" >&2; exit 1 ;; esac
exec /usr/bin/cp "$@"
EOF
status=0
run_inside "$work/credential-failed.log" PATH=/root/guard:\$PATH /src/install.sh --binary /root/bin/examhall-3 --key-credential || status=$?
if [ "$status" -eq 1 ] && grep -q 'starting examhall 0.1.0 again' "$work/credential-failed.log" && ready; then
  pass "--key-credential with an upgrade that fails: exit 1, and the old version serves again"
else
  fail "--key-credential with an upgrade that fails: exit 1, and the old version serves again" "exit $status" "$(tail -n 30 "$work/credential-failed.log")"
fi
check "... the installed binary is the old one" inside cmp -s /root/bin/examhall-2 /usr/bin/examhall
check "... the plain key file is gone" inside test ! -e /var/lib/examhall/master.key
check "... the credential and its drop-in are in place" \
  inside grep -qx 'LoadCredentialEncrypted=examhall-master-key:/etc/examhall/master-key.cred' /etc/systemd/system/examhall.service.d/master-key-credential.conf
if inside systemctl restart examhall && { for _ in $(seq 100); do ready && break; sleep 0.1; done; ready; }; then
  pass "... so the unit finds its key: a restart comes up ready"
else
  fail "... so the unit finds its key: a restart comes up ready" "$(inside journalctl -u examhall -n 20 --no-pager -o cat)"
fi
check "the snapshot's copy of the key is removed: the credential is its only copy" inside test ! -e "$first_snapshot/data/master.key"
check "... and that snapshot's README says where the key is now" inside grep -q 'master.key was removed from this snapshot' "$first_snapshot/README"
check "... and it said so" grep -q "removed the copies of the master key from the snapshots" "$work/credential-failed.log"
left=$(inside find /var/lib/examhall /var/lib/examhall-snapshots -name master.key)
if [ -z "$left" ]; then pass "no master.key is left in the data directory or the snapshots"; else fail "no master.key is left in the data directory or the snapshots" "$left"; fi

section "the master key as an encrypted credential, with an upgrade that works"
if run_inside "$work/credential.log" /src/install.sh --binary /root/bin/examhall-3 --key-credential && ready; then
  pass "install.sh --key-credential upgrades, and examhall comes up with the key from the credential"
else
  fail "install.sh --key-credential upgrades, and examhall comes up with the key from the credential" "$(tail -n 30 "$work/credential.log")"
fi
check "the new binary is installed" inside cmp -s /root/bin/examhall-3 /usr/bin/examhall
check "the plain key file is gone" inside test ! -e /var/lib/examhall/master.key
check "the credential is root's alone" test "$(inside stat -c '%a %U' /etc/examhall/master-key.cred)" = "600 root"
snapshot=$(inside sh -c 'ls -d /var/lib/examhall-snapshots/*/ | sort | tail -n 1')
check "the upgrade's snapshot says the key is not in it but in the credential" inside grep -q 'The master key is not in it' "${snapshot%/}/README"
command=$(grep -o 'systemd-run -P --wait .* keys rekey-org --org SLUG' "$work/credential.log" | sed 's/keys rekey-org --org SLUG/audit verify --platform/')
if [ -n "$command" ] && run_inside "$work/systemd-run.log" "$command"; then
  pass "the printed systemd-run command runs a command with the key"
else
  fail "the printed systemd-run command runs a command with the key" "${command:-(not printed)}" "$(cat "$work/systemd-run.log")"
fi

section "an upgrade that fails is rolled back under systemd"
inside /bin/sh -c 'cat >/root/bin/broken && chmod 0755 /root/bin/broken' <<'EOF'
#!/bin/sh
case " $* " in
  *" --version "*) echo "examhall 9.9.9-broken"; exit 0 ;;
  *" serve "*) echo "examhall 9.9.9-broken: cannot serve" >&2; exit 1 ;;
esac
exec /opt/share/examhall "$@"
EOF
started=$SECONDS
status=0
run_inside "$work/broken.log" EXAMHALL_INSTALL_READY_TIMEOUT=60 /src/install.sh --binary /root/bin/broken || status=$?
if [ "$status" -eq 1 ] && grep -q 'was rolled back' "$work/broken.log" && ready; then
  pass "install.sh rolls back and the previous version serves again ($((SECONDS - started)) s: a restarting service counts as failed)"
else
  fail "install.sh rolls back and the previous version serves again" "exit $status" "$(tail -n 30 "$work/broken.log")"
fi
check "the previous binary is back" inside cmp -s /root/bin/examhall-3 /usr/bin/examhall
check "... and it runs with the key from the credential (the data put back holds no key file)" inside test ! -e /var/lib/examhall/master.key

section "install.sh --purge with systemd"
run_inside "$work/purge.log" /src/install.sh --purge --yes || fail "--purge --yes exits 0" "$(tail -n 20 "$work/purge.log")"
check "the service is gone" sh -c "! nsenter -t '$init' -a -- systemctl cat examhall >/dev/null 2>&1"
check "the data, the config and the user are gone" inside sh -c '! test -e /var/lib/examhall && ! test -e /etc/examhall && ! getent passwd examhall'

section "the Debian package with systemd"
if [ ! -e "$share/examhall.deb" ]; then
  # (run.sh passes the one deb.sh built; if deb.sh failed, it says so.)
  skipped "the Debian package with systemd" "no package to install: deb.sh built none"
else
  # Container images forbid starting services from packages; a server does not.
  inside sh -c 'if [ -e /usr/sbin/policy-rc.d ]; then mv /usr/sbin/policy-rc.d /root/; fi'
  if run_inside "$work/dpkg.log" dpkg -i /opt/share/examhall.deb && inside systemctl --quiet is-active examhall; then
    pass "dpkg -i creates the user, initialises the data and starts the service"
  else
    fail "dpkg -i creates the user, initialises the data and starts the service" "$(tail -n 30 "$work/dpkg.log")"
  fi
  for _ in $(seq 100); do ready && break; sleep 0.1; done
  check "/readyz answers" ready
  run_inside "$work/dpkg-purge.log" dpkg --purge examhall || fail "dpkg --purge exits 0" "$(tail -n 20 "$work/dpkg-purge.log")"
  check "dpkg --purge stops the service and deletes the data" inside sh -c '! systemctl --quiet is-active examhall && ! test -e /var/lib/examhall'
fi

finish
