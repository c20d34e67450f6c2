#!/usr/bin/env python3
"""Check the hand-written corpus in tests/fixtures/similarity/.

- every Python file compiles (py_compile) and every Java file compiles on its
  own (javac -d <temp dir>), when javac is installed;
- every solution and disguised copy has 40-150 lines;
- labels.csv is what build_labels.py derives from the file names;
- the planted fragment is byte-identical at the line ranges EXPECTED.md gives.

    python3 scripts/similarity/check_fixtures.py
"""
import pathlib
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build_labels  # noqa: E402

ROOT = build_labels.ROOT


def check(root=ROOT, java=True):
    problems = []
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".java"))
    javac = shutil.which("javac") if java else None
    for path in files:
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".py":
            try:
                py_compile.compile(str(path), doraise=True, cfile=tempfile.mktemp(suffix=".pyc"))
            except py_compile.PyCompileError as err:
                problems.append(f"{rel}: does not compile: {err.msg}")
        elif javac:
            with tempfile.TemporaryDirectory() as out:
                run = subprocess.run([javac, "-d", out, str(path)], capture_output=True, text=True)
                if run.returncode != 0:
                    problems.append(f"{rel}: javac failed: {run.stderr.strip()[:300]}")
        if path.stem.lower() != "starter" and not rel.startswith("planted/"):
            n = len(path.read_text().splitlines())
            if not 40 <= n <= 150:
                problems.append(f"{rel}: {n} lines, expected 40-150")
    labels = root / "labels.csv"
    if labels.read_text() != build_labels.render(build_labels.build_rows(root)):
        problems.append("labels.csv is stale: run scripts/similarity/build_labels.py")
    expected = (root / "planted" / "EXPECTED.md").read_text()
    ranges = re.findall(r"\| `([^`]+)` \| (\d+)–(\d+) \|", expected)
    if len(ranges) != 2:
        problems.append("planted/EXPECTED.md: expected two `file` | start–end rows")
    else:
        fragments = []
        for name, start, end in ranges:
            lines = (root / "planted" / name).read_text().splitlines(keepends=True)
            fragments.append("".join(lines[int(start) - 1:int(end)]))
        if fragments[0] != fragments[1] or not fragments[0].strip():
            problems.append("planted: the two line ranges of EXPECTED.md are not identical")
    return files, problems


def main():
    files, problems = check()
    for p in problems:
        print(p)
    print(f"{len(files)} source files checked, {len(problems)} problems"
          + ("" if shutil.which("javac") else " (javac not found: Java not compiled)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
