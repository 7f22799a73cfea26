"""Batch normalization over every axis but the channel axis 1.

For ``x`` of shape (N, C) or (N, C, H, W) (any rank from 2 on), each channel ``c``
is normalized with the statistics of ``x[:, c, ...]``:

    y = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]

In training mode (``Config.train``) ``mean`` and ``var`` are the batch's own (the
biased variance) and the running averages are updated in place; in test mode they
are the running averages.
"""

from __future__ import annotations

import numpy as np

from dezero._arrays import array_module, is_array
from dezero._config import Config
from dezero.core import V, Array, Function, Operand, Variable, as_variable


class BatchNorm(Function[Variable]):
    """``batch_norm`` as one node; inputs ``(x, gamma, beta)``.

    The backward recomputes the normalized input from ``x`` with differentiable
    Functions, so the gradient's own dependence on ``x`` (through the batch mean
    and variance) is part of the graph and double backward is exact. (The book
    reuses a constant ``1 / std`` there, which drops those terms.)
    """

    __slots__ = ("running_mean", "running_var", "decay", "eps", "train", "test_center", "test_var")
    array_backward = True

    def __init__(self, running_mean: Array, running_var: Array, decay: float, eps: float) -> None:
        self.running_mean = running_mean
        self.running_var = running_var
        self.decay = decay
        self.eps = eps
        self.train = Config.train

    def forward(self, x: Array, gamma: Array, beta: Array) -> Array:
        axes = _reduced_axes(x.ndim)
        shape = _channel_shape(x)
        if self.train:
            batch_mean = x.mean(axis=axes)
            batch_var = x.var(axis=axes)
            count = x.size // x.shape[1]
            unbiased = batch_var * (count / max(count - 1, 1))
            self.running_mean *= self.decay
            self.running_mean += (1 - self.decay) * batch_mean
            self.running_var *= self.decay
            self.running_var += (1 - self.decay) * unbiased
            center, var = batch_mean, batch_var
        else:
            # Kept for backward: the running averages may change in place later.
            center, var = self.running_mean.copy(), self.running_var.copy()
            self.test_center, self.test_var = center, var
        inv_std = 1 / array_module(x).sqrt(var + self.eps)
        x_hat = (x - center.reshape(shape)) * inv_std.reshape(shape)
        y: Array = gamma.reshape(shape) * x_hat + beta.reshape(shape)
        return y.astype(np.result_type(x.dtype, gamma.dtype, beta.dtype), copy=False)

    def backward(self, gy: V) -> tuple[V | None, V | None, V | None]:
        x, gamma, _ = self.inputs_like(gy)
        axes = _reduced_axes(x.ndim)
        shape = _channel_shape(self.inputs[0].array)
        g = gamma.reshape(shape)
        gx: V | None = None
        if self.train:
            centered = x - _mean(x, axes)
            inv_std = (_mean(centered * centered, axes) + self.eps) ** -0.5
            x_hat = centered * inv_std
            if self.needs_grad(0):
                gx = g * inv_std * (gy - _mean(gy, axes) - x_hat * _mean(gy * x_hat, axes))
        else:
            xp = array_module(self.test_var)
            inv_std_data = (1 / xp.sqrt(self.test_var + self.eps)).reshape(shape).astype(x.dtype)
            x_hat = (x - self.test_center.reshape(shape).astype(x.dtype)) * inv_std_data
            if self.needs_grad(0):
                gx = g * inv_std_data * gy
        ggamma = (gy * x_hat).sum(axis=axes) if self.needs_grad(1) else None
        gbeta = gy.sum(axis=axes) if self.needs_grad(2) else None
        return gx, ggamma, gbeta


def batch_norm(
    x: Operand,
    gamma: Operand,
    beta: Operand,
    mean: Array | Variable,
    var: Array | Variable,
    decay: float = 0.9,
    eps: float = 2e-5,
) -> Variable:
    """Batch normalization of ``x`` (N, C, ...) with scale ``gamma`` and shift ``beta``
    of shape (C,).

    ``mean`` and ``var`` are the running averages, float arrays of shape (C,) (or
    Variables holding them). In training mode they are updated in place:
    ``mean = decay * mean + (1 - decay) * batch_mean`` and the same for ``var`` with
    the unbiased batch variance; in test mode they normalize ``x``.
    """
    x, gamma, beta = as_variable(x), as_variable(gamma), as_variable(beta)
    if x.ndim < 2:
        raise ValueError(f"batch_norm needs x of shape (N, C, ...), got {x.shape}")
    channels = x.shape[1]
    running: list[Array] = []
    for name, value in (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var)):
        if value.shape != (channels,):
            raise ValueError(
                f"batch_norm: {name} must have shape ({channels},) for x of shape {x.shape}, "
                f"got {value.shape}"
            )
    for name, stat in (("mean", mean), ("var", var)):
        data = stat.array if isinstance(stat, Variable) else stat
        if not is_array(data) or data.dtype.kind != "f":
            raise TypeError(f"batch_norm: {name} must be a floating-point ndarray (updated in place)")
        if Config.train and getattr(data.flags, "writeable", True) is False:
            raise ValueError(f"batch_norm: {name} must be writeable: training mode updates it in place")
        running.append(data)
    if not 0 <= decay <= 1:
        raise ValueError(f"batch_norm: decay must lie in [0, 1], got {decay}")
    if not eps > 0:
        raise ValueError(f"batch_norm: eps must be positive, got {eps}")
    if Config.train and x.size == 0:
        raise ValueError("batch_norm: the statistics of an empty batch are undefined")
    return BatchNorm(running[0], running[1], decay, eps)(x, gamma, beta)


def _mean(v: V, axes: tuple[int, ...]) -> V:
    """The mean over ``axes``, kept as length-1 axes (``average(v, axes, keepdims=True)``)."""
    total = v.sum(axis=axes, keepdims=True)
    mean: V = total * (total.size / v.size)
    return mean


def _reduced_axes(ndim: int) -> tuple[int, ...]:
    return (0,) + tuple(range(2, ndim))


def _channel_shape(x: Array) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel array that broadcasts against ``x``."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)
