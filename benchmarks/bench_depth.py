"""Depth: one scalar chain of N op-nodes (10**6 in a full run), forward + backward.

Succeeds when the gradient comes back: no RecursionError, no crash. On a failure
the script also tries shallower chains (10**5, 10**4, ...) to report the deepest
that worked. The time of a successful run and its peak RSS are reported.
``python -m benchmarks.bench_depth --engine reference --sizes 1000000``
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

from benchmarks import child, memory, workloads
from benchmarks.engines.base import Engine

SHALLOWER = (100_000, 30_000, 10_000, 3_000, 1_000, 700, 500, 300, 100)


def _attempt(engine: Engine, n: int) -> str | None:
    """None when a chain of ``n`` nodes differentiates, else the error."""
    try:
        engine.grad_scalar(workloads.chain(n), workloads.CHAIN_LEAVES)
    except Exception as exc:  # noqa: BLE001  (any failure is the result)
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    finally:
        gc.collect()
    return None


def measure(engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    gc.collect()
    memory.reset_peak()
    before = memory.rss_bytes()
    start = time.perf_counter()
    error = _attempt(engine, n)
    elapsed = time.perf_counter() - start
    result: dict[str, Any] = {"nodes": n, "ok": error is None, "seconds": elapsed,
                              "rss_peak_bytes": memory.peak_rss_bytes() - before}
    if error is not None:
        result["failure"] = error
        result["deepest_ok"] = next(
            (m for m in SHALLOWER if m < n and _attempt(engine, m) is None), None
        )
    return result


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
