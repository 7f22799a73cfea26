"""Scalar chain: N op-nodes of sin, mul, add on 0-d float64, forward + backward.

``python -m benchmarks.bench_scalar_chain --engine reference --sizes 1000 10000``
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import child, workloads
from benchmarks.engines.base import Engine


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    result = child.time_grad_scalar(engine, workloads.chain, workloads.CHAIN_LEAVES, n, args, small=300)
    return {**result, "nodes": n}


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
