#!/usr/bin/env python3
"""Accuracy of similarity tools against labelled pairs: ROC AUC, average
precision and best F1, overall, per language and per disguise kind, for
docs/benchmarks.md ("Similarity").

    scripts/similarity-eval.py LABELS.csv TOOL=SCORES.csv [TOOL=SCORES.csv ...]

LABELS.csv has a header with at least `a,b,label` (label 1: one file is a
copy of the other; 0: independent), and optionally `language` and
`disguise` (the kind of disguise of a copied pair; empty for independent
pairs). Paths are as the tools write them. Each SCORES.csv has `a,b,score`
(examhall similarity --csv, or scripts/copydetect-pairs.py); a labelled
pair a tool did not list scores 0, and pairs are matched in either order.

For a disguise kind, the positives are the copied pairs of that kind and
the negatives all independent pairs of the same languages.
"""
import csv
import sys
from collections import defaultdict


def read_scores(path):
    scores = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            scores[frozenset((row["a"], row["b"]))] = float(row["score"])
    return scores


def ranked(points):
    """(score, label) pairs sorted by score descending, grouped by equal score."""
    groups = defaultdict(lambda: [0, 0])
    for score, label in points:
        groups[score][label] += 1
    return [(score, groups[score][1], groups[score][0]) for score in sorted(groups, reverse=True)]


def metrics(points):
    positives = sum(label for _, label in points)
    negatives = len(points) - positives
    if positives == 0 or negatives == 0:
        return None
    tp = fp = 0
    ap = best_f1 = 0.0
    auc = 0.0
    for _, pos, neg in ranked(points):
        # Ties count half (ROC) and as one step (precision-recall).
        auc += pos * (negatives - fp - neg) + 0.5 * pos * neg
        tp += pos
        fp += neg
        precision = tp / (tp + fp)
        recall = tp / positives
        ap += precision * pos / positives
        if tp:
            best_f1 = max(best_f1, 2 * precision * recall / (precision + recall))
    return auc / (positives * negatives), ap, best_f1, positives, negatives


def main():
    labels_path, *tools = sys.argv[1:]
    if not tools:
        sys.exit(__doc__)
    with open(labels_path, newline="") as handle:
        labels = list(csv.DictReader(handle))
    tools = [tool.split("=", 1) for tool in tools]
    scores = {name: read_scores(path) for name, path in tools}

    groups = defaultdict(list)
    for row in labels:
        label = int(row["label"])
        language = row.get("language") or "all"
        groups[("overall", "")].append(row)
        groups[("language", language)].append(row)
        if label == 0:
            groups[("negatives", language)].append(row)
    for row in labels:
        if int(row["label"]) == 1 and row.get("disguise"):
            groups[("disguise", row["disguise"])].append(row)
    # A disguise kind is measured against every independent pair of its languages.
    for (kind, name), rows in list(groups.items()):
        if kind == "disguise":
            languages = {row.get("language") or "all" for row in rows}
            for language in sorted(languages):
                rows.extend(groups[("negatives", language)])

    print("| group | pairs (copied / independent) | tool | ROC AUC | average precision | best F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (kind, name), rows in sorted(groups.items()):
        if kind == "negatives":
            continue
        title = "overall" if kind == "overall" else f"{kind}: {name}"
        for tool, _ in tools:
            points = [(scores[tool].get(frozenset((row["a"], row["b"])), 0.0), int(row["label"])) for row in rows]
            result = metrics(points)
            if result is None:
                continue
            auc, ap, f1, pos, neg = result
            print(f"| {title} | {pos} / {neg} | {tool} | {auc:.3f} | {ap:.3f} | {f1:.3f} |")


if __name__ == "__main__":
    main()
