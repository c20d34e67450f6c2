#!/usr/bin/env bash
# Speed and peak memory of `examhall similarity` against copydetect on the
# same synthetic classes of Python files (scripts/similarity-corpus.py, about
# 160 lines each), in one run; docs/benchmarks.md, "Similarity".
#
#   cargo build --release
#   python3 -m venv /tmp/copydetect && /tmp/copydetect/bin/pip install copydetect==0.5.0
#   scripts/bench-similarity.sh [EXAMHALL] [COPYDETECT_PYTHON]
#
# SIZES (default "200 500 1000 2000 3000") are the class sizes; copydetect
# compares every pair in Python, so it runs only up to COPYDETECT_MAX files
# (default 1000). Each examhall run is repeated RUNS times (default 3).
# Prints a Markdown table: wall time (s) and peak RSS (MiB, GNU time's %M).
set -euo pipefail
cd "$(dirname "$0")/.."

examhall=${1:-target/release/examhall}
copydetect_python=${2:-/tmp/copydetect/bin/python}
sizes=${SIZES:-200 500 1000 2000 3000}
copydetect_max=${COPYDETECT_MAX:-1000}
runs=${RUNS:-3}
work=$(mktemp -d /tmp/examhall-similarity-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

# time -f: wall seconds and peak RSS in KiB, on the last line of stderr.
measure() {
  /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$work/stderr" || {
    cat "$work/stderr" >&2
    return 1
  }
  tail -n 1 "$work/stderr"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| files | pairs | tool | wall time (s) | peak RSS (MiB) | pairs written |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in $sizes; do
  python3 scripts/similarity-corpus.py "$n" "$work/class$n"
  pairs=$((n * (n - 1) / 2))
  for run in $(seq "$runs"); do
    read -r wall rss < <(measure "$examhall" similarity --lang python "$work/class$n" --csv "$work/examhall$n.csv")
    rows=$(($(wc -l <"$work/examhall$n.csv") - 1))
    echo "| $n | $pairs | examhall (run $run) | $wall | $((rss / 1024)) | $rows |"
  done
  if [ "$n" -le "$copydetect_max" ] && [ -x "$copydetect_python" ]; then
    read -r wall rss < <(measure "$copydetect_python" scripts/copydetect-pairs.py "$work/class$n" py "$work/copydetect$n.csv")
    rows=$(($(wc -l <"$work/copydetect$n.csv") - 1))
    echo "| $n | $pairs | copydetect 0.5.0 | $wall | $((rss / 1024)) | $rows |"
  fi
  echo "load after $n files: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
