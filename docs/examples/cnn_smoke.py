"""A small CNN forward and backward on random images: shapes, dtypes, timing.

    python docs/examples/cnn_smoke.py            # prints a summary
    python docs/examples/cnn_smoke.py --json     # the summary as one JSON line

The network: conv 3x3 (8) -> batch norm -> relu -> max pool 2x2 -> conv 3x3 (16)
-> relu -> average pool 2x2 -> dropout -> linear (10), on float32 images
(N, 1, 28, 28) with random labels. A few Adam steps on one fixed batch must lower
the loss (exit status 1 otherwise); every gradient must be finite float32 of its
parameter's shape.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero.core import Operand, Variable
from dezero.models import Model
from dezero.optimizers import Adam


class SmallCNN(Model):
    def __init__(self, classes: int = 10, *, rng: np.random.Generator) -> None:
        super().__init__()
        self.rng = rng
        self.conv1 = L.Conv2d(8, kernel_size=3, pad=1, rng=rng)
        self.bn1 = L.BatchNorm()
        self.conv2 = L.Conv2d(16, kernel_size=3, pad=1, rng=rng)
        self.fc = L.Linear(classes, rng=rng)

    def forward(self, x: Operand) -> Variable:
        h = F.pooling(F.relu(self.bn1(self.conv1(x))), 2, stride=2)
        h = F.average_pooling(F.relu(self.conv2(h)), 2, stride=2)
        h = F.dropout(F.flatten(h), 0.2, rng=self.rng)
        return self.fc(h)


@dataclass
class Summary:
    batch: int
    steps: int
    seconds: float
    seconds_per_step: float
    first_loss: float
    last_loss: float
    output_shape: list[int]
    output_float32: bool
    grads_ok: bool
    parameters: int


def run(batch: int = 32, steps: int = 10, seed: int = 0) -> Summary:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, batch)
    model = SmallCNN(rng=rng)
    optimizer = Adam(alpha=0.01).setup(model)

    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(loss.array))
    seconds = time.perf_counter() - start

    params = list(model.params())
    grads_ok = all(
        p.grad is not None
        and p.grad.shape == p.shape
        and p.grad.dtype == np.float32
        and bool(np.isfinite(p.grad.array).all())
        for p in params
        if p.name not in ("avg_mean", "avg_var")
    )
    with dezero.test_mode(), dezero.no_grad():
        y_test = model(x)
    return Summary(
        batch=batch,
        steps=steps,
        seconds=seconds,
        seconds_per_step=seconds / steps,
        first_loss=losses[0],
        last_loss=losses[-1],
        output_shape=list(y_test.shape),
        output_float32=bool(y_test.dtype == np.float32),
        grads_ok=grads_ok,
        parameters=int(sum(p.size for p in params)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    summary = run(args.batch, args.steps)
    if args.json:
        print(json.dumps(asdict(summary)))
    else:
        for key, value in asdict(summary).items():
            print(f"{key:>17}: {value}")
    ok = summary.grads_ok and summary.output_float32 and summary.last_loss < summary.first_loss
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
