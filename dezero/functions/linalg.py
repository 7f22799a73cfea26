"""Matrix products: ``matmul`` (1-D, 2-D and batched, as ``numpy.matmul``) and ``linear``."""

from __future__ import annotations


from dezero import _arrays
from dezero._arrays import array_module
from dezero.core import V, Array, Function, Operand, Variable, as_input_variables
from dezero.functions.shape import reshape, swapaxes_last, unbroadcast


class MatMul(Function[Variable]):
    """``x @ W`` for operands of two or more dimensions; batch axes broadcast."""

    __slots__ = ()
    array_backward = True

    def forward(self, x: Array, W: Array) -> Array:
        y: Array = array_module(x).matmul(x, W)
        return y

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x, W = self.inputs_like(gy)
        gx = unbroadcast(MatMul().apply(gy, swapaxes_last(W)), x.shape) if self.needs_grad(0) else None
        gW = unbroadcast(MatMul().apply(swapaxes_last(x), gy), W.shape) if self.needs_grad(1) else None
        return gx, gW


def matmul(x: Operand, W: Operand) -> Variable:
    """The matrix product with ``numpy.matmul``'s rules: a 1-D operand is a vector
    (promoted to a matrix and the extra axis removed again); batch axes broadcast."""
    x, W = as_input_variables((x, W))
    if x.ndim == 0 or W.ndim == 0:
        raise ValueError(
            f"matmul needs operands of at least one dimension, got shapes {x.shape} and {W.shape}"
        )
    if x.shape[-1] != W.shape[-2 if W.ndim > 1 else 0]:
        raise ValueError(f"matmul: shapes {x.shape} and {W.shape} are not aligned")
    x_vector, W_vector = x.ndim == 1, W.ndim == 1
    if x_vector:
        x = reshape(x, (1, x.shape[0]))
    if W_vector:
        W = reshape(W, (W.shape[0], 1))
    y: Variable = MatMul()(x, W)
    if x_vector or W_vector:
        shape = y.shape[:-2] + (() if x_vector else y.shape[-2:-1]) + (() if W_vector else y.shape[-1:])
        y = reshape(y, shape)
    return y


class Linear(Function[Variable]):
    """``x @ W + b`` for a 2-D ``x`` and ``W`` in one node (b optional)."""

    __slots__ = ()
    array_backward = True

    def forward(self, x: Array, W: Array, b: Array | None = None) -> Array:
        y = x @ W
        return y if b is None else y + b

    def backward(self, gy: V) -> tuple[V | None, ...]:
        x, W = self.inputs_like(gy)[:2]
        gx = MatMul().apply(gy, W.T) if self.needs_grad(0) else None
        gW = MatMul().apply(x.T, gy) if self.needs_grad(1) else None
        if len(self.inputs) == 2:
            return gx, gW
        gb = unbroadcast(gy, self.inputs[2].shape) if self.needs_grad(2) else None
        return gx, gW, gb


def linear(x: Operand, W: Operand, b: Operand | None = None) -> Variable:
    operands = as_input_variables((x, W) if b is None else (x, W, b))
    x, W = operands[0], operands[1]
    if x.ndim == 2 and W.ndim == 2 and x.shape[1] == W.shape[0]:
        if b is None:
            return Linear()(x, W)
        _arrays.check_broadcastable(operands[2].shape, (x.shape[0], W.shape[1]))
        return Linear()(*operands)
    y = matmul(x, W)
    return y if b is None else y + operands[2]
