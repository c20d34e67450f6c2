#!/usr/bin/env bash
# Accuracy of `examhall similarity` on the labelled corpus in
# tests/fixtures/similarity, beside copydetect on the same files in the same
# run (docs/benchmarks.md, "Similarity", "Accuracy"). Each assignment folder
# is compared on its own, as an exam question would be, once without and
# once with its starter file as --base (copydetect: as its boilerplate).
#
#   cargo build --release
#   python3 -m venv /tmp/copydetect && /tmp/copydetect/bin/pip install copydetect==0.5.0
#   scripts/similarity/evaluate-fixtures.sh [EXAMHALL] [COPYDETECT_PYTHON]
#
# Prints evaluate.py's Markdown table (ROC AUC, average precision, best F1,
# overall, per language and per disguise kind). copydetect is left out when
# its Python is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

examhall=${1:-target/release/examhall}
copydetect_python=${2:-/tmp/copydetect/bin/python}
corpus=tests/fixtures/similarity
work=$(mktemp -d /tmp/examhall-similarity-eval-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Appends OUT with the pairs of one assignment, paths relative to the corpus.
append() {
  local result=$1 prefix=$2 out=$3
  tail -n +2 "$result" | awk -F, -v p="$prefix" '{ print p $1 "," p $2 "," $3 }' >>"$out"
}

tools=()
for mode in plain base; do
  for tool in examhall copydetect; do
    [ "$tool" = copydetect ] && [ ! -x "$copydetect_python" ] && continue
    out="$work/$tool-$mode.csv"
    echo "a,b,score" >"$out"
    for language in python java; do
      extension=py
      [ "$language" = java ] && extension=java
      for folder in "$corpus/$language"/*/; do
        assignment=$(basename "$folder")
        starter=$(find "$folder" -maxdepth 1 -iname "starter.$extension" | head -n 1)
        base=()
        [ "$mode" = base ] && base=("$starter")
        if [ "$tool" = examhall ]; then
          args=()
          [ "$mode" = base ] && args=(--base "$starter")
          "$examhall" similarity --lang "$language" "$folder" "${args[@]}" --csv "$work/one.csv" 2>/dev/null
        else
          "$copydetect_python" scripts/copydetect-pairs.py "$folder" "$extension" "$work/one.csv" "${base[@]}"
        fi
        append "$work/one.csv" "$language/$assignment/" "$out"
      done
    done
    name=$tool
    [ "$mode" = base ] && name="$tool --base"
    tools+=("$name=$out")
  done
done
python3 scripts/similarity/evaluate.py --labels "$corpus/labels.csv" "${tools[@]}"
