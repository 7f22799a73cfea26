"""Optimizers: update a Layer's Parameters in place from their gradients.

``optimizer.setup(model)`` then, after each ``loss.backward()``, ``optimizer.update()``.
Parameters without a gradient are left alone. Hooks (``add_hook``) see the list of
parameters about to be updated and may rewrite or drop their gradients first.

Per-parameter state (momentum, running averages) lives in a
``weakref.WeakKeyDictionary`` keyed by the Parameter itself, so a dead Parameter's
state disappears with it and can never be handed to a new object that happens to get
the same ``id()`` (the book keys it by ``id(param)``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from dezero._arrays import array_module
from dezero.core import Array, Parameter, Variable
from dezero.layers import Layer

Hook = Callable[[list[Parameter]], None]
OptimizerT = TypeVar("OptimizerT", bound="Optimizer")


class Optimizer:
    """Base class: subclasses implement :meth:`update_one` for one Parameter."""

    target: Layer | None
    hooks: list[Hook]

    def __init__(self) -> None:
        self.target = None
        self.hooks = []
        self._state: weakref.WeakKeyDictionary[Parameter, dict[str, Array]] = weakref.WeakKeyDictionary()

    def setup(self: OptimizerT, target: Layer) -> OptimizerT:
        """Optimize ``target``'s parameters; returns the optimizer itself."""
        if not isinstance(target, Layer):
            raise TypeError(f"an optimizer optimizes a Layer or Model, got {type(target).__name__}")
        self.target = target
        return self

    def update(self) -> None:
        """Run the hooks, then update every Parameter of the target that has a gradient."""
        if self.target is None:
            raise RuntimeError(f"{type(self).__name__}.update() before setup(model)")
        params = [p for p in self.target.params() if p.grad is not None]
        for hook in self.hooks:
            hook(params)
            params = [p for p in params if p.grad is not None]  # a hook may drop a gradient
        for param in params:
            self.update_one(param)

    def update_one(self, param: Parameter) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update_one is not implemented")

    def add_hook(self, f: Hook) -> None:
        """Call ``f(params)`` before each update, in the order the hooks were added."""
        if not callable(f):
            raise TypeError(f"a hook must be callable, got {type(f).__name__}")
        self.hooks.append(f)

    def state(self, param: Parameter, *names: str) -> dict[str, Array]:
        """The buffers ``names`` of ``param``, created as zeros of its shape and dtype."""
        buffers = self._state.setdefault(param, {})
        for name in names:
            buffer = buffers.get(name)
            if buffer is None:
                buffers[name] = array_module(param.array).zeros_like(param.array)
            elif buffer.shape != param.shape:
                raise ValueError(
                    f"{type(self).__name__}: parameter {param.name!r} changed shape from "
                    f"{buffer.shape} to {param.shape} since its optimizer state was created"
                )
        return buffers


def _grad(param: Parameter) -> Array:
    assert param.grad is not None  # update() passes only parameters with a gradient
    return param.grad.array


def _number(value: object, name: str, low: float, high: float = math.inf, *, open_low: bool = False, open_high: bool = False) -> float:
    """``value`` as a float, checked against the interval ``[low, high]`` (ends open as asked)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    too_low = number <= low if open_low else number < low
    too_high = number >= high if open_high else number > high
    if math.isnan(number) or too_low or too_high:
        interval = f"{'(' if open_low else '['}{low}, {high}{')' if open_high else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return number


# --------------------------------------------------------------------- optimizers


class SGD(Optimizer):
    """``param -= lr * grad``."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = _number(lr, "lr", 0)

    def update_one(self, param: Parameter) -> None:
        param.array[...] -= self.lr * _grad(param)


class MomentumSGD(Optimizer):
    """``v = momentum * v - lr * grad``; ``param += v`` (``v`` starts at zero)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr = _number(lr, "lr", 0)
        self.momentum = _number(momentum, "momentum", 0, 1, open_high=True)

    def update_one(self, param: Parameter) -> None:
        v = self.state(param, "v")["v"]
        v *= self.momentum
        v -= self.lr * _grad(param)
        param.array[...] += v


class AdaGrad(Optimizer):
    """``h += grad ** 2``; ``param -= lr * grad / (sqrt(h) + eps)``."""

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__()
        self.lr = _number(lr, "lr", 0)
        self.eps = _number(eps, "eps", 0, open_low=True)

    def update_one(self, param: Parameter) -> None:
        grad = _grad(param)
        h = self.state(param, "h")["h"]
        h += grad * grad
        param.array[...] -= self.lr * grad / (array_module(h).sqrt(h) + self.eps)


class AdaDelta(Optimizer):
    """``msg = rho * msg + (1 - rho) * grad ** 2``;
    ``dx = sqrt((msdx + eps) / (msg + eps)) * grad``;
    ``msdx = rho * msdx + (1 - rho) * dx ** 2``; ``param -= dx``."""

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__()
        self.rho = _number(rho, "rho", 0, 1, open_high=True)
        self.eps = _number(eps, "eps", 0, open_low=True)

    def update_one(self, param: Parameter) -> None:
        grad = _grad(param)
        state = self.state(param, "msg", "msdx")
        msg, msdx = state["msg"], state["msdx"]
        msg *= self.rho
        msg += (1 - self.rho) * grad * grad
        dx = array_module(msg).sqrt((msdx + self.eps) / (msg + self.eps)) * grad
        msdx *= self.rho
        msdx += (1 - self.rho) * dx * dx
        param.array[...] -= dx


class Adam(Optimizer):
    """Adam with bias correction folded into the step size:

    ``m += (1 - beta1) * (grad - m)``; ``v += (1 - beta2) * (grad ** 2 - v)``;
    ``param -= alpha * sqrt(1 - beta2 ** k) / (1 - beta1 ** k) * m / (sqrt(v) + eps)``,

    where ``k`` counts the updates *this parameter* has received. ``t`` counts calls of
    :meth:`update` and ``lr`` is the step size for ``k = t``, as in the book; the two
    agree whenever every parameter is updated at every step (a parameter that is
    frozen or unused for a while keeps a correct bias correction here).
    """

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__()
        self.t = 0
        self.alpha = _number(alpha, "alpha", 0)
        self.beta1 = _number(beta1, "beta1", 0, 1, open_high=True)
        self.beta2 = _number(beta2, "beta2", 0, 1, open_high=True)
        self.eps = _number(eps, "eps", 0, open_low=True)
        self._steps: weakref.WeakKeyDictionary[Parameter, int] = weakref.WeakKeyDictionary()

    def update(self) -> None:
        self.t += 1
        super().update()

    def step_size(self, k: int) -> float:
        """The bias-corrected step size after ``k`` updates (``k >= 1``)."""
        return self.alpha * math.sqrt(1 - self.beta2**k) / (1 - self.beta1**k)

    @property
    def lr(self) -> float:
        return self.step_size(max(self.t, 1))

    def update_one(self, param: Parameter) -> None:
        grad = _grad(param)
        k = self._steps.get(param, 0) + 1
        self._steps[param] = k
        state = self.state(param, "m", "v")
        m, v = state["m"], state["v"]
        m += (1 - self.beta1) * (grad - m)
        v += (1 - self.beta2) * (grad * grad - v)
        param.array[...] -= self.step_size(k) * m / (array_module(v).sqrt(v) + self.eps)


# --------------------------------------------------------------------- hooks


def _set_grad(param: Parameter, grad: Array) -> None:
    """Give ``param`` a new gradient object (never write into one that might be shared)."""
    # asarray: arithmetic on 0-d arrays gives NumPy scalars, which are not ndarrays.
    param.grad = Variable(array_module(param.array).asarray(grad, dtype=param.dtype))


class WeightDecay:
    """Add ``rate * param`` to each gradient (L2 regularization of strength rate / 2)."""

    def __init__(self, rate: float) -> None:
        self.rate = _number(rate, "rate", 0)

    def __call__(self, params: list[Parameter]) -> None:
        for param in params:
            _set_grad(param, _grad(param) + self.rate * param.array)


class ClipGrad:
    """Scale all gradients by ``max_norm / (norm + 1e-6)`` when that is below 1, where
    ``norm`` is the L2 norm of all of them together."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = _number(max_norm, "max_norm", 0)

    def __call__(self, params: list[Parameter]) -> None:
        total = math.sqrt(sum(_squared_norm(_grad(p)) for p in params))
        rate = self.max_norm / (total + 1e-6)
        if rate < 1:
            for param in params:
                _set_grad(param, _grad(param) * rate)


def _squared_norm(a: Array) -> float:
    """The sum of the squares of ``a``, in float64."""
    return float(array_module(a).square(a, dtype=np.float64).sum())


class FreezeParam:
    """Keep the given Parameters, or every Parameter of the given Layers, unchanged:
    their gradients are dropped before the update."""

    def __init__(self, *layers: Layer | Parameter) -> None:
        self.freeze_params: list[Parameter] = []
        for item in layers:
            if isinstance(item, Parameter):
                self.freeze_params.append(item)
            elif isinstance(item, Layer):
                self.freeze_params.extend(item.params())
            else:
                raise TypeError(f"FreezeParam takes Layers and Parameters, got {type(item).__name__}")

    def __call__(self, params: list[Parameter]) -> None:
        for param in self.freeze_params:
            param.grad = None
