"""Neural-network functions: softmax family, losses, accuracy, dropout, embedding."""

from __future__ import annotations

from typing import Any

import numpy as np

from dezero import _arrays, _random
from dezero._arrays import array_module
from dezero._config import Config
from dezero.core import V, Array, Function, Operand, Variable, as_array, as_input_variables, as_variable
from dezero.functions.elementwise import Sigmoid, log
from dezero.functions.reduction import sum
from dezero.functions.shape import broadcast, get_item, reshape, unbroadcast


class Softmax(Function[Variable]):
    __slots__ = ("axis",)
    array_backward = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        e = array_module(x).exp(x - x.max(axis=self.axis, keepdims=True))
        y: Array = e / e.sum(axis=self.axis, keepdims=True)
        return y

    def backward(self, gy: V) -> V:
        y = self.output_like(gy)
        y_gy = y * gy
        gx: V = y_gy - y * y_gy.sum(axis=self.axis, keepdims=True)
        return gx


def softmax(x: Operand, axis: int = 1) -> Variable:
    x = as_variable(x)
    return Softmax(_arrays.normalize_axis(axis, x.ndim)[0])(x)


class LogSoftmax(Function[Variable]):
    __slots__ = ("axis",)
    array_backward = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        return x - _arrays.logsumexp(x, self.axis)

    def backward(self, gy: V) -> V:
        (x,) = self.inputs_like(gy)
        gx: V = gy - Softmax(self.axis).apply(x) * gy.sum(axis=self.axis, keepdims=True)
        return gx


def log_softmax(x: Operand, axis: int = 1) -> Variable:
    x = as_variable(x)
    return LogSoftmax(_arrays.normalize_axis(axis, x.ndim)[0])(x)


def _batch_size(shape: tuple[int, ...]) -> int:
    """``len(x)`` as the book divides by it; 1 for a 0-d array."""
    return shape[0] if shape else 1


def _check_broadcastable(name: str, a: Variable, b: Variable) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{name}: the shapes {a.shape} and {b.shape} do not broadcast") from None


def _as_shape_of(name: str, t: Variable, x: Variable) -> Variable:
    """``t`` reshaped to ``x``'s shape when their numbers of axes differ, as the book
    does for its targets (a (N,) target against (N, 1) logits is paired element by
    element, not broadcast)."""
    if t.ndim == x.ndim:
        return t
    if t.size != x.size:
        raise ValueError(
            f"{name}: a target of shape {t.shape} cannot take the shape {x.shape} of the input"
        )
    return reshape(t, x.shape)


class MeanSquaredError(Function[Variable]):
    """``sum((x0 - x1) ** 2) / len(x0 - x1)``: summed over features, averaged over the
    batch (first) axis, as in the book. The operands broadcast against each other
    (``len`` is that of the broadcast difference, as in the book); each gradient is
    summed back to its operand's shape (the book returns the broadcast shape)."""

    __slots__ = ()
    array_backward = True

    def forward(self, x0: Array, x1: Array) -> Array:
        diff = x0 - x1
        y: Array = array_module(diff).asarray((diff * diff).sum() / _batch_size(diff.shape))
        return y

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x0, x1 = self.inputs_like(gy)
        diff = x0 - x1
        g: V = gy * diff * (2.0 / _batch_size(diff.shape))
        return (
            unbroadcast(g, x0.shape) if self.needs_grad(0) else None,
            unbroadcast(-g, x1.shape) if self.needs_grad(1) else None,
        )


def mean_squared_error(x0: Operand, x1: Operand) -> Variable:
    x0, x1 = as_input_variables((x0, x1))
    _check_broadcastable("mean_squared_error", x0, x1)
    return MeanSquaredError()(x0, x1)


class SoftmaxCrossEntropy(Function[Variable]):
    """Mean over the batch of ``-log softmax(x)[i, t[i]]``; ``t`` gets no gradient."""

    __slots__ = ()
    array_backward = True

    def forward(self, x: Array, t: Array) -> Array:
        n = x.shape[0]
        xp = array_module(x)
        log_p = x - _arrays.logsumexp(x, axis=1)
        y: Array = xp.asarray(-log_p[xp.arange(n), t.ravel()].sum() / n)
        return y

    def backward(self, gy: V) -> tuple[V, None]:
        x = self.inputs_like(gy)[0]
        n, classes = x.shape
        labels = self.inputs[1].array
        one_hot = array_module(labels).eye(classes, dtype=x.dtype)[labels.ravel()]
        gx: V = (Softmax(1).apply(x) - one_hot) * (gy / n)
        return gx, None


def softmax_cross_entropy(x: Operand, t: Operand) -> Variable:
    """``x``: scores of shape (N, C); ``t``: integer labels in [0, C) of shape (N,) or (N, 1)."""
    x, t_var = as_variable(x), as_variable(t)
    labels = t_var.array
    if x.ndim != 2:
        raise ValueError(f"softmax_cross_entropy needs scores of shape (N, C), got {x.shape}")
    n, classes = x.shape
    if labels.shape not in ((n,), (n, 1)):
        raise ValueError(
            f"softmax_cross_entropy: labels of shape {labels.shape} do not match "
            f"scores of shape {x.shape}; expected ({n},) or ({n}, 1)"
        )
    _check_labels(labels, classes)
    return SoftmaxCrossEntropy()(x, t_var)


def _check_labels(labels: Array, classes: int) -> None:
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"labels must lie in [0, {classes}), got values from {labels.min()} to {labels.max()}"
        )


class SigmoidCrossEntropy(Function[Variable]):
    """``sum(softplus(x) - t * x) / len(x)``, the logistic loss of logits ``x``
    against targets ``t`` in [0, 1], computed without overflow. ``x`` and ``t``
    broadcast against each other; each gradient is summed back to its shape."""

    __slots__ = ()
    array_backward = True

    def forward(self, x: Array, t: Array) -> Array:
        xp = array_module(x)
        loss = xp.logaddexp(0, x) - t * x
        y: Array = xp.asarray(loss.sum() / _batch_size(x.shape), dtype=x.dtype)
        return y

    def backward(self, gy: V) -> tuple[V | None, V | None]:
        x, t = self.inputs_like(gy)
        scale = gy / _batch_size(x.shape)
        gx = unbroadcast((Sigmoid().apply(x) - t) * scale, x.shape) if self.needs_grad(0) else None
        gt = None
        if self.needs_grad(1) and t.dtype.kind == "f":  # the loss terms broadcast: so do their gradients
            gt = unbroadcast(broadcast(-x * scale, np.broadcast_shapes(x.shape, t.shape)), t.shape)
        return gx, gt


def sigmoid_cross_entropy(x: Operand, t: Operand) -> Variable:
    """The logistic loss of logits ``x`` against targets ``t``, averaged over
    ``len(x)``. A target with another number of axes is first reshaped to ``x``'s
    shape, as in the book; otherwise the two broadcast."""
    x, t = as_input_variables((x, t))
    t = _as_shape_of("sigmoid_cross_entropy", t, x)
    _check_broadcastable("sigmoid_cross_entropy", x, t)
    return SigmoidCrossEntropy()(x, t)


def binary_cross_entropy(p: Operand, t: Operand) -> Variable:
    """``-sum(t log p + (1 - t) log(1 - p)) / len(t)`` for probabilities ``p``.

    A target with another number of axes is first reshaped to ``p``'s shape, as in
    the book; otherwise the two broadcast, and the sum runs over the broadcast
    shape (divided by ``len(t)``, as in the book).

    The book clips ``p`` (which silently zeroes gradients); here ``p`` outside [0, 1]
    is a ``ValueError`` and ``p`` of exactly 0 or 1 gives an infinite loss, as the
    formula does.
    """
    p, t = as_input_variables((p, t))
    t = _as_shape_of("binary_cross_entropy", t, p)
    _check_broadcastable("binary_cross_entropy", p, t)
    if p.size and (p.array.min() < 0 or p.array.max() > 1):
        raise ValueError("binary_cross_entropy needs probabilities p in [0, 1]")
    log_likelihood = t * log(p) + (1 - t) * log(1 - p)
    return -sum(log_likelihood) / _batch_size(t.shape)


def accuracy(y: Operand, t: Operand) -> Variable:
    """The fraction of rows of scores ``y`` (N, C) whose argmax equals label ``t`` (N,).

    Not differentiable: the result is a new Variable with no creator.
    """
    scores, labels = as_variable(y).array, as_variable(t).array
    if scores.ndim != 2 or labels.shape not in ((scores.shape[0],), (scores.shape[0], 1)):
        raise ValueError(
            f"accuracy needs scores (N, C) and labels (N,), got {scores.shape} and {labels.shape}"
        )
    predicted = scores.argmax(axis=1)
    return Variable(as_array((predicted == labels.ravel()).mean()))


class Dropout(Function[Variable]):
    """``x * mask / (1 - ratio)``: the elements the boolean ``mask`` keeps, scaled up so
    that the expected value is ``x``. Backward multiplies by the same mask and scale."""

    __slots__ = ("mask", "ratio", "scale")
    array_backward = True

    def __init__(self, mask: Array, ratio: float, scale: Array) -> None:
        self.mask = mask
        self.ratio = ratio
        self.scale = scale  # 1 - ratio, in the input's dtype (the book's ``scale``)

    def forward(self, x: Array) -> Array:
        y: Array = x * self.mask / self.scale
        return y

    def backward(self, gy: V) -> V:
        gx: V = gy * self.mask / self.scale
        return gx


def dropout(x: Operand, dropout_ratio: float = 0.5, *, rng: np.random.Generator | None = None) -> Variable:
    """In training mode, zero each element with probability ``dropout_ratio`` and
    divide the rest by ``1 - dropout_ratio``; in test mode, return ``x`` (as a
    Variable, the same object when it already is one).

    As in the book, the mask keeps the elements where ``np.random.rand(*x.shape)``
    exceeds ``dropout_ratio``, so ``np.random.seed`` gives the book's masks. Pass
    ``rng`` (a ``numpy.random.Generator``) to draw from it instead.
    """
    if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, (int, float, np.floating)):
        raise TypeError(f"dropout_ratio must be a number, got {type(dropout_ratio).__name__}")
    if not 0 <= dropout_ratio < 1:
        raise ValueError(f"dropout_ratio must lie in [0, 1), got {dropout_ratio}")
    rng = _random.checked(rng)
    x = as_variable(x)
    if not Config.train:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"dropout needs floating-point data, got dtype {x.dtype}")
    xp = array_module(x.data)  # the mask is drawn in host memory (the book's draw): moved to x's device
    keep: Array = xp.asarray(_random.uniform01(x.shape, rng) > dropout_ratio)
    return Dropout(keep, dropout_ratio, xp.asarray(1.0 - dropout_ratio, dtype=x.dtype))(x)


def embed_id(x: Any, W: Operand) -> Variable:
    """Rows of ``W`` selected by the integer ids ``x`` (``W[x]``)."""
    ids = x.array if isinstance(x, Variable) else as_array(x)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"embed_id needs integer ids, got dtype {ids.dtype}")
    return get_item(W, ids)
