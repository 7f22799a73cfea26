"""HIPS ``autograd``: functional, it traces a Python function and differentiates it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild


class HipsAutograd(Engine):
    name = "autograd"

    def __init__(self) -> None:
        import autograd
        import autograd.numpy as anp
        from autograd import value_and_grad

        self._autograd = autograd
        self._value_and_grad = value_and_grad
        self.ops = Ops(sin=anp.sin, tanh=anp.tanh, matmul=anp.matmul, total=anp.sum)

    def version(self) -> str:
        from importlib.metadata import version

        return version("autograd")

    def module_file(self) -> str:
        return str(self._autograd.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        ops = self.ops

        def f(leaves: list[Any]) -> Any:
            return build(ops, leaves)

        value, grads = self._value_and_grad(f)([np.array(v, dtype=np.float64) for v in values])
        return float(value), [float(g) for g in grads]

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        ops = self.ops

        def f(leaves: list[Any]) -> Any:
            return build(ops, x, leaves)

        value, grads = self._value_and_grad(f)(list(weights))
        return float(value), [np.asarray(g) for g in grads]


def make() -> Engine:
    return HipsAutograd()
