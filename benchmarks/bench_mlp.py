"""MLP: 3 layers h = tanh(h @ W), 128x128 float64, loss = sum; forward + backward.

The input is a constant (no gradient wanted); the weights are the leaves. The
engine ``numpy-floor`` is the same computation written by hand. ``--sizes`` is
the number of training steps timed as one sample (1 is fine).
``python -m benchmarks.bench_mlp --engine reference --sizes 1``
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import child, workloads
from benchmarks.engines.base import Engine


def measure(engine: Engine, steps: int, args: argparse.Namespace) -> dict[str, Any]:
    x, weights = workloads.mlp_data()

    def train_steps() -> None:
        for _ in range(steps):
            engine.grad_array(workloads.mlp, x, weights)

    train_steps()  # warm-up
    times = child.time_calls(train_steps, args.repeats, args.budget)
    value, grads = engine.grad_array(workloads.mlp, x, weights)
    return {
        "times": [t / steps for t in times],
        "nodes": 2 * workloads.MLP_LAYERS + 1,
        "check": [value] + [float(g.sum()) for g in grads],
    }


if __name__ == "__main__":
    child.run(__doc__ or "", measure)
