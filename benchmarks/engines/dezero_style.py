"""What the two DeZero engines (the reference and the book's PyPI release) share:
Variables with ``backward()`` and grads in ``.grad.data``."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild


class DezeroStyle(Engine):
    """An engine over an imported ``dezero`` package (set by the subclass)."""

    def __init__(self, dezero: ModuleType, functions: ModuleType) -> None:
        self._dezero = dezero
        self._Variable = dezero.Variable
        self.ops = Ops(sin=functions.sin, tanh=functions.tanh, matmul=functions.matmul, total=functions.sum)

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
