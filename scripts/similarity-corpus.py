#!/usr/bin/env python3
"""Writes a synthetic class of Python submissions for the similarity speed
benchmark (docs/benchmarks.md, "Similarity"): N files of about 150 lines.

Each file is a random program (functions of assignments, loops, branches
and calls over random names and numbers) that starts with the same short
starter header, as an assignment's files do. One file in five is a
disguised copy of an earlier one: identifiers renamed, functions reordered,
comments and a dead function added. This is a load for timing and memory,
not a labelled accuracy corpus.

    scripts/similarity-corpus.py N OUT_DIR [--seed S]
"""

import argparse
import os
import random

STARTER = '''"""Assignment 3: data summaries. Fill in the functions below."""
import math
import sys


def read_numbers(path):
    with open(path) as handle:
        return [float(line) for line in handle if line.strip()]

'''

WORDS = ("total count value item index row col left right best worst size step acc data "
         "result low high mid key name score mark limit first last prev node width depth").split()
CALLS = ("len", "abs", "min", "max", "sum", "int", "round", "sorted")


class Program:
    def __init__(self, rng):
        self.rng = rng

    def name(self):
        return self.rng.choice(WORDS) + (str(self.rng.randint(0, 9)) if self.rng.random() < 0.3 else "")

    def atom(self, names):
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(names)
        if roll < 0.8:
            return str(self.rng.randint(0, 100))
        call = self.rng.choice(CALLS)
        if call in ("min", "max"):
            return f"{call}({self.rng.choice(names)}, {self.rng.randint(0, 9)})"
        return f"{call}({self.rng.choice(names)})"

    def expr(self, names, depth=0):
        if depth >= 2 or self.rng.random() < 0.4:
            return self.atom(names)
        op = self.rng.choice(["+", "-", "*", "//", "%"])
        return f"{self.expr(names, depth + 1)} {op} {self.expr(names, depth + 1)}"

    def cond(self, names):
        op = self.rng.choice(["<", ">", "<=", ">=", "==", "!="])
        return f"{self.expr(names, 1)} {op} {self.expr(names, 1)}"

    def block(self, names, indent, budget):
        lines = []
        while budget > 0:
            pad = "    " * indent
            roll = self.rng.random()
            if roll < 0.35 or indent >= 3:
                target = self.name()
                lines.append(f"{pad}{target} = {self.expr(names)}")
                names.append(target)
                budget -= 1
            elif roll < 0.5:
                lines.append(f"{pad}{self.rng.choice(names)} += {self.expr(names)}")
                budget -= 1
            elif roll < 0.65:
                lines.append(f"{pad}if {self.cond(names)}:")
                inner = self.block(list(names), indent + 1, self.rng.randint(1, 3))
                lines += inner
                budget -= 1 + len(inner)
                if self.rng.random() < 0.4:
                    lines.append(f"{pad}else:")
                    inner = self.block(list(names), indent + 1, self.rng.randint(1, 2))
                    lines += inner
                    budget -= 1 + len(inner)
            elif roll < 0.8:
                var = self.name()
                lines.append(f"{pad}for {var} in range({self.atom(names)}):")
                inner = self.block(names + [var], indent + 1, self.rng.randint(1, 4))
                lines += inner
                budget -= 1 + len(inner)
            elif roll < 0.87:
                lines.append(f"{pad}while {self.cond(names)}:")
                inner = self.block(list(names), indent + 1, self.rng.randint(1, 3))
                lines += inner + [f"{pad}    break"]
                budget -= 2 + len(inner)
            else:
                lines.append(f"{pad}print({self.expr(names)})")
                budget -= 1
        return lines

    def function(self):
        params = [self.name() for _ in range(self.rng.randint(1, 3))]
        body = self.block(list(params), 1, self.rng.randint(12, 20))
        body.append(f"    return {self.expr(params)}")
        return [f"def {self.name()}_{self.rng.randint(0, 999)}({', '.join(params)}):"] + body + [""]

    def file(self, lines=150):
        functions = []
        while sum(len(f) for f in functions) < lines - 12:
            functions.append(self.function())
        return functions


def disguise(functions, rng):
    """Renames identifiers, reorders functions, adds comments and a dead function."""
    mapping = {word: rng.choice(WORDS) + "_" + str(rng.randint(0, 99)) for word in WORDS}
    out = []
    for function in rng.sample(functions, len(functions)):
        renamed = []
        for line in function:
            for word, new in mapping.items():
                line = _replace_word(line, word, new)
            renamed.append(line)
            if rng.random() < 0.08 and line.strip():
                renamed.append(line[: len(line) - len(line.lstrip())] + "# checked")
        out.append(renamed)
    out.insert(rng.randrange(len(out) + 1), ["def unused_helper(a, b):", "    temp = a * b", "    return temp", ""])
    return out


def _replace_word(line, word, new):
    result, i = [], 0
    while i < len(line):
        if line.startswith(word, i) and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            end = i + len(word)
            if end == len(line) or not (line[end].isalnum() or line[end] == "_"):
                result.append(new)
                i = end
                continue
        result.append(line[i])
        i += 1
    return "".join(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    written = []
    for n in range(args.count):
        if written and rng.random() < 0.2:
            functions = disguise(rng.choice(written), rng)
        else:
            functions = Program(rng).file()
        written.append(functions)
        with open(os.path.join(args.out, f"student{n:05d}.py"), "w") as out:
            out.write(STARTER + "\n".join(line for function in functions for line in function) + "\n")


if __name__ == "__main__":
    main()
