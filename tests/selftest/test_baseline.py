"""``--baseline FILE``: a CI gate that fails on regressions only. The first run
writes the file (the failures it found, one reviewable line each); a later run
with the same failures passes; a new failure fails it, named; a listed failure
that now passes is said. JUnit XML carries each failure's culprit."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.fixtures.zoo import FIXABLE_BY_NAME, build, fix

ROOT = Path(__file__).resolve().parents[2]
SELECT = "test_each_op_alone_matches_complex_step and (sub] or sin])"


def _check(member: Path, folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "properties"), "--rootdir", str(ROOT),
               "-p", "no:cacheprovider", "-q", f"--impl={member}", "--hypothesis-profile", "ci",
               "--shrink-seconds", "5", "-n", "0", "-k", SELECT, *options]
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600, env=env)


def test_a_baseline_fails_on_new_failures_only(tmp_path: Path) -> None:
    wrong_sub = FIXABLE_BY_NAME["wrong Sub rule"]
    member = build(wrong_sub, tmp_path)
    baseline = tmp_path / "baseline.txt"

    first = _check(member, tmp_path, "--baseline", str(baseline), "--junitxml", str(tmp_path / "junit.xml"))
    assert first.returncode == 0, first.stdout[-3000:]
    assert "baseline: wrote" in first.stdout, first.stdout[-2000:]
    listed = [line for line in baseline.read_text().splitlines() if not line.startswith("#")]
    assert listed and all("[sub]" in line or "[rsub" in line for line in listed), listed
    assert all("Sub.backward" in line for line in listed), listed  # each line says why
    culprits = [p.get("value", "") for p in ET.parse(tmp_path / "junit.xml").iter("property")
                if p.get("name") == "dezero_culprit"]
    assert culprits and all(c.startswith("Sub.backward") for c in culprits), culprits

    again = _check(member, tmp_path, "--baseline", str(baseline))
    assert again.returncode == 0 and "baseline: 0 new failures" in again.stdout, again.stdout[-3000:]

    gy_in_place = FIXABLE_BY_NAME["gy in place"]
    for edit in gy_in_place.edits:  # a regression on top of the known bug
        path = member / edit.file
        path.write_text(path.read_text().replace(edit.old, edit.new))
    worse = _check(member, tmp_path, "--baseline", str(baseline), "-k", "test_each_op_alone_changes_nothing "
                   "and sin]", "-k", f"({SELECT}) or (test_each_op_alone_changes_nothing and sin])")
    assert worse.returncode == 1, worse.stdout[-3000:]
    assert "new: test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[sin]" in worse.stdout, \
        worse.stdout[-3000:]

    fix(gy_in_place, member)
    fix(wrong_sub, member)
    fixed = _check(member, tmp_path, "--baseline", str(baseline))
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    assert "now passes (delete it from the baseline): test_gradients.py::test_each_op_alone_matches_complex_step[sub]" \
        in fixed.stdout, fixed.stdout[-3000:]
