"""Train an MLP on the Spiral dataset with Adam and report the training accuracy.

    python docs/examples/train_spiral.py                      # 300 epochs, prints a summary
    python docs/examples/train_spiral.py --plot docs/spiral_loss.png   # also draws the loss curve
    python docs/examples/train_spiral.py --json               # the summary as one JSON line

The loss curve needs matplotlib, which is optional: without it, --plot says so and
the run still succeeds. The exit status is 1 when the final training accuracy is
below --target (0.95 by default).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

import dezero
import dezero.functions as F
from dezero.dataloaders import DataLoader
from dezero.datasets import Spiral
from dezero.models import MLP
from dezero.optimizers import Adam


@dataclass
class Result:
    epochs: int
    seconds: float
    accuracy: float
    final_loss: float
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)


def train(
    epochs: int = 300,
    batch_size: int = 30,
    hidden: tuple[int, ...] = (30, 30),
    alpha: float = 0.01,
    seed: int = 0,
) -> Result:
    """Train and return the per-epoch mean loss and the training accuracy after each epoch."""
    rng = np.random.default_rng(seed)
    dataset = Spiral(train=True)
    loader = DataLoader(dataset, batch_size, rng=rng)
    model = MLP(hidden + (3,), activation=F.sigmoid, rng=rng)
    optimizer = Adam(alpha=alpha).setup(model)
    x_all, t_all = dataset.data, dataset.label
    assert x_all is not None and t_all is not None

    losses: list[float] = []
    accuracies: list[float] = []
    start = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for x, t in loader:
            loss = F.softmax_cross_entropy(model(x), t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            total += float(loss.array) * len(t)
        losses.append(total / len(dataset))
        with dezero.no_grad():
            accuracies.append(float(F.accuracy(model(x_all), t_all).array))
    seconds = time.perf_counter() - start
    return Result(epochs, seconds, accuracies[-1], losses[-1], losses, accuracies)


def save_plot(result: Result, path: str) -> bool:
    """Draw loss and accuracy per epoch into ``path``; False when matplotlib is missing."""
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    epochs = range(1, result.epochs + 1)
    fig, loss_axis = plt.subplots(figsize=(6, 3.6), dpi=100)
    loss_axis.plot(epochs, result.losses, color="tab:blue", label="training loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("mean softmax cross-entropy", color="tab:blue")
    accuracy_axis = loss_axis.twinx()
    accuracy_axis.plot(epochs, result.accuracies, color="tab:orange", label="training accuracy")
    accuracy_axis.set_ylabel("training accuracy", color="tab:orange")
    accuracy_axis.set_ylim(0, 1.02)
    loss_axis.set_title(f"MLP on Spiral, Adam: accuracy {result.accuracy:.1%} after {result.epochs} epochs")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=0.95, help="required training accuracy")
    parser.add_argument("--plot", metavar="PNG", help="save the loss curve here (needs matplotlib)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    args = parser.parse_args(argv)

    result = train(epochs=args.epochs, seed=args.seed)
    if args.plot and not save_plot(result, args.plot):
        print("--plot: matplotlib is not installed; no picture drawn", file=sys.stderr)
    if args.json:
        summary = asdict(result)
        del summary["losses"], summary["accuracies"]
        print(json.dumps(summary))
    else:
        print(
            f"epochs {result.epochs}  final loss {result.final_loss:.4f}  "
            f"training accuracy {result.accuracy:.2%}  time {result.seconds:.1f} s"
        )
    return 0 if result.accuracy >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
