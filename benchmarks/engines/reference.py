"""The reference (``dezero/`` of this repository), imported from this work tree."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild

REPO_ROOT = Path(__file__).resolve().parents[2]


class Reference(Engine):
    name = "reference"

    def __init__(self) -> None:
        # The work tree first, so this ``dezero`` wins over any other on the path.
        sys.path.insert(0, str(REPO_ROOT))
        import dezero
        import dezero.functions as F

        self._dezero = dezero
        self._Variable = dezero.Variable
        self.ops = Ops(sin=F.sin, tanh=F.tanh, matmul=F.matmul, total=F.sum)

    def version(self) -> str:
        return f"{self._dezero.__version__} (this work tree)"

    def module_file(self) -> str:
        return str(self._dezero.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        leaves = [self._Variable(np.array(v, dtype=np.float64)) for v in values]
        y = build(self.ops, leaves)
        y.backward()
        return float(y.data), [_grad_value(leaf) for leaf in leaves]

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        leaves = [self._Variable(w) for w in weights]
        y = build(self.ops, self.ops.const(x), leaves)
        y.backward()
        return float(y.data), [_grad_array(leaf) for leaf in leaves]


def _grad_value(leaf: Any) -> float:
    return 0.0 if leaf.grad is None else float(leaf.grad.data)


def _grad_array(leaf: Any) -> Array:
    grad: Array = leaf.grad.data
    return grad


def make() -> Engine:
    return Reference()
