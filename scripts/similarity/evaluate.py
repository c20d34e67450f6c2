#!/usr/bin/env python3
"""Score similarity results against a labelled corpus.

    python3 scripts/similarity/evaluate.py --labels tests/fixtures/similarity/labels.csv \\
        engine.csv baseline=other.csv

A result CSV has rows `a,b,score[,...]` (a header row is allowed), with paths
relative to the corpus directory; (a,b) and (b,a) are the same pair; a pair
missing from a result scores 0, so scores are expected to be >= 0 with higher
meaning more similar. For each result it prints ROC AUC, average precision
and the best F1 (with the score threshold that reaches it), overall, per
language and per disguise kind (that kind's copy pairs against all
independent pairs), as a Markdown table, or as JSON with --json.

Which pairs count:
  --unlisted ignore        (default) only the pairs listed in labels.csv
  --unlisted independent   every pair of files of the same language found under
                           --corpus (starter files and --exclude globs left out)
                           that labels.csv does not list is independent; this is
                           the rule of the generated corpus, and for the
                           hand-written one it adds the cross-assignment pairs.
"""
import argparse
import csv
import fnmatch
import json
import pathlib
import sys

EXTENSIONS = {".py": "python", ".java": "java"}
KIND_ORDER = ["rename", "reformat", "comments", "reorder", "deadcode", "loops",
              "split_merge", "combined"]


def norm(path):
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def language_of(path):
    return EXTENSIONS.get(pathlib.PurePosixPath(path).suffix)


class Universe:
    """The files, the labelled pairs, and which pairs are evaluated."""

    def __init__(self, labels_path, corpus=None, unlisted="ignore", exclude=()):
        self.ids = {}
        self.paths = []
        self.lang = []
        self.labels = {}  # key -> (is_copy, disguise, language)
        self.unlisted = unlisted
        with open(labels_path, newline="") as f:
            reader = csv.DictReader(row for row in f if not row.startswith("#"))
            for row in reader:
                a, b = norm(row["a"]), norm(row["b"])
                if a == b:
                    continue
                lang = (row.get("language") or language_of(a) or "unknown").strip()
                key = self.key(self.add(a, lang), self.add(b, lang))
                is_copy = row["label"].strip() == "copy"
                disguise = (row.get("disguise") or "").strip() or ("unknown" if is_copy else "none")
                self.labels[key] = (is_copy, disguise if is_copy else "none", lang)
        if unlisted == "independent":
            if corpus is None:
                raise SystemExit("--unlisted independent needs --corpus DIR")
            root = pathlib.Path(corpus)
            for path in sorted(root.rglob("*")):
                if not path.is_file() or path.suffix not in EXTENSIONS:
                    continue
                rel = path.relative_to(root).as_posix()
                if path.stem.lower() == "starter" or any(fnmatch.fnmatch(rel, g) for g in exclude):
                    continue
                self.add(rel, EXTENSIONS[path.suffix])
        self.by_lang = {}
        for i, lang in enumerate(self.lang):
            self.by_lang[lang] = self.by_lang.get(lang, 0) + 1

    def add(self, path, lang):
        if path not in self.ids:
            self.ids[path] = len(self.paths)
            self.paths.append(path)
            self.lang.append(lang)
        return self.ids[path]

    def key(self, i, j):
        if i > j:
            i, j = j, i
        return i * 1_000_003 + j

    def lookup(self, a, b):
        """The pair key, or None when the pair is not evaluated."""
        i, j = self.ids.get(norm(a)), self.ids.get(norm(b))
        if i is None or j is None or i == j:
            return None
        key = self.key(i, j)
        if self.unlisted == "ignore":
            return key if key in self.labels else None
        return key if self.lang[i] == self.lang[j] else None

    def key_language(self, key):
        return self.lang[key // 1_000_003]

    def total_pairs(self, lang=None):
        if self.unlisted == "ignore":
            return sum(1 for v in self.labels.values() if lang is None or v[2] == lang)
        if lang is not None:
            n = self.by_lang.get(lang, 0)
            return n * (n - 1) // 2
        return sum(n * (n - 1) // 2 for n in self.by_lang.values())

    def positives(self):
        return {k: v for k, v in self.labels.items() if v[0]}


def read_results(path, universe):
    scores, ignored = {}, 0
    with open(path, newline="") as f:
        for n, row in enumerate(csv.reader(f)):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 3:
                ignored += 1
                continue
            try:
                score = float(row[2])
            except ValueError:
                if n == 0:
                    continue  # header
                ignored += 1
                continue
            key = universe.lookup(row[0], row[1])
            if key is None:
                ignored += 1
                continue
            if key not in scores or score > scores[key]:
                scores[key] = score
    return scores, ignored


def metrics(pos_scores, neg_scores, implicit_zero_negatives):
    P, N = len(pos_scores), len(neg_scores) + implicit_zero_negatives
    out = {"positives": P, "negatives": N, "roc_auc": None, "average_precision": None,
           "best_f1": None, "best_f1_threshold": None}
    if P == 0 or N == 0:
        return out
    groups = {}
    for s in pos_scores:
        groups.setdefault(s, [0, 0])[0] += 1
    for s in neg_scores:
        groups.setdefault(s, [0, 0])[1] += 1
    if implicit_zero_negatives:
        groups.setdefault(0.0, [0, 0])[1] += implicit_zero_negatives
    ordered = sorted(groups.items())
    # ROC AUC = P(score of a copy pair > score of an independent pair), ties half
    neg_lower, auc = 0, 0.0
    for _score, (p, n) in ordered:
        auc += p * (neg_lower + 0.5 * n)
        neg_lower += n
    out["roc_auc"] = auc / (P * N)
    # average precision and best F1 over the thresholds "score >= s"
    tp = fp = 0
    ap, prev_recall = 0.0, 0.0
    best, best_at = -1.0, None
    for score, (p, n) in reversed(ordered):
        tp += p
        fp += n
        if p:
            recall = tp / P
            ap += (recall - prev_recall) * (tp / (tp + fp))
            prev_recall = recall
        f1 = 2 * tp / (2 * tp + fp + (P - tp))
        if f1 > best:
            best, best_at = f1, score
    out["average_precision"] = ap
    out["best_f1"] = best
    out["best_f1_threshold"] = best_at
    return out


def evaluate(universe, scores):
    positives = universe.positives()
    langs = sorted(universe.by_lang)
    slices = []

    by_lang = {}
    for key, s in scores.items():
        if key not in positives:
            by_lang.setdefault(universe.key_language(key), []).append(s)

    def neg_scores(lang=None):
        """Scores of the independent pairs that the result lists; the other
        independent pairs score 0."""
        if lang is not None:
            return by_lang.get(lang, [])
        return [s for vals in by_lang.values() for s in vals]

    def slice_metrics(name, pos_keys, lang=None):
        pos = [scores.get(k, 0.0) for k in pos_keys]
        neg = neg_scores(lang)
        total_neg = universe.total_pairs(lang) - sum(
            1 for k, v in positives.items() if lang is None or v[2] == lang)
        implicit = total_neg - len(neg)
        m = metrics(pos, neg, implicit)
        m["slice"] = name
        slices.append(m)

    slice_metrics("overall", list(positives))
    for lang in langs:
        slice_metrics(f"language:{lang}", [k for k, v in positives.items() if v[2] == lang], lang)
    kinds = sorted({v[1] for v in positives.values()},
                   key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))
    for kind in kinds:
        slice_metrics(f"disguise:{kind}", [k for k, v in positives.items() if v[1] == kind])
    return slices


def fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


def markdown(report):
    lines = [f"Pairs evaluated: {report['universe']['description']}.", "",
             "| tool | slice | copy pairs | independent pairs | ROC AUC | AP | best F1 | at score >= |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tool in report["tools"]:
        for s in tool["slices"]:
            thr = s["best_f1_threshold"]
            lines.append(f"| {tool['name']} | {s['slice']} | {s['positives']} | {s['negatives']} | "
                         f"{fmt(s['roc_auc'])} | {fmt(s['average_precision'])} | {fmt(s['best_f1'])} | "
                         f"{'n/a' if thr is None else f'{thr:g}'} |")
    notes = [f"- {t['name']}: {t['ignored_rows']} result rows ignored (unknown files, "
             "other-language pairs or pairs outside the evaluated set)"
             for t in report["tools"] if t["ignored_rows"]]
    if notes:
        lines += [""] + notes
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Evaluate similarity scores against labels.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__)
    parser.add_argument("results", nargs="+", help="result CSV, or NAME=CSV to name the tool")
    parser.add_argument("--labels", required=True)
    parser.add_argument("--corpus", help="corpus directory (needed for --unlisted independent)")
    parser.add_argument("--unlisted", choices=["ignore", "independent"], default="ignore")
    parser.add_argument("--exclude", action="append", default=None,
                        help="glob of corpus paths to leave out (default: planted/*)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    exclude = args.exclude if args.exclude is not None else ["planted/*"]
    universe = Universe(args.labels, args.corpus, args.unlisted, exclude)
    if args.unlisted == "ignore":
        description = f"the {len(universe.labels)} pairs listed in {args.labels}"
    else:
        description = (f"all {universe.total_pairs()} same-language pairs of {len(universe.paths)} files "
                       f"under {args.corpus}; pairs not in {args.labels} are independent")
    report = {"universe": {"mode": args.unlisted, "files": len(universe.paths),
                           "pairs": universe.total_pairs(), "description": description},
              "tools": []}
    for spec in args.results:
        name, _, path = spec.rpartition("=")
        if not name:
            name = pathlib.Path(path).stem
        scores, ignored = read_results(path, universe)
        report["tools"].append({"name": name, "file": path, "scored_pairs": len(scores),
                                "ignored_rows": ignored, "slices": evaluate(universe, scores)})
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
