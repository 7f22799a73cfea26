"""Scalar chain: N op-nodes of sin, mul, add on 0-d float64, forward + backward.

``python -m benchmarks.bench_scalar_chain --engine reference --sizes 1000 10000``
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import child, workloads
from benchmarks.engines.base import Engine


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    engine.grad_scalar(workloads.chain(min(n, 300)), workloads.CHAIN_LEAVES)  # warm-up
    build = workloads.chain(n)
    times = child.time_calls(
        lambda: engine.grad_scalar(build, workloads.CHAIN_LEAVES), args.repeats, args.budget
    )
    value, grads = engine.grad_scalar(workloads.chain(min(n, 300)), workloads.CHAIN_LEAVES)
    return {"times": times, "nodes": n, "check": [value, *grads]}


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
