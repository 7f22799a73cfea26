"""Reductions over axes: sum, mean, max, min.

``axis`` may be None (all axes), an int or a tuple of ints, negative ones included.
"""

from __future__ import annotations

from dezero import _arrays
from dezero._arrays import gradient_dtype
from dezero.core import V, Array, Function, Operand, Variable, as_variable
from dezero.functions.shape import broadcast


class Sum(Function[Variable]):
    __slots__ = ("axis", "keepdims")
    array_backward = True

    def __init__(self, axis: tuple[int, ...], keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x: Array) -> Array:
        y: Array = x.sum(axis=self.axis, keepdims=self.keepdims)
        return y

    def backward(self, gy: V) -> V:
        x_shape = self.inputs[0].shape
        return broadcast(_keepdims(gy, x_shape, self.axis, self.keepdims), x_shape)


def sum(x: Operand, axis: _arrays.Axis = None, keepdims: bool = False) -> Variable:
    x = as_variable(x)
    return Sum(_arrays.normalize_axis(axis, x.ndim), keepdims)(x)


def average(x: Operand, axis: _arrays.Axis = None, keepdims: bool = False) -> Variable:
    """The mean over ``axis`` (all elements by default)."""
    x = as_variable(x)
    y = sum(x, axis, keepdims)
    if x.size == 0:
        raise ValueError("the mean of an empty array is undefined")
    return y * (y.size / x.size)


mean = average


class _Extremum(Function[Variable]):
    """max or min over axes. Tied extremes share the gradient equally, so the
    gradient sums to ``gy`` (the book gives each tied element all of it)."""

    __slots__ = ("axis", "keepdims")
    array_backward = True

    def __init__(self, axis: tuple[int, ...], keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def reduce(self, x: Array) -> Array:
        raise NotImplementedError

    def forward(self, x: Array) -> Array:
        if x.size == 0:
            raise ValueError(f"{type(self).__name__.lower()} of an empty array is undefined")
        return self.reduce(x)

    def backward(self, gy: V) -> V:
        x = self.inputs[0].array
        y = self.reduce(x)
        y_kept = _arrays.reshape_sum_backward(y, x.shape, self.axis, self.keepdims)
        is_extreme = x == y_kept
        weights: Array = is_extreme / is_extreme.sum(axis=self.axis, keepdims=True)
        gy = broadcast(_keepdims(gy, x.shape, self.axis, self.keepdims), x.shape)
        gx: V = gy * weights.astype(gradient_dtype(x.dtype))  # 1/k: not an integer
        return gx


class Max(_Extremum):
    __slots__ = ()

    def reduce(self, x: Array) -> Array:
        y: Array = x.max(axis=self.axis, keepdims=self.keepdims)
        return y


class Min(_Extremum):
    __slots__ = ()

    def reduce(self, x: Array) -> Array:
        y: Array = x.min(axis=self.axis, keepdims=self.keepdims)
        return y


def max(x: Operand, axis: _arrays.Axis = None, keepdims: bool = False) -> Variable:
    x = as_variable(x)
    return Max(_arrays.normalize_axis(axis, x.ndim), keepdims)(x)


def min(x: Operand, axis: _arrays.Axis = None, keepdims: bool = False) -> Variable:
    x = as_variable(x)
    return Min(_arrays.normalize_axis(axis, x.ndim), keepdims)(x)


def _keepdims(gy: V, x_shape: tuple[int, ...], axis: tuple[int, ...], keepdims: bool) -> V:
    """Reinsert the reduced axes as length-1 axes, so ``gy`` broadcasts to ``x_shape``."""
    if keepdims:
        return gy
    shape = list(gy.shape)
    for a in axis:
        shape.insert(a, 1)
    return gy.reshape(tuple(shape))

