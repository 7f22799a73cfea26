"""Karpathy's micrograd: Python floats, one node per scalar (scalar benchmarks only).

micrograd 0.1.0 has ``+``, ``*``, ``**`` and ``relu`` but no ``sin``; this adapter
adds one the way micrograd's own operators are made (a new ``Value`` with its
children and a ``_backward`` closure), so the chain runs the same ops everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from benchmarks.engines.base import Engine, Ops, ScalarBuild


class Micrograd(Engine):
    name = "micrograd"
    scalar_only = True

    def __init__(self) -> None:
        import micrograd
        from micrograd.engine import Value

        self._micrograd = micrograd
        self._Value = Value

        def sin(x: Any) -> Any:
            out = Value(math.sin(x.data), (x,), "sin")

            def backward() -> None:
                x.grad += math.cos(x.data) * out.grad

            out._backward = backward
            return out

        self.ops = Ops(sin=sin)

    def version(self) -> str:
        from importlib.metadata import version

        return version("micrograd")

    def module_file(self) -> str:
        return str(self._micrograd.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        leaves = [self._Value(float(v)) for v in values]
        y = build(self.ops, leaves)
        y.backward()
        return float(y.data), [float(leaf.grad) for leaf in leaves]


def make() -> Engine:
    return Micrograd()
