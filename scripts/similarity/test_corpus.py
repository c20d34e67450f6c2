"""Tests of the corpus tooling: the hand-written fixtures and make_corpus.py.

    python3 -m unittest discover -s scripts/similarity -p 'test_*.py'
"""
import csv
import filecmp
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_fixtures  # noqa: E402
import make_corpus  # noqa: E402


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class FixturesTest(unittest.TestCase):
    def test_fixtures_are_consistent(self):
        # javac per file takes about a minute; check_fixtures.py always does it
        files, problems = check_fixtures.check(java=os.environ.get("SIMCORPUS_JAVAC") == "1")
        self.assertGreater(len(files), 100)
        self.assertEqual(problems, [])

    def test_labels_cover_every_pair_once(self):
        root = check_fixtures.ROOT
        rows = read_csv(root / "labels.csv")
        self.assertEqual(list(rows[0]), ["a", "b", "label", "disguise", "language", "assignment"])
        seen = set()
        for r in rows:
            self.assertLess(r["a"], r["b"])
            self.assertNotIn((r["a"], r["b"]), seen)
            seen.add((r["a"], r["b"]))
            self.assertEqual(r["label"] == "copy", r["disguise"] != "none")
        groups = {}
        for p in root.glob("*/*/*"):
            if p.suffix in (".py", ".java") and p.stem.lower() != "starter":
                groups.setdefault(p.parent, []).append(p)
        expected = sum(len(g) * (len(g) - 1) // 2 for g in groups.values())
        self.assertEqual(len(rows), expected)
        for lang in ("python", "java"):
            kinds = {r["disguise"] for r in rows if r["language"] == lang and r["label"] == "copy"}
            self.assertEqual(kinds, set(make_corpus.KINDS))


class GeneratorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = pathlib.Path(cls.tmp.name) / "c1"
        make_corpus.generate(cls.out, 64, 5, 0.25)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_deterministic(self):
        again = pathlib.Path(self.tmp.name) / "c2"
        make_corpus.generate(again, 64, 5, 0.25)
        cmp = filecmp.dircmp(self.out, again)
        self.assertEqual(cmp.diff_files, [])
        for sub in cmp.subdirs.values():
            self.assertEqual(sub.diff_files, [])

    def test_files_and_labels(self):
        subs = sorted(self.out.glob("*/s[0-9]*.py"))
        self.assertEqual(len(subs), 64)
        for path in subs:
            compile(path.read_text(), str(path), "exec")
        rows = read_csv(self.out / "labels.csv")
        copies = read_csv(self.out / "copies.csv")
        self.assertEqual(len(copies), 16)
        self.assertEqual({c["disguise"] for c in copies}, set(make_corpus.KINDS))
        for r in rows:
            self.assertLess(r["a"], r["b"])
            self.assertEqual(r["label"], "copy")
            self.assertTrue((self.out / r["a"]).exists() and (self.out / r["b"]).exists())
            self.assertEqual(r["a"].split("/")[0], r["assignment"])

    def test_copies_behave_like_their_source(self):
        copies = read_csv(self.out / "copies.csv")

        def run(rel):
            return subprocess.run([sys.executable, rel], cwd=self.out, capture_output=True,
                                  text=True, timeout=30)

        for c in copies:
            a, b = run(c["copy"]), run(c["source"])
            self.assertEqual(a.returncode, 0, f"{c['copy']} ({c['steps']}): {a.stderr}")
            self.assertEqual(a.stdout, b.stdout, f"{c['copy']} ({c['steps']}) differs from {c['source']}")
            with open(self.out / c["copy"]) as f1, open(self.out / c["source"]) as f2:
                self.assertNotEqual(f1.read(), f2.read())

    def test_refuses_to_write_into_the_repository(self):
        target = HERE / "generated-corpus-should-not-exist"
        run = subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--out", str(target),
                              "--files", "8"], capture_output=True, text=True)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("inside a git work tree", run.stderr)
        self.assertFalse(target.exists())


if __name__ == "__main__":
    unittest.main()
