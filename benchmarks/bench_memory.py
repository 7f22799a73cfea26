"""Peak memory per op-node on the scalar chain (forward + backward of N nodes).

Two measures, each from its own call:

- ``rss``: the peak resident set size (VmHWM, reset just before) minus the RSS just
  before the call, divided by N. Sees every allocator, PyTorch's included.
- ``tracemalloc``: the peak of memory traced by ``tracemalloc`` during the call,
  divided by N. Python objects and NumPy buffers only: PyTorch's C++ graph is
  invisible to it, so it is reported for the pure-Python engines only. It is exact
  and repeatable, a good guide for shrinking the reference.

``python -m benchmarks.bench_memory --engine reference --sizes 100000``
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from typing import Any

from benchmarks import child, memory, workloads
from benchmarks.engines.base import Engine

# Engines whose graph lives outside Python's allocators.
NATIVE_GRAPH = frozenset({"torch-1thread", "torch-default"})


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    build = workloads.chain(n)
    engine.grad_scalar(workloads.chain(min(n, 300)), workloads.CHAIN_LEAVES)  # warm-up
    gc.collect()
    before = memory.rss_bytes()
    if not memory.reset_peak():
        raise RuntimeError("cannot reset the peak RSS (/proc/self/clear_refs)")
    engine.grad_scalar(build, workloads.CHAIN_LEAVES)
    rss_peak = memory.peak_rss_bytes() - before
    result: dict[str, Any] = {"nodes": n, "rss_peak_bytes": rss_peak, "rss_per_node": rss_peak / n}
    if engine.name not in NATIVE_GRAPH:
        gc.collect()
        tracemalloc.start()
        engine.grad_scalar(build, workloads.CHAIN_LEAVES)
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result.update(traced_peak_bytes=traced_peak, traced_per_node=traced_peak / n)
    return result


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
