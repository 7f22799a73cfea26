"""The test suite's own costs (issue 5): its wall time under the ``ci`` profile on
two cores, with and without pytest-xdist, and the cost per example of the
complex-step oracle in its two modes.

- Suite: ``CI=true python -m pytest -n 2`` and ``CI=true python -m pytest -n 0``
  from the repository root, each timed once (wall clock). The target: under 10
  minutes with ``-n 2``, and ``-n 2`` at least 1.7 times faster than ``-n 0``.
- Oracle: graphs drawn as the gradient properties draw them (``dags()`` with its
  defaults, and ``dags(max_nodes=40, max_leaves=4)`` as the random-projection
  property does), derandomized. For each graph: the time and the number of complex
  evaluations of the graph for ``strategies.oracles.numerics.jacobians`` (one evaluation per
  leaf element: the full Jacobian) and for ``strategies.oracles.numerics.directional`` (the
  random projection: one evaluation whatever the size).

Run it with an interpreter that has the test extra (pytest, pytest-xdist,
hypothesis), from the repository root, holding the machine's lock:

    flock /tmp/heavy.lock .venv/bin/python -m benchmarks.bench_suite

It writes ``reports/suite.json``; ``python -m benchmarks.run`` (or
``python -m benchmarks.report``) puts it into ``docs/benchmarks.md``.
``--skip-suite`` measures the oracle only (seconds instead of minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import machine

REPO_ROOT = machine.REPO_ROOT
DEFAULT_OUTPUT = REPO_ROOT / "reports" / "suite.json"


# ------------------------------------------------------------------ the suite's wall time


def time_suite(python: str, workers: int, timeout: float) -> dict[str, Any]:
    """One run of the whole suite under the ``ci`` profile with ``-n workers``."""
    env = dict(os.environ, CI="true")
    env.pop("HYPOTHESIS_PROFILE", None)
    command = [python, "-m", "pytest", "-n", str(workers), "-q", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"workers": workers, "seconds": time.perf_counter() - start, "outcome": f"timeout after {timeout:.0f} s"}
    seconds = time.perf_counter() - start
    summary = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return {
        "workers": workers,
        "seconds": seconds,
        "returncode": done.returncode,
        "outcome": summary[-1].strip("= ") if summary else (done.stderr.strip().splitlines() or ["?"])[-1],
    }


# ------------------------------------------------------------------ the oracle's cost


def draw_graphs(count: int, **options: Any) -> list[Any]:
    """``count`` graph specs from ``dags(**options)``, derandomized (the same ones every run)."""
    from hypothesis import HealthCheck, Phase, given, settings

    from strategies.graphs.dags import dags

    specs: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(dags(**options))
    def collect(spec: Any) -> None:
        specs.append(spec)

    collect()
    return specs


def cost(fn: Callable[[], object], evaluations: list[int], repeats: int = 3) -> tuple[float, int]:
    """The fastest of ``repeats`` calls, and the graph evaluations one call made."""
    best = float("inf")
    before = evaluations[0]
    fn()
    made = evaluations[0] - before
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best, made


def oracle_costs(count: int, options: dict[str, Any]) -> dict[str, Any]:
    from strategies.oracles import numerics

    evaluations = [0]
    original = getattr(numerics, "evaluate")

    def counted(*args: Any, **kwargs: Any) -> Any:
        evaluations[0] += 1
        return original(*args, **kwargs)

    setattr(numerics, "evaluate", counted)  # count the graph evaluations the oracle makes
    try:
        rng = np.random.default_rng(0)
        rows = []
        for spec in draw_graphs(count, **options):
            leaves = numerics.leaf_arrays(spec)
            u = [rng.choice([-1.0, 1.0], size=x.shape) for x in leaves]
            full_s, full_n = cost(lambda: numerics.jacobians(spec), evaluations)
            proj_s, proj_n = cost(lambda: numerics.directional(spec, u), evaluations)
            rows.append({
                "nodes": len(spec.steps), "leaf_elements": int(sum(x.size for x in leaves)),
                "jacobians_s": full_s, "jacobians_evaluations": full_n,
                "directional_s": proj_s, "directional_evaluations": proj_n,
            })  # fmt: skip
    finally:
        setattr(numerics, "evaluate", original)
    return {"options": options, "examples": rows}


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in rows))

    def high(key: str) -> float:
        return float(max(r[key] for r in rows))

    return {
        "examples": len(rows),
        "leaf_elements_median": med("leaf_elements"),
        "leaf_elements_max": high("leaf_elements"),
        "jacobians_s_median": med("jacobians_s"),
        "jacobians_s_max": high("jacobians_s"),
        "jacobians_evaluations_median": med("jacobians_evaluations"),
        "jacobians_evaluations_max": high("jacobians_evaluations"),
        "directional_s_median": med("directional_s"),
        "directional_s_max": high("directional_s"),
        "directional_evaluations_max": high("directional_evaluations"),
        "ratio_median": float(statistics.median(r["jacobians_s"] / r["directional_s"] for r in rows)),
    }


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs pytest (default: this one)")
    parser.add_argument("--skip-suite", action="store_true", help="measure the oracle only")
    parser.add_argument("--examples", type=int, default=200, help="graphs per oracle measurement")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed for one suite run")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    facts = machine.describe()
    record: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": facts.get("commit"),
        "cpu": facts.get("cpu"),
        "cores": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "command": "python -m benchmarks.bench_suite" + (" --skip-suite" if args.skip_suite else ""),
    }
    oracle = {}
    for name, options in (("gradients", {}), ("random projection", {"max_nodes": 40, "max_leaves": 4})):
        print(f"oracle: {name} graphs {options} ...", file=sys.stderr, flush=True)
        measured = oracle_costs(args.examples, options)
        oracle[name] = {"options": options, "summary": summary(measured["examples"]), "examples": measured["examples"]}
    record["oracle"] = oracle
    if not args.skip_suite:
        runs = []
        for workers in (2, 0):
            print(f"suite: CI=true pytest -n {workers} ...", file=sys.stderr, flush=True)
            runs.append(time_suite(args.python, workers, args.timeout))
            print(f"  {runs[-1]['seconds']:.0f} s: {runs[-1]['outcome']}", file=sys.stderr, flush=True)
        record["suite"] = runs
    record["load_average_end"] = os.getloadavg()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.skip_suite and args.output.exists():  # keep the last suite timing
        previous = json.loads(args.output.read_text())
        if "suite" in previous:
            record["suite"] = previous["suite"]
            record["suite_from"] = previous.get("suite_from") or previous.get("started")
    args.output.write_text(json.dumps(record, indent=1))
    from benchmarks.report import suite_section

    print("\n".join(suite_section(record)))


if __name__ == "__main__":
    main()
