"""PyTorch's CPU autograd, in two settings: one intra-op thread, and its default."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild


class Torch(Engine):
    def __init__(self, single_thread: bool) -> None:
        import torch

        self._torch = torch
        if single_thread:
            torch.set_num_threads(1)
        self.name = "torch-1thread" if single_thread else "torch-default"
        self.ops = Ops(
            sin=torch.sin,
            tanh=torch.tanh,
            matmul=torch.matmul,
            total=torch.sum,
            const=torch.from_numpy,
        )

    def version(self) -> str:
        return str(self._torch.__version__)

    def module_file(self) -> str:
        return str(self._torch.__file__)

    def threads(self) -> dict[str, int]:
        return {
            "torch_intra_op_threads": self._torch.get_num_threads(),
            "torch_inter_op_threads": self._torch.get_num_interop_threads(),
        }

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        tensor = self._torch.tensor
        float64 = self._torch.float64
        leaves = [tensor(v, dtype=float64, requires_grad=True) for v in values]
        y = build(self.ops, leaves)
        y.backward()
        return y.item(), [0.0 if leaf.grad is None else leaf.grad.item() for leaf in leaves]

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        leaves = [self._torch.from_numpy(w).requires_grad_(True) for w in weights]
        y = build(self.ops, self.ops.const(x), leaves)
        y.backward()
        return y.item(), [np.asarray(_grad(leaf).numpy()) for leaf in leaves]


def _grad(leaf: Any) -> Any:
    if leaf.grad is None:
        raise RuntimeError("a weight received no gradient")
    return leaf.grad


def make_single_thread() -> Engine:
    return Torch(single_thread=True)


def make_default() -> Engine:
    return Torch(single_thread=False)
