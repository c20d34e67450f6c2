#!/usr/bin/env bash
# install.sh: installs examhall on this Debian server, upgrades it, repairs it,
# or removes it. Run it as root from a checkout of examhall:
#
#   sudo ./install.sh --hostname exams.example.edu
#
# Running it again is safe: it upgrades the binary (with a snapshot of the
# data and a rollback if the new version does not come up), repairs owners
# and modes, and never deletes data; only --purge does, after asking.
# ./install.sh --help lists the options.
set -euo pipefail

readonly USER_NAME=examhall
readonly CREDENTIAL_NAME=examhall-master-key
# ProtectProc=invisible in the unit (other processes hidden from examhall)
# needs per-mount procfs options, new in Linux 5.8; on older kernels systemd
# drops that protection silently.
readonly MIN_KERNEL=5.8
readonly SNAPSHOTS_KEPT=3

SOURCE_DIR=$(cd "$(dirname "$0")" && pwd)
readonly SOURCE_DIR
ORIGINAL_ARGS=("$@")

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [OPTIONS]

Installs examhall as a systemd service, or upgrades or repairs an existing
installation. Safe to run again: it never deletes data (only --purge does).

  --binary PATH       install this examhall binary instead of building one
                      from this checkout (cargo build --release --locked)
  --prefix DIR        install the binary as DIR/bin/examhall (default /usr)
  --data-dir DIR      the data directory (default /var/lib/examhall): a new
                      or empty folder, or examhall's own (one that holds
                      platform.db); never a folder that holds other files
  --listen ADDR:PORT  the HTTPS address (default 0.0.0.0:8443; IPv6 in
                      brackets, [::]:8443); for a port below 1024 the unit
                      gets CAP_NET_BIND_SERVICE (drop-in)
  --hostname NAME     the server's name on the network (a DNS name or an IPv4
                      address): put in the self-signed certificate and in
                      the links examhall prints
  --tls-cert FILE     the university's certificate chain (PEM), with
  --tls-key FILE      its private key: copied to /etc/examhall/tls/ and used
                      instead of the self-signed certificate
  --key-credential    keep the master key as a systemd credential encrypted
                      with this machine's key (and TPM, if there is one)
                      instead of a 0600 file in the data directory; the
                      copies of the key file in the snapshots are removed
  --no-start          install, but do not start (or restart) the service
  --root DIR          install into the staging folder DIR instead of this
                      system: nothing outside DIR changes (no systemctl, no
                      user added to this machine). The examhall user is added
                      to DIR/etc/passwd and files are owned by its uid there.
  --uninstall         stop the service and remove the binary and the unit;
                      keeps the configuration, the data, the logs and the user
  --purge             --uninstall, then delete the configuration, the data,
                      the logs and the snapshots: asks you to type "purge"
  --yes               do not ask (with --purge)
  -h, --help          this text

Paths (--prefix, --data-dir, --root) may hold letters, digits and . _ / : -
only, as they go into the config and the unit; --binary, --tls-cert and
--tls-key may be any path.

Upgrades: when an examhall binary is installed already and the new one
differs, install.sh checks that the snapshot has room and that no other
process holds the data directory's lock (refusing changes nothing), then
stops the service, copies the whole data directory to
/var/lib/examhall-snapshots/<time>/ (the last 3 are kept), installs the new
binary (the old one stays as examhall.previous), starts it and waits for
/readyz. If anything fails before the new binary is installed, the old
version is started again. If it does not become ready, the old binary and
the data are put back, the audit heads the failed run left are recorded as
replaced, and the old version is started again.

Environment:
  EXAMHALL_INSTALL_SERVICE_MANAGER=systemd|none
      "systemd" (the default) runs examhall as the systemd service. "none" is
      a test mode for machines where no service manager runs (containers, CI):
      the "service" is the binary started directly in the background as the
      examhall user, its PID kept in <root>/run/examhall.pid and its output
      in <root>/run/examhall.console.log; stopping it signals that PID. With
      --root, everything (config, data, binary) comes from the staging root.
  EXAMHALL_INSTALL_READY_TIMEOUT=SECONDS
      how long to wait for /readyz (default 120).
EOF
}

# --- messages ---------------------------------------------------------------

step() { printf '==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
# die MESSAGE [WHAT-TO-DO...]: stops with the message and what to do about it.
die() {
  printf 'install.sh: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

# --- options ----------------------------------------------------------------

ROOT=""
PREFIX=/usr
DATA_DIR_OPTION=""
LISTEN=""
HOST_NAME=""
TLS_CERT=""
TLS_KEY=""
KEY_CREDENTIAL=false
START=true
ACTION=install
YES=false
BINARY=""
MANAGER=${EXAMHALL_INSTALL_SERVICE_MANAGER:-systemd}
READY_TIMEOUT=${EXAMHALL_INSTALL_READY_TIMEOUT:-120}

# value OPTION VALUE: the value of an option that takes one.
value() {
  [ -n "${2:-}" ] || die "$1 needs a value" "see ./install.sh --help"
  printf '%s' "$2"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY=$(value "$1" "${2:-}"); shift ;;
    --prefix) PREFIX=$(value "$1" "${2:-}"); shift ;;
    --data-dir) DATA_DIR_OPTION=$(value "$1" "${2:-}"); shift ;;
    --listen) LISTEN=$(value "$1" "${2:-}"); shift ;;
    --hostname) HOST_NAME=$(value "$1" "${2:-}"); shift ;;
    --tls-cert) TLS_CERT=$(value "$1" "${2:-}"); shift ;;
    --tls-key) TLS_KEY=$(value "$1" "${2:-}"); shift ;;
    --root) ROOT=$(value "$1" "${2:-}"); shift ;;
    --key-credential) KEY_CREDENTIAL=true ;;
    --no-start) START=false ;;
    --uninstall) ACTION=uninstall ;;
    --purge) ACTION=purge ;;
    --yes) YES=true ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option: $1" "see ./install.sh --help" ;;
  esac
  shift
done

# Values that go into the TOML config, the unit, a sed replacement or an awk
# pattern: only characters that mean nothing in any of them are accepted
# (a '&' in a path turned into the matched text in the unit, a '#' into a
# comment in the config), whatever the shell quoting.
# check_path LABEL VALUE: an absolute path of those characters.
check_path() {
  case "$2" in
    *[!A-Za-z0-9._/:-]*)
      die "$1 '$2' contains a character install.sh does not accept in a path" \
        "a path may hold letters, digits and the characters . _ / : - only (no spaces, quotes, &, #, \$, |, \\ or newlines):" \
        "it is written into the config, the systemd unit and its drop-ins, which give such characters a meaning" ;;
  esac
  case "$2" in /*) ;; *) die "$1 must be an absolute path, not '$2'" ;; esac
}
# check_listen VALUE: ADDRESS:PORT, the address a name, an IPv4 address or
# an IPv6 one in brackets ([::]:8443), the port 1 to 65535.
check_listen() {
  local host=${1%:*} port=${1##*:}
  case "$1" in
    *[!A-Za-z0-9._:\[\]-]*)
      die "--listen '$1' contains a character install.sh does not accept" \
        "it takes ADDRESS:PORT of letters, digits and . _ : - (and [ ] around an IPv6 address), e.g. 0.0.0.0:8443 or [::]:8443" ;;
  esac
  case "$port" in '' | *[!0-9]*) die "--listen takes ADDRESS:PORT, e.g. 0.0.0.0:8443 (the port is missing in '$1')" ;; esac
  if [ "${#port}" -gt 5 ] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "--listen: port $port is not between 1 and 65535"; fi
  case "$host" in
    '') die "--listen takes ADDRESS:PORT, e.g. 0.0.0.0:8443 (the address is missing in '$1')" ;;
    \[*\]) case "${host:1:${#host}-2}" in '' | *[!0-9A-Fa-f:.]*) die "--listen: '$host' is not an IPv6 address in brackets" ;; esac ;;
    *[\[\]:]*) die "--listen: an IPv6 address goes in brackets, e.g. [::]:8443, not '$1'" ;;
  esac
}
# check_host VALUE: a DNS name or an IPv4 address.
check_host() {
  case "$1" in
    [A-Za-z0-9]*) ;;
    *) die "--hostname '$1' must start with a letter or a digit" ;;
  esac
  case "$1" in
    *[!A-Za-z0-9._-]*)
      die "--hostname '$1' contains a character install.sh does not accept" \
        "it takes a DNS name or an IPv4 address: letters, digits and . _ - only" ;;
  esac
}
check_path --prefix "$PREFIX"
[ -z "$DATA_DIR_OPTION" ] || check_path --data-dir "$DATA_DIR_OPTION"
[ -z "$LISTEN" ] || check_listen "$LISTEN"
[ -z "$HOST_NAME" ] || check_host "$HOST_NAME"
case "$MANAGER" in systemd | none) ;; *) die "EXAMHALL_INSTALL_SERVICE_MANAGER must be systemd or none, not '$MANAGER'" ;; esac
case "$READY_TIMEOUT" in '' | *[!0-9]*) die "EXAMHALL_INSTALL_READY_TIMEOUT must be a number of seconds" ;; esac
if [ -n "$ROOT" ]; then
  case "$ROOT" in /*) ;; *) ROOT="$PWD/$ROOT" ;; esac
  ROOT=${ROOT%/}
  [ -n "$ROOT" ] || die "--root / is this system: leave --root out instead"
  check_path --root "$ROOT"
fi
if [ -n "$TLS_CERT$TLS_KEY" ] && { [ -z "$TLS_CERT" ] || [ -z "$TLS_KEY" ]; }; then
  die "--tls-cert and --tls-key go together: the certificate chain and its private key"
fi

# Paths on the installed system, and r PATH: where that path is now (under
# --root, inside the staging folder).
readonly CONF_DIR=/etc/examhall
readonly CONF=$CONF_DIR/examhall.toml
readonly CREDENTIAL=$CONF_DIR/master-key.cred
readonly LOG_DIR=/var/log/examhall
readonly SNAPSHOTS=/var/lib/examhall-snapshots
readonly UNIT=/etc/systemd/system/examhall.service
readonly DROPINS=/etc/systemd/system/examhall.service.d
readonly BIN=$PREFIX/bin/examhall
readonly DOCS=$PREFIX/share/doc/examhall
readonly PIDFILE=/run/examhall.pid
readonly CONSOLE_LOG=/run/examhall.console.log
r() { printf '%s%s' "$ROOT" "$1"; }

# --- the config file ----------------------------------------------------------

# toml_get FILE SECTION KEY: the value of KEY in [SECTION] ("" for the top),
# without quotes; nothing when it is not set.
toml_get() {
  awk -v sec="$2" -v key="$3" '
    BEGIN { here = (sec == "") }
    /^\[/ { here = ($0 == "[" sec "]"); next }
    here && $0 ~ "^" key "[ ]*=" {
      sub("^" key "[ ]*=[ ]*", ""); sub("[ ]*#.*$", ""); gsub("\"", ""); print; exit
    }' "$1"
}

# toml_set FILE SECTION KEY VALUE: sets KEY = VALUE in [SECTION] ("" for the
# top), in place of its line or of its commented-out example, so the
# documentation above it stays; adds the section if it is missing.
toml_set() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  awk -v sec="$2" -v key="$3" -v val="$4" '
    function put() { if (here && !done) { print key " = " val; done = 1 } }
    BEGIN { here = (sec == "") }
    /^\[/ { put(); here = ($0 == "[" sec "]"); if (here) seen = 1; print; next }
    here && !done && $0 ~ "^(# ?)?" key " =" { put(); next }
    { print }
    END { put(); if (!done) { print ""; print "[" sec "]"; print key " = " val } }
  ' "$1" >"$tmp"
  cat "$tmp" >"$1"
  rm -f "$tmp"
}

# --- the system ---------------------------------------------------------------

systemd_running() { [ -d /run/systemd/system ]; }

# Whether this run starts, stops and enables the service: always in test mode
# ("none"); with systemd only on the running system.
manages_service() {
  [ "$MANAGER" = none ] || { [ -z "$ROOT" ] && systemd_running; }
}

preflight() {
  [ "$(id -u)" -eq 0 ] || die "install.sh must be run as root (it adds a system user and writes to /etc and /var/lib)" \
    "run: sudo $0 ${ORIGINAL_ARGS[*]}"
  [ "$(uname -s)" = Linux ] || die "examhall runs on Linux only (this is $(uname -s))"
  if [ "$ACTION" = install ] && [ -z "$ROOT" ]; then
    local kernel
    kernel=$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
    if [ "$(printf '%s\n%s\n' "$MIN_KERNEL" "$kernel" | sort -V | head -n 1)" != "$MIN_KERNEL" ]; then
      die "this kernel is Linux $kernel; examhall needs $MIN_KERNEL or newer" \
        "its service hides other processes from examhall (ProtectProc=invisible), which older kernels cannot do:" \
        "systemd would run it with less isolation without saying so. Debian 11 and newer ship a kernel that is recent enough."
    fi
  fi
  if [ "$ACTION" = install ] && [ "$MANAGER" = systemd ] && [ -z "$ROOT" ] && $START && ! systemd_running; then
    die "systemd is not running on this machine (no /run/systemd/system), so install.sh cannot start examhall as a service" \
      "examhall is meant for a Debian server booted with systemd. To install without starting, add --no-start;" \
      "to try it in a container without a service manager, see EXAMHALL_INSTALL_SERVICE_MANAGER=none in --help."
  fi
  if $KEY_CREDENTIAL; then
    [ -z "$ROOT" ] || die "--key-credential cannot be used with --root" \
      "the credential is sealed to the key of the machine that encrypts it: run install.sh --key-credential on the server itself"
    if [ "$MANAGER" != systemd ] || ! systemd_running; then
      die "--key-credential needs systemd running: systemd decrypts the credential when it starts the service"
    fi
    command -v systemd-creds >/dev/null || die "--key-credential needs systemd-creds (systemd 250 or newer; Debian 12 has it)"
  fi
  local tool missing=()
  for tool in awk cmp curl flock install openssl setpriv sha256sum useradd; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ "${#missing[@]}" -eq 0 ] || die "missing tools: ${missing[*]}" "on Debian: apt-get install curl openssl util-linux passwd"
}

# --- the binary -----------------------------------------------------------------

build_binary() {
  [ -f "$SOURCE_DIR/Cargo.toml" ] || die "no --binary was given, and $SOURCE_DIR holds no examhall source to build" \
    "pass the binary to install: --binary PATH"
  step "building examhall from $SOURCE_DIR (cargo build --release --locked; the first build takes several minutes)"
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    # Build as the person who ran sudo, with their Rust toolchain, so the
    # checkout does not fill up with files owned by root.
    # shellcheck disable=SC2016 # $1 is expanded by the inner shell, on purpose
    runuser -u "$SUDO_USER" -- bash -lc 'cd "$1" && cargo build --release --locked' _ "$SOURCE_DIR" ||
      die "the build failed (see above)" "or build it yourself and pass it: cargo build --release --locked && sudo ./install.sh --binary target/release/examhall"
  else
    command -v cargo >/dev/null || die "cargo is not installed, so examhall cannot be built here" \
      "install Rust 1.89 or newer (https://rustup.rs) and the build tools (README.md), or pass a built binary with --binary PATH"
    (cd "$SOURCE_DIR" && cargo build --release --locked) || die "the build failed (see above)"
  fi
  BINARY="${CARGO_TARGET_DIR:-$SOURCE_DIR/target}/release/examhall"
}

# version_of BINARY: the examhall version a binary reports ("0.1.0").
version_of() {
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }'
}

install_binary() {
  local dst
  dst=$(r "$BIN")
  install -d -m 0755 "$(dirname "$dst")"
  if [ -e "$dst" ] && cmp -s "$BINARY" "$dst"; then return; fi
  # A copy beside the target, then a rename: the path never holds half a binary.
  install -m 0755 -o root -g root "$BINARY" "$dst.new"
  mv -f "$dst.new" "$dst"
  say "installed $BIN (examhall $NEW_VERSION)"
}

install_docs() {
  [ -f "$SOURCE_DIR/README.md" ] || return 0
  install -d -m 0755 "$(r "$DOCS")"
  install -m 0644 "$SOURCE_DIR/README.md" "$SOURCE_DIR"/docs/*.md "$(r "$DOCS")/"
}

# --- the service user and its folders ------------------------------------------

# The uid and gid of the examhall user, in SERVICE_UID and SERVICE_GID.
ensure_user() {
  local group_option=(--user-group)
  if [ -n "$ROOT" ]; then
    # The staging root gets passwd files of its own; useradd --prefix edits
    # them without touching this machine's.
    install -d -m 0755 "$(r /etc)"
    [ -e "$(r /etc/passwd)" ] || echo 'root:x:0:0:root:/root:/bin/bash' >"$(r /etc/passwd)"
    [ -e "$(r /etc/group)" ] || echo 'root:x:0:' >"$(r /etc/group)"
    [ -e "$(r /etc/shadow)" ] || install -m 0640 /dev/null "$(r /etc/shadow)"
    [ -e "$(r /etc/gshadow)" ] || install -m 0640 /dev/null "$(r /etc/gshadow)"
    if ! grep -q "^$USER_NAME:" "$(r /etc/passwd)"; then
      grep -q "^$USER_NAME:" "$(r /etc/group)" && group_option=(--gid "$USER_NAME")
      useradd --prefix "$ROOT" --system "${group_option[@]}" --home-dir "$DATA_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "examhall exam server" "$USER_NAME"
      say "added the system user $USER_NAME to $(r /etc/passwd)"
    fi
    SERVICE_UID=$(awk -F: -v u="$USER_NAME" '$1 == u { print $3 }' "$(r /etc/passwd)")
    SERVICE_GID=$(awk -F: -v u="$USER_NAME" '$1 == u { print $4 }' "$(r /etc/passwd)")
  else
    if ! getent passwd "$USER_NAME" >/dev/null; then
      getent group "$USER_NAME" >/dev/null && group_option=(--gid "$USER_NAME")
      useradd --system "${group_option[@]}" --home-dir "$DATA_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "examhall exam server" "$USER_NAME"
      say "added the system user $USER_NAME (no login shell, home $DATA_DIR)"
    fi
    SERVICE_UID=$(id -u "$USER_NAME")
    SERVICE_GID=$(id -g "$USER_NAME")
  fi
}

# What examhall keeps at the top of its data directory (src/store/data_dir.rs,
# the key file and database copies beside them), and in its log folder: the
# only names install.sh hands back to the service user. The folders among
# them hold examhall's files only, one level deep.
data_dir_name() {
  case "$1" in
    platform.db | platform.db-wal | platform.db-shm | platform.db.next | platform.db.pre-migration-v*) return 0 ;;
    master.key | master.key.next | signing.pub | .lock | admin.sock) return 0 ;;
    orgs | tls | logs | staging | backups) return 0 ;;
  esac
  return 1
}
log_dir_name() { case "$1" in examhall.log*) return 0 ;; esac; return 1; }

# The uid of the examhall user if it exists already (before ensure_user).
existing_service_uid() {
  if [ -n "$ROOT" ]; then
    awk -F: -v u="$USER_NAME" '$1 == u { print $3 }' "$(r /etc/passwd)" 2>/dev/null || true
  else
    id -u "$USER_NAME" 2>/dev/null || true
  fi
}

# check_own_dir LABEL PATH MARK: dies when PATH (on the installed system)
# exists, is not examhall's and holds something: a folder is taken over only
# when it is new, empty, owned by examhall already, or holds MARK (a glob:
# what only examhall's folder has). Taking over a folder that holds something
# else (--data-dir /var/lib) would hand all of that to the examhall user.
check_own_dir() {
  local label=$1 shown=$2 mark=$3 dir uid owner
  dir=$(r "$shown")
  [ -e "$dir" ] || [ -L "$dir" ] || return 0
  [ -d "$dir" ] || die "$label $shown exists and is not a folder"
  uid=$(existing_service_uid)
  owner=$(stat -L -c %u "$dir")
  [ -z "$uid" ] || [ "$owner" != "$uid" ] || return 0
  [ -n "$(ls -A "$dir")" ] || return 0
  compgen -G "$dir/$mark" >/dev/null && return 0
  die "$label $shown already exists, holds files and is not examhall's (it has no $mark, and belongs to $(stat -L -c %U "$dir"))" \
    "install.sh does not take over a folder that holds something else: that would hand its files to the examhall user" \
    "choose a new or empty folder (e.g. $shown/examhall), or give $shown to examhall yourself if it is examhall's"
}

# check_data_dir: the data directory may be examhall's (before anything is changed).
check_data_dir() {
  case "$DATA_DIR" in
    / | /bin | /boot | /dev | /etc | /home | /lib | /lib32 | /lib64 | /libx32 | /media | /mnt | /opt | /proc | /root | /run | \
      /sbin | /srv | /sys | /tmp | /usr | /var | /var/lib | /var/log | /var/cache | /var/tmp | /var/spool | /var/backups | /var/opt | /var/mail | /var/local | /var/run | \
      /usr/* | /etc/* | /proc/* | /sys/* | /dev/* | /run/* | /boot/*)
      die "the data directory cannot be $DATA_DIR, a folder of the system itself" "choose a folder of examhall's own, e.g. /var/lib/examhall or /srv/examhall" ;;
  esac
  local other
  for other in "$CONF_DIR" "$LOG_DIR" "$SNAPSHOTS"; do
    case "$DATA_DIR/" in "$other/"*) die "the data directory cannot be $DATA_DIR: it is (in) $other" ;; esac
    case "$other/" in "$DATA_DIR/"*) die "the data directory cannot be $DATA_DIR: it holds $other" ;; esac
  done
  check_own_dir "the data directory" "$DATA_DIR" platform.db
  check_own_dir "the log folder" "$LOG_DIR" 'examhall.log*'
}

# give_back DIR NAME-TEST: hands back to the service user the entries of
# DIR that NAME-TEST names (and the files directly in those that are
# folders) when something else owns them, as a command run as root in the
# data directory leaves them. Nothing else is changed, symbolic links are not
# followed, and no tree is changed as a whole: the rest is only named.
give_back() {
  local dir=$1 test=$2 entry inner given=() left=()
  while IFS= read -r -d '' entry; do
    if [ -L "$entry" ] || ! "$test" "${entry##*/}"; then
      [ "$(stat -c %u "$entry")" = "$SERVICE_UID" ] || left+=("$entry")
      continue
    fi
    if [ "$(stat -c %u "$entry")" != "$SERVICE_UID" ]; then
      chown -h "$SERVICE_UID:$SERVICE_GID" "$entry"
      given+=("$entry")
    fi
    [ -d "$entry" ] || continue
    while IFS= read -r -d '' inner; do
      if [ -L "$inner" ] || [ -d "$inner" ]; then
        left+=("$inner")
      else
        chown -h "$SERVICE_UID:$SERVICE_GID" "$inner"
        given+=("$inner")
      fi
    done < <(find "$entry" -mindepth 1 -maxdepth 1 ! -uid "$SERVICE_UID" -print0)
  done < <(find -H "$dir" -mindepth 1 -maxdepth 1 -print0)
  if [ "${#given[@]}" -gt 0 ]; then
    warn "gave back to $USER_NAME what belonged to someone else in ${dir#"$ROOT"}: $(shown_paths "${given[@]}")"
  fi
  if [ "${#left[@]}" -gt 0 ]; then
    warn "left as they are in ${dir#"$ROOT"}, as they are not examhall's own files: $(shown_paths "${left[@]}")"
  fi
}
# shown_paths PATH...: the first few, without the staging root.
shown_paths() {
  local shown=() path
  for path in "${@:1:5}"; do shown+=("${path#"$ROOT"}"); done
  printf '%s' "${shown[*]}"
  [ "$#" -le 5 ] || printf ' and %s more' "$(($# - 5))"
}

# Creates the folders, or puts their owners and modes right again.
ensure_dirs() {
  # The config (and the university's TLS key) is readable by the service,
  # writable only by root.
  install -d -m 0750 -o root -g "$SERVICE_GID" "$(r "$CONF_DIR")"
  # examhall refuses to start unless its data and log folders are private to
  # it. (check_data_dir made sure they are examhall's, or new.)
  local dir
  for dir in "$(r "$DATA_DIR")" "$(r "$LOG_DIR")"; do
    if [ -d "$dir" ]; then
      chown "$SERVICE_UID:$SERVICE_GID" "$dir"
      chmod 0700 "$dir"
    else
      install -d -m 0700 -o "$SERVICE_UID" -g "$SERVICE_GID" "$dir"
    fi
  done
  give_back "$(r "$DATA_DIR")" data_dir_name
  give_back "$(r "$LOG_DIR")" log_dir_name
}

# --- configuration ------------------------------------------------------------

# The public address for --hostname: port 443 needs no port in the URL.
public_url_for() {
  local port=$1
  if [ "$port" = 443 ]; then printf 'https://%s' "$HOST_NAME"; else printf 'https://%s:%s' "$HOST_NAME" "$port"; fi
}

CONFIG_CHANGED=false

write_config() {
  local conf tmp template
  conf=$(r "$CONF")
  if [ -e "$conf" ]; then
    say "keeping the existing $CONF"
    # Options given explicitly change their keys only; everything else stays.
    [ -z "$LISTEN" ] || config_key "$conf" server listen "\"$LISTEN\""
    [ -z "$HOST_NAME" ] || config_key "$conf" server public_url "\"$(public_url_for "$(listen_port)")\""
    if [ -n "$TLS_CERT" ]; then
      config_key "$conf" tls cert_file "\"$CONF_DIR/tls/cert.pem\""
      config_key "$conf" tls key_file "\"$CONF_DIR/tls/key.pem\""
    fi
    return
  fi
  template="$SOURCE_DIR/config/examhall.toml"
  tmp=$(mktemp "$conf.XXXXXX")
  if [ -f "$template" ]; then cat "$template" >"$tmp"; else "$BINARY" config example >"$tmp"; fi
  toml_set "$tmp" "" data_dir "\"$DATA_DIR\""
  toml_set "$tmp" log dir "\"$LOG_DIR\""
  [ -z "$LISTEN" ] || toml_set "$tmp" server listen "\"$LISTEN\""
  if [ -n "$HOST_NAME" ]; then
    local port
    port=$(toml_get "$tmp" server listen)
    toml_set "$tmp" server public_url "\"$(public_url_for "${port##*:}")\""
  fi
  if [ -n "$TLS_CERT" ]; then
    toml_set "$tmp" tls cert_file "\"$CONF_DIR/tls/cert.pem\""
    toml_set "$tmp" tls key_file "\"$CONF_DIR/tls/key.pem\""
  fi
  chown "root:$SERVICE_GID" "$tmp"
  chmod 0640 "$tmp"
  mv "$tmp" "$conf"
  CONFIG_CHANGED=true
  say "wrote $CONF (data_dir $DATA_DIR, logs in $LOG_DIR)"
}

# config_key FILE SECTION KEY VALUE: sets a key of the existing config when it differs.
config_key() {
  local current=${4//\"/}
  [ "$(toml_get "$1" "$2" "$3")" = "$current" ] && return
  toml_set "$1" "$2" "$3" "$4"
  CONFIG_CHANGED=true
  say "set ${2:+[$2] }$3 = $4 in $CONF"
}

# The configured HTTPS port, and the URL of /readyz on this machine.
listen_port() {
  local listen
  listen=$(toml_get "$(r "$CONF")" server listen)
  listen=${listen:-0.0.0.0:8443}
  printf '%s' "${listen##*:}"
}
ready_url() {
  local listen host
  listen=$(toml_get "$(r "$CONF")" server listen)
  listen=${listen:-0.0.0.0:8443}
  host=${listen%:*}
  case "$host" in 0.0.0.0) host=127.0.0.1 ;; "[::]") host="[::1]" ;; esac
  printf 'https://%s:%s/readyz' "$host" "${listen##*:}"
}

install_tls() {
  [ -n "$TLS_CERT" ] || return 0
  [ -r "$TLS_CERT" ] || die "cannot read the certificate $TLS_CERT"
  [ -r "$TLS_KEY" ] || die "cannot read the private key $TLS_KEY"
  # A key that does not belong to the certificate would only show when the
  # server refuses every connection.
  if [ "$(openssl x509 -in "$TLS_CERT" -noout -pubkey 2>/dev/null)" != "$(openssl pkey -in "$TLS_KEY" -pubout 2>/dev/null)" ]; then
    die "$TLS_KEY is not the private key of the certificate $TLS_CERT (or one of them is not PEM)"
  fi
  local dir
  dir=$(r "$CONF_DIR/tls")
  install -d -m 0750 -o root -g "$SERVICE_GID" "$dir"
  install -m 0644 -o root -g "$SERVICE_GID" "$TLS_CERT" "$dir/cert.pem.new"
  install -m 0640 -o root -g "$SERVICE_GID" "$TLS_KEY" "$dir/key.pem.new"
  cmp -s "$dir/cert.pem.new" "$dir/cert.pem" && cmp -s "$dir/key.pem.new" "$dir/key.pem" || CONFIG_CHANGED=true
  mv -f "$dir/cert.pem.new" "$dir/cert.pem"
  mv -f "$dir/key.pem.new" "$dir/key.pem"
  say "installed the certificate and its key in $CONF_DIR/tls/"
}

# --- the systemd unit -----------------------------------------------------------

UNIT_CHANGED=false

# put_file CONTENT PATH MODE: writes PATH only when its content differs.
put_file() {
  if [ -e "$2" ] && [ "$(cat "$2")" = "$1" ]; then return; fi
  install -d -m 0755 "$(dirname "$2")"
  printf '%s\n' "$1" >"$2.new"
  chmod "$3" "$2.new"
  mv -f "$2.new" "$2"
  UNIT_CHANGED=true
  say "wrote ${2#"$ROOT"}"
}

install_unit() {
  local template="$SOURCE_DIR/packaging/systemd/examhall.service" unit backup_dir
  [ -f "$template" ] || die "$template is missing: run install.sh from a complete examhall checkout"
  unit=$(sed -e "s|^ExecStart=/usr/bin/examhall |ExecStart=$BIN |" \
    -e "s|^ReadWritePaths=/var/lib/examhall |ReadWritePaths=$DATA_DIR |" "$template")
  put_file "$unit" "$(r "$UNIT")" 0644
  # Backups written outside the data directory need that folder writable.
  backup_dir=$(toml_get "$(r "$CONF")" backup dir)
  if [ -n "$backup_dir" ] && [ "${backup_dir#"$DATA_DIR"/}" = "$backup_dir" ]; then
    put_file "$(printf '# Written by install.sh: [backup] dir in %s.\n[Service]\nReadWritePaths=%s' "$CONF" "$backup_dir")" \
      "$(r "$DROPINS/backup-dir.conf")" 0644
  fi
  # Ports below 1024 (443, or 80 for the redirect) need one capability.
  local port low=false listen
  for listen in "$(toml_get "$(r "$CONF")" server listen)" "$(toml_get "$(r "$CONF")" server redirect_listen)"; do
    port=${listen##*:}
    case "$port" in '' | *[!0-9]*) ;; *) [ "$port" -ge 1024 ] || low=true ;; esac
  done
  if $low; then
    put_file "$(printf '# Written by install.sh: examhall listens on a port below 1024.\n[Service]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n# A capability in a user namespace of its own cannot bind a port of the host.\nPrivateUsers=no')" \
      "$(r "$DROPINS/privileged-port.conf")" 0644
  elif [ -e "$(r "$DROPINS/privileged-port.conf")" ]; then
    rm -f "$(r "$DROPINS/privileged-port.conf")"
    UNIT_CHANGED=true
  fi
  [ ! -e "$(r "$CREDENTIAL")" ] || credential_dropin
}

# --- running examhall commands as the service user -------------------------------

# Settings that name files, pointed into the staging root under --root
# (the config names them as they will be on the installed system).
rooted_env() {
  ROOTED_ENV=()
  [ -n "$ROOT" ] || return 0
  local conf entry section key var value
  conf=$(r "$CONF")
  for entry in log:dir:LOG__DIR tls:cert_file:TLS__CERT_FILE tls:key_file:TLS__KEY_FILE \
    storage:master_key_file:STORAGE__MASTER_KEY_FILE backup:dir:BACKUP__DIR; do
    IFS=: read -r section key var <<<"$entry"
    value=$(toml_get "$conf" "$section" "$key")
    [ -z "$value" ] || ROOTED_ENV+=("EXAMHALL_$var=$ROOT$value")
  done
}

# examhall_as_service BINARY ARGS...: runs an examhall command as the service
# user, with the master key wherever it is kept; a command that hangs (a
# broken new version) is stopped after 10 minutes.
examhall_as_service() {
  local binary=$1
  shift
  local command=("$binary" --config "$(r "$CONF")" --data-dir "$(r "$DATA_DIR")" "$@")
  if [ -z "$ROOT" ] && [ -e "$CREDENTIAL" ]; then
    systemd-run --quiet --pipe --wait --collect -p "User=$USER_NAME" -p "Group=$USER_NAME" \
      -p RuntimeMaxSec=600 -p "LoadCredentialEncrypted=$CREDENTIAL_NAME:$CREDENTIAL" -- "${command[@]}"
  else
    rooted_env
    (cd / && timeout 600 setpriv --reuid="$SERVICE_UID" --regid="$SERVICE_GID" --clear-groups -- \
      env HOME="$(r "$DATA_DIR")" USER="$USER_NAME" "${ROOTED_ENV[@]}" "${command[@]}")
  fi
}

INIT_OUTPUT=""

initialise() {
  if [ -e "$(r "$DATA_DIR")/platform.db" ]; then
    say "$DATA_DIR is initialised already: keeping its keys and databases"
    return
  fi
  step "initialising $DATA_DIR (master key, platform database, certificate)"
  local args=(init)
  [ -z "$HOST_NAME" ] || args+=(--host "$HOST_NAME")
  if ! INIT_OUTPUT=$(examhall_as_service "$(r "$BIN")" "${args[@]}" 2>&1); then
    printf '%s\n' "$INIT_OUTPUT" >&2
    die "examhall init failed (its message is above)"
  fi
}

# The drop-in that hands the credential to the service.
credential_dropin() {
  put_file "$(printf '# Written by install.sh --key-credential: the master key, decrypted by systemd at start.\n[Service]\nLoadCredentialEncrypted=%s:%s' "$CREDENTIAL_NAME" "$CREDENTIAL")" \
    "$(r "$DROPINS/master-key-credential.conf")" 0644
}

# Moves the master key from its 0600 file into a credential encrypted with
# this machine's key, once the credential is proved to hold the same key.
# The credential and its drop-in are both in place (and systemd has read the
# drop-in) before the key file goes, and before an upgrade can fail: from
# then on any start of the service, the old version's included, finds its key.
key_to_credential() {
  $KEY_CREDENTIAL || return 0
  local key_file
  key_file=$(master_key_file)
  if [ -e "$CREDENTIAL" ]; then
    credential_dropin
    systemctl daemon-reload
    if [ -e "$key_file" ]; then
      warn "$key_file still exists beside the credential $CREDENTIAL; once you have an offline copy, remove it: shred -u $key_file"
    fi
    scrub_snapshot_keys "$key_file" "$CREDENTIAL"
    return
  fi
  [ -e "$key_file" ] || die "there is no master key file at $key_file to turn into a credential"
  step "encrypting the master key as the systemd credential $CREDENTIAL"
  systemd-creds encrypt --name="$CREDENTIAL_NAME" "$key_file" "$CREDENTIAL.new"
  chmod 0600 "$CREDENTIAL.new"
  if ! systemd-creds decrypt --name="$CREDENTIAL_NAME" "$CREDENTIAL.new" - | cmp -s - "$key_file"; then
    rm -f "$CREDENTIAL.new"
    die "the encrypted credential did not decrypt to the same key; the key file $key_file is untouched"
  fi
  mv "$CREDENTIAL.new" "$CREDENTIAL"
  credential_dropin
  systemctl daemon-reload
  scrub_snapshot_keys "$key_file" "$CREDENTIAL"
  shred -u "$key_file" 2>/dev/null || rm -f "$key_file"
  say "removed the plain key file $key_file"
}

# The master key file the config names (by default in the data directory).
master_key_file() {
  local key_file
  key_file=$(toml_get "$(r "$CONF")" storage master_key_file)
  printf '%s' "${key_file:-$DATA_DIR/master.key}"
}

# scrub_snapshot_keys KEY-FILE CREDENTIAL: the snapshots (and what failed
# upgrades left, data.failed) hold copies of the data directory, and so of
# the key file when it is in there. Once the key is a credential, the copies
# of that same key are removed, so the credential is its only copy on this
# machine; a copy of another key (from before a rotation, which the data in
# that snapshot needs) is kept and named.
scrub_snapshot_keys() {
  local key_file=$1 credential=$2 relative key snapshot copy removed=() other=()
  case "$key_file" in "$DATA_DIR"/*) relative=${key_file#"$DATA_DIR"/} ;; *) return 0 ;; esac
  [ -d "$(r "$SNAPSHOTS")" ] || return 0
  key=$(systemd-creds decrypt --name="$CREDENTIAL_NAME" "$credential" -) || die "could not decrypt $credential to compare it with the snapshots' key files"
  for snapshot in "$(r "$SNAPSHOTS")"/*/; do
    snapshot=${snapshot%/}
    for copy in "$snapshot/data/$relative" "$snapshot/data.failed/$relative" "$snapshot/data/$relative.next" "$snapshot/data.failed/$relative.next"; do
      if [ ! -f "$copy" ] || [ -L "$copy" ]; then continue; fi
      if [ "$(cat "$copy")" = "$key" ]; then
        shred -u "$copy" 2>/dev/null || rm -f "$copy"
        removed+=("$copy")
        printf '\nThe master key file %s was removed from this snapshot on %s:\nthe key is the systemd credential %s now\n(systemd-creds decrypt --name=%s %s - prints it).\n' \
          "${copy#"$snapshot"/}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$credential" "$CREDENTIAL_NAME" "$credential" >>"$snapshot/README"
      else
        other+=("$copy")
      fi
    done
  done
  if [ "${#removed[@]}" -gt 0 ]; then
    say "removed the copies of the master key from the snapshots (the credential is its only copy now): ${removed[*]}"
  fi
  if [ "${#other[@]}" -gt 0 ]; then
    warn "kept: these snapshot copies hold another master key (from before a rotation), which the data beside them needs: ${other[*]};" \
      "delete each such snapshot once you no longer need it (rm -rf the folder)"
  fi
}

# --- the service ------------------------------------------------------------------

# service_pid: the PID of the test-mode server, if it runs.
service_pid() {
  local pid
  pid=$(cat "$(r "$PIDFILE")" 2>/dev/null) || return 1
  # A recycled PID belongs to someone else: only a process serving our
  # config counts (an exited one that nobody reaped has no command line).
  [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$(r "$CONF") .*serve" || return 1
  printf '%s' "$pid"
}

# pid_alive PID: the process runs (a zombie nobody reaped yet does not).
pid_alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)
  [ -n "$state" ] && [ "$state" != Z ]
}

service_running() {
  if [ "$MANAGER" = none ]; then service_pid >/dev/null; else systemctl is-active --quiet examhall; fi
}

STARTED_AT=0
RESTARTS_BEFORE=0

# How many times systemd restarted the service after it exited (it counts
# across starts).
restarts() { systemctl show -p NRestarts --value examhall 2>/dev/null || echo 0; }

service_start() {
  STARTED_AT=$(date +%s)
  say "starting examhall $(version_of "$(r "$BIN")" || true)"
  if [ "$MANAGER" = systemd ]; then
    RESTARTS_BEFORE=$(restarts)
    systemctl start examhall
    return
  fi
  rooted_env
  install -d -m 0755 "$(dirname "$(r "$PIDFILE")")"
  printf '== started by install.sh at %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$(r "$CONSOLE_LOG")"
  # Started as the service user with nothing of ours open (no terminal, no
  # pipe a caller waits on), as systemd would.
  (cd / && exec setpriv --reuid="$SERVICE_UID" --regid="$SERVICE_GID" --clear-groups -- \
    env HOME="$(r "$DATA_DIR")" USER="$USER_NAME" "${ROOTED_ENV[@]}" \
    "$(r "$BIN")" --config "$(r "$CONF")" --data-dir "$(r "$DATA_DIR")" serve) \
    </dev/null >>"$(r "$CONSOLE_LOG")" 2>&1 &
  echo "$!" >"$(r "$PIDFILE")"
}

service_stop() {
  if [ "$MANAGER" = systemd ]; then
    systemctl stop examhall
    return
  fi
  local pid waited=0
  pid=$(service_pid) || { rm -f "$(r "$PIDFILE")"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  # examhall finishes requests and queued writes on SIGTERM; give it a minute.
  while pid_alive "$pid" && [ "$waited" -lt 600 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if pid_alive "$pid"; then
    warn "examhall (PID $pid) did not stop within 60 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$(r "$PIDFILE")"
}

# wait_ready: 0 once /readyz answers 200, 1 when the server gave up or the
# time ran out.
wait_ready() {
  local url deadline
  url=$(ready_url)
  deadline=$((SECONDS + READY_TIMEOUT))
  say "waiting up to ${READY_TIMEOUT}s for $url"
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -ksf --max-time 3 -o /dev/null "$url"; then return 0; fi
    if [ "$MANAGER" = none ]; then
      # (Just started, it may not be examhall yet: only that it still runs counts.)
      pid_alive "$(cat "$(r "$PIDFILE")" 2>/dev/null)" || return 1
    elif systemctl is-failed --quiet examhall || [ "$(restarts)" -gt "$RESTARTS_BEFORE" ]; then
      # Failed, or exited and restarted (Restart=on-failure): not worth waiting for.
      return 1
    fi
    sleep 1
  done
  return 1
}

# What the server said since it was last started, for a failure's reader.
why_not_ready() {
  if [ "$MANAGER" = none ]; then
    printf 'its output since it was started (%s):\n' "$(r "$CONSOLE_LOG")"
    awk '/^== started by install.sh/ { n = 0 } { line[++n] = $0 } END { for (i = 2; i <= n; i++) print line[i] }' \
      "$(r "$CONSOLE_LOG")" 2>/dev/null | tail -n 20 | sed 's/^/    /'
  else
    printf 'its log since it was started (journalctl -u examhall):\n'
    journalctl -u examhall --since "@$STARTED_AT" -n 20 --no-pager -o cat 2>/dev/null | sed 's/^/    /'
    printf 'more: systemctl status examhall; journalctl -u examhall -n 200\n'
  fi
}

# Enables and starts (or restarts, when what it runs changed) the service.
start_service() {
  if ! manages_service; then
    if [ -n "$ROOT" ]; then
      say "not started: this is a staging root (--root)"
    else
      say "not started: systemd is not running here; once it is: systemctl daemon-reload && systemctl enable --now examhall"
    fi
    return
  fi
  if [ "$MANAGER" = systemd ]; then
    systemctl daemon-reload
    systemctl enable --quiet examhall
  fi
  $START || { say "not started (--no-start)"; return; }
  if service_running; then
    if $UNIT_CHANGED || $CONFIG_CHANGED; then
      step "restarting examhall: its unit or configuration changed"
      service_stop
      service_start || true
    else
      say "examhall is running already"
    fi
  else
    service_start || true
  fi
  wait_ready || die "examhall did not become ready" "$(why_not_ready)"
}

# --- upgrades: snapshot, swap, rollback ------------------------------------------

# audit_heads BINARY: one line per audit log, "platform SEQ:HEX" and
# "org SLUG SEQ:HEX", as BINARY reads them; "?" for a head it could not read.
audit_heads() {
  local binary=$1 slug
  printf 'platform %s\n' "$(audit_head "$binary" --platform)"
  for slug in $(examhall_as_service "$binary" org list --json 2>/dev/null |
    grep -o '"slug": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'); do
    printf 'org %s %s\n' "$slug" "$(audit_head "$binary" --org "$slug")"
  done
}
# audit_head BINARY LOG...: the head `examhall audit head` prints, or "?".
audit_head() {
  local binary=$1 head
  shift
  head=$(examhall_as_service "$binary" audit head "$@" 2>/dev/null | tail -n 1) || head=""
  if [[ "$head" =~ ^[0-9]+:[0-9a-f]{64}$ ]]; then printf '%s' "$head"; else printf '?'; fi
}

# copy_locked FROM TO, with fd 9 open on the data directory's lock file:
# copies FROM while no examhall process holds the data directory.
copy_locked() {
  flock -n 9 || return 75
  cp -a "$1" "$2"
}

# The lock file examhall holds while it uses the data directory (created
# here, owned by the service user, if no server ever ran).
lock_file() {
  local lock
  lock="$(r "$DATA_DIR")/.lock"
  [ -e "$lock" ] || install -m 0600 -o "$SERVICE_UID" -g "$SERVICE_GID" /dev/null "$lock"
  printf '%s' "$lock"
}

SNAPSHOT=""
SNAPSHOT_TIME=""
WAS_RUNNING=false

# The PID of the running service, if install.sh manages it and it runs.
service_main_pid() {
  manages_service || return 0
  if [ "$MANAGER" = none ]; then
    service_pid || true
  else
    local pid
    pid=$(systemctl show -p MainPID --value examhall 2>/dev/null || true)
    [ "${pid:-0}" = 0 ] || printf '%s' "$pid"
  fi
}

# lock_users: the PIDs that hold the data directory's lock or wait for it
# (flock), from /proc/locks, one a line.
lock_users() {
  local lock dev id
  lock="$(r "$DATA_DIR")/.lock"
  [ -e "$lock" ] && [ -r /proc/locks ] || return 0
  dev=$(stat -L -c %d "$lock")
  # /proc/locks names the file MAJOR:MINOR:INODE, the device's numbers in hex.
  id=$(printf '%02x:%02x:%s' "$(((dev >> 8 & 0xfff) | (dev >> 32 & ~0xfff)))" "$(((dev & 0xff) | (dev >> 12 & ~0xff)))" \
    "$(stat -L -c %i "$lock")")
  awk -v id="$id" '
    $2 == "->" { if ($3 == "FLOCK" && $7 == id) print $6; next }
    $2 == "FLOCK" && $6 == id { print $5 }' /proc/locks
}

# upgrade_checks: what would stop an upgrade halfway, checked while the
# service still runs, so that a refusal changes nothing: room for the
# snapshot, and no process but the service itself holding (or waiting for)
# the data directory's lock.
upgrade_checks() {
  local snapshots data need free service pid others=()
  snapshots=$(r "$SNAPSHOTS")
  data=$(r "$DATA_DIR")
  install -d -m 0700 -o root -g root "$snapshots"
  need=$(du -sk "$data" | cut -f 1)
  free=$(df -Pk "$snapshots" | awk 'NR == 2 { print $4 }')
  if [ "$need" -ge "${free:-0}" ]; then
    die "not enough space for a snapshot of $DATA_DIR: it takes ${need} KiB, $SNAPSHOTS has ${free:-no} KiB free" \
      "free some space (or remove old snapshots in $SNAPSHOTS) and run install.sh again; nothing was changed (examhall was not stopped)"
  fi
  service=$(service_main_pid)
  for pid in $(lock_users | sort -u); do
    [ "$pid" = "$service" ] || others+=("PID $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c 1-100 || true))")
  done
  # Without a running service, the lock itself tells (and sees past
  # /proc/locks, should it not show a holder).
  if [ "${#others[@]}" -eq 0 ] && [ -z "$service" ] && [ -e "$data/.lock" ] && ! flock -n "$data/.lock" true; then
    others+=("(a process /proc/locks does not show)")
  fi
  if [ "${#others[@]}" -gt 0 ]; then
    die "another examhall process holds $DATA_DIR/.lock (or waits for it), so no consistent snapshot can be taken: ${others[*]}" \
      "is a server running outside systemd, or a command such as examhall backup or keys rotate-master?" \
      "let it finish or stop it, then run install.sh again; nothing was changed (examhall was not stopped)"
  fi
}

take_snapshot() {
  local snapshots data old rc=0
  snapshots=$(r "$SNAPSHOTS")
  data=$(r "$DATA_DIR")
  install -d -m 0700 -o root -g root "$snapshots"
  SNAPSHOT_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  SNAPSHOT="$snapshots/$(date -u +%Y%m%dT%H%M%SZ)"
  [ ! -e "$SNAPSHOT" ] || SNAPSHOT="$SNAPSHOT-$$"
  mkdir -m 0700 "$SNAPSHOT"
  step "taking a snapshot of $DATA_DIR into ${SNAPSHOT#"$ROOT"}"
  copy_locked "$data" "$SNAPSHOT/data" 9<"$(lock_file)" || rc=$?
  if [ "$rc" -eq 75 ]; then
    die "another examhall process took $DATA_DIR/.lock once examhall had stopped, so no consistent snapshot can be taken" \
      "is a server running outside systemd, or a command such as examhall backup or keys rotate-master?" \
      "let it finish or stop it, then run install.sh again"
  fi
  [ "$rc" -eq 0 ] || die "copying $DATA_DIR into the snapshot failed (see above)"
  # The binary that wrote this data: a snapshot is restored with it.
  cp -a "$(r "$BIN")" "$SNAPSHOT/examhall"
  [ ! -e "$(r "$UNIT")" ] || cp -a "$(r "$UNIT")" "$SNAPSHOT/examhall.service"
  # The heads as the old binary reads them (the data is as copied: nothing runs).
  audit_heads "$(r "$BIN")" >"$SNAPSHOT/heads"
  local key_note="The data contains the master key file: keep this
folder as private as the data directory."
  if [ -e "$(r "$CREDENTIAL")" ] && [ ! -e "$SNAPSHOT/data/master.key" ]; then
    key_note="The master key is not in it: it is the systemd
credential $CREDENTIAL."
  fi
  # (Written last: a snapshot without a README was cut short.)
  cat >"$SNAPSHOT/README" <<EOF
Snapshot of $DATA_DIR taken by install.sh at $SNAPSHOT_TIME, with the
server stopped and its data-directory lock held, before upgrading examhall
$OLD_VERSION to $NEW_VERSION.

  data/             the whole data directory, owners and modes kept
  examhall          the binary (examhall $OLD_VERSION) that wrote it
  examhall.service  the unit it ran under
  heads             its audit heads

To go back to it by hand: systemctl stop examhall; move $DATA_DIR aside;
cp -a data $DATA_DIR; install -m 0755 examhall $BIN;
systemctl start examhall. $key_note
EOF
  # Keep the newest few.
  for old in $(find "$snapshots" -mindepth 1 -maxdepth 1 -type d | sort | head -n "-$SNAPSHOTS_KEPT"); do
    rm -rf "$old"
    say "removed the old snapshot ${old#"$ROOT"}"
  done
}

# Where an upgrade is, for its EXIT trap: "stopped" (the old service may be
# stopped; binary and data are as they were), "swapped" (the new binary may
# be installed, not yet proved), "" (nothing to undo).
UPGRADE_PHASE=""

# The EXIT trap during an upgrade: whatever made install.sh stop (a failed
# command, die, Ctrl-C), the old version is left running as it was found.
upgrade_exit() {
  local status=$? phase=$UPGRADE_PHASE
  UPGRADE_PHASE=""
  trap - EXIT
  [ "$status" -ne 0 ] || exit 0
  case "$phase" in
    stopped)
      # A snapshot cut short is no snapshot.
      [ -z "$SNAPSHOT" ] || [ -e "$SNAPSHOT/README" ] || rm -rf "$SNAPSHOT"
      if $WAS_RUNNING && ! service_running; then
        printf '\n' >&2
        warn "the upgrade stopped before it changed the binary or the data: starting examhall $OLD_VERSION again"
        service_start || true
        if wait_ready; then
          printf '  - examhall %s is running and ready again; %s and %s are as they were\n' "$OLD_VERSION" "$BIN" "$DATA_DIR" >&2
        else
          warn "examhall $OLD_VERSION did not become ready again"
          why_not_ready >&2
        fi
      fi
      ;;
    swapped)
      rollback "the upgrade stopped with an error after it began to install examhall $NEW_VERSION"
      ;;
  esac
  exit "$status"
}

upgrade() {
  step "upgrading examhall $OLD_VERSION to $NEW_VERSION"
  UPGRADE_PHASE=stopped
  trap upgrade_exit EXIT
  if manages_service && service_running; then
    WAS_RUNNING=true
    say "stopping examhall (students' work is saved before it exits)"
    service_stop
  fi
  take_snapshot
  cp -a "$(r "$BIN")" "$(r "$BIN").previous"
  # From here on a failure is undone by a rollback (the previous binary is kept).
  UPGRADE_PHASE=swapped
  install_binary
  install_unit
  if ! manages_service || ! $START; then
    UPGRADE_PHASE=""
    trap - EXIT
    say "not started; the snapshot is ${SNAPSHOT#"$ROOT"}"
    return
  fi
  [ "$MANAGER" = none ] || systemctl daemon-reload
  # A start that fails at once is judged like one that never becomes ready.
  service_start || true
  if wait_ready; then
    UPGRADE_PHASE=""
    trap - EXIT
    say "examhall $NEW_VERSION is ready; the snapshot taken before is ${SNAPSHOT#"$ROOT"}"
    return
  fi
  rollback "examhall $NEW_VERSION did not become ready"
}

# rollback WHY: puts the previous binary, unit and data back and starts them.
rollback() {
  local reason failure=false accepted=() unrecorded=() kind name head before data
  UPGRADE_PHASE=""
  trap - EXIT
  warn "$1; rolling back to $OLD_VERSION"
  why_not_ready >&2
  service_stop || true
  # What the failed run left in the audit logs: it might have been seen or
  # copied while it ran, so the rollback is recorded against it.
  audit_heads "$(r "$BIN")" >"$SNAPSHOT/heads.failed" || true
  install -m 0755 -o root -g root "$(r "$BIN").previous" "$(r "$BIN").new"
  mv -f "$(r "$BIN").new" "$(r "$BIN")"
  rm -f "$(r "$BIN").previous"
  if [ -e "$SNAPSHOT/examhall.service" ]; then
    cp -a "$SNAPSHOT/examhall.service" "$(r "$UNIT")"
    [ "$MANAGER" = none ] || systemctl daemon-reload
  fi
  data=$(r "$DATA_DIR")
  # The snapshot is copied beside the data directory first, so the data
  # directory is never missing; the failed run's data is kept for a look.
  rm -rf "$data.restoring"
  if ! copy_locked "$SNAPSHOT/data" "$data.restoring" 9<"$(lock_file)"; then
    die "could not put the snapshot back: something holds $DATA_DIR/.lock or the copy failed" \
      "the previous binary is back in $BIN; the snapshot is ${SNAPSHOT#"$ROOT"}/data" \
      "copy it over $DATA_DIR by hand (cp -a) once nothing runs, then start examhall"
  fi
  mv "$data" "$SNAPSHOT/data.failed"
  mv "$data.restoring" "$data"
  reason="upgrade to $NEW_VERSION failed; data directory restored from the snapshot of $SNAPSHOT_TIME"
  while read -r kind name head; do
    [ "$kind" = platform ] && { head=$name; name=""; }
    case "$kind" in platform | org) ;; *) continue ;; esac
    before=$(awk -v k="$kind" -v n="$name" '$1 == k && (k == "platform" || $2 == n) { print $NF }' "$SNAPSHOT/heads")
    # Unchanged, or unknown (the new binary could not read it): nothing to record.
    if [ "$head" = '?' ] || [ "$head" = "$before" ]; then continue; fi
    local log=(--platform)
    [ "$kind" = org ] && log=(--org "$name")
    if examhall_as_service "$(r "$BIN")" audit accept-head "${log[@]}" --replaced "$head" --reason "$reason"; then
      accepted+=("${log[*]} $head")
    else
      unrecorded+=("examhall audit accept-head ${log[*]} --replaced $head --reason \"$reason\"")
    fi
  done <"$SNAPSHOT/heads.failed"
  service_start || true
  wait_ready || failure=true
  printf '\n' >&2
  warn "the upgrade to examhall $NEW_VERSION failed and was rolled back:"
  printf '  - %s is examhall %s again\n' "$BIN" "$OLD_VERSION" >&2
  printf '  - %s is the snapshot taken at %s\n' "$DATA_DIR" "$SNAPSHOT_TIME" >&2
  printf '  - the snapshot stays in %s; what the failed run left is in %s/data.failed\n' "${SNAPSHOT#"$ROOT"}" "${SNAPSHOT#"$ROOT"}" >&2
  local line
  for line in "${accepted[@]}"; do
    printf '  - recorded in the audit log (%s): the head the failed run left was replaced\n' "$line" >&2
  done
  if [ "${#unrecorded[@]}" -gt 0 ]; then
    printf '  - could not record that these audit heads of the failed run were replaced; run as %s:\n' "$USER_NAME" >&2
    printf '      %s\n' "${unrecorded[@]}" >&2
  fi
  if $failure; then
    die "examhall $OLD_VERSION did not become ready either" "$(why_not_ready)"
  fi
  printf '  - examhall %s is running and ready\n' "$OLD_VERSION" >&2
  exit 1
}

# --- the summary ------------------------------------------------------------------

print_summary() {
  local conf cert url port key_file
  conf=$(r "$CONF")
  port=$(listen_port)
  url=$(toml_get "$conf" server public_url)
  [ -n "$url" ] || url="https://$(hostname -f 2>/dev/null || hostname):$port"
  cert=$(toml_get "$conf" tls cert_file)
  cert=$(r "${cert:-$DATA_DIR/tls/cert.pem}")
  key_file=$(toml_get "$conf" storage master_key_file)
  key_file=${key_file:-$DATA_DIR/master.key}
  printf '\nexamhall %s is installed.\n\n' "$NEW_VERSION"
  printf '  address       %s/\n' "${url%/}"
  printf '  certificate   %s\n' "${cert#"$ROOT"}"
  printf '  SHA-256       %s\n' "$(openssl x509 -in "$cert" -noout -fingerprint -sha256 2>/dev/null | sed 's/^[^=]*=//' || true)"
  printf '  config        %s\n' "$CONF"
  if [ -e "$(r "$CREDENTIAL")" ]; then
    printf '  master key    %s (systemd credential, encrypted with this machine'"'"'s key)\n' "$CREDENTIAL"
  else
    printf '  master key    %s (mode 0600, owner %s)\n' "$key_file" "$USER_NAME"
  fi
  printf '  signing key   %s/signing.pub\n' "$DATA_DIR"
  sed 's/^/                /' "$(r "$DATA_DIR")/signing.pub" 2>/dev/null || true
  if [ -n "$HOST_NAME" ] && ! openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null | grep -qE "(DNS:|IP Address:)$HOST_NAME(,|$)"; then
    warn "the certificate in use does not name $HOST_NAME, so browsers will refuse it under that name;" \
      "give install.sh the university's certificate for it (--tls-cert/--tls-key)"
  fi
  printf '\nKeep an offline copy of the master key (without it no database can be read)\n'
  printf 'and of signing.pub (restoring a backup on a new server needs it).\n'
  if [ -e "$(r "$CREDENTIAL")" ]; then
    printf 'To read the key for that copy:  systemd-creds decrypt --name=%s %s -\n' "$CREDENTIAL_NAME" "$CREDENTIAL"
    printf 'Commands that need the key while the server is stopped run like this:\n'
    printf '  systemd-run -P --wait --collect -p User=%s -p Group=%s -p LoadCredentialEncrypted=%s:%s %s --config %s keys rekey-org --org SLUG\n' \
      "$USER_NAME" "$USER_NAME" "$CREDENTIAL_NAME" "$CREDENTIAL" "$BIN" "$CONF"
  else
    printf 'examhall commands run as its user:  runuser -u %s -- %s --config %s COMMAND\n' "$USER_NAME" "$BIN" "$CONF"
  fi
  printf 'Check it any time (exit 0 pass, 1 warnings, 2 failures):  runuser -u %s -- %s --config %s doctor\n' \
    "$USER_NAME" "$BIN" "$CONF"
  local link
  link=$(printf '%s\n' "$INIT_OUTPUT" | awk '$1 == "setup" && $2 == "link" { print $3 }')
  if [ -n "$link" ]; then
    printf '\nOpen this one-time set-up link within 24 hours to create the first platform administrator:\n  %s\n' "$link"
  else
    printf '\nNo platform administrator yet? A fresh one-time set-up link: runuser -u %s -- %s --config %s setup-link\n' \
      "$USER_NAME" "$BIN" "$CONF"
  fi
}

# --- uninstall and purge ------------------------------------------------------------

uninstall() {
  step "removing examhall's service and binary"
  if manages_service; then
    service_running && service_stop
    if [ "$MANAGER" = systemd ]; then systemctl disable --quiet examhall 2>/dev/null || true; fi
  fi
  rm -f "$(r "$UNIT")" "$(r "$DROPINS")/master-key-credential.conf" "$(r "$DROPINS")/backup-dir.conf" \
    "$(r "$DROPINS")/privileged-port.conf"
  rmdir "$(r "$DROPINS")" 2>/dev/null || true
  [ -n "$ROOT" ] || ! systemd_running || systemctl daemon-reload
  rm -f "$(r "$BIN")" "$(r "$BIN").previous" "$(r "$PIDFILE")"
  rm -rf "$(r "$DOCS")"
}

# A data directory install.sh may delete: examhall's, and no system folder.
deletable_data_dir() {
  case "$DATA_DIR" in / | /var | /var/lib | /usr | /etc | /home | /srv | /opt | /root | /tmp) return 1 ;; esac
  local dir
  dir=$(r "$DATA_DIR")
  [ ! -e "$dir" ] || [ -e "$dir/platform.db" ] || [ -z "$(ls -A "$dir")" ]
}

purge() {
  if ! $YES; then
    [ -t 0 ] || die "--purge deletes every exam, key and log of this server: it asks first, so run it in a terminal (or add --yes)"
    printf 'This deletes examhall'"'"'s configuration, data directory %s (every database\n' "$DATA_DIR"
    printf 'and the master key), logs and snapshots%s. Backup bundles elsewhere are kept.\n' "${ROOT:+ under $ROOT}"
    local answer
    read -r -p 'Type "purge" to go ahead: ' answer
    [ "$answer" = purge ] || die "nothing was deleted"
  fi
  deletable_data_dir || die "$DATA_DIR does not look like an examhall data directory (no platform.db), so install.sh does not delete it" \
    "delete what you mean to by hand"
  uninstall
  step "deleting examhall's configuration, data, logs and snapshots"
  rm -rf "$(r "$DATA_DIR")" "$(r "$LOG_DIR")" "$(r "$SNAPSHOTS")" "$(r "$CONF_DIR")" "$(r "$CONSOLE_LOG")"
  if [ -n "$ROOT" ]; then
    ! grep -q "^$USER_NAME:" "$(r /etc/passwd)" 2>/dev/null || userdel --prefix "$ROOT" "$USER_NAME"
  elif getent passwd "$USER_NAME" >/dev/null; then
    userdel "$USER_NAME"
  fi
  say "removed the user $USER_NAME"
}

# --- main ---------------------------------------------------------------------------

main() {
  preflight
  local conf
  conf=$(r "$CONF")
  # The data directory: the config's, once there is one.
  if [ -e "$conf" ]; then
    DATA_DIR=$(toml_get "$conf" "" data_dir)
    DATA_DIR=${DATA_DIR:-/var/lib/examhall}
    if [ -n "$DATA_DIR_OPTION" ] && [ "$DATA_DIR_OPTION" != "$DATA_DIR" ]; then
      die "$CONF says data_dir = $DATA_DIR, not $DATA_DIR_OPTION" \
        "install.sh does not move a data directory: stop examhall, move it, change data_dir, then run install.sh again"
    fi
  else
    DATA_DIR=${DATA_DIR_OPTION:-/var/lib/examhall}
  fi
  case "$DATA_DIR" in /*) ;; *) die "the data directory must be an absolute path, not $DATA_DIR" ;; esac
  DATA_DIR=${DATA_DIR%/}

  case "$ACTION" in
    uninstall)
      uninstall
      printf '\nexamhall is uninstalled. Kept: %s, %s, %s, %s and the user %s.\n' "$CONF_DIR" "$DATA_DIR" "$LOG_DIR" "$SNAPSHOTS" "$USER_NAME"
      printf 'Run install.sh again to reinstall over them, or install.sh --purge to delete them.\n'
      return
      ;;
    purge)
      purge
      printf '\nexamhall and its data are deleted.\n'
      return
      ;;
  esac

  # What the config already says goes into the unit and its drop-ins too.
  [ ! -e "$conf" ] || check_path "data_dir in $CONF" "$DATA_DIR"
  local backup_dir
  backup_dir=$(toml_get "$conf" backup dir 2>/dev/null || true)
  [ -z "$backup_dir" ] || check_path "[backup] dir in $CONF" "$backup_dir"
  check_data_dir
  [ -f "$SOURCE_DIR/packaging/systemd/examhall.service" ] ||
    die "$SOURCE_DIR/packaging/systemd/examhall.service is missing: run install.sh from a complete examhall checkout"

  [ -n "$BINARY" ] || build_binary
  [ -f "$BINARY" ] || die "$BINARY does not exist"
  [ -x "$BINARY" ] || die "$BINARY is not executable"
  NEW_VERSION=$(version_of "$BINARY" || true)
  [ -n "$NEW_VERSION" ] || die "$BINARY --version failed: it is not an examhall binary for this machine"
  step "installing examhall $NEW_VERSION${ROOT:+ into the staging root $ROOT}"

  ensure_user
  ensure_dirs
  write_config
  install_tls
  install_docs
  if [ -e "$(r "$BIN")" ] && ! cmp -s "$BINARY" "$(r "$BIN")" && [ -e "$(r "$DATA_DIR")/platform.db" ]; then
    OLD_VERSION=$(version_of "$(r "$BIN")" || true)
    OLD_VERSION=${OLD_VERSION:-unknown}
    # Everything that could refuse the upgrade, while examhall still runs.
    upgrade_checks
    # The credential and its drop-in before anything can fail, so the
    # service finds its key whichever version starts.
    key_to_credential
    upgrade
  else
    install_binary
    initialise
    key_to_credential
    install_unit
    start_service
  fi
  print_summary
}

main
