"""Ports through the driver protocol, end to end: ``dezero-check --port CMD`` as a
porter runs it.

- The protocol's conformance test: the reference answered by the Python driver over
  the wire passes every request property; the book's package (from ../shared, when
  present) answers the same requests over the wire exactly as in process.
- A port in another language: the suite's own JavaScript DeZero
  (tests/fixtures/ports/js) passes; each of its deliberate bugs
  (``DEZERO_JS_BUG``) is caught by the property's oracle, and the culprit names the
  op with the bug.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "tests" / "properties" / "test_requests.py"
JS_DRIVER = ROOT / "tests" / "fixtures" / "ports" / "js" / "driver.js"
BOOK = ROOT.parent / "shared" / "book" / "dezero"
PYTHON_DRIVER = f"{sys.executable} -m strategies.ports.python_driver"


def check(tmp_path: Path, *options: str, env: dict[str, str] | None = None, select: str = "") -> dict[str, dict[str, str]]:
    """Run the request properties as ``dezero-check`` would (derandomized: seed 0,
    no example database); each test's report row by test id."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    report = tmp_path / "report"
    command = [sys.executable, "-m", "pytest", str(REQUESTS), "--rootdir", str(ROOT), "-p", "no:cacheprovider",
               "-q", "--tb=no", "--hypothesis-seed=0", "--report", str(report), *options]
    if select:
        command += ["-k", select]
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=900)
    try:
        rows = json.loads(report.with_suffix(".json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        pytest.fail(f"no report; the run said:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {row["nodeid"].split("::")[-1]: row for row in rows}


def failures(rows: dict[str, dict[str, str]]) -> dict[str, str]:
    return {test: row.get("reason", "") for test, row in rows.items() if row["status"] == "fail"}


def test_the_reference_over_the_wire_passes_every_request_property(tmp_path: Path) -> None:
    rows = check(tmp_path, "--port", f"{PYTHON_DRIVER} dezero")
    assert not failures(rows), failures(rows)
    assert sum(row["status"] == "pass" for row in rows.values()) >= 70


@pytest.mark.skipif(not BOOK.is_dir(), reason="the book's package is not at ../shared/book/dezero")
@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="the book's package imports matplotlib")
def test_the_books_package_answers_over_the_wire_exactly_as_in_process() -> None:
    """150 requests answered by the Python driver and in process: the same values,
    gradients and errors, bit for bit (tests/selftest/wire_vs_process.py; in a
    process of its own, where the book's package can be imported as ``dezero``)."""
    done = subprocess.run([sys.executable, "-m", "tests.selftest.wire_vs_process", str(BOOK)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "150 requests, the same answers" in done.stdout, done.stdout


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@needs_node
def test_the_javascript_port_passes_every_request_property(tmp_path: Path) -> None:
    rows = check(tmp_path, "--port", f"node {JS_DRIVER}")
    assert not failures(rows), failures(rows)
    assert sum(row["status"] == "pass" for row in rows.values()) >= 40


@needs_node
@pytest.mark.parametrize(("bug", "select", "oracle", "culprit"), [
    # (an op that fails alone is left out of random graphs: its own property names it)
    ("mul-backward-forgets-gy", "test_request_op_alone_matches_complex_step and mul", "alone vs complex step", "`mul`"),
    ("no-sum-to", "test_request_op_alone_matches_complex_step and add", "alone vs complex step", "`add"),
    ("generation-ignored", "test_request_gradients_match_complex_step and float64", "gradient vs complex step",
     "the engine combines them wrongly"),
    ("minus-zero-lost", "test_numbers_cross_the_wire_bit_for_bit", "[numbers]", ""),
    ("broadcast-unchecked", "test_request_incompatible_shapes_are_an_error", "[bad input]", ""),
])
def test_each_bug_of_the_javascript_port_is_caught_and_named(
    tmp_path: Path, bug: str, select: str, oracle: str, culprit: str
) -> None:
    rows = check(tmp_path, "--port", f"node {JS_DRIVER}", env={"DEZERO_JS_BUG": bug}, select=select)
    failed = failures(rows)
    assert failed, f"{bug}: nothing failed"
    reasons = "\n".join(failed.values())
    assert oracle in reasons, reasons
    culprits = " ".join(row.get("culprit", "") for row in rows.values())
    assert culprit in culprits, culprits
