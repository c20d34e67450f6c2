#!/usr/bin/env python3
"""Runs copydetect (https://pypi.org/project/copydetect/, installed in a
throwaway venv, never a dependency of examhall) over every file with
extension EXT under DIR and writes one CSV row per pair, in the same shape
as `examhall similarity --csv`: a,b,score (paths relative to DIR), plus
copydetect's two per-file shares. `score` is the larger share, the figure
copydetect's own report ranks by. For docs/benchmarks.md, "Similarity".

    python3 -m venv /tmp/copydetect && /tmp/copydetect/bin/pip install copydetect==0.5.0
    /tmp/copydetect/bin/python scripts/copydetect-pairs.py DIR EXT OUT.csv [STARTER]

STARTER, if given, is the assignment's starter file, passed to copydetect as
its boilerplate (the counterpart of `examhall similarity --base`).
"""
import csv
import os
import shutil
import sys
import tempfile

from copydetect import CopyDetector


def main():
    directory, extension, out = sys.argv[1:4]
    options = {}
    if len(sys.argv) > 4:
        boilerplate = tempfile.mkdtemp()
        shutil.copy(sys.argv[4], boilerplate)
        options["boilerplate_dirs"] = [boilerplate]
    detector = CopyDetector(test_dirs=[directory], extensions=[extension], display_t=0.0,
                            silent=True, autoopen=False, **options)
    detector.run()
    files = detector.test_files
    matrix = detector.similarity_matrix
    rows = []
    for i in range(len(files)):
        for j in range(i + 1, len(files)):
            first, second = matrix[i, j]
            if first < 0:
                continue
            a, b = sorted((os.path.relpath(files[i], directory), os.path.relpath(files[j], directory)))
            rows.append((a, b, max(first, second), first, second))
    rows.sort(key=lambda row: (-row[2], row[0], row[1]))
    with open(out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "score", "share_first", "share_second"])
        for a, b, score, first, second in rows:
            writer.writerow([a, b, f"{score:.4f}", f"{first:.4f}", f"{second:.4f}"])


if __name__ == "__main__":
    main()
