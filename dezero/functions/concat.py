"""Joining Variables along an axis (not in the book's DeZero; SqueezeNet needs it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dezero import _arrays
from dezero.core import V, Array, Function, Operand, Variable, as_variable
from dezero.functions.shape import GetItem


class Concat(Function[Variable]):
    """``numpy.concatenate(xs, axis)``; each input's gradient is its slice of ``gy``."""

    __slots__ = ("axis",)
    array_backward = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: Array) -> Array:
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy: V) -> tuple[V | None, ...]:
        grads: list[V | None] = []
        start = 0
        for i, x in enumerate(self.inputs):
            stop = start + x.shape[self.axis]
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(GetItem(index).apply(gy) if self.needs_grad(i) else None)
            start = stop
        return tuple(grads)


def concat(xs: Sequence[Operand], axis: int = 1) -> Variable:
    """The operands joined along ``axis`` (default 1, the channel axis of images);
    they must agree on every other axis (``ValueError`` otherwise)."""
    variables = [as_variable(x) for x in xs]
    if not variables:
        raise ValueError("concat needs at least one operand")
    ndim = variables[0].ndim
    if ndim == 0 or any(v.ndim != ndim for v in variables):
        raise ValueError(f"concat needs operands of one rank (at least 1), got shapes {[v.shape for v in variables]}")
    axis = _arrays.normalize_axis(axis, ndim)[0]
    others = {v.shape[:axis] + v.shape[axis + 1 :] for v in variables}
    if len(others) != 1:
        raise ValueError(f"concat: shapes {[v.shape for v in variables]} differ off axis {axis}")
    return Concat(axis)(*variables)
