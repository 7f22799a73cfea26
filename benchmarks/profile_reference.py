"""Where the reference spends its time on the scalar chain (N op-nodes).

Prints Markdown: the split of one call into forward, backward and freeing the
graph (plain timing, no profiler); cProfile's top functions by own time, per
op-node (cProfile slows every Python call by a similar amount, so read its times
as shares, not as absolute costs); and pyinstrument's call tree (a sampling
profiler, so its shares are closer to the truth), when pyinstrument is installed.
Then pyinstrument's tree for the MLP training step of ``bench_mlp`` (run it with
one BLAS thread, as the runner does).

    python -m benchmarks.profile_reference --n 10000 [--top 20]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import workloads
from benchmarks.engines.reference import REPO_ROOT, Reference


def phases(engine: Reference, n: int, repeats: int = 5) -> dict[str, float]:
    """Fastest forward, backward and free (seconds) over ``repeats`` calls."""
    import dezero

    best = {"forward": float("inf"), "backward": float("inf"), "free": float("inf")}
    build = workloads.chain(n)
    for _ in range(repeats):
        gc.collect()
        leaves = [dezero.Variable(np.array(v)) for v in workloads.CHAIN_LEAVES]
        t0 = time.perf_counter()
        y = build(engine.ops, leaves)
        t1 = time.perf_counter()
        y.backward()
        t2 = time.perf_counter()
        del y
        t3 = time.perf_counter()
        for key, t in (("forward", t1 - t0), ("backward", t2 - t1), ("free", t3 - t2)):
            best[key] = min(best[key], t)
    return best


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return f"`{name}`"
    path = Path(filename)
    try:
        shown = str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        shown = path.name
    return f"`{shown}:{line} {name}`"


def profile_table(engine: Reference, n: int, top: int) -> tuple[list[str], float]:
    build = workloads.chain(n)
    engine.grad_scalar(build, workloads.CHAIN_LEAVES)  # warm-up
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    engine.grad_scalar(build, workloads.CHAIN_LEAVES)
    profiler.disable()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    lines = [
        "| function (own time) | calls per op-node | own µs per op-node | share |",
        "|---|---|---|---|",
    ]
    for key, (_, ncalls, tottime, _, _) in rows:
        lines.append(
            f"| {_where(key)} | {ncalls / n:.2f} | {tottime / n * 1e6:.2f} | {tottime / total:.1%} |"
        )
    return lines, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    engine = Reference()
    split = phases(engine, args.n)
    whole = sum(split.values())
    lines, profiled = profile_table(engine, args.n, args.top)
    print(f"Scalar chain, N = {args.n:,} op-nodes (`python -m benchmarks.profile_reference --n {args.n}`).")
    print()
    print("| phase | time | µs per op-node | share |")
    print("|---|---|---|---|")
    for name, t in split.items():
        print(f"| {name} | {t * 1e3:.1f} ms | {t / args.n * 1e6:.2f} | {t / whole:.0%} |")
    print(f"| total | {whole * 1e3:.1f} ms | {whole / args.n * 1e6:.2f} | |")
    print()
    print(f"cProfile, one forward + backward + free: {profiled / args.n * 1e6:.1f} µs per op-node "
          f"under the profiler (against {whole / args.n * 1e6:.1f} without). Top {args.top} by own time:")
    print()
    print("\n".join(lines))
    print()
    tree = call_tree(engine, args.n)
    if tree is None:
        print("(pyinstrument is not installed: no call tree.)")
    else:
        print("pyinstrument (sampling every 0.2 ms, 5 calls; seconds, inclusive):")
        print()
        print("```text")
        print(tree)
        print("```")
        steps = 1000
        print()
        print(f"The MLP training step of `bench_mlp` ({steps} steps), pyinstrument:")
        print()
        print("```text")
        print(mlp_tree(engine, steps))
        print("```")


def call_tree(engine: Reference, n: int) -> str | None:
    build = workloads.chain(n)
    return _tree(lambda: engine.grad_scalar(build, workloads.CHAIN_LEAVES), calls=5)


def mlp_tree(engine: Reference, steps: int) -> str | None:
    x, weights = workloads.mlp_data()
    for _ in range(20):  # warm-up
        engine.grad_array(workloads.mlp, x, weights)
    return _tree(lambda: engine.grad_array(workloads.mlp, x, weights), calls=steps)


def _tree(call: Callable[[], object], calls: int) -> str | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    with Profiler(interval=0.0002) as profiler:
        for _ in range(calls):
            call()
    text: str = profiler.output_text(unicode=True, show_all=False)
    # Keep the tree: drop pyinstrument's banner (everything before the first timed line).
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line[:1].isdigit()), 0)
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip())


if __name__ == "__main__":
    main()
