""""The book's DeZero fails this too" is earned by the failure, not by the property.

On the book's own final package (``../shared/book/dezero``, beside this repository)
every failure of the selected properties is tagged as the book's. Then one learner
bug is put into a copy of it, in ops whose properties the book already fails
(crashes and wrong values both): each of those failures is reported as the
learner's own, with the book's failure of the property said beside it. The copies
are made by the test, in a temporary folder. Without ``../shared/book`` the test
skips, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT.parent / "shared" / "book" / "dezero"

# Properties the book's package fails (docs/conformance/book.md), one or more per op.
SELECT = ("(test_each_op_alone_matches_complex_step and (max] or matmul] or clip])) or "
          "(test_each_op_alone_matches_numpy and layer_batch_norm]) or test_committed_vector and case-0021")

# A learner's bug per op: (file, the book's text, the learner's text), and the
# properties it makes fail in the learner's own way.
BUGS = [
    ("functions.py", "shape = utils.max_backward_shape(x, self.axis)",
     "shape = utils.max_backward_shapes(x, self.axis)", ["test_each_op_alone_matches_complex_step[max]"]),
    ("layers.py", "F.batch_nrom(", "F.batch_norm(", ["test_each_op_alone_matches_numpy[layer_batch_norm]"]),
    ("functions.py", "(x.data <= self.x_max)\n        gx = gy * mask\n        return gx\n",
     "(x.data <= self.x_max)\n        gx = gy * mask\n        return [gx]\n",
     ["test_committed_vector[case-0021]", "test_each_op_alone_matches_complex_step[clip]"]),
    ("functions.py", "x, W = self.inputs\n        gx = matmul(gy, W.T)", "x, W = self.inputs\n        gx = matmul(gy, W)",
     ["test_each_op_alone_matches_complex_step[matmul]"]),
]


def _check(package: Path, report: Path) -> list[dict[str, str]]:
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "properties"), "--rootdir", str(ROOT),
               "-p", "no:cacheprovider", "-q", f"--impl={package}", "--report", str(report),
               "--hypothesis-profile", "ci", "--shrink-seconds", "10", "-n", "0", "-k", SELECT,
               "--junitxml", str(report.with_suffix(".xml"))]
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    result = subprocess.run(command, cwd=report.parent, capture_output=True, text=True, timeout=900,
                            env={**env, "PYTHONHASHSEED": "0"})
    assert "INTERNALERROR" not in result.stdout, result.stdout[-3000:]
    rows: list[dict[str, str]] = json.loads(report.with_suffix(".json").read_text())["results"]
    return [r for r in rows if r["status"] == "fail"]


def _copy_with_bugs(into: Path) -> Path:
    package = into / "dezero"
    shutil.copytree(BOOK, package, ignore=shutil.ignore_patterns("__pycache__"))
    for file, old, new, _ in BUGS:
        path = package / file
        text = path.read_text()
        assert text.count(old) == 1, f"{file}: {old!r} is not in the book's code exactly once"
        path.write_text(text.replace(old, new))
    return package


needs_the_book = pytest.mark.skipif(not BOOK.is_dir(), reason=f"the book's package is not at {BOOK}")
needs_matplotlib = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import matplotlib"], capture_output=True).returncode != 0,
    reason="the book's package imports matplotlib, which is not installed")


@needs_the_book
@needs_matplotlib
def test_the_books_own_failures_are_all_tagged(tmp_path: Path) -> None:
    failures = _check(BOOK, tmp_path / "book")
    assert failures, "the book's package failed none of the selected properties"
    untagged = [f"{r['nodeid']}: {r['reason']}" for r in failures if not r["inherited"]]
    assert not untagged, "the book's own failures reported as the learner's:\n" + "\n".join(untagged)
    junit = ET.parse(tmp_path / "book.xml")  # JUnit XML carries the book's verdict too
    tagged = [p.get("value", "") for p in junit.iter("property") if p.get("name") == "dezero_book"]
    assert len(tagged) == len(failures) and all(v.startswith("the book's DeZero fails this too") for v in tagged), tagged


@needs_the_book
@needs_matplotlib
def test_a_learner_bug_where_the_book_fails_too_is_the_learners(tmp_path: Path) -> None:
    failures = {r["nodeid"].split("::")[-1]: r for r in _check(_copy_with_bugs(tmp_path), tmp_path / "learner")}
    for _, _, _, properties in BUGS:
        for name in properties:
            row = failures.get(name)
            assert row is not None, f"{name} did not fail with the learner's bug: {sorted(failures)}"
            assert not row["inherited"], f"{name}: the learner's bug tagged as the book's: {row}"
            if name != "test_each_op_alone_matches_complex_step[clip]":  # the book's clip is right
                assert row["book_aside"], f"{name}: the book's failure of this property is not said: {row}"
