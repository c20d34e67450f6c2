#!/usr/bin/env bash
# Measures examhall's cold start, idle memory and binary size, for
# docs/benchmarks.md.
#
# For each of RUNS runs (default 5): a fresh temporary data directory with
# one organization (`init`, `org create`), then the time from spawning
# `examhall serve` until its port accepts connections and until the first 200
# from https://127.0.0.1:PORT/readyz, and the server's VmRSS one second after
# that. Prints every run, the medians and the binary size. Loopback only; it
# stops only the server it started and removes its temporary directory on any
# exit.
#
# Usage: scripts/bench-startup.sh [path/to/examhall]   (default target/release/examhall)
# Build first: cargo build --release. Needs bash 5 (EPOCHREALTIME) and curl.
set -euo pipefail

BIN=${1:-target/release/examhall}
RUNS=${RUNS:-5}
CONNECT_LIMIT=10000 # port probes, 2 ms apart: gives up after ~20 s
POLL_LIMIT=500      # /readyz requests per run
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

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A loopback port nobody listens on (bounded search).
free_port() {
    for ((port = 18443; port < 18643; port++)); do
        if ! accepts "$port"; then echo "$port"; return 0; fi
    done
    echo "no free port in 18443-18642" >&2
    return 1
}

# Microseconds from a clock read by the shell itself, without starting a process.
now_us() { echo "${EPOCHREALTIME/./}"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
server_alive() {
    kill -0 "$server" 2>/dev/null && return 0
    echo "the server exited:" >&2
    cat "$work/serve.log" >&2
    exit 1
}

echo "examhall: $("$BIN" --version | head -n 1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | port accepts (ms) | first 200 on /readyz (ms) | /readyz requests | last request took (ms) | idle VmRSS (MiB) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
listening=() ready=() rss=()
for ((run = 1; run <= RUNS; run++)); do
    data="$work/data-$run"
    run_examhall init --data-dir "$data" >/dev/null
    run_examhall org create --data-dir "$data" --slug physics --name Physics >/dev/null
    port=$(free_port)
    url="https://127.0.0.1:$port/readyz"

    began=$(now_us)
    "$BIN" --config "$work/examhall.toml" serve --data-dir "$data" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
    server=$!
    # Cheap probes (no process started) until the port accepts, so that
    # curl's own start-up does not blur the timing...
    for ((i = 0; i < CONNECT_LIMIT; i++)); do
        accepts "$port" && break
        server_alive
        sleep 0.002
    done
    bound=$(now_us)
    # ...then real requests until /readyz answers 200.
    answer="" requests=0
    while ((requests < POLL_LIMIT)); do
        requests=$((requests + 1))
        answer=$(curl -sk -o /dev/null -w '%{http_code} %{time_total}' --max-time 2 "$url" || true)
        [[ $answer == 200\ * ]] && break
        server_alive
    done
    done_at=$(now_us)
    [[ $answer == 200\ * ]] || { echo "no 200 from $url after $POLL_LIMIT requests" >&2; exit 1; }

    sleep 1 # idle: nothing is asked of the server for a second
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server/status")
    stop_server

    listening+=("$(ms $((bound - began)))")
    ready+=("$(ms $((done_at - began)))")
    rss+=("$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')")
    took=$(awk -v s="${answer#200 }" 'BEGIN { printf "%.1f", s * 1000 }')
    echo "| $run | ${listening[-1]} | ${ready[-1]} | $requests | $took | ${rss[-1]} |"
done
echo
echo "median over $RUNS runs: port accepts after $(printf '%s\n' "${listening[@]}" | median) ms," \
    "first 200 on /readyz after $(printf '%s\n' "${ready[@]}" | median) ms," \
    "idle VmRSS $(printf '%s\n' "${rss[@]}" | median) MiB"
size=$(stat -c %s "$BIN")
echo "binary: $size bytes ($(numfmt --to=iec-i --suffix=B --format=%.1f "$size")), $BIN"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
