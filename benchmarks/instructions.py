"""Instructions the reference executes for a workload, counted by callgrind.

A count that repeats to the instruction, for comparing two checkouts when a change
is smaller than what the timings of a busy machine can tell. Each workload runs
once to warm up, then twice with the cyclic GC off inside ``functools.reduce``,
and callgrind counts only inside that C function: so only the two runs, forward
and backward, on one BLAS thread.

    python -m benchmarks.instructions /tmp/before .     # needs valgrind

prints, per workload, the count for each checkout (its ``dezero/``) and the
ratio to the first.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

WORKLOADS = ("scalar_chain", "fan_in", "mlp")


def workload(root: Path, name: str) -> Callable[[], object]:
    from benchmarks import workloads
    from benchmarks.engines.reference import Reference

    engine = Reference(root)
    if name == "scalar_chain":
        build = workloads.chain(9_999)
        return lambda: engine.grad_scalar(build, workloads.CHAIN_LEAVES)
    if name == "fan_in":
        build = workloads.fan_in(3_000)
        return lambda: engine.grad_scalar(build, workloads.FAN_IN_LEAVES)
    x, weights = workloads.mlp_data()
    return lambda: [engine.grad_array(workloads.mlp, x, weights) for _ in range(5)]


def count(root: Path, name: str) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=functools_reduce",
        "--callgrind-out-file=/dev/null", sys.executable, "-m", "benchmarks.instructions",
        "--child", str(root), name,
    ]  # fmt: skip
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no count from callgrind: {done.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:  # inside valgrind: warm up, then the two counted runs
        run = workload(Path(argv[1]).resolve(), argv[2])
        run()
        gc.collect()
        gc.disable()
        functools.reduce(lambda _, __: run(), range(2), None)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="+", type=Path, help="checkouts whose dezero/ to count")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    args = parser.parse_args(argv)
    for name in args.workloads:
        counts = [count(root.resolve(), name) for root in args.roots]
        cells = [f"{root}: {n / 1e6:,.1f} M ({n / counts[0]:.3f})" for root, n in zip(args.roots, counts)]
        print(f"{name:13} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
