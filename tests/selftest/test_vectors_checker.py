"""The vector checker reports what a port gets wrong (it is not a checker that
passes everything)."""

from __future__ import annotations

import copy
from pathlib import Path

from strategies.implementation.handle import Implementation
from strategies.ports.vectors import check, read, run_python

CASES = read(str(Path(__file__).resolve().parents[1] / "vectors" / "cases-v1.jsonl"))[:5]


def test_checker_reports_a_wrong_gradient_a_wrong_shape_and_a_missing_case(impl: Implementation) -> None:
    results = run_python(CASES, impl)
    assert check(CASES, results) == []
    broken = copy.deepcopy(results)
    live = next(k for k, g in enumerate(broken[0]["grads"]) if g is not None)
    broken[0]["grads"][live]["values"][0] += 1e-4
    broken[1]["output"]["shape"] = [*broken[1]["output"]["shape"], 1]
    del broken[2]
    found = {(m.case, m.what.split(" ")[0]) for m in check(CASES, broken)}
    assert (CASES[0]["id"], "grad") in found
    assert (CASES[1]["id"], "output") in found
    assert (CASES[2]["id"], "case") in found
