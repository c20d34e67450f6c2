"""Building blocks for generated Python submissions (used by make_corpus.py).

Each assignment has a starter (what every student is given), a pool of
synonyms per identifier role, and for every function of the required API
several independently written variants. Template syntax:

    $role / ${role}   the identifier this file uses for that role
    {{a|b|c}}         one of the alternatives, chosen per file
    a line "~..."     kept or dropped per file (comments, docstrings, asserts)

A generated file is the starter's data plus one variant per API function,
a few optional extras, and one main block, in a per-file order.
"""

IMPORT_RULES = [
    (r"\bstring\.", "import string"),
    (r"\bre\.", "import re"),
    (r"\bsys\.", "import sys"),
    (r"\bmath\.", "import math"),
    (r"\bheapq\.", "import heapq"),
    (r"\bstatistics\.", "import statistics"),
    (r"\bCounter\b", "from collections import Counter"),
    (r"\bdefaultdict\b", "from collections import defaultdict"),
    (r"\bdeque\b", "from collections import deque"),
    (r"\bnamedtuple\b", "from collections import namedtuple"),
    (r"\bargparse\.", "import argparse"),
]

# ---------------------------------------------------------------------------
WORD_STATS = {
    "name": "word_stats",
    "title": "text statistics",
    "api": ["normalise", "count_words", "top_words", "average_length", "count_sentences"],
    "data_name": "SAMPLE",
    "data": '''SAMPLE = """The quick brown fox jumps over the lazy dog. The dog sleeps!
Does the fox care? No, the fox does not care about the dog at all.
A quick fox, a lazy dog, and a very long afternoon."""''',
    "starter_body": '''

def normalise(word):
    """Return word in lower case without leading/trailing punctuation."""
    # TODO
    pass


def count_words(text):
    """Return a dict {word: count} of the normalised, non-empty words."""
    # TODO
    pass


def top_words(counts, n):
    """Return the n most frequent (word, count) pairs, ties alphabetical."""
    # TODO
    pass


def average_length(text):
    """Return the average length of the normalised words (0.0 if none)."""
    # TODO
    pass


def count_sentences(text):
    """Return the number of sentences: ends with '.', '!' or '?'."""
    # TODO
    pass


if __name__ == "__main__":
    counts = count_words(SAMPLE)
    print(top_words(counts, 3))
    print(average_length(SAMPLE), count_sentences(SAMPLE))
''',
    "roles": {
        "text": ["text", "txt", "content", "document", "source", "passage", "data"],
        "word": ["word", "w", "token", "term", "wd", "raw"],
        "counts": ["counts", "freq", "frequencies", "tally", "table", "occurrences", "word_counts", "hist"],
        "words": ["words", "tokens", "word_list", "parts", "all_words", "pieces", "items"],
        "n": ["n", "k", "limit", "how_many", "top_n", "amount"],
        "result": ["result", "res", "out", "output", "answer", "ret", "lst"],
        "idx": ["i", "idx", "pos", "j", "index"],
        "total": ["total", "length_sum", "acc", "chars", "s"],
        "punct": ["PUNCT", "PUNCTUATION", "STRIP_CHARS", "MARKS", "SYMBOLS"],
        "split": ["split_words", "tokenize", "get_words", "words_of", "extract_words"],
        "key": ["sort_key", "rank_key", "by_count", "ordering", "key_func"],
        "ch": ["ch", "c", "char", "letter", "symbol"],
        "pair": ["pair", "entry", "item", "p", "kv"],
        "sentence_ends": ["ENDINGS", "END_CHARS", "TERMINATORS", "STOPS"],
    },
    "constants": {
        "punct": '$punct = {{".,;:!?\\"\'()-"|"!?.,;:()\\"\'-"|string.punctuation}}',
        "sentence_ends": '$sentence_ends = {{".!?"|"?!."|("." , "!", "?")}}',
    },
    "slots": {
        "normalise": [
            '''def normalise($word):
~    """Lower-case $word and strip punctuation from both ends."""
    return $word.{{strip($punct).lower()|lower().strip($punct)}}
''',
            '''def normalise($word):
~    """Return $word in lower case without leading/trailing punctuation."""
    start = 0
    end = len($word)
    while start < end and not $word[start].isalnum():
        start {{+= 1|= start + 1}}
    while end > start and not $word[end - 1].isalnum():
        end {{-= 1|= end - 1}}
    return $word[start:end].lower()
''',
            '''def normalise($word):
~    # remove symbols at the front and at the back, one at a time
    $word = $word.lower()
    while $word and $word[0] in $punct:
        $word = $word[1:]
    while $word and $word[-1] in $punct:
        $word = $word[:-1]
    return $word
''',
            '''def normalise($word):
    {{${ch}|letters}}_list = [$ch for $ch in $word.lower()]
    while {{${ch}|letters}}_list and not {{${ch}|letters}}_list[0].isalpha():
        {{${ch}|letters}}_list.pop(0)
    while {{${ch}|letters}}_list and not {{${ch}|letters}}_list[-1].isalpha():
        {{${ch}|letters}}_list.pop()
    return "".join({{${ch}|letters}}_list)
''',
            '''def normalise($word):
~    """Uses a regular expression to drop non-word characters at the ends."""
    return re.sub(r"^\\W+|\\W+$", "", $word).lower()
''',
        ],
        "count_words": [
            '''def count_words($text):
~    """Return a dict {word: count} of the normalised, non-empty words."""
    $counts = {}
    for $word in $split($text):
        $word = normalise($word)
        if {{not $word|$word == ""|len($word) == 0}}:
            continue
        $counts[$word] = $counts.get($word, 0) + 1
    return $counts
''',
            '''def count_words($text):
    $counts = {}
    for $word in $text.split():
        $word = normalise($word)
        if $word:
            if $word in $counts:
                $counts[$word] {{+= 1|= $counts[$word] + 1}}
            else:
                $counts[$word] = 1
    return $counts
''',
            '''def count_words($text):
~    # Counter does the counting for us
    $words = [normalise($word) for $word in $text.split()]
    return dict(Counter($word for $word in $words if $word))
''',
            '''def count_words($text):
    $counts = defaultdict(int)
    for line in $text.splitlines():
        for $word in line.split():
            $word = normalise($word)
            if $word:
                $counts[$word] += 1
    return dict($counts)
''',
        ],
        "top_words": [
            '''def $key($pair):
    return (-$pair[1], $pair[0])


def top_words($counts, $n):
~    """Return the $n most frequent (word, count) pairs, ties alphabetical."""
    {{return sorted($counts.items(), key=$key)[:$n]|$result = sorted($counts.items(), key=$key)
    return $result[:$n]}}
''',
            '''def top_words($counts, $n):
    $result = sorted($counts.items(), key=lambda {{$pair|t|x}}: (-{{$pair|t|x}}[1], {{$pair|t|x}}[0]))
    return $result[:$n]
''',
            '''def top_words($counts, $n):
~    # selection sort on a list of pairs, by hand
    $result = list($counts.items())
    for $idx in range(len($result)):
        best = $idx
        for other in range($idx + 1, len($result)):
            if ($result[other][1] > $result[best][1]
                    or ($result[other][1] == $result[best][1] and $result[other][0] < $result[best][0])):
                best = other
        $result[$idx], $result[best] = $result[best], $result[$idx]
    return $result[:$n]
''',
            '''def top_words($counts, $n):
    by_count = {}
    for $word, c in $counts.items():
        by_count.setdefault(c, []).append($word)
    $result = []
    for c in sorted(by_count, reverse=True):
        for $word in sorted(by_count[c]):
            if len($result) {{== $n|>= $n}}:
                return $result
            $result.append(($word, c))
    return $result
''',
            '''def top_words($counts, $n):
~    """heapq keeps only what is needed."""
    heap = [(-c, $word) for $word, c in $counts.items()]
    return [($word, -c) for c, $word in heapq.nsmallest($n, heap)]
''',
        ],
        "average_length": [
            '''def average_length($text):
~    """Return the average length of the normalised words (0.0 if none)."""
    $words = [normalise($word) for $word in $text.split()]
    $words = [$word for $word in $words if $word]
    if not $words:
        return 0.0
    return sum(len($word) for $word in $words) / len($words)
''',
            '''def average_length($text):
    $total = 0
    number = 0
    for $word in $split($text):
        $word = normalise($word)
        if $word != "":
            $total {{+= len($word)|= $total + len($word)}}
            number {{+= 1|= number + 1}}
    if number == 0:
        return 0.0
    return $total / number
''',
            '''def average_length($text):
    $counts = count_words($text)
    $total = 0
    for $word, c in $counts.items():
        $total += len($word) * c
    how_many_words = sum($counts.values())
    return $total / how_many_words if how_many_words else 0.0
''',
        ],
        "count_sentences": [
            '''def count_sentences($text):
~    """A sentence ends with '.', '!' or '?'."""
    return sum(1 for $ch in $text if $ch in $sentence_ends)
''',
            '''def count_sentences($text):
    number = 0
    {{previous = ""
    for $ch in $text:
        if $ch in ".!?" and previous not in ".!?":
            number += 1
        previous = $ch|for $idx in range(len($text)):
        if $text[$idx] in ".!?" and ($idx == 0 or $text[$idx - 1] not in ".!?"):
            number += 1}}
    return number
''',
            '''def count_sentences($text):
~    # split on the end marks and count the non-empty pieces
    pieces = re.split(r"[.!?]+", $text)
    return len([p for p in pieces if p.strip()])
''',
        ],
    },
    "helpers": {
        "split": [
            '''def $split($text):
~    """Split $text on any whitespace."""
    return $text.split()
''',
            '''def $split($text):
    for sep in "\\n\\t\\r":
        $text = $text.replace(sep, " ")
    return [part for part in $text.split(" ") if part]
''',
        ],
    },
    "extras": [
        '''def longest_words($text, $n=3):
~    """The $n longest distinct words, longest first."""
    unique = set(normalise($word) for $word in $text.split())
    unique.discard("")
    return sorted(unique, key=lambda $word: (-len($word), $word))[:$n]
''',
        '''def print_table($counts, $n=5):
    rows = top_words($counts, $n)
    width = max([len($word) for $word, _ in rows] + [4])
    print("word".ljust(width), "count")
    for $word, c in rows:
        print($word.ljust(width), str(c).rjust(5), "#" * c)
''',
        '''def self_test():
    assert normalise("Hello,") == "hello"
    assert normalise("...") == ""
    assert count_words("a A b") == {"a": 2, "b": 1}
    assert top_words({"x": 1, "y": 2}, 1) == [("y", 2)]
    assert count_sentences("One. Two! Three?") == 3
~    assert average_length("") == 0.0
    print("self test passed")
''',
        '''def read_text(path=None):
~    """Read the text from a file, or use the sample when no path is given."""
    if path is None:
        return SAMPLE
    with open(path, encoding="utf-8") as handle:
        return handle.read()
''',
        '''def vocabulary_richness($text):
~    # distinct words divided by all words
    $counts = count_words($text)
    all_count = sum($counts.values())
    if all_count == 0:
        return 0.0
    return round(len($counts) / all_count, 3)
''',
        '''def letter_frequencies($text):
~    """How often every letter occurs, as percentages of all letters."""
    letters = {}
    how_many_letters = 0
    for $ch in $text.lower():
        if $ch.isalpha():
            letters[$ch] = letters.get($ch, 0) + 1
            how_many_letters += 1
    if how_many_letters == 0:
        return {}
    return {$ch: round(100 * c / how_many_letters, 1) for $ch, c in sorted(letters.items())}
''',
        '''def palindromes($text):
    found = set()
    for $word in $text.split():
        $word = normalise($word)
        if len($word) > 1 and $word == $word[::-1]:
            found.add($word)
    return sorted(found)
''',
        '''def sentence_lengths($text):
~    # number of words in each sentence
    lengths = []
    current = 0
    for $word in $text.split():
        current += 1
        if $word[-1] in ".!?":
            lengths.append(current)
            current = 0
    if current:
        lengths.append(current)
    return lengths


def longest_sentence($text):
    lengths = sentence_lengths($text)
    return max(lengths) if lengths else 0
''',
        '''def words_starting_with($counts, prefix):
    $result = []
    for $word in sorted($counts):
        if $word.startswith(prefix):
            $result.append($word)
    return $result
''',
    ],
    "mains": [
        '''if __name__ == "__main__":
    $counts = count_words(SAMPLE)
    print(top_words($counts, 3))
    print(average_length(SAMPLE), count_sentences(SAMPLE))
''',
        '''def main():
    $counts = count_words(SAMPLE)
    print("distinct words:", len($counts))
    for $word, c in top_words($counts, 5):
        print(f"{$word:>10}: {c}")
    print("average length: %.2f" % average_length(SAMPLE))
    print("sentences:", count_sentences(SAMPLE))


if __name__ == "__main__":
    main()
''',
        '''if __name__ == "__main__":
    $text = SAMPLE if len(sys.argv) < 2 else open(sys.argv[1]).read()
    $counts = count_words($text)
    for rank, ($word, c) in enumerate(top_words($counts, 5), start=1):
        print(rank, $word, c)
    print("avg", round(average_length($text), 2), "sentences", count_sentences($text))
''',
    ],
}

# ---------------------------------------------------------------------------
GRADEBOOK = {
    "name": "gradebook",
    "title": "grade book",
    "api": ["parse_line", "load", "average", "letter_grade", "class_report"],
    "data_name": "RECORDS",
    "data": '''RECORDS = """# name;id;marks
Ada Lovelace;s1001;18;20;17
Alan Turing;s1002;19;19;20;18
Grace Hopper;s1003;15;x;16
Edsger Dijkstra;s1004;12;14
Barbara Liskov;s1005
Donald Knuth;s1006;9;11;8
Margaret Hamilton;s1007;16;17;18
"""''',
    "starter_body": '''

def parse_line(line):
    """Return (name, student_id, [marks]) for 'name;id;mark;...', None for a
    blank or '#' line, and raise ValueError for anything malformed."""
    # TODO
    pass


def load(text):
    """Return (records, bad_line_numbers) for the whole text."""
    # TODO
    pass


def average(marks):
    """Average of a list of marks, 0.0 for an empty list."""
    # TODO
    pass


def letter_grade(avg):
    """'A' for >= 16, 'B' for >= 14, 'C' for >= 12, 'D' for >= 10, else 'F'."""
    # TODO
    pass


def class_report(records):
    """Return lines 'name (id): avg grade', best average first."""
    # TODO
    pass


if __name__ == "__main__":
    records, bad = load(RECORDS)
    print("\\n".join(class_report(records)))
    print("bad lines:", bad)
''',
    "roles": {
        "line": ["line", "row", "raw", "entry", "ln", "record_line"],
        "fields": ["fields", "parts", "cells", "columns", "items", "tokens"],
        "marks": ["marks", "grades", "scores", "points", "results"],
        "mark": ["mark", "grade", "score", "m", "g", "pt"],
        "records": ["records", "students", "rows", "data", "entries", "people"],
        "bad": ["bad", "errors", "bad_lines", "invalid", "rejected", "problems"],
        "num": ["number", "lineno", "n", "line_no", "nr", "count"],
        "avg": ["avg", "mean", "average_mark", "av", "a"],
        "name": ["name", "student", "full_name", "who", "nm"],
        "sid": ["sid", "student_id", "ident", "code", "id_"],
        "text": ["text", "content", "txt", "source", "blob"],
        "rec": ["rec", "r", "record", "st", "s"],
        "lines": ["lines", "report_lines", "output", "result", "out"],
        "maxmark": ["MAX_MARK", "TOP_MARK", "HIGHEST", "MAXIMUM"],
        "bounds": ["BOUNDS", "GRADE_LIMITS", "THRESHOLDS", "LIMITS", "SCALE"],
        "tomark": ["to_mark", "parse_mark", "read_mark", "convert_mark", "mark_from"],
    },
    "constants": {
        "maxmark": "$maxmark = 20",
        "bounds": '$bounds = [(16, "A"), (14, "B"), (12, "C"), (10, "D")]',
    },
    "slots": {
        "parse_line": [
            '''def parse_line($line):
~    """Return (name, id, marks); None for blank/comment lines."""
    $line = $line.strip()
    if not $line or $line.startswith("#"):
        return None
    $fields = [f.strip() for f in $line.split(";")]
    if len($fields) < 3:
        raise ValueError("expected name;id;mark...")
    $marks = [$tomark(f) for f in $fields[2:]]
    return $fields[0], $fields[1], $marks
''',
            '''def parse_line($line):
    if $line.strip() == "" or $line.strip()[0] == "#":
        return None
    $fields = $line.split(";")
    if len($fields) < 3:
        raise ValueError("not enough fields in " + repr($line))
    $name = $fields[0].strip()
    $sid = $fields[1].strip()
    $marks = []
    for f in $fields[2:]:
        f = f.strip()
        if not f.isdigit():
            raise ValueError("bad mark " + repr(f))
        $mark = int(f)
        if $mark > $maxmark:
            raise ValueError("mark too high")
        $marks.append($mark)
    return ($name, $sid, $marks)
''',
            '''def parse_line($line):
    $line = $line.strip()
    if $line == "" or $line[:1] == "#":
        return None
    $name, sep, rest = $line.partition(";")
    $sid, sep2, mark_text = rest.partition(";")
    if not sep or not sep2 or not mark_text:
        raise ValueError("malformed line")
    $marks = list(map($tomark, mark_text.split(";")))
    return $name.strip(), $sid.strip(), $marks
''',
        ],
        "load": [
            '''def load($text):
~    """Return (records, bad line numbers)."""
    $records, $bad = [], []
    for $num, $line in enumerate($text.splitlines(), start=1):
        try:
            $rec = parse_line($line)
        except ValueError:
            $bad.append($num)
            continue
        if $rec is not None:
            $records.append($rec)
    return $records, $bad
''',
            '''def load($text):
    $records = []
    $bad = []
    all_lines = $text.split("\\n")
    for $num in range(len(all_lines)):
        try:
            $rec = parse_line(all_lines[$num])
            if $rec != None:
                $records.append($rec)
        except ValueError:
            $bad.append($num + 1)
    return ($records, $bad)
''',
            '''def load($text):
    $records = []
    $bad = []
    $num = 0
    for $line in $text.splitlines():
        $num {{+= 1|= $num + 1}}
        try:
            $rec = parse_line($line)
        except ValueError as problem:
~            print("line", $num, "skipped:", problem)
            $bad.append($num)
        else:
            if $rec:
                $records.append($rec)
    return $records, $bad
''',
        ],
        "average": [
            '''def average($marks):
    return sum($marks) / len($marks) if $marks else 0.0
''',
            '''def average($marks):
~    """Average of the marks, 0.0 for an empty list."""
    if len($marks) == 0:
        return 0.0
    $avg = 0
    for $mark in $marks:
        $avg {{+= $mark|= $avg + $mark}}
    return $avg / len($marks)
''',
            '''def average($marks):
    try:
        return statistics.mean($marks)
    except statistics.StatisticsError:
        return 0.0
''',
        ],
        "letter_grade": [
            '''def letter_grade($avg):
    if $avg >= 16:
        return "A"
    elif $avg >= 14:
        return "B"
    elif $avg >= 12:
        return "C"
    elif $avg >= 10:
        return "D"
    {{else:
        return "F"|return "F"}}
''',
            '''def letter_grade($avg):
~    # the limits are checked from the highest down
    for limit, letter in $bounds:
        if $avg >= limit:
            return letter
    return "F"
''',
            '''def letter_grade($avg):
    letters = "FFFFFFFFFFDDCCBBAAAAA"
    index = min(int($avg), 20)
    return letters[max(index, 0)]
''',
        ],
        "class_report": [
            '''def class_report($records):
~    """Lines 'name (id): avg grade', best average first."""
    ranked = sorted($records, key=lambda $rec: average($rec[2]), reverse=True)
    $lines = []
    for $name, $sid, $marks in ranked:
        $avg = average($marks)
        $lines.append(f"{$name} ({$sid}): {$avg:.1f} {letter_grade($avg)}")
    return $lines
''',
            '''def class_report($records):
    rows = []
    for $rec in $records:
        rows.append((average($rec[2]), $rec[0], $rec[1]))
~    # bubble sort, highest average first
    for a in range(len(rows)):
        for b in range(len(rows) - 1 - a):
            if rows[b][0] < rows[b + 1][0]:
                rows[b], rows[b + 1] = rows[b + 1], rows[b]
    $lines = []
    for $avg, $name, $sid in rows:
        $lines.append("%s (%s): %.1f %s" % ($name, $sid, $avg, letter_grade($avg)))
    return $lines
''',
            '''def class_report($records):
    with_avg = [(average($marks), $name, $sid) for $name, $sid, $marks in $records]
    with_avg.sort(key=lambda t: -t[0])
    return ["{} ({}): {:.1f} {}".format($name, $sid, $avg, letter_grade($avg))
            for $avg, $name, $sid in with_avg]
''',
        ],
    },
    "helpers": {
        "tomark": [
            '''def $tomark(text):
    value = int(text)
    if value < 0 or value > $maxmark:
        raise ValueError("mark out of range: %d" % value)
    return value
''',
            '''def $tomark(text):
~    """int() raises ValueError for things like 'x' already."""
    text = text.strip()
    if not text.isdigit() or int(text) > 20:
        raise ValueError("invalid mark " + repr(text))
    return int(text)
''',
        ],
    },
    "extras": [
        '''def histogram($records):
    buckets = {}
    for $rec in $records:
        letter = letter_grade(average($rec[2]))
        buckets[letter] = buckets.get(letter, 0) + 1
    for letter in "ABCDF":
        print(letter, "*" * buckets.get(letter, 0))
''',
        '''def best_student($records):
    if not $records:
        return None
    best = $records[0]
    for $rec in $records[1:]:
        if average($rec[2]) > average(best[2]):
            best = $rec
    return best[0]
''',
        '''def self_check():
    assert parse_line("  ") is None
    assert parse_line("# x") is None
    assert parse_line("A;s1;10;12") == ("A", "s1", [10, 12])
    assert letter_grade(16) == "A" and letter_grade(9.5) == "F"
~    assert average([]) == 0.0
    print("checks ok")
''',
        '''def class_average($records):
~    """Average over all the marks of everybody."""
    everything = []
    for $rec in $records:
        everything.extend($rec[2])
    return average(everything)
''',
        '''def median($marks):
    ordered = sorted($marks)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
''',
        '''def write_report($records, path):
~    """Save the report to a text file, one line per student."""
    with open(path, "w", encoding="utf-8") as out_file:
        for $line in class_report($records):
            out_file.write($line + "\\n")
    return len($records)
''',
        '''def grade_counts($records):
    counts_by_letter = {letter: 0 for letter in "ABCDF"}
    for $name, $sid, $marks in $records:
        counts_by_letter[letter_grade(average($marks))] += 1
    return counts_by_letter


def pass_rate($records):
~    # a student passes with an average of at least 10
    if not $records:
        return 0.0
    passed = sum(1 for $rec in $records if average($rec[2]) >= 10)
    return 100.0 * passed / len($records)
''',
        '''def failing($records, limit=10):
    return sorted($rec[0] for $rec in $records if average($rec[2]) < limit)
''',
    ],
    "mains": [
        '''if __name__ == "__main__":
    $records, $bad = load(RECORDS)
    print("\\n".join(class_report($records)))
    print("bad lines:", $bad)
''',
        '''def main():
    $records, $bad = load(RECORDS)
    for $line in class_report($records):
        print($line)
    if $bad:
        print("ignored lines:", ", ".join(str(x) for x in $bad))


if __name__ == "__main__":
    main()
''',
        '''if __name__ == "__main__":
    $text = RECORDS
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            $text = f.read()
    $records, $bad = load($text)
    print(len($records), "students,", len($bad), "bad lines")
    for $line in class_report($records):
        print(" ", $line)
''',
    ],
}

# ---------------------------------------------------------------------------
INVENTORY = {
    "name": "inventory",
    "title": "shop inventory",
    "api": ["Inventory", "add", "remove", "quantity", "total_value", "low_stock", "apply_orders"],
    "data_name": "ORDERS",
    "data": '''ORDERS = [
    ("add", "pencil", 120, 0.35),
    ("add", "notebook", 40, 2.10),
    ("add", "eraser", 15, 0.50),
    ("remove", "pencil", 30),
    ("remove", "eraser", 20),
    ("add", "pencil", 10, 0.35),
    ("remove", "stapler", 1),
]''',
    "starter_body": '''

class Inventory:
    """Quantities and unit prices of the items of a small shop."""

    def __init__(self):
        # TODO
        pass

    def add(self, item, qty, price):
        """Add qty units of item at the given unit price (the last price wins)."""
        # TODO
        pass

    def remove(self, item, qty):
        """Remove qty units; raise KeyError for an unknown item and
        ValueError when there are not enough units."""
        # TODO
        pass

    def quantity(self, item):
        # TODO
        pass

    def total_value(self):
        # TODO
        pass

    def low_stock(self, limit):
        """Sorted names of the items with fewer than limit units."""
        # TODO
        pass


def apply_orders(inventory, orders):
    """Apply every order; return the list of orders that failed."""
    # TODO
    pass


if __name__ == "__main__":
    shop = Inventory()
    failed = apply_orders(shop, ORDERS)
    print(round(shop.total_value(), 2), shop.low_stock(20), len(failed))
''',
    "families": ["two_dicts", "pairs", "history"],
    "roles": {
        "item": ["item", "name", "product", "article", "thing", "key"],
        "qty": ["qty", "quantity_", "amount", "units", "count", "n"],
        "price": ["price", "unit_price", "cost", "value", "p"],
        "stock": ["stock", "items", "goods", "store", "products", "levels"],
        "prices": ["prices", "price_of", "unit_prices", "costs", "tariff"],
        "limit": ["limit", "threshold", "minimum", "low", "below"],
        "orders": ["orders", "order_list", "requests", "commands", "todo"],
        "order": ["order", "o", "cmd", "req", "op"],
        "failed": ["failed", "errors", "rejected", "problems", "bad_orders"],
        "shop": ["shop", "inv", "inventory_", "store_", "warehouse"],
        "result": ["result", "res", "names", "out", "found"],
        "total": ["total", "value_sum", "acc", "sum_", "worth"],
        "check": ["check_qty", "validate", "require_positive", "ensure_positive", "check_amount"],
    },
    "constants": {},
    "slots": {
        "__init__": [
            '''#family: two_dicts
    def __init__(self):
        self.$stock = {}
        self.$prices = {}
''',
            '''#family: pairs
    def __init__(self):
~        # item -> [quantity, unit price]
        self.$stock = {}
''',
            '''#family: history
    def __init__(self):
        self.$stock = defaultdict(int)
        self.$prices = {}
        self.history = []
''',
        ],
        "add": [
            '''#family: two_dicts history
    def add(self, $item, $qty, $price):
~        """Add qty units of item at the given unit price."""
        $check($qty)
        self.$stock[$item] = self.$stock.get($item, 0) + $qty
        self.$prices[$item] = $price
''',
            '''#family: pairs
    def add(self, $item, $qty, $price):
        $check($qty)
        if $item in self.$stock:
            self.$stock[$item][0] {{+= $qty|= self.$stock[$item][0] + $qty}}
            self.$stock[$item][1] = $price
        else:
            self.$stock[$item] = [$qty, $price]
''',
            '''#family: history
    def add(self, $item, $qty, $price):
        if $qty <= 0:
            raise ValueError("quantity must be positive")
        self.$stock[$item] += $qty
        self.$prices[$item] = $price
        self.history.append(("add", $item, $qty))
''',
        ],
        "remove": [
            '''#family: two_dicts history
    def remove(self, $item, $qty):
        if $item not in self.$stock:
            raise KeyError($item)
        if self.$stock[$item] < $qty:
            raise ValueError("only %d %s left" % (self.$stock[$item], $item))
        self.$stock[$item] -= $qty
''',
            '''#family: pairs
    def remove(self, $item, $qty):
~        # unknown item -> KeyError, not enough -> ValueError
        $check($qty)
        entry = self.$stock[$item]
        if entry[0] < $qty:
            raise ValueError("not enough " + $item)
        entry[0] = entry[0] - $qty
''',
            '''#family: history
    def remove(self, $item, $qty):
        if $item not in self.$prices:
            raise KeyError("unknown item: " + $item)
        have = self.$stock[$item]
        if $qty > have:
            raise ValueError(f"cannot remove {$qty}, only {have}")
        self.$stock[$item] = have - $qty
        self.history.append(("remove", $item, $qty))
''',
        ],
        "quantity": [
            '''#family: two_dicts history
    def quantity(self, $item):
        return self.$stock.get($item, 0)
''',
            '''#family: pairs
    def quantity(self, $item):
        {{if $item in self.$stock:
            return self.$stock[$item][0]
        return 0|return self.$stock.get($item, [0, 0])[0]}}
''',
            '''#family: two_dicts history
    def quantity(self, $item):
        return self.$stock[$item] if $item in self.$prices else 0
''',
        ],
        "total_value": [
            '''#family: two_dicts history
    def total_value(self):
        return sum($qty * self.$prices[$item] for $item, $qty in self.$stock.items())
''',
            '''#family: pairs
    def total_value(self):
        {{$total = 0.0
        for $item in self.$stock:
            $qty, $price = self.$stock[$item]
            $total {{+= $qty * $price|= $total + $qty * $price}}
        return $total|return sum($qty * $price for $qty, $price in self.$stock.values())}}
''',
            '''#family: two_dicts history
    def total_value(self):
        $total = 0
        for $item, $qty in self.$stock.items():
            $total += $qty * self.$prices.get($item, 0)
        return $total
''',
        ],
        "low_stock": [
            '''    def low_stock(self, $limit):
        return sorted($item for $item in self.$stock if self.quantity($item) < $limit)
''',
            '''    def low_stock(self, $limit):
~        """Sorted names of the items with fewer than limit units."""
        $result = []
        for $item in self.$stock:
            if self.quantity($item) < $limit:
                $result.append($item)
        $result.sort()
        return $result
''',
            '''    def low_stock(self, $limit):
        $result = [$item for $item in sorted(self.$stock) if self.quantity($item) < $limit]
        return $result
''',
        ],
        "apply_orders": [
            '''def apply_orders($shop, $orders):
~    """Apply every order; return the orders that failed."""
    $failed = []
    for $order in $orders:
        try:
            if $order[0] == "add":
                $shop.add($order[1], $order[2], $order[3])
            elif $order[0] == "remove":
                $shop.remove($order[1], $order[2])
            else:
                raise ValueError("unknown order " + $order[0])
        except (KeyError, ValueError):
            $failed.append($order)
    return $failed
''',
            '''def apply_orders($shop, $orders):
    $failed = []
    for kind, *args in $orders:
        action = {"add": $shop.add, "remove": $shop.remove}.get(kind)
        if action is None:
            $failed.append((kind, *args))
            continue
        try:
            action(*args)
        except (KeyError, ValueError) as problem:
~            print("order failed:", kind, args, "-", problem)
            $failed.append((kind, *args))
    return $failed
''',
            '''def apply_orders($shop, $orders):
    $failed = []
    {{for $order in $orders:
        ok = apply_one($shop, $order)
        if not ok:
            $failed.append($order)|for $order in $orders:
        if not apply_one($shop, $order):
            $failed.append($order)}}
    return $failed


def apply_one($shop, $order):
    try:
        if $order[0] == "add":
            $shop.add(*$order[1:])
        else:
            $shop.remove(*$order[1:])
    except KeyError:
        return False
    except ValueError:
        return False
    return True
''',
        ],
    },
    "helpers": {
        "check": [
            '''def $check($qty):
    if not isinstance($qty, int) or $qty <= 0:
        raise ValueError("quantity must be a positive int")
''',
            '''def $check($qty):
~    """Quantities are whole, positive numbers."""
    if $qty <= 0:
        raise ValueError(f"bad quantity {$qty}")
''',
        ],
    },
    "extras": [
        '''def print_stock($shop):
    print("item        qty")
    for $item in sorted($shop.$stock):
        print($item.ljust(10), str($shop.quantity($item)).rjust(5))
''',
        '''def most_valuable($shop):
    best = None
    best_value = -1
    for $item in $shop.$stock:
        worth_here = $shop.quantity($item) * price_of_item($shop, $item)
        if worth_here > best_value:
            best, best_value = $item, worth_here
    return best


def price_of_item($shop, $item):
    entry = $shop.$stock[$item]
    return entry[1] if isinstance(entry, list) else $shop.$prices[$item]
''',
        '''def self_test():
    s = Inventory()
    s.add("a", 2, 1.5)
    assert s.quantity("a") == 2
    s.remove("a", 1)
    assert s.quantity("a") == 1
~    assert s.low_stock(5) == ["a"]
    try:
        s.remove("zzz", 1)
        assert False, "expected KeyError"
    except KeyError:
        pass
    print("self test ok")
''',
        '''def value_report($shop):
~    """One line per item: name, quantity, and the value of the stock."""
    lines_out = []
    for $item in sorted($shop.$stock):
        $qty = $shop.quantity($item)
        lines_out.append("%-10s %5d" % ($item, $qty))
    lines_out.append("total value: %.2f" % $shop.total_value())
    return lines_out
''',
        '''def parse_order(text):
~    # "add pencil 10 0.35" or "remove pencil 3"
    bits = text.split()
    if not bits:
        raise ValueError("empty order")
    if bits[0] == "add" and len(bits) == 4:
        return ("add", bits[1], int(bits[2]), float(bits[3]))
    if bits[0] == "remove" and len(bits) == 3:
        return ("remove", bits[1], int(bits[2]))
    raise ValueError("cannot read order: " + text)


def read_orders(lines_in):
    $orders = []
    for text in lines_in:
        if text.strip() and not text.startswith("#"):
            $orders.append(parse_order(text))
    return $orders
''',
        '''def summary($shop, $failed):
    kinds = {}
    for $order in $failed:
        kinds[$order[0]] = kinds.get($order[0], 0) + 1
    return {
        "items": len($shop.$stock),
        "value": round($shop.total_value(), 2),
        "failed": kinds,
    }
''',
        '''def restock_list($shop, $limit=20, target=50):
~    # how many units to order so every low item reaches the target again
    return {$item: target - $shop.quantity($item) for $item in $shop.low_stock($limit)}
''',
    ],
    "mains": [
        '''if __name__ == "__main__":
    $shop = Inventory()
    $failed = apply_orders($shop, ORDERS)
    print(round($shop.total_value(), 2), $shop.low_stock(20), len($failed))
''',
        '''def main():
    $shop = Inventory()
    $failed = apply_orders($shop, ORDERS)
    print("stock value: %.2f" % $shop.total_value())
    print("low stock:", ", ".join($shop.low_stock(20)) or "none")
    for $order in $failed:
        print("failed:", $order)


if __name__ == "__main__":
    main()
''',
    ],
}

# ---------------------------------------------------------------------------
GRID = {
    "name": "grid",
    "title": "grid statistics",
    "api": ["parse_grid", "row_sums", "column_sums", "transpose", "neighbours", "largest_region"],
    "data_name": "GRID",
    "data": '''GRID = """3 0 0 7 7
3 3 0 7 1
0 3 5 5 1
2 2 5 0 1"""''',
    "starter_body": '''

def parse_grid(text):
    """Return the grid as a list of rows of ints."""
    # TODO
    pass


def row_sums(grid):
    # TODO
    pass


def column_sums(grid):
    # TODO
    pass


def transpose(grid):
    """Return a new grid whose rows are the columns of grid."""
    # TODO
    pass


def neighbours(grid, r, c):
    """Values of the up/down/left/right neighbours of (r, c) inside the grid."""
    # TODO
    pass


def largest_region(grid):
    """Size of the largest group of equal non-zero values connected
    up/down/left/right."""
    # TODO
    pass


if __name__ == "__main__":
    g = parse_grid(GRID)
    print(row_sums(g), column_sums(g))
    print(transpose(g)[0], neighbours(g, 1, 1), largest_region(g))
''',
    "roles": {
        "grid": ["grid", "g", "matrix", "board", "m", "cells"],
        "row": ["row", "line", "r_vals", "current_row", "values"],
        "r": ["r", "y", "i", "row_index", "ri"],
        "c": ["c", "x", "j", "col_index", "ci"],
        "text": ["text", "src", "raw", "content", "s"],
        "result": ["result", "res", "out", "answer", "sums"],
        "seen": ["seen", "visited", "done", "marked", "used"],
        "stack": ["stack", "todo", "frontier", "pending", "work"],
        "size": ["size", "count", "area", "cells_found", "n"],
        "best": ["best", "biggest", "largest", "max_size", "record"],
        "dirs": ["DIRECTIONS", "STEPS", "OFFSETS", "MOVES", "DELTAS"],
        "inside": ["inside", "in_bounds", "valid", "on_grid", "within"],
    },
    "constants": {
        "dirs": "$dirs = {{[(-1, 0), (1, 0), (0, -1), (0, 1)]|((0, 1), (1, 0), (0, -1), (-1, 0))|[(1, 0), (-1, 0), (0, 1), (0, -1)]}}",
    },
    "slots": {
        "parse_grid": [
            '''def parse_grid($text):
~    """Return the grid as a list of rows of ints."""
    return [[int(v) for v in $row.split()] for $row in $text.strip().splitlines()]
''',
            '''def parse_grid($text):
    $grid = []
    for $row in $text.split("\\n"):
        if $row.strip() == "":
            continue
        numbers = []
        for piece in $row.split():
            numbers.append(int(piece))
        $grid.append(numbers)
    return $grid
''',
            '''def parse_grid($text):
    $grid = [list(map(int, $row.split())) for $row in $text.splitlines() if $row.strip()]
    widths = set(len($row) for $row in $grid)
    if len(widths) > 1:
        raise ValueError("rows have different lengths")
    return $grid
''',
        ],
        "row_sums": [
            '''def row_sums($grid):
    return [sum($row) for $row in $grid]
''',
            '''def row_sums($grid):
    $result = []
    for $row in $grid:
        total = 0
        for v in $row:
            total {{+= v|= total + v}}
        $result.append(total)
    return $result
''',
            '''def row_sums($grid):
    return list(map(sum, $grid))
''',
        ],
        "column_sums": [
            '''def column_sums($grid):
    return row_sums(transpose($grid))
''',
            '''def column_sums($grid):
    if not $grid:
        return []
    $result = [0] * len($grid[0])
    for $row in $grid:
        for $c in range(len($row)):
            $result[$c] += $row[$c]
    return $result
''',
            '''def column_sums($grid):
    return [sum(col) for col in zip(*$grid)]
''',
        ],
        "transpose": [
            '''def transpose($grid):
    return [list(col) for col in zip(*$grid)]
''',
            '''def transpose($grid):
~    """Build the columns one by one."""
    if len($grid) == 0:
        return []
    $result = []
    for $c in range(len($grid[0])):
        column = []
        for $r in range(len($grid)):
            column.append($grid[$r][$c])
        $result.append(column)
    return $result
''',
            '''def transpose($grid):
    return [[$grid[$r][$c] for $r in range(len($grid))] for $c in range(len($grid[0]))] if $grid else []
''',
        ],
        "neighbours": [
            '''def $inside($grid, $r, $c):
    return 0 <= $r < len($grid) and 0 <= $c < len($grid[$r])


def neighbours($grid, $r, $c):
    $result = []
    for dr, dc in $dirs:
        if $inside($grid, $r + dr, $c + dc):
            $result.append($grid[$r + dr][$c + dc])
    return $result
''',
            '''def neighbours($grid, $r, $c):
~    # up, down, left, right - only the ones inside the grid
    $result = []
    if $r > 0:
        $result.append($grid[$r - 1][$c])
    if $r < len($grid) - 1:
        $result.append($grid[$r + 1][$c])
    if $c > 0:
        $result.append($grid[$r][$c - 1])
    if $c < len($grid[$r]) - 1:
        $result.append($grid[$r][$c + 1])
    return $result
''',
            '''def neighbours($grid, $r, $c):
    candidates = [($r - 1, $c), ($r + 1, $c), ($r, $c - 1), ($r, $c + 1)]
    return [$grid[a][b] for a, b in candidates
            if 0 <= a < len($grid) and 0 <= b < len($grid[0])]
''',
        ],
        "largest_region": [
            '''def largest_region($grid):
~    """Flood fill from every unvisited non-zero cell with an explicit stack."""
    $seen = set()
    $best = 0
    for $r in range(len($grid)):
        for $c in range(len($grid[$r])):
            if $grid[$r][$c] == 0 or ($r, $c) in $seen:
                continue
            value = $grid[$r][$c]
            $stack = [($r, $c)]
            $seen.add(($r, $c))
            $size = 0
            while $stack:
                y, x = $stack.pop()
                $size += 1
                for dy, dx in $dirs:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < len($grid) and 0 <= nx < len($grid[ny]) \\
                            and (ny, nx) not in $seen and $grid[ny][nx] == value:
                        $seen.add((ny, nx))
                        $stack.append((ny, nx))
            $best = max($best, $size)
    return $best
''',
            '''def region_size($grid, $r, $c, value, $seen):
    if $r < 0 or $r >= len($grid) or $c < 0 or $c >= len($grid[$r]):
        return 0
    if ($r, $c) in $seen or $grid[$r][$c] != value:
        return 0
    $seen.add(($r, $c))
    return (1 + region_size($grid, $r + 1, $c, value, $seen)
            + region_size($grid, $r - 1, $c, value, $seen)
            + region_size($grid, $r, $c + 1, value, $seen)
            + region_size($grid, $r, $c - 1, value, $seen))


def largest_region($grid):
    $seen = set()
    $best = 0
    for $r in range(len($grid)):
        for $c in range(len($grid[$r])):
            if $grid[$r][$c] != 0 and ($r, $c) not in $seen:
                $best = max($best, region_size($grid, $r, $c, $grid[$r][$c], $seen))
    return $best
''',
            '''def largest_region($grid):
    $seen = [[False] * len($row) for $row in $grid]
    sizes = []
    for $r, $row in enumerate($grid):
        for $c, value in enumerate($row):
            if value == 0 or $seen[$r][$c]:
                continue
            queue = deque([($r, $c)])
            $seen[$r][$c] = True
            $size = 0
            while queue:
                y, x = queue.popleft()
                $size += 1
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < len($grid) and 0 <= nx < len($grid[ny]):
                        if not $seen[ny][nx] and $grid[ny][nx] == value:
                            $seen[ny][nx] = True
                            queue.append((ny, nx))
            sizes.append($size)
    return max(sizes) if sizes else 0
''',
        ],
    },
    "helpers": {},
    "extras": [
        '''def show($grid):
    width = max(len(str(v)) for $row in $grid for v in $row)
    for $row in $grid:
        print(" ".join(str(v).rjust(width) for v in $row))
''',
        '''def spiral($grid):
~    """Values in clockwise spiral order, starting top-left."""
    $result = []
    top, bottom, left, right = 0, len($grid) - 1, 0, len($grid[0]) - 1
    while top <= bottom and left <= right:
        $result.extend($grid[top][left:right + 1])
        for $r in range(top + 1, bottom + 1):
            $result.append($grid[$r][right])
        if top < bottom:
            $result.extend(reversed($grid[bottom][left:right]))
        if left < right:
            for $r in range(bottom - 1, top, -1):
                $result.append($grid[$r][left])
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return $result
''',
        '''def self_test():
    small = parse_grid("1 2\\n3 4")
    assert row_sums(small) == [3, 7]
    assert column_sums(small) == [4, 6]
    assert transpose(small) == [[1, 3], [2, 4]]
~    assert sorted(neighbours(small, 0, 0)) == [2, 3]
    assert largest_region([[1, 1], [0, 1]]) == 3
    print("self test passed")
''',
        '''def count_value($grid, target):
    how_often = 0
    for $row in $grid:
        for v in $row:
            if v == target:
                how_often += 1
    return how_often


def most_common_value($grid):
~    # ties: the smaller value wins
    values = sorted(set(v for $row in $grid for v in $row))
    return max(values, key=lambda v: (count_value($grid, v), -v)) if values else None
''',
        '''def rotate_right($grid):
~    """Rotate the grid 90 degrees clockwise."""
    if not $grid:
        return []
    rotated = []
    for $c in range(len($grid[0])):
        new_row = []
        for $r in range(len($grid) - 1, -1, -1):
            new_row.append($grid[$r][$c])
        rotated.append(new_row)
    return rotated
''',
        '''def region_count($grid):
    $seen = set()
    regions = 0
    for $r in range(len($grid)):
        for $c in range(len($grid[$r])):
            if $grid[$r][$c] == 0 or ($r, $c) in $seen:
                continue
            regions += 1
            $stack = [($r, $c)]
            while $stack:
                y, x = $stack.pop()
                if (y, x) in $seen:
                    continue
                $seen.add((y, x))
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < len($grid) and 0 <= nx < len($grid[ny]) and $grid[ny][nx] == $grid[y][x]:
                        $stack.append((ny, nx))
    return regions
''',
        '''def diagonal_sum($grid):
    $size = min(len($grid), len($grid[0]))
    return sum($grid[k][k] for k in range($size))
''',
        '''def local_maxima($grid):
    found = []
    for $r in range(len($grid)):
        for $c in range(len($grid[$r])):
            if all($grid[$r][$c] > v for v in neighbours($grid, $r, $c)):
                found.append(($r, $c))
    return found
''',
    ],
    "mains": [
        '''if __name__ == "__main__":
    $grid = parse_grid(GRID)
    print(row_sums($grid), column_sums($grid))
    print(transpose($grid)[0], neighbours($grid, 1, 1), largest_region($grid))
''',
        '''def main():
    $grid = parse_grid(GRID)
    print("rows:   ", row_sums($grid))
    print("columns:", column_sums($grid))
    for $row in transpose($grid):
        print(*$row)
    print("neighbours of (1, 1):", sorted(neighbours($grid, 1, 1)))
    print("largest region:", largest_region($grid))


if __name__ == "__main__":
    main()
''',
    ],
}

ASSIGNMENTS = [WORD_STATS, GRADEBOOK, INVENTORY, GRID]
