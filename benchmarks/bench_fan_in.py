"""Fan-in: N branches sin(x * c_i) of one leaf, summed; forward + backward.

3N - 1 op-nodes. The runner fits the slope of log(time) against log(N).
``python -m benchmarks.bench_fan_in --engine reference --sizes 100 1000 10000``
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import child, workloads
from benchmarks.engines.base import Engine


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    result = child.time_grad_scalar(engine, workloads.fan_in, workloads.FAN_IN_LEAVES, n, args, small=100)
    return {**result, "nodes": workloads.fan_in_nodes(n)}


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
