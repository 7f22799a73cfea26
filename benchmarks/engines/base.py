"""The interface every engine adapter implements.

A benchmark never touches an engine's API directly: it writes its graph once as a
function of an op table (``sin``, ``tanh``, ``matmul``, ``sum``, plus the Python
operators ``+`` and ``*`` that every engine's values support) and hands it to the
adapter, which makes the leaves, runs forward and backward, and returns plain
numbers. Every adapter does the whole job inside its ``grad_*`` call, so a timing
covers graph building, the backward pass, reading the gradients and freeing the
graph.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


class Ops:
    """The functions a workload may call besides ``+`` and ``*``."""

    def __init__(
        self,
        sin: Callable[[Any], Any],
        tanh: Callable[[Any], Any] | None = None,
        matmul: Callable[[Any, Any], Any] | None = None,
        total: Callable[[Any], Any] | None = None,
        const: Callable[[Array], Any] | None = None,
    ) -> None:
        self.sin = sin
        self.tanh = tanh or _unsupported("tanh")
        self.matmul = matmul or _unsupported("matmul")
        self.total = total or _unsupported("sum")
        # Raw data that takes part in the graph but needs no gradient (MLP inputs).
        self.const = const or (lambda a: a)


def _unsupported(name: str) -> Callable[..., Any]:
    def fail(*args: Any) -> Any:
        raise NotImplementedError(f"this engine has no {name}")

    return fail


# A scalar workload: given the op table and the leaves, return the output node.
ScalarBuild = Callable[[Ops, Sequence[Any]], Any]
# An array workload: op table, a constant input and the weights -> scalar output node.
ArrayBuild = Callable[[Ops, Any, Sequence[Any]], Any]


class NotSupported(Exception):
    """The engine cannot run this benchmark at all (not a failure of the engine)."""


class Engine(ABC):
    """One autodiff engine, imported in this process."""

    name: str
    ops: Ops
    scalar_only: bool = False

    @abstractmethod
    def version(self) -> str:
        """The engine's version string."""

    @abstractmethod
    def module_file(self) -> str:
        """Where the engine was imported from (so a run can prove which ``dezero``)."""

    @abstractmethod
    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        """Forward ``build`` on fresh 0-d float64 leaves, backward from its output.

        Returns the output value and d(output)/d(leaf) for every leaf.
        """

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        """Forward ``build`` with ``x`` as a constant and ``weights`` as leaves, then backward.

        Returns the output value and the gradient of every weight.
        """
        raise NotSupported(f"{self.name} runs scalar benchmarks only")

    def threads(self) -> dict[str, int]:
        """Thread counts that matter for this engine (recorded with the results)."""
        return {}
