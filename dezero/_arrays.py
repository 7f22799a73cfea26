"""Array helpers: the array module of an array (NumPy or CuPy), gradient dtypes, and
shape and axis helpers with clear errors for bad arguments."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, SupportsIndex, TypeAlias, TypeGuard, Union, cast

import numpy as np
import numpy.typing as npt

Array: TypeAlias = npt.NDArray[Any]
Axis: TypeAlias = Union[None, int, Sequence[int]]
# A shape argument: one int, or a sequence of them.
ShapeLike: TypeAlias = Union[SupportsIndex, Sequence[SupportsIndex]]

# The Python number types a Function accepts as raw data (as constants).
PYTHON_SCALARS = (int, float, bool)


def array_module(x: object) -> ModuleType:
    """``cupy`` when ``x`` is a CuPy array, else ``numpy``.

    CuPy is never imported here: a CuPy array can only exist once something has
    imported CuPy, so looking in ``sys.modules`` is enough, and costs NumPy users a
    dictionary lookup.
    """
    cupy = _loaded_module("cupy")
    if cupy is not None and isinstance(x, cupy.ndarray):
        return cupy
    return np


_loaded_module = sys.modules.get  # bound once: array_module runs for every op


def is_array(x: object) -> TypeGuard[Array]:
    """Whether ``x`` is an ndarray of NumPy or of CuPy (when CuPy is in use).

    The package types a CuPy array as a NumPy ndarray (it offers the same methods
    and operators); this guard is the one place that tells the type checker so.
    """
    return isinstance(x, np.ndarray) or array_module(x) is not np


def gradient_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype of a gradient with respect to data of ``dtype``: the same for
    floating-point data, float64 for integer and boolean data (whose own dtype
    cannot hold a gradient such as 0.5 or -1)."""
    return dtype if dtype.kind == "f" else _FLOAT64


_FLOAT64 = np.dtype(np.float64)


def normalize_axis(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints; None means every axis.

    Raises ``TypeError`` for non-integer axes and ``ValueError`` for out-of-range or
    repeated ones.
    """
    if axis is None:
        return tuple(range(ndim))
    try:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    except TypeError:  # a lone float or other non-iterable
        raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}") from None
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an array of {ndim} dimensions")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(result))


def is_index(x: object) -> TypeGuard[SupportsIndex]:
    """Whether ``x`` is an integer (has ``__index__``), as ``isinstance(x, SupportsIndex)``
    says, without the cost of a run-time Protocol check."""
    return hasattr(type(x), "__index__")


def as_shape(shape: SupportsIndex | Sequence[SupportsIndex]) -> tuple[int, ...]:
    """A shape as a tuple of ints (an int ``n`` means ``(n,)``)."""
    if type(shape) is tuple and all(type(d) is int for d in shape):
        return shape
    if isinstance(shape, bool):
        raise TypeError("a shape must be an int or a sequence of ints, got bool")
    if is_index(shape):
        return (shape.__index__(),)
    try:
        dims = tuple(cast(Sequence[SupportsIndex], shape))
    except TypeError:
        raise TypeError(f"a shape must be an int or a sequence of ints, got {shape!r}") from None
    if any(isinstance(d, bool) or not is_index(d) for d in dims):
        raise TypeError(f"a shape must be an int or a sequence of ints, got {shape!r}")
    return tuple(d.__index__() for d in dims)


def shape_from_args(args: tuple[ShapeLike, ...]) -> tuple[int, ...]:
    """The shape meant by ``*args`` of ``reshape(*args)``: ``f(2, 3)`` and ``f((2, 3))``
    both mean ``(2, 3)``."""
    if len(args) == 1 and not is_index(args[0]):
        return tuple(int(i) for i in cast(Sequence[SupportsIndex], args[0]))
    return tuple(int(i) for i in cast(tuple[SupportsIndex, ...], args))


def check_broadcastable(shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless an array of ``shape`` broadcasts to exactly ``target``."""
    ok = len(shape) <= len(target) and all(
        s in (1, t) for s, t in zip(reversed(shape), reversed(target))
    )
    if not ok or any(d < 0 for d in target):
        raise ValueError(f"shape {shape} does not broadcast to shape {target}")


def sum_to(x: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``x`` over broadcast axes so that the result has ``shape``.

    The inverse of broadcasting: ``shape`` must broadcast to ``x.shape``, else
    ``ValueError`` (the book silently returns a wrong shape).
    """
    if x.shape == shape:
        return x
    check_broadcastable(shape, x.shape)
    lead = x.ndim - len(shape)
    stretched = tuple(lead + i for i, d in enumerate(shape) if d == 1 and x.shape[lead + i] != 1)
    y: Array = x.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
    return y.reshape(shape) if lead else y


def reshape_sum_backward(
    gy: Array, x_shape: tuple[int, ...], axis: Axis, keepdims: bool
) -> Array:
    """Reshape the gradient of a reduction so that it broadcasts back to ``x_shape``."""
    if keepdims:
        return gy
    axes = normalize_axis(axis, len(x_shape))
    shape = list(gy.shape)
    for a in axes:
        shape.insert(a, 1)
    return gy.reshape(shape)


def logsumexp(x: Array, axis: Axis = 1) -> Array:
    """``log(sum(exp(x), axis, keepdims=True))``, computed without overflow."""
    xp = array_module(x)
    m = x.max(axis=axis, keepdims=True)
    s = xp.exp(x - m).sum(axis=axis, keepdims=True)
    result: Array = m + xp.log(s)
    return result


def gradients_per_input(func: object, gxs: object, n_inputs: int) -> tuple[Any, ...]:
    """What the ``backward`` of Function ``func`` returned, as one gradient per input
    (a single gradient may come bare, as the book's one-input Functions return it);
    ``RuntimeError`` when the count is not the number of inputs."""
    result = gxs if isinstance(gxs, tuple) else (gxs,)
    if len(result) != n_inputs:
        name = type(func).__name__
        raise RuntimeError(f"{name}.backward returned {len(result)} gradients for {n_inputs} inputs")
    return result
