"""Random DAG: N nodes sin(a + b) or sin(a * b) with shared subexpressions.

Every node reaches the output (the values nothing consumed are summed into it).
The structure is seeded, so every engine builds the same graph.
``python -m benchmarks.bench_dag --engine reference --sizes 100 1000 10000``
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import child, workloads
from benchmarks.engines.base import Engine


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    result = child.time_grad_scalar(engine, workloads.dag, workloads.DAG_LEAVES, n, args, small=100)
    return {**result, "nodes": workloads.dag_nodes(n)}


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
