"""Flat RSS: build / backward / del a small scalar chain N times with the cyclic GC off.

An engine whose graphs form reference cycles leaks them all while the GC is off.
Reports the RSS at ten checkpoints, the growth from the first checkpoint to the
last (per loop), and how many objects ``gc.collect()`` finds unreachable at the
end (objects that only the cyclic GC could have freed).
``python -m benchmarks.bench_flat_rss --engine reference --sizes 10000``
"""

from __future__ import annotations

import argparse
import gc
from typing import Any

from benchmarks import child, memory, workloads
from benchmarks.engines.base import Engine

CHAIN_NODES = 30
CHECKPOINTS = 10


def measure(engine: Engine, loops: int, args: argparse.Namespace) -> dict[str, Any]:
    build = workloads.chain(CHAIN_NODES)
    leaves = workloads.CHAIN_LEAVES
    for _ in range(100):  # warm-up: caches, free lists, first-call allocations
        engine.grad_scalar(build, leaves)
    gc.collect()
    gc.disable()
    try:
        every = max(1, loops // CHECKPOINTS)
        rss: list[int] = []
        for i in range(loops):
            engine.grad_scalar(build, leaves)
            if (i + 1) % every == 0:
                rss.append(memory.rss_bytes())
    finally:
        unreachable = gc.collect()
        gc.enable()
    growth = rss[-1] - rss[0]
    return {
        "loops": loops,
        "nodes_per_loop": CHAIN_NODES,
        "rss_checkpoints": rss,
        "growth_bytes": growth,
        "growth_per_loop": growth / max(1, loops - every),
        "unreachable_objects": unreachable,
    }


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
