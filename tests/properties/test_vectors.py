"""The committed test vectors (``tests/vectors/cases-v1.jsonl``, schema in
``docs/vectors.md``) hold: the same check a port in another language runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategies.capabilities import capabilities
from strategies.implementation import Implementation
from strategies.vectors import check, decode_graph, read, run_python

pytestmark = pytest.mark.requires("core")

CASES = read(str(Path(__file__).resolve().parents[1] / "vectors" / "cases-v1.jsonl"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_committed_vector(impl: Implementation, case: dict[str, Any]) -> None:
    missing = decode_graph(case["graph"]).ops() - {op.name for op in capabilities(impl).ops}
    if missing:
        pytest.skip(f"not applicable: the implementation lacks the ops {sorted(missing)}")
    mismatches = check([case], run_python([case], impl))
    assert not mismatches, "[test vectors]\n" + "\n".join(map(str, mismatches)) + "\n" + case["script"]
