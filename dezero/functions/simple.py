"""The book's first versions of some functions, composed of basic Functions.

The book writes each of these before the single Function that replaces it, to show
that composition already gives the right gradients. The value is that of the
formula (the fused versions are the same up to rounding, and avoid overflow where
noted); the graph is longer.
"""

from __future__ import annotations

import numpy as np

from dezero.core import Operand, Variable, as_variable
from dezero.functions.conv import Geometry, IntPair, im2col, pair
from dezero.functions.elementwise import clip, exp, log
from dezero.functions.linalg import matmul
from dezero.functions.nn import softmax
from dezero.functions.reduction import max, sum
from dezero.functions.shape import get_item, reshape, transpose


def linear_simple(x: Operand, W: Operand, b: Operand | None = None) -> Variable:
    """``matmul(x, W) + b`` as two nodes (``b`` optional). (The book also drops the
    product's data to save memory; here the engine reads its shape, so it stays.)"""
    t = matmul(x, W)
    return t if b is None else t + b


def sigmoid_simple(x: Operand) -> Variable:
    """``1 / (1 + exp(-x))``. For large negative ``x`` the exponential overflows to
    inf (a NumPy warning) and the result is 0, as in the book."""
    x = as_variable(x)
    return 1 / (1 + exp(-x))


def softmax_simple(x: Operand, axis: int = 1) -> Variable:
    """``exp(x) / sum(exp(x), axis, keepdims=True)``, without the fused
    :func:`~dezero.functions.softmax`'s shift by the maximum: inputs above about 709
    overflow to nan, as in the book."""
    y = exp(x)
    return y / sum(y, axis=axis, keepdims=True)


def mean_squared_error_simple(x0: Operand, x1: Operand) -> Variable:
    """``sum((x0 - x1) ** 2) / len(x0 - x1)``; differing shapes broadcast, as in the
    book."""
    diff = as_variable(x0) - as_variable(x1)
    return sum(diff**2) / len(diff)


def softmax_cross_entropy_simple(x: Operand, t: Operand) -> Variable:
    """The mean over the batch of ``-log(softmax(x)[i, t[i]])`` for scores ``x``
    (N, C) and integer labels ``t`` (N,), with the probabilities clipped to
    ``[1e-15, 1]`` before the log (so a probability that underflows to 0 gives a
    finite loss and no gradient through it), as in the book."""
    x, labels = as_variable(x), as_variable(t).array
    n = x.shape[0]
    if x.ndim != 2 or labels.shape != (n,):
        raise ValueError(
            f"softmax_cross_entropy_simple needs scores (N, C) and labels (N,), got {x.shape} and {labels.shape}"
        )
    p = clip(softmax(x), 1e-15, 1.0)
    log_p = get_item(log(p), (np.arange(n), labels))
    return -1 * sum(log_p) / n


def pooling_simple(x: Operand, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0) -> Variable:
    """Max pooling of images ``x`` (N, C, H, W) composed of :func:`im2col`, a reshape
    and :func:`max`. Unlike :func:`~dezero.functions.pooling`, the padding is zeros
    (im2col's), so it can win a window of negative values, as in the book."""
    x = as_variable(x)
    n, channels, height, width = x.shape
    geometry = Geometry.of(kernel_size, stride, pad)
    oh, ow = geometry.checked_out_size(height, width)
    kh, kw = pair(kernel_size)
    col = im2col(x, kernel_size, stride, pad, to_matrix=True)  # (N * OH * OW, C * KH * KW)
    y = max(reshape(col, (-1, kh * kw)), axis=1)
    return transpose(reshape(y, (n, oh, ow, channels)), (0, 3, 1, 2))
