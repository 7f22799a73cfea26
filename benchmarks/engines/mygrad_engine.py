"""MyGrad: NumPy-backed tensors with a dynamic graph, like DeZero's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild


class MyGrad(Engine):
    name = "mygrad"

    def __init__(self) -> None:
        import mygrad as mg

        self._mg: Any = mg
        self.ops = Ops(sin=mg.sin, tanh=mg.tanh, matmul=mg.matmul, total=mg.sum)

    def version(self) -> str:
        return str(self._mg.__version__)

    def module_file(self) -> str:
        return str(self._mg.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        tensor = self._mg.tensor
        leaves = [tensor(np.array(v, dtype=np.float64)) for v in values]
        y = build(self.ops, leaves)
        y.backward()
        return float(y.data), [0.0 if leaf.grad is None else float(leaf.grad) for leaf in leaves]

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        leaves = [self._mg.tensor(w) for w in weights]
        y = build(self.ops, self.ops.const(x), leaves)
        y.backward()
        return float(y.data), [np.asarray(leaf.grad) for leaf in leaves]


def make() -> Engine:
    return MyGrad()
