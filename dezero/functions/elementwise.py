"""Elementwise functions of one variable.

Smooth ones differentiate through other Functions, so their gradients are
differentiable again. The kinked ones (abs, relu, leaky_relu, clip) multiply by a
constant mask: their second derivative is zero wherever it exists.
"""

from __future__ import annotations

from dezero._arrays import array_module, gradient_dtype
from dezero.core import V, Array, Function, Operand, Variable


class Sin(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).sin(x)
        return y

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        return gy * Cos().apply(x)


def sin(x: Operand) -> Variable:
    return Sin()(x)


class Cos(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).cos(x)
        return y

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        return gy * -Sin().apply(x)


def cos(x: Operand) -> Variable:
    return Cos()(x)


class Tanh(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).tanh(x)
        return y

    def backward(self, gy: V) -> V:
        y = self.output_like(gy)
        gx: V = gy * (1 - y * y)
        return gx


def tanh(x: Operand) -> Variable:
    return Tanh()(x)


class Exp(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).exp(x)
        return y

    def backward(self, gy: V) -> V:
        return gy * self.output_like(gy)


def exp(x: Operand) -> Variable:
    return Exp()(x)


class Log(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).log(x)
        return y

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        return gy / x


def log(x: Operand) -> Variable:
    return Log()(x)


class Sqrt(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).sqrt(x)
        return y

    def backward(self, gy: V) -> V:
        gx: V = gy / (2 * self.output_like(gy))
        return gx


def sqrt(x: Operand) -> Variable:
    return Sqrt()(x)


class Square(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).square(x)
        return y

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        gx: V = gy * (2 * x)
        return gx


def square(x: Operand) -> Variable:
    return Square()(x)


class Sigmoid(Function[Variable]):
    __slots__ = ()
    array_backward = True

    def forward(self, x: Array) -> Array:
        # 0.5 * tanh(0.5 x) + 0.5 equals 1 / (1 + exp(-x)) and never overflows.
        xp = array_module(x)
        y: Array = xp.tanh(x * 0.5) * 0.5 + 0.5
        return y

    def backward(self, gy: V) -> V:
        y = self.output_like(gy)
        gx: V = gy * y * (1 - y)
        return gx


def sigmoid(x: Operand) -> Variable:
    return Sigmoid()(x)


class _Masked(Function[Variable]):
    """``gx = gy * mask`` for a constant mask computed from the input."""

    __slots__ = ()
    array_backward = True

    def mask(self, x: Array) -> Array:
        raise NotImplementedError

    def backward(self, gy: V) -> V:
        return gy * self.mask(self.inputs[0].array)


class Abs(_Masked):
    """The gradient at 0 is 0 (the subgradient PyTorch and NumPy's sign use)."""

    __slots__ = ()

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).abs(x)
        return y

    def mask(self, x: Array) -> Array:
        y: Array = array_module(x).sign(x)
        return y


def abs(x: Operand) -> Variable:
    return Abs()(x)


class ReLU(_Masked):
    """The gradient at 0 is 0."""

    __slots__ = ()

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).maximum(x, 0)
        return y

    def mask(self, x: Array) -> Array:
        return (x > 0).astype(x.dtype)


def relu(x: Operand) -> Variable:
    return ReLU()(x)


class LeakyReLU(_Masked):
    """``x`` where ``x > 0``, else ``slope * x``; the gradient at 0 is ``slope``."""

    __slots__ = ("slope",)

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).where(x > 0, x, x * self.slope)
        return y

    def mask(self, x: Array) -> Array:
        # (the gradient's dtype: an integer mask would truncate the slope to 0)
        mask: Array = array_module(x).where(x > 0, 1, self.slope).astype(gradient_dtype(x.dtype))
        return mask


def leaky_relu(x: Operand, slope: float = 0.2) -> Variable:
    return LeakyReLU(slope)(x)


class Clip(_Masked):
    """The gradient is 1 inside ``[x_min, x_max]`` (ends included) and 0 outside."""

    __slots__ = ("x_min", "x_max")

    def __init__(self, x_min: float, x_max: float) -> None:
        self.x_min = x_min
        self.x_max = x_max

    def forward(self, x: Array) -> Array:
        y: Array = array_module(x).clip(x, self.x_min, self.x_max)
        return y

    def mask(self, x: Array) -> Array:
        return ((x >= self.x_min) & (x <= self.x_max)).astype(x.dtype)


def clip(x: Operand, x_min: float, x_max: float) -> Variable:
    if not x_min <= x_max:
        raise ValueError(f"clip needs x_min <= x_max, got {x_min} > {x_max}")
    return Clip(x_min, x_max)(x)
