"""What every benchmark script shares: its command line, timing, and JSON output.

A benchmark script is run as a child process by the runner, one engine per process:
``python -m benchmarks.bench_NAME --engine ENGINE --sizes N [N ...]``. It loads the
engine, measures every size (a failure at one size is recorded, not fatal) and
prints JSON lines on stdout: first the engine (or why it is missing), then one
line per size as soon as it is measured, so a run killed by the runner's timeout
still reports the sizes it finished.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks import engines
from benchmarks.engines.base import Engine, NotSupported, ScalarBuild

# measure(engine, size, args) -> a JSON-able dict for that size
Measure = Callable[[Engine, int, argparse.Namespace], dict[str, Any]]


def time_calls(fn: Callable[[], object], repeats: int, budget: float) -> list[float]:
    """Wall-clock seconds of up to ``repeats`` calls, stopping once ``budget`` s are spent.

    At least one call is timed. The cyclic GC stays on (users have it on; its cost
    on large graphs is part of an engine's cost), but garbage left over from earlier
    calls is collected before each call.
    """
    times: list[float] = []
    spent = 0.0
    while len(times) < max(1, repeats) and (not times or spent < budget):
        gc.collect()
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
    return times


def time_grad_scalar(
    engine: Engine, workload: Callable[[int], ScalarBuild], leaves: Sequence[float], n: int, args: argparse.Namespace, *, small: int
) -> dict[str, Any]:
    """Time forward + backward of ``workload(n)`` on scalar ``leaves``, after a warm-up
    on ``workload(min(n, small))``, whose value and grads are the ``check`` that the
    runner compares across engines."""
    engine.grad_scalar(workload(min(n, small)), leaves)
    build = workload(n)
    times = time_calls(lambda: engine.grad_scalar(build, leaves), args.repeats, args.budget)
    value, grads = engine.grad_scalar(workload(min(n, small)), leaves)
    return {"times": times, "check": [value, *grads]}


def parse_args(description: str, argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engine", required=True, choices=sorted(engines.REGISTRY))
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="none: only load the engine and report it")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per size, at most")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per size after which repeats stop")
    return parser.parse_args(argv)


def blas_info() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "num_threads", "version", "architecture")
    return [{k: pool.get(k) for k in keys} for pool in threadpool_info()]


def run(description: str, measure: Measure, argv: Sequence[str] | None = None) -> None:
    args = parse_args(description, argv)
    header: dict[str, Any] = {"engine": args.engine}
    try:
        engine = engines.load(args.engine)
    except Exception as exc:  # noqa: BLE001  (a missing peer is reported, never faked)
        header["missing"] = f"{type(exc).__name__}: {exc}"
        emit(header)
        return
    header.update(
        version=engine.version(),
        module_file=engine.module_file(),
        threads=engine.threads(),
        blas=blas_info(),
    )
    emit(header)
    for size in args.sizes:
        emit({"size": size, "result": _measure_one(measure, engine, size, args)})


def _measure_one(measure: Measure, engine: Engine, size: int, args: argparse.Namespace) -> dict[str, Any]:
    try:
        return measure(engine, size, args)
    except NotSupported as exc:
        return {"unsupported": str(exc)}
    except Exception as exc:  # noqa: BLE001  (recorded for this size; the next sizes go on)
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}", "where": where}
    finally:
        gc.collect()  # the graph of a failed call, held by its traceback until here


def emit(record: dict[str, Any]) -> None:
    """One JSON line on stdout (the runner reads every line that parses as JSON)."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
