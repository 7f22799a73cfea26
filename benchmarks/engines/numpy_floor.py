"""The floor for array workloads: forward and backward written by hand in NumPy.

Not an autodiff engine: it knows the gradient of each array workload it supports
(see ``HAND_WRITTEN`` in :mod:`benchmarks.workloads`) and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmarks import workloads
from benchmarks.engines.base import (
    Array,
    ArrayBuild,
    Engine,
    NotSupported,
    Ops,
    ScalarBuild,
)


class NumpyFloor(Engine):
    name = "numpy-floor"

    def __init__(self) -> None:
        self.ops = Ops(sin=np.sin)

    def version(self) -> str:
        return f"numpy {np.__version__}"

    def module_file(self) -> str:
        return str(np.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        raise NotSupported("the NumPy floor is for array workloads only")

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        by_hand = workloads.HAND_WRITTEN.get(build)
        if by_hand is None:
            raise NotSupported(f"no hand-written gradient for {build.__name__}")
        return by_hand(x, weights)


def make() -> Engine:
    return NumpyFloor()
