"""What a run measures: benchmarks, sizes, rounds, engines and time limits.

Two plans: ``full`` (the issue's sizes; about 10-15 minutes on 2 cores) and
``quick`` (smaller sizes and fewer rounds, for trying the harness: a few minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SCALAR_ENGINES = (
    "reference", "reference-before", "dezero-0.0.13", "torch-1thread", "torch-default", "autograd", "mygrad", "micrograd",
)  # fmt: skip
ARRAY_ENGINES = (
    "reference", "reference-before", "dezero-0.0.13", "torch-1thread", "torch-default", "autograd", "mygrad", "numpy-floor",
)  # fmt: skip


@dataclass(frozen=True)
class Benchmark:
    key: str  # also the script: benchmarks/bench_<key>.py
    title: str
    kind: str  # "time", "memory", "flat_rss" or "depth": how the report reads the results
    sizes: tuple[int, ...]
    rounds: int
    engines: tuple[str, ...]
    repeats: int = 5  # timed calls per size in one child, at most...
    budget: float = 1.0  # ...stopping once this many seconds are spent
    timeout: float = 300.0  # seconds for one child (one engine, all sizes, one round)
    slope: bool = False  # report the growth slope of log(time) against log(size)
    size_label: str = "N"

    @property
    def module(self) -> str:
        return f"benchmarks.bench_{self.key}"


FULL: tuple[Benchmark, ...] = (
    Benchmark("scalar_chain", "Scalar chain (sin, mul, add; 0-d float64), forward + backward",
              "time", (1_000, 10_000, 100_000), rounds=5, engines=SCALAR_ENGINES),
    Benchmark("fan_in", "Fan-in: N branches sin(x * c_i) summed, forward + backward",
              "time", (100, 316, 1_000, 3_162, 10_000), rounds=5, engines=SCALAR_ENGINES,
              slope=True),
    Benchmark("dag", "Random DAG with shared subexpressions (N nodes), forward + backward",
              "time", (100, 316, 1_000, 3_162, 10_000), rounds=5, engines=SCALAR_ENGINES,
              slope=True),
    Benchmark("mlp", "3-layer tanh MLP, 128x128 float64 matmuls, one training step",
              "time", (1,), rounds=5, engines=ARRAY_ENGINES, repeats=40, budget=1.0,
              size_label="steps"),
    Benchmark("memory", "Peak memory per op-node, scalar chain forward + backward",
              "memory", (100_000,), rounds=3, engines=SCALAR_ENGINES),
    Benchmark("flat_rss", "RSS over build/backward/del loops (30-node chain), cyclic GC off",
              "flat_rss", (10_000,), rounds=1, engines=SCALAR_ENGINES, size_label="loops"),
    Benchmark("depth", "Depth: one chain, forward + backward",
              "depth", (1_000_000,), rounds=1, engines=SCALAR_ENGINES, timeout=420.0),
)  # fmt: skip

_QUICK_SIZES = {
    "scalar_chain": (1_000, 10_000),
    "fan_in": (100, 316, 1_000, 3_162),
    "dag": (100, 316, 1_000, 3_162),
    "mlp": (1,),
    "memory": (10_000,),
    "flat_rss": (1_000,),
    "depth": (100_000,),
}

QUICK: tuple[Benchmark, ...] = tuple(
    replace(b, sizes=_QUICK_SIZES[b.key], rounds=min(b.rounds, 3), timeout=min(b.timeout, 120.0))
    for b in FULL
)


def select(quick: bool, keys: list[str] | None, rounds: int | None) -> list[Benchmark]:
    plan = list(QUICK if quick else FULL)
    if keys:
        unknown = set(keys) - {b.key for b in plan}
        if unknown:
            raise ValueError(f"unknown benchmarks: {', '.join(sorted(unknown))}")
        plan = [b for b in plan if b.key in keys]
    if rounds is not None:
        plan = [replace(b, rounds=rounds) for b in plan]
    return plan
