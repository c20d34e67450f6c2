"""Source-to-source disguises for Python files, built on ast and tokenize.

Every function takes (source, rng, protected) and returns new source, or the
same source when it found nothing it can change safely. `protected` is the
set of names that must keep their spelling (the assignment's required API).
The caller compiles every result and drops a disguise that does not compile.

Kinds: rename, reformat, comments, reorder, deadcode, loops, split_merge.
"""
import ast
import builtins
import io
import keyword
import re
import symtable
import textwrap
import tokenize

BUILTIN_NAMES = set(dir(builtins))
BUILTIN_ATTRS = set()
for _t in (dict, list, str, set, tuple, int, float, bytes, object, type(None)):
    BUILTIN_ATTRS.update(dir(_t))
RESERVED = set(keyword.kwlist) | BUILTIN_NAMES | {"self", "cls", "__name__", "__main__"}


# --------------------------------------------------------------------- helpers
def lines_of(src):
    return src.splitlines(keepends=True)


def indent_of(line):
    return line[: len(line) - len(line.lstrip(" "))]


def tokens(src):
    return list(tokenize.generate_tokens(io.StringIO(src).readline))


def compiles(src):
    try:
        compile(src, "<disguise>", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def string_lines(src):
    """Line numbers (1-based) that lie inside a multi-line string, after its first line."""
    inside = set()
    for tok in tokens(src):
        if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            inside.update(range(tok.start[0] + 1, tok.end[0] + 1))
    return inside


def functions(tree):
    """All FunctionDef nodes, with the body list that holds them."""
    out = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            seq = getattr(node, field, None)
            if isinstance(seq, list):
                for child in seq:
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        out.append(child)
    return out


def stmt_starts_line(lines, stmt):
    line = lines[stmt.lineno - 1]
    return len(indent_of(line)) == stmt.col_offset


def block_bounds(lines, stmt):
    """(first, last) 0-based line indexes of a statement incl. decorators and the
    comment lines directly above it."""
    first = stmt.lineno - 1
    if getattr(stmt, "decorator_list", None):
        first = min(d.lineno for d in stmt.decorator_list) - 2 + 1
        first = min(first, stmt.lineno - 1)
    while first > 0 and lines[first - 1].strip().startswith("#"):
        first -= 1
    return first, stmt.end_lineno - 1


def names_in(node, ctx=None):
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and (ctx is None or isinstance(sub.ctx, ctx)):
            found.add(sub.id)
    return found


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda,
           ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def outer_stores(node):
    """Names a statement list binds in its own scope (not inside comprehensions)."""
    found = set()
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.Name) and isinstance(cur.ctx, ast.Store):
            found.add(cur.id)
        for child in ast.iter_child_nodes(cur):
            if isinstance(child, _SCOPES):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    found.add(child.name)
                continue
            stack.append(child)
    return found


def defined_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def fresh(base, taken):
    name = base
    k = 2
    while name in taken or name in RESERVED:
        name = f"{base}{k}"
        k += 1
    taken.add(name)
    return name


# ---------------------------------------------------------------------- rename
SYNONYMS = [
    ["result", "res", "out", "output", "answer", "ret"],
    ["counts", "freq", "tally", "table", "occurrences", "hist"],
    ["word", "w", "token", "term", "item_word"],
    ["words", "tokens", "word_list", "parts", "pieces"],
    ["total", "acc", "running", "sum_value", "agg"],
    ["text", "txt", "content", "document", "source"],
    ["line", "row", "raw_line", "entry_line", "ln"],
    ["grid", "matrix", "board", "cells", "mat"],
    ["seen", "visited", "done", "marked", "explored"],
    ["stack", "todo", "frontier", "pending", "agenda"],
    ["best", "biggest", "largest", "top", "champion"],
    ["size", "count", "area", "amount", "length"],
    ["records", "students", "rows", "entries", "people"],
    ["marks", "grades", "scores", "points", "results"],
    ["item", "product", "article", "thing", "goods_name"],
    ["qty", "units", "number_of", "how_many", "pieces_count"],
    ["price", "cost", "unit_cost", "rate", "tariff_value"],
]
_SYN_INDEX = {}
for _group in SYNONYMS:
    for _w in _group:
        _SYN_INDEX.setdefault(_w, _group)


def _camel(name):
    parts = [p for p in name.split("_") if p]
    if len(parts) < 2:
        return None
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _short(name):
    bits = [p for p in name.split("_") if p]
    if len(bits) >= 2:
        return "".join(b[0] for b in bits)
    if len(name) > 4:
        return name[:3]
    return None


def _new_name(name, style, rng, taken):
    is_const = name.isupper()
    candidates = []
    if style == "synonym":
        group = _SYN_INDEX.get(name.lower().strip("_"))
        if group:
            candidates = [g for g in group if g != name.lower()]
            rng.shuffle(candidates)
    elif style == "camel":
        c = _camel(name)
        if c:
            candidates = [c]
    elif style == "short":
        c = _short(name)
        if c:
            candidates = [c]
    elif style == "prefix":
        candidates = [rng.choice(["my_", "the_", "tmp_", "cur_", "new_"]) + name.lstrip("_")]
    if not candidates:
        stem = name.strip("_") or "v"
        candidates = [rng.choice([stem + "_", stem + "1", "x_" + stem, stem[:1] + stem[1:] + "_val"])]
    for cand in candidates:
        if is_const:
            cand = cand.upper()
        if cand not in taken and cand not in RESERVED and cand.isidentifier():
            taken.add(cand)
            return cand
    return fresh((candidates[0].upper() if is_const else candidates[0]), taken)


def _rename_plan(tree, protected):
    local_funcs = {n.name for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imported.add((alias.asname or alias.name).split(".")[0])
    keep = set(protected) | RESERVED | imported
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func.id if isinstance(node.func, ast.Name) else None
            if callee not in local_funcs:
                keep.update(k.arg for k in node.keywords if k.arg)
    names, attrs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id == "self"):
            attrs.add(node.attr)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    attrs.add(item.name)
                    names.discard(item.name)
    names = {n for n in names if n not in keep and not n.startswith("__")}
    attrs = {a for a in attrs if a not in keep and a not in BUILTIN_ATTRS and not a.startswith("__")}
    return names, attrs


def _rename_fstring(text, name_map, attr_map):
    out = []
    i = 0
    # the prefix and the quotes are left alone; only {...} fields change
    while i < len(text):
        ch = text[i]
        if ch == "{" and text[i:i + 2] == "{{":
            out.append("{{")
            i += 2
            continue
        if ch != "{":
            out.append(ch)
            i += 1
            continue
        depth, j = 0, i
        while j < len(text):
            if text[j] in "{[(":
                depth += 1
            elif text[j] in "}])":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        field = text[i + 1:j]
        # split off the format spec / conversion at depth 0
        d, cut = 0, len(field)
        for k, c in enumerate(field):
            if c in "([{":
                d += 1
            elif c in ")]}":
                d -= 1
            elif d == 0 and c == "!" and field[k + 1:k + 2] != "=":
                cut = k
                break
            elif d == 0 and c == ":":
                cut = k
                break
        expr, rest = field[:cut], field[cut:]
        expr = _rename_expr_text(expr, name_map, attr_map)
        rest = re.sub(r"\{([^{}]*)\}", lambda m: "{" + _rename_expr_text(m.group(1), name_map, attr_map) + "}", rest)
        out.append("{" + expr + rest + "}")
        i = j + 1
    return "".join(out)


def _rename_expr_text(expr, name_map, attr_map):
    def sub(m):
        word, start = m.group(0), m.start()
        before = expr[:start].rstrip()
        if before.endswith("."):
            return attr_map.get(word, word)
        return name_map.get(word, word)
    return re.sub(r"[A-Za-z_][A-Za-z_0-9]*", sub, expr)


def rename(src, rng, protected=()):
    tree = ast.parse(src)
    names, attrs = _rename_plan(tree, protected)
    if not names and not attrs:
        return src
    style = rng.choice(["synonym", "synonym", "camel", "short", "prefix"])
    taken = defined_names(tree) | RESERVED
    name_map, attr_map = {}, {}
    pool = sorted(names)
    rng.shuffle(pool)
    # a student renames most, not necessarily all, identifiers
    share = rng.uniform(0.6, 1.0)
    for name in pool[: max(1, int(len(pool) * share))]:
        name_map[name] = _new_name(name, style if rng.random() < 0.8 else "synonym", rng, taken)
    for attr in sorted(attrs):
        if rng.random() < share:
            attr_map[attr] = _new_name(attr, style, rng, taken)
    out = []
    prev = None
    for tok in tokens(src):
        text = tok.string
        if tok.type == tokenize.NAME:
            if prev is not None and prev.type == tokenize.OP and prev.string == ".":
                text = attr_map.get(text, text)
            else:
                text = name_map.get(text, text)
        elif tok.type == tokenize.STRING and re.match(r"(?i)^[rb]*f", text):
            text = _rename_fstring(text, name_map, attr_map)
        out.append((tok, text))
        if tok.type not in (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            prev = tok
    return _rebuild(src, out)


def _rebuild(src, pairs):
    """Rebuild source from (token, new_text) pairs, keeping the original layout."""
    lines = lines_of(src)
    result = []
    row, col = 1, 0
    for tok, text in pairs:
        (srow, scol), (erow, ecol) = tok.start, tok.end
        if tok.type == tokenize.ENDMARKER or srow > len(lines):
            break
        while row < srow:
            result.append(lines[row - 1][col:])
            row, col = row + 1, 0
        result.append(lines[srow - 1][col:scol])
        result.append(text)
        row, col = erow, ecol
    while row <= len(lines):
        result.append(lines[row - 1][col:])
        row, col = row + 1, 0
    return "".join(result)


# -------------------------------------------------------------------- reformat
_TIGHT_OPS = {"=", "+", "-", "*", "/", "//", "%", "<", ">", "<=", ">=", "==", "!=",
              "+=", "-=", "*=", "/=", ":", ","}
_OPEN, _CLOSE = "([{", ")]}"


def reformat(src, rng, protected=()):
    style = {
        "spacing": rng.choice(["tight", "loose", "keep"]),
        "quotes": rng.choice(["single", "double", "keep"]),
        "indent": rng.choice([2, 4, 4, 8]),
        "blank": rng.choice(["compact", "airy", "keep"]),
        "explode": rng.random() < 0.5,
    }
    if style == {"spacing": "keep", "quotes": "keep", "indent": 4, "blank": "keep", "explode": False}:
        style["spacing"] = "loose"
    out = _respace(src, style, rng)
    out = _reindent(out, style["indent"])
    out = _blank_lines(out, style["blank"])
    return out


def _swap_quotes(text, want):
    m = re.match(r"(?i)^([rbuf]*)(['\"])(.*)\2$", text, re.S)
    if not m or text.endswith(("'''", '"""')) or "\n" in text:
        return text
    prefix, quote, body = m.groups()
    new = "'" if want == "single" else '"'
    if quote == new or new in body or "\\" in body:
        return text
    if "f" in prefix.lower() and ("'" in body or '"' in body):
        return text
    return prefix + new + body + new


def _respace(src, style, rng):
    toks = tokens(src)
    out = []
    depth = 0
    prev = None
    explode_depth = None
    explode_indent = ""
    lines = lines_of(src)
    for idx, tok in enumerate(toks):
        if tok.type == tokenize.ENDMARKER:
            break
        text = tok.string
        if tok.type == tokenize.STRING and style["quotes"] != "keep":
            text = _swap_quotes(text, style["quotes"])
        gap = None
        if prev is not None and prev.end[0] == tok.start[0] and tok.type not in (
                tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT) and prev.type not in (
                tokenize.INDENT, tokenize.DEDENT, tokenize.NL, tokenize.NEWLINE):
            gap = _gap(prev, tok, depth, style)
            if (explode_depth is not None and prev.type == tokenize.OP and prev.string == ","
                    and depth == explode_depth):
                gap = "\n" + explode_indent
        if tok.type == tokenize.OP and tok.string in _OPEN:
            depth += 1
            if (style["explode"] and explode_depth is None and tok.string == "("
                    and prev is not None and prev.type == tokenize.NAME and rng.random() < 0.25):
                # only calls that span one line and have at least two arguments
                end = _matching(toks, idx)
                if end is not None and toks[end].start[0] == tok.start[0]:
                    commas = [t for t in toks[idx:end] if t.type == tokenize.OP and t.string == ","]
                    if len(commas) >= 2:
                        explode_depth = depth
                        base = indent_of(lines[tok.start[0] - 1])
                        explode_indent = base + " " * 8
        elif tok.type == tokenize.OP and tok.string in _CLOSE:
            if explode_depth is not None and depth == explode_depth:
                explode_depth = None
            depth -= 1
        out.append((tok, text, gap))
        prev = tok
    # rebuild: replace whitespace between same-line tokens by the chosen gap
    result = []
    row, col = 1, 0
    for tok, text, gap in out:
        (srow, scol), (erow, ecol) = tok.start, tok.end
        if srow > len(lines):
            break
        while row < srow:
            result.append(lines[row - 1][col:])
            row, col = row + 1, 0
        between = lines[srow - 1][col:scol]
        if gap is not None and between.strip() == "":
            between = gap
        result.append(between)
        result.append(text)
        row, col = erow, ecol
    while row <= len(lines):
        result.append(lines[row - 1][col:])
        row, col = row + 1, 0
    return "".join(result)


def _matching(toks, idx):
    depth = 0
    for k in range(idx, len(toks)):
        t = toks[k]
        if t.type == tokenize.OP and t.string in _OPEN:
            depth += 1
        elif t.type == tokenize.OP and t.string in _CLOSE:
            depth -= 1
            if depth == 0:
                return k
    return None


def _wordlike(tok):
    return tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)


def _gap(prev, tok, depth, style):
    original = " " if prev.end[1] < tok.start[1] else ""
    if _wordlike(prev) and _wordlike(tok):
        return " "
    if style["spacing"] == "keep":
        return None
    p, t = prev.string, tok.string
    if style["spacing"] == "tight":
        if prev.type == tokenize.OP and p in _TIGHT_OPS and p != ",":
            # keep "x = -1" style unary minus readable and keywords separated
            return ""
        if tok.type == tokenize.OP and t in _TIGHT_OPS and t not in (",",):
            return ""
        if p == ",":
            return " "
        return None
    # loose: spaces inside brackets and around '=' everywhere
    if prev.type == tokenize.OP and p in _OPEN and not (tok.type == tokenize.OP and t in _CLOSE):
        return " "
    if tok.type == tokenize.OP and t in _CLOSE and not (prev.type == tokenize.OP and p in _OPEN):
        return " "
    if tok.type == tokenize.OP and t == "=" or prev.type == tokenize.OP and p == "=":
        return " "
    return original if original else None


def _reindent(src, width):
    if width == 4:
        return src
    skip = string_lines(src)
    out = []
    for no, line in enumerate(lines_of(src), start=1):
        if no in skip or not line.strip():
            out.append(line)
            continue
        lead = len(indent_of(line))
        out.append(" " * (lead // 4 * width + lead % 4) + line.lstrip(" "))
    return "".join(out)


def _blank_lines(src, mode):
    if mode == "keep":
        return src
    skip = string_lines(src)
    out = []
    blank_run = 0
    for no, line in enumerate(lines_of(src), start=1):
        if no not in skip and not line.strip():
            blank_run += 1
            if mode == "compact" and blank_run > 1:
                continue
            out.append(line)
            continue
        if mode == "airy" and no not in skip and line.lstrip().startswith(("def ", "class ")) \
                and blank_run == 1 and indent_of(line):
            out.append("\n")
        blank_run = 0
        out.append(line)
    return "".join(out)


# -------------------------------------------------------------------- comments
_COMMENT_FOR = ["# go through every {t}", "# loop over {i}", "# for each {t}",
                "# check all the {t} values", "# iterate"]
_COMMENT_IF = ["# check the condition", "# special case", "# is {n} valid?",
               "# only when needed", "# handle this case"]
_COMMENT_RET = ["# return the result", "# done", "# give back {n}", "# result"]
_COMMENT_ASSIGN = ["# store {n}", "# compute {n}", "# set up {n}", "# initialise {n}",
                   "# update {n}"]
_COMMENT_WHILE = ["# keep going until finished", "# repeat", "# main loop"]


def comments(src, rng, protected=()):
    mode = rng.choice(["strip", "add", "both", "add"])
    out = src
    if mode in ("strip", "both"):
        out = _strip_comments(out)
        if rng.random() < 0.6:
            out = _strip_docstrings(out)
    if mode in ("add", "both"):
        out = _add_comments(out, rng)
    return out


def _strip_comments(src):
    pairs = []
    drop_lines = set()
    for tok in tokens(src):
        if tok.type == tokenize.COMMENT:
            if tok.line.strip().startswith("#"):
                drop_lines.add(tok.start[0])
            pairs.append((tok, ""))
        else:
            pairs.append((tok, tok.string))
    rebuilt = _rebuild(src, pairs)
    out = []
    for no, line in enumerate(lines_of(rebuilt), start=1):
        if no in drop_lines:
            continue
        stripped = line.rstrip()
        out.append(stripped + ("\n" if line.endswith("\n") else ""))
    return "".join(out)


def _strip_docstrings(src):
    tree = ast.parse(src)
    drop = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if (len(body) > 1 and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
                drop.update(range(body[0].lineno, body[0].end_lineno + 1))
    return "".join(l for no, l in enumerate(lines_of(src), start=1) if no not in drop)


def _short_src(node, limit=24):
    try:
        text = ast.unparse(node)
    except Exception:
        return "it"
    if len(text) <= limit:
        return text
    head = re.match(r"[A-Za-z_][A-Za-z_0-9.]*", text)
    return head.group(0) if head else "the values"


def _add_comments(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    inserts = {}
    density = rng.uniform(0.1, 0.3)
    for fn in functions(tree):
        if not (isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant)) \
                and rng.random() < 0.5 and stmt_starts_line(lines, fn.body[0]):
            words = fn.name.strip("_").replace("_", " ")
            doc = rng.choice([f'"""{words.capitalize()}."""', f'"""Helper: {words}."""',
                              f'"""Returns the {words}."""', f'"""{words.capitalize()} (exam question)."""'])
            inserts.setdefault(fn.body[0].lineno, []).append(" " * fn.body[0].col_offset + doc + "\n")
        for stmt in ast.walk(fn):
            if not isinstance(stmt, ast.stmt) or stmt is fn or rng.random() > density:
                continue
            if not stmt_starts_line(lines, stmt):
                continue
            if isinstance(stmt, ast.For):
                text = rng.choice(_COMMENT_FOR).format(t=_short_src(stmt.target), i=_short_src(stmt.iter))
            elif isinstance(stmt, ast.If):
                text = rng.choice(_COMMENT_IF).format(n=_short_src(stmt.test))
            elif isinstance(stmt, ast.Return):
                text = rng.choice(_COMMENT_RET).format(n=_short_src(stmt.value) if stmt.value else "nothing")
            elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                text = rng.choice(_COMMENT_ASSIGN).format(n=_short_src(target))
            elif isinstance(stmt, ast.While):
                text = rng.choice(_COMMENT_WHILE)
            else:
                continue
            line = lines[stmt.lineno - 1]
            if rng.random() < 0.3 and stmt.end_lineno == stmt.lineno and "#" not in line \
                    and not isinstance(stmt, (ast.For, ast.If, ast.While)):
                inserts.setdefault(-stmt.lineno, []).append("  " + text)
            else:
                inserts.setdefault(stmt.lineno, []).append(" " * stmt.col_offset + text + "\n")
    out = []
    for no, line in enumerate(lines, start=1):
        out.extend(inserts.get(no, []))
        if -no in inserts and line.endswith("\n"):
            line = line.rstrip("\n") + inserts[-no][0] + "\n"
        out.append(line)
    return "".join(out)


# --------------------------------------------------------------------- reorder
def reorder(src, rng, protected=()):
    out = _reorder_defs(src, rng)
    out = _reorder_statements(out, rng)
    return out


def _permute_runs(lines, body, rng):
    """Shuffle runs of consecutive def/class statements in `body`; returns new lines."""
    runs, current = [], []
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            current.append(stmt)
        else:
            if len(current) > 1:
                runs.append(current)
            current = []
    if len(current) > 1:
        runs.append(current)
    if not runs:
        return lines
    new = list(lines)
    # work bottom-up so line numbers above stay valid
    for run in reversed(runs):
        chunks = []
        for stmt in run:
            first, last = block_bounds(lines, stmt)
            chunk = lines[first:last + 1]
            chunks.append((first, last, chunk))
        start, end = chunks[0][0], chunks[-1][1]
        order = list(range(len(chunks)))
        for _ in range(5):
            rng.shuffle(order)
            if order != sorted(order):
                break
        gaps = []
        for k in range(len(chunks) - 1):
            gaps.append(lines[chunks[k][1] + 1:chunks[k + 1][0]])
        rebuilt = []
        for pos, k in enumerate(order):
            rebuilt.extend(chunks[k][2])
            if pos < len(gaps):
                rebuilt.extend(gaps[pos] if gaps[pos] else ["\n"])
        new[start:end + 1] = rebuilt
    return new


def _reorder_defs(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    lines = _permute_runs(lines, tree.body, rng)
    src2 = "".join(lines)
    tree = ast.parse(src2)
    lines = lines_of(src2)
    for node in sorted((n for n in tree.body if isinstance(n, ast.ClassDef)),
                       key=lambda n: -n.lineno):
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if len(methods) > 2 and rng.random() < 0.8:
            # keep __init__ first, as students do
            body = [s for s in node.body if not (isinstance(s, ast.FunctionDef) and s.name == "__init__")]
            lines = _permute_runs(lines, body, rng)
    return "".join(lines)


_PURE_CALLS = {"len", "int", "str", "float", "set", "list", "dict", "tuple", "range",
               "sorted", "min", "max", "abs", "sum", "round", "enumerate", "zip", "bool"}


def _movable(stmt):
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.lineno != stmt.end_lineno:
        return False
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for t in targets:
        for sub in ast.walk(t):
            if isinstance(sub, (ast.Attribute, ast.Subscript)):
                return False
    for sub in ast.walk(stmt.value if stmt.value is not None else stmt):
        if isinstance(sub, ast.Call):
            if not (isinstance(sub.func, ast.Name) and sub.func.id in _PURE_CALLS):
                return False
        if isinstance(sub, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
    return True


def _reorder_statements(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    swaps = []
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            seq = getattr(node, field, None)
            if not isinstance(seq, list):
                continue
            for a, b in zip(seq, seq[1:]):
                if not (_movable(a) and _movable(b)) or b.lineno != a.end_lineno + 1:
                    continue
                wa, wb = names_in(a, ast.Store), names_in(b, ast.Store)
                ra, rb = names_in(a.value, ast.Load), names_in(b.value, ast.Load)
                if wa & (wb | rb) or wb & ra:
                    continue
                if rng.random() < 0.8:
                    swaps.append((a.lineno - 1, b.lineno - 1))
    used = set()
    for i, j in swaps:
        if i in used or j in used:
            continue
        used.update((i, j))
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


# -------------------------------------------------------------------- deadcode
_DEAD_ASSIGN = ["{v} = 0", "{v} = []", "{v} = None", "{v} = False", "{v} = ''", "{v} = 1000",
                "{v} = {{}}"]
_DEAD_NAMES = ["debug", "unused", "temp", "check", "flag", "counter", "backup", "old_value",
               "steps", "tmp_list", "verbose", "marker"]


def deadcode(src, rng, protected=()):
    tree = ast.parse(src)
    lines = lines_of(src)
    taken = defined_names(tree) | RESERVED
    inserts = {}
    after = {}
    candidates = []
    for fn in functions(tree):
        for node in ast.walk(fn):
            for field in ("body", "orelse"):
                seq = getattr(node, field, None)
                if isinstance(seq, list) and seq and (node is fn or not isinstance(node, ast.Module)):
                    for stmt in seq:
                        if stmt_starts_line(lines, stmt) and not (
                                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)) \
                                and not lines[stmt.lineno - 1].lstrip().startswith("elif"):
                            candidates.append((fn, seq, stmt))
    if not candidates:
        return src
    rng.shuffle(candidates)
    budget = rng.randint(2, 5)
    for fn, seq, stmt in candidates[:budget]:
        pad = " " * stmt.col_offset
        kind = rng.choice(["assign", "assign", "assign", "iffalse", "iffalse", "pass", "selfassign",
                           "unreachable"])
        if kind == "assign":
            name = fresh(rng.choice(_DEAD_NAMES), taken)
            text = rng.choice(_DEAD_ASSIGN).format(v=name)
            inserts.setdefault(stmt.lineno, []).append(pad + text + "\n")
        elif kind == "iffalse":
            body = rng.choice(['print("debug")', "pass", 'print("should not happen")'])
            cond = rng.choice(["False", "0", "1 > 2", "None"])
            inserts.setdefault(stmt.lineno, []).append(f"{pad}if {cond}:\n{pad}    {body}\n")
        elif kind == "pass":
            inserts.setdefault(stmt.lineno, []).append(pad + "pass\n")
        elif kind == "selfassign" and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            n = stmt.targets[0].id
            after.setdefault(stmt.end_lineno, []).append(f"{pad}{n} = {n}\n")
        elif kind == "unreachable" and isinstance(stmt, ast.Return) and stmt is seq[-1]:
            after.setdefault(stmt.end_lineno, []).append(pad + rng.choice(['print("finished")', "pass"]) + "\n")
        else:
            name = fresh(rng.choice(_DEAD_NAMES), taken)
            inserts.setdefault(stmt.lineno, []).append(f"{pad}{name} = {rng.randint(0, 99)}\n")
    out = []
    for no, line in enumerate(lines, start=1):
        out.extend(inserts.get(no, []))
        out.append(line)
        if no in after:
            if not line.endswith("\n"):
                out[-1] = line + "\n"
            out.extend(after[no])
    result = "".join(out)
    if rng.random() < 0.4:
        flag = fresh("DEBUG", taken)
        helper = fresh(rng.choice(["log", "debug_print", "trace"]), taken)
        result = result.rstrip("\n") + "\n"
        block = f"\n\n{flag} = False\n\n\ndef {helper}(*args):\n    if {flag}:\n        print(*args)\n"
        # put it before the main guard if there is one
        idx = result.find('\nif __name__ ==')
        if idx >= 0:
            result = result[:idx] + block + "\n" + result[idx:]
        else:
            result += block
    return result


# ----------------------------------------------------------------------- loops
def loops(src, rng, protected=()):
    rewrites = [_for_range_to_while, _while_to_for_range, _comp_to_loop, _loop_to_comp,
                _invert_if, _aug_assign]
    rng.shuffle(rewrites)
    out = src
    changed = 0
    for rewrite in rewrites:
        new = rewrite(out, rng)
        if new != out and compiles(new):
            out = new
            changed += 1
        if changed >= 3:
            break
    return out


def _shuffled(nodes, rng):
    nodes = list(nodes)
    rng.shuffle(nodes)
    return nodes


def _has_continue(stmts):
    for stmt in stmts:
        for node in _walk_same_loop(stmt):
            if isinstance(node, ast.Continue):
                return True
    return False


def _walk_same_loop(node):
    """Walk a statement without entering nested loops or functions."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        for child in ast.iter_child_nodes(cur):
            if isinstance(child, (ast.For, ast.While, ast.FunctionDef, ast.Lambda,
                                  ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            stack.append(child)


def _range_args(call):
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "range"
            and not call.keywords and 1 <= len(call.args) <= 2):
        return None
    if len(call.args) == 1:
        return "0", ast.unparse(call.args[0])
    return ast.unparse(call.args[0]), ast.unparse(call.args[1])


def _for_range_to_while(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    for node in _shuffled(ast.walk(tree), rng):
        if not isinstance(node, ast.For) or node.orelse or not isinstance(node.target, ast.Name):
            continue
        args = _range_args(node.iter)
        if args is None or _has_continue(node.body) or not stmt_starts_line(lines, node):
            continue
        var = node.target.id
        if var in names_in(ast.Module(body=node.body, type_ignores=[]), ast.Store):
            continue
        if node.lineno != node.body[0].lineno - 1 or node.iter.end_lineno != node.lineno:
            continue
        start, stop = args
        if var in names_in(node.iter):
            continue
        pad = " " * node.col_offset
        inner = " " * node.body[0].col_offset
        head = [f"{pad}{var} = {start}\n", f"{pad}while {var} < {stop}:\n"]
        body = lines[node.body[0].lineno - 1:node.end_lineno]
        new = lines[:node.lineno - 1] + head + body + [f"{inner}{var} += 1\n"] + lines[node.end_lineno:]
        if not new[-1].endswith("\n"):
            pass
        return "".join(new)
    return src


def _while_to_for_range(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    for node in _shuffled(ast.walk(tree), rng):
        for field in ("body", "orelse"):
            seq = getattr(node, field, None)
            if not isinstance(seq, list):
                continue
            for init, loop in zip(seq, seq[1:]):
                if not (isinstance(init, ast.Assign) and len(init.targets) == 1
                        and isinstance(init.targets[0], ast.Name) and isinstance(loop, ast.While)
                        and not loop.orelse):
                    continue
                var = init.targets[0].id
                test = loop.test
                if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
                        and test.left.id == var and len(test.ops) == 1 and isinstance(test.ops[0], ast.Lt)):
                    continue
                last = loop.body[-1]
                if not (isinstance(last, ast.AugAssign) and isinstance(last.target, ast.Name)
                        and last.target.id == var and isinstance(last.op, ast.Add)
                        and isinstance(last.value, ast.Constant) and last.value.value == 1):
                    continue
                body = loop.body[:-1]
                if not body or _has_continue(body):
                    continue
                if var in names_in(ast.Module(body=body, type_ignores=[]), ast.Store):
                    continue
                # the counter must not be read after the loop
                rest = seq[seq.index(loop) + 1:]
                if any(var in names_in(s) for s in rest):
                    continue
                if isinstance(node, (ast.For, ast.While)) or any(
                        var in names_in(s) for s in ast.walk(node) if isinstance(s, ast.stmt)
                        and s.lineno > loop.end_lineno):
                    continue
                if var in names_in(test.comparators[0]):
                    continue
                start = ast.unparse(init.value)
                stop = ast.unparse(test.comparators[0])
                pad = " " * init.col_offset
                rng_text = f"range({stop})" if start == "0" else f"range({start}, {stop})"
                header = f"{pad}for {var} in {rng_text}:\n"
                body_lines = lines[body[0].lineno - 1:body[-1].end_lineno]
                new = lines[:init.lineno - 1] + [header] + body_lines + lines[loop.end_lineno:]
                return "".join(new)
    return src


def _comp_to_loop(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    for node in _shuffled(ast.walk(tree), rng):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.ListComp)
                and len(node.value.generators) == 1 and not node.value.generators[0].is_async
                and node.lineno == node.end_lineno and stmt_starts_line(lines, node)):
            continue
        name = node.targets[0].id
        gen = node.value.generators[0]
        if name in names_in(gen.iter) or name in names_in(node.value.elt):
            continue
        pad = " " * node.col_offset
        out = [f"{pad}{name} = []\n", f"{pad}for {ast.unparse(gen.target)} in {ast.unparse(gen.iter)}:\n"]
        inner = pad + "    "
        for cond in gen.ifs:
            out.append(f"{inner}if {ast.unparse(cond)}:\n")
            inner += "    "
        out.append(f"{inner}{name}.append({ast.unparse(node.value.elt)})\n")
        return "".join(lines[:node.lineno - 1] + out + lines[node.end_lineno:])
    return src


def _loop_to_comp(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    for node in _shuffled(ast.walk(tree), rng):
        for field in ("body", "orelse"):
            seq = getattr(node, field, None)
            if not isinstance(seq, list):
                continue
            for init, loop in zip(seq, seq[1:]):
                if not (isinstance(init, ast.Assign) and len(init.targets) == 1
                        and isinstance(init.targets[0], ast.Name) and isinstance(init.value, ast.List)
                        and not init.value.elts and isinstance(loop, ast.For) and not loop.orelse
                        and len(loop.body) == 1):
                    continue
                name = init.targets[0].id
                inner, cond = loop.body[0], None
                if isinstance(inner, ast.If) and not inner.orelse and len(inner.body) == 1:
                    cond, inner = inner.test, inner.body[0]
                if not (isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call)
                        and isinstance(inner.value.func, ast.Attribute)
                        and inner.value.func.attr == "append"
                        and isinstance(inner.value.func.value, ast.Name)
                        and inner.value.func.value.id == name and len(inner.value.args) == 1):
                    continue
                if name in names_in(loop.iter) or name in names_in(inner.value.args[0]):
                    continue
                if any(isinstance(s, ast.Comment) for s in []):
                    continue
                pad = " " * init.col_offset
                text = (f"{pad}{name} = [{ast.unparse(inner.value.args[0])} for "
                        f"{ast.unparse(loop.target)} in {ast.unparse(loop.iter)}")
                if cond is not None:
                    text += f" if {ast.unparse(cond)}"
                text += "]\n"
                return "".join(lines[:init.lineno - 1] + [text] + lines[loop.end_lineno:])
    return src


def _invert_if(src, rng):
    tree = ast.parse(src)
    lines = lines_of(src)
    cands = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and node.orelse and node.test.lineno == node.test.end_lineno
                and not lines[node.lineno - 1].lstrip().startswith("elif")
                and node.lineno == node.test.lineno and stmt_starts_line(lines, node)
                and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)
                         and node.orelse[0].col_offset == node.col_offset + 0
                         and lines[node.orelse[0].lineno - 1].lstrip().startswith("elif"))
                and lines[node.body[-1].end_lineno].strip() == "else:"):
            cands.append(node)
    if not cands:
        return src
    node = rng.choice(cands)
    pad = " " * node.col_offset
    test = node.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        cond = ast.unparse(test.operand)
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _NEG:
        cond = ast.unparse(ast.Compare(left=test.left, ops=[_NEG[type(test.ops[0])]()],
                                       comparators=test.comparators))
    else:
        cond = f"not ({ast.unparse(test)})"
    body = lines[node.body[0].lineno - 1:node.body[-1].end_lineno]
    else_at = node.body[-1].end_lineno  # 0-based index of the 'else:' line
    orelse = lines[node.orelse[0].lineno - 1:node.orelse[-1].end_lineno]
    new = (lines[:node.lineno - 1] + [f"{pad}if {cond}:\n"] + orelse + [lines[else_at]] + body
           + lines[node.orelse[-1].end_lineno:])
    return "".join(new)


_NEG = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
        ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
        ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _aug_assign(src, rng):
    lines = lines_of(src)
    changed = False
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)([A-Za-z_]\w*) \+= (.+?)\s*$", line)
        if m and "#" not in line and rng.random() < 0.7:
            lines[i] = f"{m.group(1)}{m.group(2)} = {m.group(2)} + {m.group(3)}\n"
            changed = True
            continue
        m = re.match(r"^(\s*)([A-Za-z_]\w*) = \2 \+ ([A-Za-z_0-9.]+)\s*$", line)
        if m and rng.random() < 0.7:
            lines[i] = f"{m.group(1)}{m.group(2)} += {m.group(3)}\n"
            changed = True
    return "".join(lines) if changed else src


# ----------------------------------------------------------------- split/merge
def split_merge(src, rng, protected=()):
    ops = [_extract, _inline]
    rng.shuffle(ops)
    out = src
    for op in ops:
        new = op(out, rng, protected)
        if new != out and compiles(new):
            out = new
            if rng.random() < 0.5:
                break
    return out


def _extract(src, rng, protected):
    tree = ast.parse(src)
    lines = lines_of(src)
    taken = defined_names(tree) | RESERVED
    cands = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        body = fn.body
        for i in range(len(body)):
            for j in range(i + 1, min(len(body), i + 5)):
                run = body[i:j + 1]
                if j == len(body) - 1 and isinstance(run[-1], ast.Return):
                    continue
                if sum(s.end_lineno - s.lineno + 1 for s in run) < 3:
                    continue
                cands.append((fn, i, j))
    rng.shuffle(cands)
    for fn, i, j in cands:
        run = fn.body[i:j + 1]
        mod = ast.Module(body=run, type_ignores=[])
        bad = False
        for node in ast.walk(mod):
            if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)):
                bad = True
            if isinstance(node, (ast.Break, ast.Continue)):
                bad = True
        if bad:
            continue
        if isinstance(run[0], ast.Expr) and isinstance(run[0].value, ast.Constant):
            continue
        if not all(stmt_starts_line(lines, s) for s in run):
            continue
        before = fn.body[:i]
        after = fn.body[j + 1:]
        params = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
        known = set(params) | outer_stores(ast.Module(body=before, type_ignores=[]))
        first, last = run[0].lineno - 1, run[-1].end_lineno - 1
        try:
            reads, writes = _scope_names(textwrap.dedent("".join(lines[first:last + 1])))
        except (SyntaxError, ValueError):
            continue
        # every name from before that the chunk touches is passed in (x += 1 reads x too)
        args = sorted(n for n in reads | writes if n in known)
        later = names_in(ast.Module(body=after, type_ignores=[]))
        outs = sorted(n for n in writes if n in later)
        # names that are both written here and known before, but only mutated? keep simple
        if len(outs) > 2 or len(args) > 5:
            continue
        base = rng.choice(["helper", "step", "part", "do", "compute", "build", "fill", "handle"])
        if outs:
            base = rng.choice([f"compute_{outs[0]}", f"build_{outs[0]}", f"get_{outs[0]}", f"make_{outs[0]}"])
        elif args:
            base = rng.choice([f"process_{args[0]}", f"update_{args[0]}", f"handle_{args[0]}"])
        helper = fresh(base.strip("_"), taken)
        chunk = "".join(lines[first:last + 1])
        chunk = textwrap.indent(textwrap.dedent(chunk), "    ")
        ret = ""
        if outs:
            ret = "    return " + ", ".join(outs) + "\n"
        new_def = f"def {helper}({', '.join(args)}):\n" + chunk + ret + "\n\n"
        pad = " " * run[0].col_offset
        call = f"{helper}({', '.join(args)})"
        call_line = f"{pad}{', '.join(outs)} = {call}\n" if outs else f"{pad}{call}\n"
        fn_first, _ = block_bounds(lines, fn)
        new = (lines[:fn_first] + [new_def] + lines[fn_first:first] + [call_line] + lines[last + 1:])
        out = "".join(new)
        if compiles(out):
            return out
    return src


def _scope_names(chunk):
    """(names the chunk reads from outside, names it binds) as a function body,
    using the compiler's own scoping (comprehension variables stay inside)."""
    code = "def _probe_():\n" + textwrap.indent(chunk, "    ")
    fn = symtable.symtable(code, "<probe>", "exec").get_children()[0]
    reads = {sym.get_name() for sym in fn.get_symbols() if sym.is_referenced()}

    def nested(table):
        for sym in table.get_symbols():
            if sym.is_referenced() and (sym.is_global() or sym.is_free()):
                reads.add(sym.get_name())
        for child in table.get_children():
            nested(child)

    for child in fn.get_children():
        nested(child)
    writes = {sym.get_name() for sym in fn.get_symbols() if sym.is_assigned()}
    return reads, writes


def _inline(src, rng, protected):
    tree = ast.parse(src)
    lines = lines_of(src)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.setdefault(node.func.id, []).append(node)
        elif isinstance(node, ast.Name) and node.id in defs and isinstance(node.ctx, ast.Load):
            calls.setdefault("#ref:" + node.id, []).append(node)
    for name, fn in sorted(defs.items()):
        if name in protected or name.startswith("__") or fn.decorator_list:
            continue
        if len(calls.get(name, [])) != 1 or len(calls.get("#ref:" + name, [])) != 1:
            continue
        if fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs or fn.args.defaults:
            continue
        body = fn.body
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if not body:
            continue
        rets = [n for s in body for n in ast.walk(s) if isinstance(n, ast.Return)]
        if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal))
               for s in body for n in ast.walk(s)):
            continue
        tail = None
        if rets:
            if len(rets) != 1 or rets[0] is not body[-1]:
                continue
            tail = body[-1].value
            body = body[:-1]
        call = calls[name][0]
        # the call must be the whole value of its statement: x = f(..), f(..), return f(..)
        host, owner = None, None
        for node in ast.walk(tree):
            for field in ("body", "orelse"):
                seq = getattr(node, field, None)
                if isinstance(seq, list):
                    for stmt in seq:
                        if isinstance(stmt, (ast.Assign, ast.Expr, ast.Return)) and stmt.value is call:
                            host, owner = stmt, node
        if host is None or not isinstance(owner, ast.FunctionDef) or owner is fn:
            continue
        if not stmt_starts_line(lines, host) or host.lineno != host.end_lineno:
            continue
        if call.keywords or len(call.args) != len(fn.args.args):
            continue
        host_names = names_in(owner) | {a.arg for a in owner.args.args}
        fn_locals = names_in(fn, ast.Store) | {a.arg for a in fn.args.args}
        binds = []
        rename = {}
        for param, arg in zip(fn.args.args, call.args):
            if isinstance(arg, ast.Name) and param.arg not in names_in(fn, ast.Store):
                rename[param.arg] = arg.id
            else:
                binds.append((param.arg, ast.unparse(arg)))
        clash = (fn_locals - set(rename)) & host_names
        if clash:
            continue
        pad = " " * host.col_offset
        text = "".join(lines[body[0].lineno - 1:body[-1].end_lineno]) if body else ""
        text = textwrap.indent(textwrap.dedent(text), pad) if text else ""
        if rename:
            text = _rename_expr_text_lines(text, rename)
        tail_src = ast.unparse(tail) if tail is not None else "None"
        if rename:
            tail_src = _rename_expr_text(tail_src, rename, {})
        host_src = lines[host.lineno - 1]
        call_src = ast.get_source_segment(src, call)
        if call_src is None or call_src not in host_src:
            continue
        if isinstance(host, ast.Expr) and host.value is call:
            new_host = "" if tail is None else ""
        else:
            new_host = host_src.replace(call_src, f"({tail_src})" if " " in tail_src else tail_src, 1)
        block = "".join(f"{pad}{p} = {a}\n" for p, a in binds) + text + new_host
        fn_first, fn_last = block_bounds(lines, fn)
        new = list(lines)
        new[host.lineno - 1] = block
        # drop the helper and one blank line pair after it
        end = fn_last + 1
        while end < len(new) and not new[end].strip():
            end += 1
        del new[fn_first:end]
        out = "".join(new)
        if compiles(out):
            return out
    return src


def _rename_expr_text_lines(text, mapping):
    pairs = []
    try:
        toks = tokens(textwrap.dedent(text))
    except (tokenize.TokenError, IndentationError):
        return text
    prev = None
    for tok in toks:
        t = tok.string
        if tok.type == tokenize.NAME and not (prev is not None and prev.string == "."):
            t = mapping.get(t, t)
        pairs.append((tok, t))
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            prev = tok
    pad = indent_of(text.splitlines()[0]) if text.strip() else ""
    return textwrap.indent(_rebuild(textwrap.dedent(text), pairs), pad)


def natural_variation(src, rng):
    """The small restructurings that independent students differ by anyway:
    applied to independent submissions so that two students who chose the
    same approach do not write the same token sequence."""
    steps = [(_for_range_to_while, 0.35), (_while_to_for_range, 0.2), (_comp_to_loop, 0.45),
             (_loop_to_comp, 0.35), (_invert_if, 0.3), (_aug_assign, 0.4),
             (_reorder_statements, 0.5), (_temp_return, 0.5), (_not_len, 0.3)]
    out = src
    for step, p in steps:
        for _ in range(3):
            if rng.random() >= p:
                break
            new = step(out, rng)
            if new != out and compiles(new):
                out = new
    for _ in range(2):
        if rng.random() < 0.45:
            new = _extract(out, rng, ())
            if compiles(new):
                out = new
    return out


def _temp_return(src, rng):
    """return <expr>  ->  <name> = <expr>; return <name> (or the reverse)."""
    tree = ast.parse(src)
    lines = lines_of(src)
    taken = defined_names(tree) | RESERVED
    cands = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None
             and not isinstance(n.value, (ast.Name, ast.Constant)) and n.lineno == n.end_lineno
             and stmt_starts_line(lines, n) and "#" not in lines[n.lineno - 1]]
    if not cands:
        return src
    node = rng.choice(cands)
    name = fresh(rng.choice(["result", "answer", "value", "res", "out", "ret"]), taken)
    pad = " " * node.col_offset
    line = lines[node.lineno - 1]
    expr = line[node.value.col_offset:node.value.end_col_offset]
    lines[node.lineno - 1] = f"{pad}{name} = {expr}\n{pad}return {name}\n"
    return "".join(lines)


def _not_len(src, rng):
    """len(x) == 0 -> not x, len(x) > 0 -> x."""
    lines = lines_of(src)
    idx = [i for i, l in enumerate(lines) if re.search(r"len\((\w+)\) (==|>) 0\b", l)]
    if not idx:
        return src
    i = rng.choice(idx)
    line = lines[i]
    new = re.sub(r"len\((\w+)\) == 0\b", r"not \1", line, count=1)
    if new == line:
        new = re.sub(r"len\((\w+)\) > 0\b", r"\1", line, count=1)
    lines[i] = new
    return "".join(lines)


KINDS = {
    "rename": rename,
    "reformat": reformat,
    "comments": comments,
    "reorder": reorder,
    "deadcode": deadcode,
    "loops": loops,
    "split_merge": split_merge,
}
