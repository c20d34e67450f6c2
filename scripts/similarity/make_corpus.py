#!/usr/bin/env python3
"""Generate a large labelled corpus of Python exam submissions.

    python3 scripts/similarity/make_corpus.py --out /tmp/simcorpus --files 1000 --seed 1

writes, under --out (which must not be inside a git work tree unless
--allow-repo is given):

    <assignment>/starter.py      the template of each assignment
    <assignment>/sNNNN.py        the submissions (independent and copies mixed,
                                 numbered in random order)
    labels.csv                   a,b,label,disguise,language,assignment for
                                 every copy pair; EVERY PAIR NOT LISTED IS
                                 INDEPENDENT
    copies.csv                   copy,source,disguise,steps (how each copy was made)
    README.md                    the above, with the parameters used

Independent submissions are assembled from independently written variants of
each required function, helper functions, extras and main blocks, with
per-file identifier names, inline alternatives, optional comments, order
and layout, so two independent files share what two students would
(the starter's data, idioms, sometimes the same approach to one function)
and not more. A fraction --copy-rate of the files are disguised copies of
another submission, made by real transformations of its source with ast and
tokenize (see transforms.py). Standard library only; the same --seed gives
byte-identical output.
"""
import argparse
import csv
import itertools
import os
import pathlib
import random
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pytemplates  # noqa: E402
import transforms  # noqa: E402

KINDS = ["rename", "reformat", "comments", "reorder", "deadcode", "loops", "split_merge", "combined"]
HEADER = ["a", "b", "label", "disguise", "language", "assignment"]


# ----------------------------------------------------------------- templating
def _alternatives(text, rng, memo=None):
    """Resolve nested {{a|b}}. Identical groups in one template get the same
    choice, so a name chosen in one place is the name used everywhere."""
    memo = {} if memo is None else memo
    out = []
    i = 0
    while i < len(text):
        if text.startswith("{{", i):
            depth, j = 1, i + 2
            parts, start = [], i + 2
            while j < len(text) and depth:
                if text.startswith("{{", j):
                    depth += 1
                    j += 2
                    continue
                if text.startswith("}}", j):
                    depth -= 1
                    if depth == 0:
                        parts.append(text[start:j])
                        break
                    j += 2
                    continue
                if text[j] == "|" and depth == 1:
                    parts.append(text[start:j])
                    start = j + 1
                j += 1
            group = text[i:j + 2]
            if group not in memo:
                memo[group] = _alternatives(rng.choice(parts), rng, memo)
            out.append(memo[group])
            i = j + 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def expand(template, rng, names, keep_optional):
    text = _alternatives(template, rng)
    lines = []
    for line in text.split("\n"):
        if line.startswith("#family:"):
            continue
        if line.startswith("~"):
            if rng.random() >= keep_optional:
                continue
            line = line[1:]
        lines.append(line)
    text = "\n".join(lines)
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: names[m.group(1) or m.group(2)], text)


def families_of(template):
    first = template.split("\n", 1)[0]
    if first.startswith("#family:"):
        return set(first[len("#family:"):].split())
    return None


def pick(variants, rng, family):
    ok = [v for v in variants if family is None or families_of(v) in (None,) or family in families_of(v)]
    return rng.choice(ok)


def starter_docstring(assignment, number):
    return (f'"""CS101 exam, question {number}: {assignment["title"]}.\n\n'
            "Complete the functions below; keep their names and parameters.\n"
            'You may add helper functions. Only the standard library may be used.\n"""\n')


def make_starter(assignment, number):
    return starter_docstring(assignment, number) + "\n" + assignment["data"] + "\n" + assignment["starter_body"]


# ------------------------------------------------------------------ students
def choose_names(assignment, rng):
    names, used = {}, set()
    for role, pool in assignment["roles"].items():
        options = [p for p in pool if p not in used]
        rng.shuffle(options)
        choice = options[0] if options else transforms.fresh(pool[0], used)
        names[role] = choice
        used.add(choice)
    return names


def assemble(assignment, number, rng):
    """One independent submission."""
    names = choose_names(assignment, rng)
    keep_optional = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9])
    family = rng.choice(assignment.get("families", [None]))
    api_slots = list(assignment["slots"])
    is_class = "__init__" in api_slots

    def render(template):
        return expand(template, rng, names, keep_optional).rstrip() + "\n"

    bodies = {slot: render(pick(variants, rng, family)) for slot, variants in assignment["slots"].items()}
    extras_pool = list(assignment["extras"])
    rng.shuffle(extras_pool)
    target = rng.randint(125, 185)
    main = render(rng.choice(assignment["mains"]))

    def helper_blocks(text):
        blocks = {}
        for role, variants in assignment.get("helpers", {}).items():
            if re.search(r"\b%s\b" % re.escape(names[role]), text):
                blocks[role] = render(rng.choice(variants))
        return blocks

    def build(extras):
        code_so_far = "\n".join(list(bodies.values()) + extras + [main])
        helpers = helper_blocks(code_so_far)
        functions = [bodies[s] for s in api_slots if not (is_class and s != "apply_orders" and s in
                                                           assignment["slots"] and bodies[s].startswith("    "))]
        methods = [bodies[s] for s in api_slots if bodies[s].startswith("    ")]
        blocks = []
        if is_class:
            init, rest = methods[0], methods[1:]
            if rng.random() < 0.3:
                rng.shuffle(rest)
            doc = '    """Quantities and unit prices of the items of a small shop."""\n\n' \
                if rng.random() < keep_optional else ""
            blocks.append("class Inventory:\n" + doc + "\n".join([init] + rest))
        if rng.random() < 0.5:
            rng.shuffle(functions)
        blocks.extend(functions)
        helper_list = list(helpers.values())
        for h in helper_list:
            blocks.insert(rng.randint(0, len(blocks)) if rng.random() < 0.4 else 0, h)
        for e in extras:
            blocks.insert(rng.randint(0, len(blocks)), e)
        body = "\n\n".join(b.rstrip() + "\n" for b in blocks)
        return body, helpers

    extras = []
    body, helpers = build(extras)
    for extra in extras_pool:
        size = body.count("\n") + main.count("\n") + 15
        if size >= target:
            break
        extras.append(render(extra))
        body, helpers = build(extras)

    # constants that the code refers to
    code = body + main
    constants = []
    for role, template in assignment.get("constants", {}).items():
        if re.search(r"\b%s\b" % re.escape(names[role]), code):
            constants.append(expand(template, rng, names, 1.0))
    code_all = "\n".join(constants) + code
    imports = sorted({line for pattern, line in pytemplates.IMPORT_RULES if re.search(pattern, code_all)})
    head = rng.random()
    if head < 0.4:
        top = starter_docstring(assignment, number)
    elif head < 0.65:
        top = rng.choice([f"# {assignment['title']} - exam question {number}\n",
                          f'"""Exam: {assignment["title"]}."""\n',
                          f"# Q{number}: {assignment['title']}\n# student submission\n"])
    else:
        top = ""
    parts = []
    if top:
        parts.append(top)
    if imports:
        parts.append("\n".join(imports) + "\n")
    data_and_consts = [assignment["data"] + "\n"]
    if constants:
        data_and_consts.append("\n".join(constants) + "\n")
    if rng.random() < 0.3:
        data_and_consts.reverse()
    parts.append("\n".join(data_and_consts))
    src = "\n".join(parts) + "\n\n" + body + "\n\n" + main
    src = re.sub(r"\n{4,}", "\n\n\n", src)
    # personal layout habits
    if rng.random() < 0.25:
        src = transforms._respace(src, {"spacing": rng.choice(["tight", "keep"]), "quotes": "single",
                                        "explode": False}, rng)
    if rng.random() < 0.08:
        src = transforms._reindent(src, 2)
    src = transforms.natural_variation(src, rng)
    compile(src, f"<{assignment['name']}>", "exec")
    return src


# -------------------------------------------------------------------- copies
def disguise(src, kind, rng, protected):
    """Apply one disguise kind (or several for 'combined'); return (source, steps)."""
    if kind == "combined":
        others = [k for k in KINDS if k not in ("combined", "rename")]
        steps = rng.sample(others, rng.randint(1, 3))
        if rng.random() < 0.75:
            steps.insert(rng.randint(0, len(steps)), "rename")
        if len(steps) < 2:
            steps.append(rng.choice([k for k in others if k not in steps]))
    else:
        steps = [kind]
    done = []
    out = src
    for step in steps:
        try:
            new = transforms.KINDS[step](out, rng, protected)
        except (SyntaxError, ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError):
            continue
        if new != out and transforms.compiles(new):
            out = new
            done.append(step)
    if kind == "combined" and len(done) < 2:
        return None, done
    if kind != "combined" and not done:
        return None, done
    return out, done


def generate(out_dir, n_files, seed, copy_rate):
    rng = random.Random(seed)
    assignments = pytemplates.ASSIGNMENTS
    n_copies = int(round(n_files * copy_rate))
    n_orig = n_files - n_copies
    originals = []  # (assignment index, source)
    for k in range(n_orig):
        a = k % len(assignments)
        originals.append((a, assemble(assignments[a], a + 1, rng)))
    kinds = [KINDS[k % len(KINDS)] for k in range(n_copies)]
    rng.shuffle(kinds)
    copies = []  # (assignment index, source, original index, kind, steps)
    for kind in kinds:
        for _attempt in range(25):
            o = rng.randrange(n_orig)
            a, src = originals[o]
            protected = set(assignments[a]["api"]) | {assignments[a]["data_name"], "main"}
            new, steps = disguise(src, kind, rng, protected)
            if new is not None and new != src:
                copies.append((a, new, o, kind, steps))
                break
        else:
            raise RuntimeError(f"could not make a '{kind}' copy")
    # number the files of each assignment in a random order
    entries = [("orig", i, a, src) for i, (a, src) in enumerate(originals)]
    entries += [("copy", i, c[0], c[1]) for i, c in enumerate(copies)]
    rng.shuffle(entries)
    path_of = {}
    counters = {}
    for role, i, a, src in entries:
        counters[a] = counters.get(a, 0) + 1
        name = assignments[a]["name"]
        path_of[(role, i)] = f"{name}/s{counters[a]:04d}.py"
    out_dir.mkdir(parents=True, exist_ok=True)
    for a, assignment in enumerate(assignments):
        d = out_dir / assignment["name"]
        d.mkdir(exist_ok=True)
        (d / "starter.py").write_text(make_starter(assignment, a + 1))
    for role, i, a, src in entries:
        (out_dir / path_of[(role, i)]).write_text(src)
    # labels: original-copy pairs and copy-copy pairs with the same original
    rows = []
    by_orig = {}
    for ci, (a, _src, o, kind, steps) in enumerate(copies):
        by_orig.setdefault(o, []).append(ci)
        pa, pb = sorted([path_of[("orig", o)], path_of[("copy", ci)]])
        rows.append([pa, pb, "copy", kind, "python", assignments[a]["name"]])
    for o, cis in by_orig.items():
        for x, y in itertools.combinations(cis, 2):
            kx, ky = copies[x][3], copies[y][3]
            kind = kx if kx == ky and kx != "combined" else "combined"
            pa, pb = sorted([path_of[("copy", x)], path_of[("copy", y)]])
            rows.append([pa, pb, "copy", kind, "python", assignments[copies[x][0]]["name"]])
    rows.sort()
    with open(out_dir / "labels.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    with open(out_dir / "copies.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["copy", "source", "disguise", "steps"])
        for ci, (a, _src, o, kind, steps) in sorted(enumerate(copies), key=lambda e: path_of[("copy", e[0])]):
            w.writerow([path_of[("copy", ci)], path_of[("orig", o)], kind, "+".join(steps)])
    counts = {}
    for r in rows:
        counts[r[3]] = counts.get(r[3], 0) + 1
    readme = f"""# Generated similarity corpus

Made by `scripts/similarity/make_corpus.py --files {n_files} --seed {seed} --copy-rate {copy_rate}`.

- {n_files} submissions in {len(assignments)} assignments ({', '.join(x['name'] for x in assignments)}),
  {n_orig} independent and {n_copies} disguised copies; `starter.py` in each assignment
  is the template every student was given (not a submission).
- `labels.csv` lists every **copy** pair ({len(rows)} pairs: a copy with its source, and
  two copies of the same source). **Every pair of submissions not listed is
  independent**, within and across assignments.
- `copies.csv` says how each copy was made (`steps`: the disguises that changed it).

Copy pairs per disguise: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}.

Evaluate with `python3 scripts/similarity/evaluate.py --labels labels.csv --corpus . --unlisted independent RESULT.csv`.
"""
    (out_dir / "README.md").write_text(readme)
    return len(entries), rows


def inside_git(path):
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
                             capture_output=True, text=True)
        return out.returncode == 0 and out.stdout.strip() == "true"
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description="Generate a labelled corpus of Python submissions.")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="output directory (created)")
    parser.add_argument("--files", type=int, default=1000, help="number of submissions (default 1000)")
    parser.add_argument("--copy-rate", type=float, default=0.1,
                        help="fraction of the submissions that are disguised copies (default 0.1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=["python"], default="python",
                        help="only python is generated (the Java corpus is the hand-written one)")
    parser.add_argument("--allow-repo", action="store_true",
                        help="allow --out inside a git work tree")
    parser.add_argument("--force", action="store_true", help="write into a non-empty directory")
    args = parser.parse_args()
    if not 0 <= args.copy_rate < 1:
        parser.error("--copy-rate must be in [0, 1)")
    if args.files < 8:
        parser.error("--files must be at least 8")
    out = args.out.resolve()
    probe = out
    while not probe.exists():
        probe = probe.parent
    if inside_git(probe) and not args.allow_repo:
        parser.error(f"{out} is inside a git work tree; pick a directory elsewhere or pass --allow-repo")
    if out.exists() and any(out.iterdir()) and not args.force:
        parser.error(f"{out} is not empty (use --force to write into it)")
    n, rows = generate(out, args.files, args.seed, args.copy_rate)
    print(f"wrote {n} submissions and {len(rows)} copy pairs to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
