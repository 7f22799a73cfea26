"""The arithmetic operators: + - * / ** and unary minus, with NumPy broadcasting.

Each backward undoes broadcasting with ``unbroadcast`` (``sum_to``) so that a
gradient always has its input's shape, and skips the term of a constant input
(``needs_grad``).
"""

from __future__ import annotations

import numpy.typing as npt

from dezero._arrays import PYTHON_SCALARS, gradient_dtype
from dezero.core import V, Array, Function, Operand, Variable
from dezero.functions.elementwise import Log
from dezero.functions.shape import unbroadcast


class Add(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 + x1

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs
        return (
            unbroadcast(gy, x0.shape) if self.needs_grad(0) else None,
            unbroadcast(gy, x1.shape) if self.needs_grad(1) else None,
        )


def add(x0: Operand, x1: Operand) -> Variable:
    return Add()(x0, x1)


class Sub(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 - x1

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs
        return (
            unbroadcast(gy, x0.shape) if self.needs_grad(0) else None,
            unbroadcast(-gy, x1.shape) if self.needs_grad(1) else None,
        )


def sub(x0: Operand, x1: Operand) -> Variable:
    return Sub()(x0, x1)


def rsub(x0: Operand, x1: Operand) -> Variable:
    """``x1 - x0`` (the book's reflected form of ``sub``)."""
    return Sub()(x1, x0)


class Mul(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 * x1

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs_like(gy)
        return (
            unbroadcast(gy * x1, x0.shape) if self.needs_grad(0) else None,
            unbroadcast(gy * x0, x1.shape) if self.needs_grad(1) else None,
        )


def mul(x0: Operand, x1: Operand) -> Variable:
    return Mul()(x0, x1)


class Div(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 / x1

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs_like(gy)
        return (
            unbroadcast(gy / x1, x0.shape) if self.needs_grad(0) else None,
            unbroadcast(gy * (-x0 / (x1 * x1)), x1.shape) if self.needs_grad(1) else None,
        )


def div(x0: Operand, x1: Operand) -> Variable:
    return Div()(x0, x1)


def rdiv(x0: Operand, x1: Operand) -> Variable:
    """``x1 / x0`` (the book's reflected form of ``div``)."""
    return Div()(x1, x0)


class Neg(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, gy: V) -> V:
        return -gy


def neg(x: Operand) -> Variable:
    return Neg()(x)


class Pow(Function[Variable]):
    """``x ** c`` for a constant Python number ``c`` (the book's ``Pow``)."""

    __slots__ = ("c",)
    array_backward = True

    def __init__(self, c: int | float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        return x**self.c

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        gx: V = gy * (self.c * x ** (self.c - 1))
        return gx


class Power(Function[Variable]):
    """``x0 ** x1`` where the exponent is data too; its gradient needs ``x0 > 0``."""

    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        return x0**x1

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs_like(gy)
        y = self.output_like(gy)
        return (
            unbroadcast(gy * x1 * x0 ** (x1 - 1), x0.shape) if self.needs_grad(0) else None,
            unbroadcast(gy * y * Log().apply(x0), x1.shape) if self.needs_grad(1) else None,
        )


def pow(x: Operand, c: Operand) -> Variable:
    """``x ** c``. A Python-number exponent is a constant (the book's ``pow(x, c)``);
    a Variable or array exponent is differentiated too."""
    if isinstance(c, PYTHON_SCALARS) and not isinstance(c, bool):
        return Pow(c)(x)
    return Power()(x, c)


class AsType(Function[Variable]):
    """Cast to another dtype; the gradient is cast back (to float64 for integer
    input, whose dtype cannot hold a gradient)."""

    __slots__ = ("dtype",)
    array_backward = True

    def __init__(self, dtype: npt.DTypeLike) -> None:
        self.dtype = dtype

    def forward(self, x: Array) -> Array:
        return x.astype(self.dtype)

    def backward(self, gy: V) -> V:
        return AsType(gradient_dtype(self.inputs[0].dtype)).apply(gy)


def astype(x: Operand, dtype: npt.DTypeLike) -> Variable:
    return AsType(dtype)(x)


class Copy(Function[Variable]):
    """A copy in fresh memory; the identity for gradients."""

    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = x.copy()
        return y

    def backward(self, gy: V) -> V:
        return gy


def copy(x: Operand) -> Variable:
    return Copy()(x)
