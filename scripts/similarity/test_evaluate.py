"""Tests of evaluate.py on tiny hand-made corpora.

    python3 -m unittest discover -s scripts/similarity -p 'test_*.py'
"""
import contextlib
import io
import json
import os
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402

LABELS = """a,b,label,disguise,language,assignment
p/x/a.py,p/x/b.py,copy,rename,python,x
p/x/a.py,p/x/c.py,independent,none,python,x
p/x/a.py,p/x/d.py,independent,none,python,x
p/x/b.py,p/x/c.py,independent,none,python,x
p/x/b.py,p/x/d.py,independent,none,python,x
p/x/c.py,p/x/d.py,copy,reorder,python,x
"""


class EvaluateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = pathlib.Path(self.tmp.name)
        (self.dir / "labels.csv").write_text(LABELS)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return str(path)

    def run_json(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            evaluate.main(["--labels", str(self.dir / "labels.csv"), "--json", *args])
        return json.loads(out.getvalue())

    def slices(self, report, tool=0):
        return {s["slice"]: s for s in report["tools"][tool]["slices"]}

    def test_listed_pairs_by_hand(self):
        # copies: ab 0.9, cd 0.4; independent: ac 0.5, bd 0.1, ad and bc absent (0)
        res = self.write("r.csv", "a,b,score\np/x/a.py,p/x/b.py,0.9\np/x/d.py,p/x/c.py,0.4\n"
                                  "p/x/c.py,p/x/a.py,0.5\np/x/b.py,p/x/d.py,0.1\n")
        s = self.slices(self.run_json(res))
        overall = s["overall"]
        self.assertEqual((overall["positives"], overall["negatives"]), (2, 4))
        # 0.9 beats all 4 independent pairs, 0.4 beats 3 of them: 7/8
        self.assertAlmostEqual(overall["roc_auc"], 7 / 8)
        # ranking: copy(0.9) indep(0.5) copy(0.4): AP = 1/2 * 1 + 1/2 * 2/3
        self.assertAlmostEqual(overall["average_precision"], 0.5 + 1 / 3)
        # threshold 0.4: tp 2, fp 1, fn 0 -> F1 = 4/5
        self.assertAlmostEqual(overall["best_f1"], 0.8)
        self.assertEqual(overall["best_f1_threshold"], 0.4)
        self.assertAlmostEqual(s["disguise:rename"]["roc_auc"], 1.0)
        self.assertAlmostEqual(s["disguise:rename"]["best_f1"], 1.0)
        self.assertAlmostEqual(s["disguise:reorder"]["roc_auc"], 3 / 4)
        self.assertEqual(s["disguise:reorder"]["negatives"], 4)
        self.assertAlmostEqual(s["language:python"]["roc_auc"], 7 / 8)

    def test_ties_and_missing_pairs(self):
        empty = self.write("empty.csv", "")
        s = self.slices(self.run_json(empty))
        self.assertAlmostEqual(s["overall"]["roc_auc"], 0.5)
        self.assertAlmostEqual(s["overall"]["average_precision"], 2 / 6)
        # everything predicted a copy: precision 2/6, recall 1
        self.assertAlmostEqual(s["overall"]["best_f1"], 2 * 2 / (2 * 2 + 4))

    def test_no_header_duplicates_and_unknown_rows(self):
        res = self.write("r.csv", "p/x/b.py,p/x/a.py,0.2\np/x/a.py,p/x/b.py,0.7\n"
                                  "./p/x/c.py,p/x/d.py,0.6\np/x/a.py,p/x/zzz.py,0.9\n")
        report = self.run_json(res)
        self.assertEqual(report["tools"][0]["ignored_rows"], 1)
        s = self.slices(report)
        # both copies score above every (absent) independent pair
        self.assertAlmostEqual(s["overall"]["roc_auc"], 1.0)
        self.assertAlmostEqual(s["overall"]["best_f1_threshold"], 0.6)

    def test_unlisted_pairs_are_independent(self):
        labels = "a,b,label,disguise,language,assignment\n" \
                 "p/x/a.py,p/x/b.py,copy,combined,python,x\n"
        (self.dir / "labels.csv").write_text(labels)
        for name in ["p/x/a.py", "p/x/b.py", "p/x/c.py", "p/y/e.py", "p/x/starter.py",
                     "j/x/A.java", "j/x/B.java", "planted/q.py"]:
            self.write("corpus/" + name, "pass\n")
        res = self.write("r.csv", "p/x/a.py,p/x/b.py,0.5\np/x/a.py,p/y/e.py,0.8\n"
                                  "p/x/a.py,j/x/A.java,0.99\n")
        report = self.run_json("--unlisted", "independent", "--corpus", str(self.dir / "corpus"), res)
        # python files a b c e (starter and planted/ left out): 6 pairs; java A B: 1 pair
        self.assertEqual(report["universe"]["pairs"], 7)
        self.assertEqual(report["tools"][0]["ignored_rows"], 1)  # cross-language pair
        s = self.slices(report)
        self.assertEqual(s["overall"]["negatives"], 6)
        self.assertEqual(s["language:python"]["negatives"], 5)
        self.assertEqual(s["language:java"]["positives"], 0)
        self.assertIsNone(s["language:java"]["roc_auc"])
        # the copy (0.5) is beaten by a-e (0.8) and beats the 4 other python pairs
        # and the java pair: AUC = 5/6
        self.assertAlmostEqual(s["overall"]["roc_auc"], 5 / 6)
        self.assertAlmostEqual(s["disguise:combined"]["roc_auc"], 5 / 6)

    def test_markdown_and_tool_names(self):
        res = self.write("r.csv", "p/x/a.py,p/x/b.py,1\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            evaluate.main(["--labels", str(self.dir / "labels.csv"), "mine=" + res, res])
        text = out.getvalue()
        self.assertIn("| tool | slice |", text)
        self.assertIn("| mine | overall | 2 | 4 |", text)
        self.assertIn("| r | disguise:reorder |", text)


if __name__ == "__main__":
    unittest.main()
