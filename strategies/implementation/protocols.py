"""The shape of a DeZero-style implementation, as the suite sees it.

The suite never imports the reference where the implementation under test is
meant: it talks to Variables and Functions through these protocols, which the
book's DeZero, a learner's DeZero and this project's reference all satisfy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["Array", "FunctionLike", "VariableLike", "grad_array"]

# Arrays of any dtype: leaves are float32 or float64, labels are integers.
Array: TypeAlias = npt.NDArray[Any]


class VariableLike(Protocol):
    """What the suite reads and writes on a Variable (the operators from the
    ``operators`` capability level on)."""

    data: Array
    name: str | None
    # A Variable (from step 32 of the book on) or a plain ndarray (steps 18-32).
    grad: Any
    creator: FunctionLike | None
    generation: int

    def backward(self, *args: Any, **kwargs: Any) -> None: ...

    def cleargrad(self) -> None: ...

    def __add__(self, other: Any) -> Any: ...

    def __mul__(self, other: Any) -> Any: ...


class FunctionLike(Protocol):
    """What the suite reads on a Function node."""

    inputs: Sequence[VariableLike]
    # weakref.ref to each output (from step 17 of the book on), or the outputs themselves.
    outputs: Sequence[Any]
    generation: int

    def backward(self, *gys: Any) -> Any: ...


def grad_array(grad: object) -> Array | None:
    """The gradient as an ndarray, whether the implementation stores a Variable or an array."""
    if grad is None:
        return None
    if isinstance(grad, np.ndarray):
        return grad
    if isinstance(grad, np.generic):  # 0-d arithmetic in NumPy gives scalars
        return np.asarray(grad)
    data = getattr(grad, "data", None)
    if isinstance(data, np.ndarray):
        return data
    raise TypeError(f"a gradient must be an ndarray or a Variable, got {type(grad).__name__}")
