"""The committed test vectors (``tests/vectors/cases-v1.jsonl``, schema in
``docs/vectors.md``) hold: the same check a port in another language runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from strategies.graphs.encoding import decode_graph
from strategies.graphs.spec import GraphSpec, evaluate
from strategies.implementation.handle import Implementation
from strategies.ports.vectors import check, read, run_python
from strategies.survey.capabilities import capabilities

pytestmark = pytest.mark.requires("core")

def _joins_shapes(spec: GraphSpec) -> bool:
    values = evaluate(spec)
    return any(len({np.shape(values[a]) for a in node.args}) > 1 for node, _ in spec.nodes() if node.spec.arity == 2)


CASES = read(str(Path(__file__).resolve().parents[1] / "vectors" / "cases-v1.jsonl"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_committed_vector(impl: Implementation, case: dict[str, Any]) -> None:
    spec = decode_graph(case["graph"])
    caps = capabilities(impl)
    missing = spec.ops() - {op.name for op in caps.ops}
    if missing:
        pytest.skip(f"not applicable: the implementation lacks the ops {sorted(missing)}")
    if not caps.broadcasting and _joins_shapes(spec):
        pytest.skip("not applicable: the graph joins values of two shapes, and the implementation does not "
                    "undo broadcasting (no sum_to: the book adds it at step 40)")
    mismatches = check([case], run_python([case], impl))
    assert not mismatches, "[test vectors]\n" + "\n".join(map(str, mismatches)) + "\n" + case["script"]
