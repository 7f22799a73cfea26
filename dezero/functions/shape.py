"""Operations that move elements without changing them: reshape, transpose,
indexing, and broadcasting with its inverse ``sum_to``.

:func:`unbroadcast` and :func:`broadcast` are ``sum_to`` and ``broadcast_to`` for
backward rules: they take and give an array or a Variable alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsIndex

import numpy as np

from dezero import _arrays
from dezero._arrays import array_module
from dezero.core import V, Array, Function, Operand, Variable, as_variable


class Reshape(Function[Variable]):
    __slots__ = ("shape",)
    array_backward = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        return x.reshape(self.shape)

    def backward(self, gy: V) -> V:
        return gy.reshape(self.inputs[0].shape)


def reshape(x: Operand, shape: SupportsIndex | Sequence[SupportsIndex]) -> Variable:
    shape = _arrays.as_shape(shape)
    x = as_variable(x)
    if x.shape == shape:
        return x
    return Reshape(shape)(x)


class Transpose(Function[Variable]):
    __slots__ = ("axes",)
    array_backward = True

    def __init__(self, axes: tuple[int, ...] | None = None) -> None:
        self.axes = axes

    def forward(self, x: Array) -> Array:
        y: Array = x.transpose(self.axes)
        return y

    def backward(self, gy: V) -> V:
        if self.axes is None:
            return Transpose().apply(gy)
        return Transpose(tuple(np.argsort(self.axes).tolist())).apply(gy)


def transpose(x: Operand, axes: Sequence[int] | None = None) -> Variable:
    """Permute axes (reverse them when ``axes`` is None)."""
    x = as_variable(x)
    if axes is None:
        return Transpose()(x)
    perm = tuple(_arrays.normalize_axis(a, x.ndim)[0] for a in axes)
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(f"axes {tuple(axes)} are not a permutation of {x.ndim} axes")
    return Transpose(perm)(x)


def swapaxes_last(x: V) -> V:
    """Swap the last two axes (the transpose of each matrix in a batch)."""
    perm = list(range(x.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return Transpose(tuple(perm)).apply(x)


def expand_dims(x: Operand, axis: int) -> Variable:
    x = as_variable(x)
    shape = list(x.shape)
    shape.insert(_arrays.normalize_axis(axis, x.ndim + 1)[0], 1)
    return reshape(x, tuple(shape))


def flatten(x: Operand) -> Variable:
    """Keep the first axis, flatten the rest: ``(N, ...) -> (N, M)`` (as in the book)."""
    x = as_variable(x)
    if x.ndim == 0:
        raise ValueError("flatten needs an array with a first (batch) axis, got a 0-d array")
    return reshape(x, (x.shape[0], -1))


class GetItem(Function[Variable]):
    __slots__ = ("slices",)
    array_backward = True

    def __init__(self, slices: Any) -> None:
        self.slices = slices

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).asarray(x[self.slices])  # a NumPy scalar as a 0-d array
        return y

    def backward(self, gy: V) -> V:
        return GetItemGrad(self.slices, self.inputs[0].shape).apply(gy)


class GetItemGrad(Function[Variable]):
    """Scatter-add a gradient back into the indexed positions (repeats add up)."""

    __slots__ = ("slices", "in_shape")
    array_backward = True

    def __init__(self, slices: Any, in_shape: tuple[int, ...]) -> None:
        self.slices = slices
        self.in_shape = in_shape

    def forward(self, gy: Array) -> Array:
        xp = array_module(gy)
        gx: Array = xp.zeros(self.in_shape, dtype=gy.dtype)
        xp.add.at(gx, self.slices, gy)
        return gx

    def backward(self, ggx: V) -> V:
        return GetItem(self.slices).apply(ggx)


def get_item(x: Operand, slices: Any) -> Variable:
    if isinstance(slices, Variable):
        slices = slices.data
    return GetItem(slices)(x)


class BroadcastTo(Function[Variable]):
    __slots__ = ("shape",)
    array_backward = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).broadcast_to(x, self.shape)
        return y

    def backward(self, gy: V) -> V:
        return unbroadcast(gy, self.inputs[0].shape)


def broadcast_to(x: Operand, shape: SupportsIndex | Sequence[SupportsIndex]) -> Variable:
    """Broadcast to ``shape``; ``ValueError`` when the shapes do not broadcast."""
    shape = _arrays.as_shape(shape)
    x = as_variable(x)
    if x.shape == shape:
        return x
    _arrays.check_broadcastable(x.shape, shape)
    return BroadcastTo(shape)(x)


class SumTo(Function[Variable]):
    __slots__ = ("shape",)
    array_backward = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        return _arrays.sum_to(x, self.shape)

    def backward(self, gy: V) -> V:
        return broadcast(gy, self.inputs[0].shape)


def sum_to(x: Operand, shape: SupportsIndex | Sequence[SupportsIndex]) -> Variable:
    """Sum over broadcast axes down to ``shape``; ``ValueError`` when ``shape`` does
    not broadcast to ``x.shape``."""
    shape = _arrays.as_shape(shape)
    x = as_variable(x)
    if x.shape == shape:
        return x
    _arrays.check_broadcastable(shape, x.shape)
    return SumTo(shape)(x)


def unbroadcast(g: V, shape: tuple[int, ...]) -> V:
    """``g`` summed over broadcast axes down to ``shape`` (``sum_to`` for an array or
    a Variable alike): ``g`` itself when it has that shape already."""
    return g if g.shape == shape else SumTo(shape).apply(g)


def broadcast(g: V, shape: tuple[int, ...]) -> V:
    """``g`` broadcast to ``shape`` (``broadcast_to`` for an array or a Variable
    alike): ``g`` itself when it has that shape already."""
    return g if g.shape == shape else BroadcastTo(shape).apply(g)
