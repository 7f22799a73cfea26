"""The suite targets any implementation: run it against a second one, and check
that nothing in the suite imports the reference by name."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "fixtures" / "stage_simple"
SUITE = [ROOT / "strategies", ROOT / "tests" / "properties", ROOT / "tests" / "helpers", ROOT / "conftest.py"]


def test_the_suite_runs_against_a_second_implementation(tmp_path: Path) -> None:
    """The simple-core implementation (ndarray grads, no functions module) passes
    every property it has the capabilities for; the rest are not applicable."""
    report = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "tests/properties",
         "--impl", str(SECOND), "--report", str(report), "--hypothesis-profile", "ci"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    data = json.loads(report.with_suffix(".json").read_text())
    assert str(SECOND) in data["header"]["implementation"]
    assert data["header"]["capability levels"] == "forward, core, generations, memory, operators"
    statuses = {row["status"] for row in data["results"]}
    assert statuses == {"pass", "not applicable"}, statuses
    not_applicable = [row["nodeid"] for row in data["results"] if row["status"] == "not applicable"]
    assert any("test_higher_order" in n for n in not_applicable)
    assert any("test_each_op_alone_matches_complex_step[matmul]" in n for n in not_applicable)
    assert any("test_each_op_alone_matches_complex_step[sin]" in r["nodeid"] and r["status"] == "pass"
               for r in data["results"])
    assert sum(row["status"] == "pass" for row in data["results"]) >= 30


def _imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_strategy_or_property_imports_the_reference() -> None:
    files = [f for p in SUITE for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    offenders = [str(f.relative_to(ROOT)) for f in files if "dezero" in _imports_of(f)]
    assert not offenders, f"these reach the reference by name instead of through the impl fixture: {offenders}"
