#!/usr/bin/env bash
# Measures examhall's cold start, idle memory and binary size, for
# docs/benchmarks.md.
#
# For each of RUNS runs (default 5): a fresh temporary data directory with
# one organization (`init`, `org create`), then the time from spawning
# `examhall serve` to the first 200 from https://127.0.0.1:PORT/readyz, and
# the server's VmRSS one second after that. Prints every run, the medians and
# the binary size. Loopback only; it stops only the server it started and
# removes its temporary directory on any exit.
#
# Usage: scripts/bench-startup.sh [path/to/examhall]   (default target/release/examhall)
# Build first: cargo build --release
set -euo pipefail

BIN=${1:-target/release/examhall}
RUNS=${RUNS:-5}
POLL_LIMIT=2000     # /readyz attempts per run, 5 ms apart: gives up after ~20 s
STOP_LIMIT=100      # 50 ms waits for a stopped server before SIGKILL

[[ -x $BIN ]] || { echo "no executable at $BIN; run: cargo build --release" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

work=$(mktemp -d -t examhall-startup.XXXXXX)
server=""
stop_server() {
    [[ -n $server ]] || return 0
    kill -TERM "$server" 2>/dev/null || true
    for ((i = 0; i < STOP_LIMIT; i++)); do
        kill -0 "$server" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
}
trap 'stop_server; rm -rf "$work"' EXIT

# Same settings on every machine: an empty config file (built-in defaults)
# instead of /etc/examhall, and no EXAMHALL_* variables.
: >"$work/examhall.toml"
for name in $(compgen -e | grep '^EXAMHALL_' || true); do unset "$name"; done
run_examhall() { "$BIN" --config "$work/examhall.toml" "$@"; }

# A loopback port nobody listens on (bounded search).
free_port() {
    for ((port = 18443; port < 18643; port++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    echo "no free port in 18443-18642" >&2
    return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "examhall: $("$BIN" --version | head -n 1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | start to first 200 on /readyz (ms) | idle VmRSS (MiB) |"
echo "| ---: | ---: | ---: |"
starts=() rss=() polls=()
for ((run = 1; run <= RUNS; run++)); do
    data="$work/data-$run"
    run_examhall init --data-dir "$data" >/dev/null
    run_examhall org create --data-dir "$data" --slug physics --name Physics >/dev/null
    port=$(free_port)
    url="https://127.0.0.1:$port/readyz"

    began=$(now_ms)
    "$BIN" --config "$work/examhall.toml" serve --data-dir "$data" --listen "127.0.0.1:$port" \
        >"$work/serve-$run.log" 2>&1 &
    server=$!
    ready=""
    for ((attempt = 0; attempt < POLL_LIMIT; attempt++)); do
        if [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]; then
            ready=$(now_ms)
            break
        fi
        kill -0 "$server" 2>/dev/null || { echo "the server exited:" >&2; cat "$work/serve-$run.log" >&2; exit 1; }
        sleep 0.005
    done
    [[ -n $ready ]] || { echo "no 200 from $url after $POLL_LIMIT attempts" >&2; exit 1; }

    sleep 1 # idle: nothing is asked of the server for a second
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server/status")
    # The timing's resolution: one poll (curl start + TLS handshake + request) plus the 5 ms pause.
    poll_began=$(now_ms)
    for ((i = 0; i < 10; i++)); do curl -sk -o /dev/null --max-time 1 "$url" || true; sleep 0.005; done
    polls+=($((($(now_ms) - poll_began) / 10)))
    stop_server

    starts+=($((ready - began)))
    rss+=("$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')")
    echo "| $run | ${starts[-1]} | ${rss[-1]} |"
done
echo
echo "median start to ready: $(printf '%s\n' "${starts[@]}" | median) ms over $RUNS runs"
echo "median poll interval (the resolution of the timing): $(printf '%s\n' "${polls[@]}" | median) ms"
echo "median idle VmRSS: $(printf '%s\n' "${rss[@]}" | median) MiB"
size=$(stat -c %s "$BIN")
echo "binary: $size bytes ($(numfmt --to=iec-i --suffix=B --format=%.1f "$size")), $BIN"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
