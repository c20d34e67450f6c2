#!/usr/bin/env bash
# The Debian package: built with cargo deb from the binary under test (no
# build), its contents and control files inspected, lintian without errors,
# and installed for real with dpkg into a scratch root (dpkg --root with
# --force-script-chrootless: the maintainer scripts run with DPKG_ROOT set,
# as on a host where systemd is not running), reinstalled (the upgrade
# snapshot) and purged.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

BIN=$(binary_under_test)
work="" # set by scratch
scratch work
version=$(awk -F'"' '/^version = / { print $2; exit }' "$REPO/Cargo.toml")

section "cargo deb --no-build"
# cargo-deb takes the binary from <target dir>/release/ (the asset path
# target/release/examhall): a target dir of our own holding the binary under
# test, debug build or not, so nothing is compiled. --strip: a debug build
# is not stripped by cargo as a release build is; --fast: quicker compression.
mkdir -p "$work/target/release"
cp "$BIN" "$work/target/release/examhall"
if (cd "$REPO" && CARGO_TARGET_DIR="$work/target" CARGO_NET_OFFLINE=true \
  cargo deb --no-build --strip --fast --output "$work/deb/") >"$work/cargo-deb.log" 2>&1; then
  pass "cargo deb builds the package"
else
  fail "cargo deb builds the package" "$(tail -n 20 "$work/cargo-deb.log")"
  finish
fi
deb=$(find "$work/deb" -name '*.deb' | head -n 1)
# run.sh hands it on to systemd.sh, which installs it under a running systemd.
[ -z "${EXAMHALL_TEST_DEB_OUT:-}" ] || cp "$deb" "$EXAMHALL_TEST_DEB_OUT"
check "it is named examhall_${version}-1_$(dpkg --print-architecture).deb" test "$(basename "$deb")" = "examhall_${version}-1_$(dpkg --print-architecture).deb"

section "its contents (dpkg-deb -c)"
# "MODE OWNER/GROUP PATH", owners as numbers: "-rwxr-xr-x 0/0 ./usr/bin/examhall".
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' >"$work/contents"
has() { grep -qxF -- "$1" "$work/contents"; }
check "the binary: /usr/bin/examhall, 0755 root" has "-rwxr-xr-x 0/0 ./usr/bin/examhall"
check "the unit: /lib/systemd/system/examhall.service, 0644" has "-rw-r--r-- 0/0 ./lib/systemd/system/examhall.service"
check "the config: /etc/examhall/examhall.toml, 0640" has "-rw-r----- 0/0 ./etc/examhall/examhall.toml"
check "the copyright file" has "-rw-r--r-- 0/0 ./usr/share/doc/examhall/copyright"
check "the changelog" has "-rw-r--r-- 0/0 ./usr/share/doc/examhall/changelog.Debian.gz"
check "the lintian overrides" has "-rw-r--r-- 0/0 ./usr/share/lintian/overrides/examhall"
for doc in "$REPO/README.md" "$REPO"/docs/*.md; do
  check "the documentation: $(basename "$doc")" has "-rw-r--r-- 0/0 ./usr/share/doc/examhall/$(basename "$doc")"
done
secrets=$(grep -Ei '\.(key|pem|cred)$|master|secret|private' "$work/contents" || true)
if [ -z "$secrets" ]; then pass "no key, certificate, credential or master file"; else fail "no key, certificate, credential or master file" "$secrets"; fi
mkdir -p "$work/unpacked"
dpkg-deb -x "$deb" "$work/unpacked"
private=$(grep -rlE 'BEGIN ([A-Z]+ )?PRIVATE KEY|AGE-SECRET-KEY' "$work/unpacked" --exclude=examhall || true)
if [ -z "$private" ]; then pass "no file holds a private key"; else fail "no file holds a private key" "$private"; fi
check "the packaged unit is packaging/systemd/examhall.service" cmp -s "$REPO/packaging/systemd/examhall.service" "$work/unpacked/lib/systemd/system/examhall.service"
check "the packaged config is packaging/debian/conffile.sh's output, so it follows config/examhall.toml" \
  sh -c "'$REPO/packaging/debian/conffile.sh' | cmp -s - '$work/unpacked/etc/examhall/examhall.toml'"

section "its control files (dpkg-deb -I)"
mkdir -p "$work/control"
dpkg-deb -e "$deb" "$work/control"
check "the config is a conffile" grep -qx /etc/examhall/examhall.toml "$work/control/conffiles"
for script in preinst postinst prerm postrm; do
  check "$script is the one in packaging/debian/, and executable" sh -c "cmp -s '$REPO/packaging/debian/$script' '$work/control/$script' && test -x '$work/control/$script'"
done
depends=$(dpkg-deb -f "$deb" Depends)
for needed in libc6 passwd; do
  check "it depends on $needed" grep -q "$needed" <<<"$depends"
done
changelog=$(sed -n '1s/^examhall (\([^)]*\)).*/\1/p' "$REPO/packaging/debian/changelog")
check "packaging/debian/changelog's newest entry is this version ($version-1)" test "$changelog" = "$version-1"

section "lintian"
status=0
# As an ordinary user: lintian unpacks what it checks and asks not to run as root.
install -d -o 65534 -g 65534 "$work/lintian"
setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$work/lintian" TMPDIR="$work/lintian" \
  lintian --fail-on error --display-info "$deb" >"$work/lintian.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
  pass "lintian finds no error ($(grep -c '^W:' "$work/lintian.log" || true) warnings, overrides in packaging/debian/lintian-overrides)"
else
  fail "lintian finds no error" "$(cat "$work/lintian.log")"
fi
grep -E '^[EW]:' "$work/lintian.log" | sed 's/^/        /' || true

section "installed with dpkg into a scratch root, where no systemd runs"
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
install -m 0640 /dev/null "$root/etc/shadow"
install -m 0640 /dev/null "$root/etc/gshadow"
host_before=$(ls -d /etc/examhall /var/lib/examhall 2>/dev/null; getent passwd examhall || true)
# Its dependencies are this machine's, not the scratch root's.
dpkg_root() { dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
if dpkg_root -i "$deb" >"$work/dpkg-install.log" 2>&1; then
  pass "dpkg -i succeeds: the maintainer scripts do not fail without systemd"
else
  fail "dpkg -i succeeds: the maintainer scripts do not fail without systemd" "$(tail -n 30 "$work/dpkg-install.log")"
  finish
fi
uid=$(awk -F: '$1 == "examhall" { print $3 }' "$root/etc/passwd")
gid=$(awk -F: '$1 == "examhall" { print $4 }' "$root/etc/passwd")
check "postinst adds the system user examhall, without a login shell" grep -q "^examhall:x:$uid:$gid:.*:/var/lib/examhall:/usr/sbin/nologin$" "$root/etc/passwd"
ROOT_FOR_NAMES=$root
expect_mode "$root/etc/examhall" 750 "0:$gid"
expect_mode "$root/etc/examhall/examhall.toml" 640 "0:$gid"
expect_mode "$root/var/lib/examhall" 700 "$uid:$gid"
expect_mode "$root/var/log/examhall" 700 "$uid:$gid"
expect_mode "$root/var/lib/examhall/master.key" 600 "$uid:$gid"
expect_mode "$root/var/lib/examhall/platform.db" 600 "$uid:$gid"
check "postinst prints the one-time set-up link" grep -q 'setup link    https://' "$work/dpkg-install.log"
check "postinst says the service starts at the next boot" grep -q 'systemd is not running here' "$work/dpkg-install.log"
check "the unit is enabled in the scratch root" test -L "$root/etc/systemd/system/multi-user.target.wants/examhall.service"
host_after=$(ls -d /etc/examhall /var/lib/examhall 2>/dev/null; getent passwd examhall || true)
if [ "$host_after" = "$host_before" ]; then pass "this machine was not touched"; else fail "this machine was not touched" "$host_after"; fi

section "installed again (dpkg's upgrade path)"
sha256sum "$root/var/lib/examhall/platform.db" "$root/var/lib/examhall/master.key" >"$work/data-sums"
if dpkg_root -i "$deb" >"$work/dpkg-again.log" 2>&1; then pass "dpkg -i of the package again succeeds"; else fail "dpkg -i of the package again succeeds" "$(tail -n 20 "$work/dpkg-again.log")"; fi
check "the data directory is not initialised again" sha256sum --quiet -c "$work/data-sums"
snapshot=$(find "$root/var/lib/examhall-snapshots" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)
check "preinst took a snapshot of the data directory first" test -n "$snapshot" -a -e "$snapshot/data/platform.db"

section "purged"
if dpkg_root --purge examhall >"$work/dpkg-purge.log" 2>&1; then pass "dpkg --purge succeeds"; else fail "dpkg --purge succeeds" "$(tail -n 20 "$work/dpkg-purge.log")"; fi
for gone in /usr/bin/examhall /etc/examhall /var/lib/examhall /var/log/examhall /var/lib/examhall-snapshots; do
  check "purge deletes $gone" test ! -e "$root$gone"
done

finish
