#!/usr/bin/env python3
"""Write (or check) tests/fixtures/similarity/labels.csv from the file names.

The hand-written corpus names its files so that the label of every pair
follows from the names alone:

    <language>/<assignment>/starter.py | Starter.java   template, never paired
    <language>/<assignment>/s03.py     | S03.java       an independent solution
    <language>/<assignment>/s03_rename.py               a disguised copy of s03.py

Two files of the same language and assignment are a `copy` pair when they
share the solution number (one is the original, or both are disguised copies
of the same original), else `independent`. The disguise of a copy pair is the
disguise of the copy; for two copies of the same original it is their common
kind when they have the same one, else `combined`.

Usage:
    python3 scripts/similarity/build_labels.py          # rewrite labels.csv
    python3 scripts/similarity/build_labels.py --check  # exit 1 if it is stale
"""
import argparse
import csv
import io
import itertools
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "similarity"
LANGUAGES = {"python": ".py", "java": ".java"}
KINDS = ("rename", "reformat", "comments", "reorder", "deadcode", "loops",
         "split_merge", "combined")
NAME = re.compile(r"^([sS]\d+)(?:_(%s))?$" % "|".join(KINDS))
HEADER = ["a", "b", "label", "disguise", "language", "assignment"]


def corpus_files(root):
    """Yield (language, assignment, relative path, base, kind) for every solution."""
    for language, ext in LANGUAGES.items():
        for path in sorted((root / language).glob("*/*" + ext)):
            if path.stem.lower() == "starter":
                continue
            match = NAME.match(path.stem)
            if not match:
                raise SystemExit(f"unexpected file name: {path.relative_to(root)}")
            yield (language, path.parent.name, path.relative_to(root).as_posix(),
                   match.group(1), match.group(2))


def pair_label(x, y):
    (_, _, _, base_x, kind_x), (_, _, _, base_y, kind_y) = x, y
    if base_x != base_y:
        return "independent", "none"
    if kind_x is None or kind_y is None:
        return "copy", kind_x or kind_y
    return "copy", kind_x if kind_x == kind_y else "combined"


def build_rows(root):
    groups = {}
    for entry in corpus_files(root):
        groups.setdefault((entry[0], entry[1]), []).append(entry)
    rows = []
    for (language, assignment), entries in sorted(groups.items()):
        entries.sort(key=lambda e: e[2])
        for x, y in itertools.combinations(entries, 2):
            label, disguise = pair_label(x, y)
            rows.append([x[2], y[2], label, disguise, language, assignment])
    return rows


def render(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=ROOT)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when labels.csv differs")
    args = parser.parse_args()
    text = render(build_rows(args.root))
    target = args.root / "labels.csv"
    if args.check:
        current = target.read_text() if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run {pathlib.Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{target}: up to date")
        return 0
    target.write_text(text)
    print(f"wrote {target} ({text.count(chr(10)) - 1} pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
