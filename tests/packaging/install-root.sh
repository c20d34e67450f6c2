#!/usr/bin/env bash
# install.sh into a staging root (--root), checked file by file: owners,
# modes, the unit and the config; run again, it changes nothing; a repair
# gives back examhall's own files only; it refuses what it cannot do (not
# root, an old kernel, no systemd), a data or log folder that holds others'
# files, and option values the config or the unit would misread, before
# touching anything; --uninstall keeps the data and --purge --yes deletes it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

BIN=$(binary_under_test)
work="" # set by scratch
scratch work
root="$work/root"
ROOT_FOR_NAMES=$root
host_state() { ls -d /etc/examhall /var/lib/examhall /var/log/examhall 2>/dev/null; getent passwd examhall || true; }
host_before=$(host_state)

section "install.sh --root: a first install"
if "$REPO/install.sh" --root "$root" --binary "$BIN" --hostname exams.example.edu >"$work/first.log" 2>&1; then
  pass "install.sh --root exits 0"
else
  fail "install.sh --root exits 0" "$(tail -n 20 "$work/first.log")"
  finish
fi
uid=$(awk -F: '$1 == "examhall" { print $3 }' "$root/etc/passwd")
gid=$(awk -F: '$1 == "examhall" { print $4 }' "$root/etc/passwd")
if [ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ]; then
  pass "the staging root's passwd has a system user examhall (uid $uid)"
else
  fail "the staging root's passwd has a system user examhall" "$(cat "$root/etc/passwd")"
fi
check "its home is the data directory and it has no login shell" \
  grep -qx "examhall:x:$uid:$gid:examhall exam server:/var/lib/examhall:/usr/sbin/nologin" "$root/etc/passwd"
check "the group examhall exists in the staging root" grep -q "^examhall:x:$gid:" "$root/etc/group"

expect_mode "$root/usr/bin/examhall" 755 0:0
check "the installed binary is the one given" cmp -s "$BIN" "$root/usr/bin/examhall"
expect_mode "$root/etc/examhall" 750 "0:$gid"
expect_mode "$root/etc/examhall/examhall.toml" 640 "0:$gid"
expect_mode "$root/var/lib/examhall" 700 "$uid:$gid"
expect_mode "$root/var/log/examhall" 700 "$uid:$gid"
expect_mode "$root/var/lib/examhall/master.key" 600 "$uid:$gid"
expect_mode "$root/var/lib/examhall/platform.db" 600 "$uid:$gid"
expect_mode "$root/var/lib/examhall/tls/key.pem" 600 "$uid:$gid"
expect_mode "$root/etc/systemd/system/examhall.service" 644 0:0
others=$(find "$root/var/lib/examhall" "$root/var/log/examhall" ! -uid "$uid")
if [ -z "$others" ]; then pass "everything in the data and log folders belongs to examhall"; else fail "everything in the data and log folders belongs to examhall" "$others"; fi
check "the certificate names the --hostname" \
  sh -c "openssl x509 -in '$root/var/lib/examhall/tls/cert.pem' -noout -ext subjectAltName | grep -q exams.example.edu"

# The unit: the packaged one, as the defaults need no change.
check "the unit installed is packaging/systemd/examhall.service" \
  cmp -s "$REPO/packaging/systemd/examhall.service" "$root/etc/systemd/system/examhall.service"
check "the unit runs the installed binary with the installed config" \
  grep -qx 'ExecStart=/usr/bin/examhall --config /etc/examhall/examhall.toml serve' "$root/etc/systemd/system/examhall.service"
check "the unit may write the data and log folders only" \
  grep -qx 'ReadWritePaths=/var/lib/examhall /var/log/examhall' "$root/etc/systemd/system/examhall.service"

# The config: the documented one, with exactly the lines the options set.
# (data_dir is the default already, so its line stays as it is.)
changed=$(diff "$REPO/config/examhall.toml" "$root/etc/examhall/examhall.toml" | grep '^[<>]' || true)
expected=$(printf '%s\n' '< # public_url = "https://exams.example.edu"' '> public_url = "https://exams.example.edu:8443"' \
  '< # dir = "/var/log/examhall"' '> dir = "/var/log/examhall"')
if [ "$changed" = "$expected" ]; then
  pass "the config is config/examhall.toml with [log] dir and [server] public_url set in place of their examples"
else
  fail "the config is config/examhall.toml with [log] dir and [server] public_url set in place of their examples" "changed lines:" "$changed"
fi
check "the config names the data directory" grep -qx 'data_dir = "/var/lib/examhall"' "$root/etc/examhall/examhall.toml"
# examhall itself reads it: the config parses, and the service user opens the data with its key.
if (cd / && setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env EXAMHALL_LOG__DIR="$root/var/log/examhall" \
  "$root/usr/bin/examhall" --config "$root/etc/examhall/examhall.toml" --data-dir "$root/var/lib/examhall" org list) >"$work/org-list.log" 2>&1; then
  pass "examhall, as the service user, reads the config and opens the data directory with its key"
else
  fail "examhall, as the service user, reads the config and opens the data directory with its key" "$(cat "$work/org-list.log")"
fi

fingerprint=$(openssl x509 -in "$root/var/lib/examhall/tls/cert.pem" -noout -fingerprint -sha256 | sed 's/^[^=]*=//')
check "the summary prints the certificate's SHA-256 fingerprint" grep -q "SHA-256       $fingerprint" "$work/first.log"
check "the summary prints the one-time set-up link for the --hostname" grep -q 'https://exams.example.edu:8443/link/platform\.' "$work/first.log"
check "the summary says where the master key is" grep -q 'master key    /var/lib/examhall/master.key' "$work/first.log"
check "the summary prints the signing public key" grep -q 'BEGIN PUBLIC KEY' "$work/first.log"
check "the summary asks for offline copies of both" grep -q 'Keep an offline copy of the master key' "$work/first.log"
if [ "$(host_state)" = "$host_before" ]; then pass "this machine was not touched (no user, /etc/examhall or /var/lib/examhall added)"; else fail "this machine was not touched" "$(host_state)"; fi

section "install.sh --root again: nothing that matters changes"
# Every file's path, mode, owner and content; and when the data and config last changed.
manifest() {
  (cd "$root" && find . -printf '%p %m %u:%g %s\n' | sort)
  (cd "$root" && find . -type f ! -path './run/*' -exec sha256sum {} + | sort)
  (cd "$root" && find ./var/lib/examhall ./etc/examhall -printf '%p %T@\n' | sort)
}
manifest >"$work/before"
if "$REPO/install.sh" --root "$root" --binary "$BIN" >"$work/second.log" 2>&1; then
  pass "a second run exits 0"
else
  fail "a second run exits 0" "$(tail -n 20 "$work/second.log")"
fi
manifest >"$work/after"
if cmp -s "$work/before" "$work/after"; then
  pass "a second run leaves every file as it was (content, mode, owner; data and config not even rewritten)"
else
  fail "a second run leaves every file as it was" "$(diff "$work/before" "$work/after" | head -n 20)"
fi
check "it says it keeps the config" grep -q 'keeping the existing /etc/examhall/examhall.toml' "$work/second.log"
check "it says it does not initialise again" grep -q 'initialised already' "$work/second.log"

section "install.sh --root --listen on an installed root: only that key changes"
cp "$root/etc/examhall/examhall.toml" "$work/config-before"
"$REPO/install.sh" --root "$root" --binary "$BIN" --listen 127.0.0.1:9443 >"$work/listen.log" 2>&1 || fail "install.sh --listen exits 0" "$(tail -n 20 "$work/listen.log")"
changed=$(diff "$work/config-before" "$root/etc/examhall/examhall.toml" | grep '^[<>]' || true)
if [ "$changed" = $'< listen = "0.0.0.0:8443"\n> listen = "127.0.0.1:9443"' ]; then
  pass "--listen changes [server] listen of the kept config, and nothing else"
else
  fail "--listen changes [server] listen of the kept config, and nothing else" "$changed"
fi
expect_mode "$root/etc/examhall/examhall.toml" 640 "0:$gid"
"$REPO/install.sh" --root "$root" --binary "$BIN" --listen 0.0.0.0:443 >"$work/443.log" 2>&1 || fail "install.sh --listen 0.0.0.0:443 exits 0" "$(tail -n 20 "$work/443.log")"
check "a port below 1024 gets the drop-in with CAP_NET_BIND_SERVICE" \
  grep -qx 'AmbientCapabilities=CAP_NET_BIND_SERVICE' "$root/etc/systemd/system/examhall.service.d/privileged-port.conf"
"$REPO/install.sh" --root "$root" --binary "$BIN" --listen 127.0.0.1:9443 >"$work/9443.log" 2>&1 || fail "install.sh --listen 127.0.0.1:9443 exits 0" "$(tail -n 20 "$work/9443.log")"
check "back above 1024, the drop-in is removed" test ! -e "$root/etc/systemd/system/examhall.service.d/privileged-port.conf"
"$REPO/install.sh" --root "$root" --binary "$BIN" --listen '[::1]:9443' >"$work/ipv6.log" 2>&1 || fail "install.sh --listen [::1]:9443 exits 0" "$(tail -n 20 "$work/ipv6.log")"
check "an IPv6 address in brackets is taken" grep -qx 'listen = "\[::1\]:9443"' "$root/etc/examhall/examhall.toml"
"$REPO/install.sh" --root "$root" --binary "$BIN" --listen 127.0.0.1:9443 >"$work/9443.log" 2>&1 || fail "install.sh --listen 127.0.0.1:9443 exits 0" "$(tail -n 20 "$work/9443.log")"

section "repairs: modes and owners of examhall's own files put right again, nothing else"
# As a command run as root in the data directory (or a copy put back by
# root) leaves them: examhall's files owned by root, and files of others.
data="$root/var/lib/examhall"
chmod 0755 "$data"
chown 0:0 "$data" "$data/platform.db" "$data/orgs"
touch "$data/orgs/left-by-root.db" "$data/left-by-root" "$root/var/log/examhall/examhall.log.2026-01-01" "$root/var/log/examhall/notes.txt"
mkdir -p "$data/not-examhalls/deeper"
touch "$data/not-examhalls/inner"
ln -s /etc/hostname "$data/orgs/a-link"
"$REPO/install.sh" --root "$root" --binary "$BIN" >"$work/repair.log" 2>&1 || fail "the repairing run exits 0" "$(tail -n 20 "$work/repair.log")"
expect_mode "$data" 700 "$uid:$gid"
expect_mode "$data/platform.db" 600 "$uid:$gid"
expect_mode "$data/orgs" 700 "$uid:$gid"
expect_mode "$data/orgs/left-by-root.db" 644 "$uid:$gid"
expect_mode "$root/var/log/examhall/examhall.log.2026-01-01" 644 "$uid:$gid"
# Not examhall's names: left to their owner, never a whole tree handed over.
expect_mode "$data/left-by-root" 644 0:0
expect_mode "$data/not-examhalls" 755 0:0
expect_mode "$data/not-examhalls/inner" 644 0:0
expect_mode "$root/var/log/examhall/notes.txt" 644 0:0
check "a symbolic link in orgs/ is not followed: its target keeps its owner" test "$(stat -c %u /etc/hostname)" = 0
check "... and the link is left as it is" test "$(stat -c %u "$data/orgs/a-link")" = 0
check "the run names what it gave back" grep -q "gave back to examhall.*/var/lib/examhall/platform.db" "$work/repair.log"
check "... and what it left alone" grep -q "left as they are in /var/lib/examhall.*/var/lib/examhall/left-by-root" "$work/repair.log"
rm -rf "$data/left-by-root" "$data/not-examhalls" "$data/orgs/a-link" "$data/orgs/left-by-root.db" "$root/var/log/examhall/notes.txt" \
  "$root/var/log/examhall/examhall.log.2026-01-01"

section "refusals, before anything is changed"
# Guards: were install.sh to go past its checks, these stand-ins stop it
# before it changes this machine, and say so.
guards="$work/guards"
mkdir -p "$guards"
for tool in useradd groupadd install systemctl cp mv chown mkdir; do
  printf '#!/bin/sh\necho "GUARD: install.sh ran %s past its checks" >&2\nexit 97\n' "$tool" >"$guards/$tool"
  chmod 0755 "$guards/$tool"
done
# refused LABEL MESSAGE ENV-AND-COMMAND...: install.sh exits 1 with MESSAGE, and no guard fired.
refused() {
  local label=$1 message=$2 output status=0
  shift 2
  output=$("$@" 2>&1) || status=$?
  if [ "$status" -eq 1 ] && grep -qF -- "$message" <<<"$output" && ! grep -q GUARD <<<"$output"; then
    pass "$label"
  else
    fail "$label" "exit $status, wanted 1 and: $message" "$output"
  fi
}
cp "$REPO/install.sh" "$work/install-copy.sh"
chmod 0755 "$work/install-copy.sh"
refused "refuses to run as another user than root, saying why" "must be run as root" \
  setpriv --reuid=65534 --regid=65534 --clear-groups -- "$work/install-copy.sh" --root "$work/never" --binary "$BIN"
check "... and created nothing" test ! -e "$work/never"
# shellcheck disable=SC2016 # the stand-in expands "$1" when it runs
printf '#!/bin/sh\ncase "$1" in -r) echo 4.19.0-27-amd64 ;; *) exec /usr/bin/uname "$@" ;; esac\n' >"$guards/uname"
chmod 0755 "$guards/uname"
refused "refuses a kernel older than 5.8, naming the minimum and the reason" "examhall needs 5.8 or newer" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --binary "$BIN" --prefix "$work/never" --data-dir "$work/never/data"
rm "$guards/uname"
if [ -d /run/systemd/system ]; then
  skipped "the refusal to install a service where systemd is not running" "systemd runs this machine, so it cannot be shown here"
else
  refused "refuses to install a service it cannot start where systemd is not running" "systemd is not running on this machine" \
    env PATH="$guards:$PATH" "$REPO/install.sh" --binary "$BIN" --prefix "$work/never" --data-dir "$work/never/data"
fi
refused "refuses --key-credential with --root: a credential is sealed to the machine that makes it" "cannot be used with --root" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$work/never" --binary "$BIN" --key-credential
refused "refuses --data-dir that differs from the installed config's" "install.sh does not move a data directory" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$root" --binary "$BIN" --data-dir /srv/elsewhere
check "... and nothing was written outside the staging root" test ! -e "$work/never"

section "refusals: a data or log folder that holds something else is not taken over"
# A staging root with folders of others in it (as on a server: --data-dir
# /var/lib once handed dpkg's and PostgreSQL's files to examhall).
other="$work/other"
mkdir -p "$other/srv/shared/postgresql" "$other/var/lib/dpkg"
printf 'not examhall\n' >"$other/srv/shared/postgresql/PG_VERSION"
chown -R 4242:4242 "$other/srv/shared/postgresql"
printf 'status\n' >"$other/var/lib/dpkg/status"
other_before=$(cd "$other" && find . -printf '%p %m %u:%g\n' | sort)
refused "refuses --data-dir /var/lib, a folder of the system" "the data directory cannot be /var/lib, a folder of the system itself" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$other" --binary "$BIN" --data-dir /var/lib
refused "refuses --data-dir of a folder that holds files and no platform.db, naming it" \
  "the data directory /srv/shared already exists, holds files and is not examhall's" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$other" --binary "$BIN" --data-dir /srv/shared
refused "refuses --data-dir inside examhall's own snapshots" "it is (in) /var/lib/examhall-snapshots" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$other" --binary "$BIN" --data-dir /var/lib/examhall-snapshots/x
mkdir -p "$other/var/log/examhall"
printf 'kept\n' >"$other/var/log/examhall/someone-elses.log"
refused "refuses a log folder /var/log/examhall that holds others' files and no examhall.log" \
  "the log folder /var/log/examhall already exists, holds files and is not examhall's" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$other" --binary "$BIN" --data-dir /srv/examhall
rm -r "$other/var/log"
if [ "$(cd "$other" && find . -printf '%p %m %u:%g\n' | sort)" = "$other_before" ]; then
  pass "... and every file there kept its owner and mode (no user added, nothing created)"
else
  fail "... and every file there kept its owner and mode" "$(diff <(printf '%s\n' "$other_before") <(cd "$other" && find . -printf '%p %m %u:%g\n' | sort))"
fi
mkdir -p "$other/srv/empty"
if "$REPO/install.sh" --root "$other" --binary "$BIN" --data-dir /srv/empty >"$work/empty.log" 2>&1; then
  pass "an empty folder is taken as the data directory"
else
  fail "an empty folder is taken as the data directory" "$(tail -n 20 "$work/empty.log")"
fi
expect_mode "$other/srv/empty" 700 "$(awk -F: '$1 == "examhall" { print $3 ":" $4 }' "$other/etc/passwd")"
check "... with examhall's files in it" test -e "$other/srv/empty/platform.db"
check "... and the unit may write it" grep -qx 'ReadWritePaths=/srv/empty /var/log/examhall' "$other/etc/systemd/system/examhall.service"

section "refusals: option values that would break the config or the unit"
bad_options=(--data-dir --data-dir --prefix --data-dir --hostname --hostname --listen --listen)
bad_values=('/var/lib/exam&hall' '/srv/exam#hall' '/opt/exam hall' '/srv/exam"hall' 'exams.example.edu&x' 'exams#x' '127.0.0.1:8443#x' "127.0.0.1:8443'x")
for i in "${!bad_options[@]}"; do
  refused "refuses ${bad_options[i]} '${bad_values[i]}'" "contains a character install.sh does not accept" \
    env PATH="$guards:$PATH" "$REPO/install.sh" --root "$work/never" --binary "$BIN" "${bad_options[i]}" "${bad_values[i]}"
done
refused "refuses a value with a newline" "contains a character install.sh does not accept" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$work/never" --binary "$BIN" --data-dir $'/srv/exam\nhall'
refused "refuses --listen without a port" "the port is missing" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$work/never" --binary "$BIN" --listen 127.0.0.1
refused "refuses an IPv6 --listen without brackets" "an IPv6 address goes in brackets" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$work/never" --binary "$BIN" --listen ::1:8443
check "... and nothing was written" test ! -e "$work/never"
# A data_dir edited into the config by hand is held to the same rule.
cp "$root/etc/examhall/examhall.toml" "$work/config-kept"
sed -i 's|^data_dir = .*|data_dir = "/var/lib/exam\&hall"|' "$root/etc/examhall/examhall.toml"
refused "refuses a data_dir in the config that the unit could not hold" "data_dir in /etc/examhall/examhall.toml '/var/lib/exam&hall' contains a character" \
  env PATH="$guards:$PATH" "$REPO/install.sh" --root "$root" --binary "$BIN"
cp "$work/config-kept" "$root/etc/examhall/examhall.toml"

section "without --binary, install.sh builds one"
# A stand-in cargo: records how it was called and "builds" the binary under test.
mkdir -p "$work/cargo-bin" "$work/target"
cat >"$work/cargo-bin/cargo" <<EOF
#!/bin/sh
echo "\$PWD: cargo \$*" >"$work/cargo-called"
mkdir -p "\$CARGO_TARGET_DIR/release" && cp "$BIN" "\$CARGO_TARGET_DIR/release/examhall"
EOF
chmod 0755 "$work/cargo-bin/cargo"
if env PATH="$work/cargo-bin:$PATH" CARGO_TARGET_DIR="$work/target" SUDO_USER= \
  "$REPO/install.sh" --root "$work/built" >"$work/built.log" 2>&1; then
  pass "install.sh without --binary exits 0"
else
  fail "install.sh without --binary exits 0" "$(tail -n 20 "$work/built.log")"
fi
check "it ran cargo build --release --locked in the checkout" grep -qx "$REPO: cargo build --release --locked" "$work/cargo-called"
check "and installed what cargo built" cmp -s "$BIN" "$work/built/usr/bin/examhall"

section "install.sh --root --uninstall: the data stays"
sha256sum "$root/var/lib/examhall/platform.db" "$root/var/lib/examhall/master.key" >"$work/data-sums"
"$REPO/install.sh" --root "$root" --uninstall >"$work/uninstall.log" 2>&1 || fail "--uninstall exits 0" "$(cat "$work/uninstall.log")"
check "--uninstall removes the binary" test ! -e "$root/usr/bin/examhall"
check "--uninstall removes the unit" test ! -e "$root/etc/systemd/system/examhall.service"
check "--uninstall keeps the config" test -e "$root/etc/examhall/examhall.toml"
check "--uninstall keeps the data and the key, unchanged" sha256sum --quiet -c "$work/data-sums"
check "--uninstall keeps the log folder" test -d "$root/var/log/examhall"
check "--uninstall keeps the user" grep -q '^examhall:' "$root/etc/passwd"
"$REPO/install.sh" --root "$root" --binary "$BIN" >"$work/reinstall.log" 2>&1 || fail "reinstalling after --uninstall exits 0" "$(tail -n 20 "$work/reinstall.log")"
check "reinstalling after --uninstall keeps the data and does not initialise again" sha256sum --quiet -c "$work/data-sums"

section "install.sh --root --purge"
status=0
"$REPO/install.sh" --root "$root" --purge </dev/null >"$work/purge-ask.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] && grep -q 'run it in a terminal (or add --yes)' "$work/purge-ask.log" && [ -e "$root/var/lib/examhall/platform.db" ]; then
  pass "--purge without a terminal or --yes deletes nothing and says how to confirm"
else
  fail "--purge without a terminal or --yes deletes nothing and says how to confirm" "exit $status" "$(cat "$work/purge-ask.log")"
fi
# Typed confirmation, through a terminal (script gives it one).
if command -v script >/dev/null; then
  printf 'no\n' | script -qec "'$REPO/install.sh' --root '$root' --purge" /dev/null >"$work/purge-no.log" 2>&1 || true
  if grep -q 'Type "purge"' "$work/purge-no.log" && [ -e "$root/var/lib/examhall/platform.db" ]; then
    pass "--purge asks to type the word, and another answer deletes nothing"
  else
    fail "--purge asks to type the word, and another answer deletes nothing" "$(cat "$work/purge-no.log")"
  fi
fi
"$REPO/install.sh" --root "$root" --purge --yes >"$work/purge.log" 2>&1 || fail "--purge --yes exits 0" "$(cat "$work/purge.log")"
for gone in /var/lib/examhall /var/log/examhall /etc/examhall /usr/bin/examhall /etc/systemd/system/examhall.service; do
  check "--purge --yes deletes $gone" test ! -e "$root$gone"
done
check "--purge --yes removes the user from the staging root" sh -c "! grep -q '^examhall:' '$root/etc/passwd'"
if [ "$(host_state)" = "$host_before" ]; then pass "this machine was still not touched"; else fail "this machine was still not touched" "$(host_state)"; fi

finish
