"""Plain NumPy forwards of the issue-6 functions and layers, independent of dezero.

Each is written the slow, obvious way (explicit loops over output positions, or
``einsum`` on explicitly built windows) so that it checks dezero's vectorised
code rather than repeating it. All take and return ndarrays; ``stride`` and
``pad`` are (height, width) pairs. Images are NCHW: (batch, channels, height,
width). Window geometry, for every function here:

    OH = (H + 2 * PH - KH) // SH + 1,   OW = (W + 2 * PW - KW) // SW + 1

and the window at output (p, q) covers padded rows ``p*SH .. p*SH + KH - 1`` and
columns ``q*SW .. q*SW + KW - 1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
Pair = tuple[int, int]


def out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """The number of window positions along one side."""
    return (size + 2 * pad - kernel) // stride + 1


def _pad(x: Array, pad: Pair, fill: float = 0.0) -> Array:
    n, c, h, w = x.shape
    ph, pw = pad
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=np.result_type(x, np.float64))
    out[:, :, ph : ph + h, pw : pw + w] = x
    return out


def conv2d(x: Array, W: Array, b: Array | None, stride: Pair, pad: Pair) -> Array:
    """Cross-correlation, the book's conv2d.

    Domain: ``x`` (N, C, H, W), ``W`` (OC, C, KH, KW), ``b`` (OC,) or None;
    ``H + 2*PH >= KH`` and ``W + 2*PW >= KW``; stride >= 1, pad >= 0; zero padding.
    Shape: (N, OC, OH, OW).
    ``y[n, o, p, q] = sum_{c,i,j} W[o, c, i, j] * xpad[n, c, p*SH + i, q*SW + j] + b[o]``.
    Computed in float64.
    """
    n, c, h, w = x.shape
    oc, _, kh, kw = W.shape
    oh, ow = out_size(h, kh, stride[0], pad[0]), out_size(w, kw, stride[1], pad[1])
    xp = _pad(x, pad)
    y = np.zeros((n, oc, oh, ow))
    for p in range(oh):
        for q in range(ow):
            window = xp[:, :, p * stride[0] : p * stride[0] + kh, q * stride[1] : q * stride[1] + kw]
            y[:, :, p, q] = np.einsum("ncij,ocij->no", window, W)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def deconv2d(x: Array, W: Array, b: Array | None, stride: Pair, pad: Pair, outsize: Pair) -> Array:
    """Transposed convolution: every input pixel scatters ``x * W`` into a window.

    Domain: ``x`` (N, C, H, W), ``W`` (C, OC, KH, KW), ``b`` (OC,) or None,
    ``outsize`` (OH, OW) such that ``out_size(OH, KH, SH, PH) == H`` (same for W).
    Shape: (N, OC, OH, OW).
    ``y = crop(sum_{c,p,q} x[n, c, p, q] * W[c, o, :, :] placed at padded rows
    p*SH.., columns q*SW..)``, the crop removing PH rows / PW columns on each side.
    Equivalently the adjoint of ``conv2d(., W, None, stride, pad)``.
    """
    n, c, h, w = x.shape
    _, oc, kh, kw = W.shape
    oh, ow = outsize
    ph, pw = pad
    yp = np.zeros((n, oc, oh + 2 * ph, ow + 2 * pw))
    for p in range(h):
        for q in range(w):
            r, s = p * stride[0], q * stride[1]
            yp[:, :, r : r + kh, s : s + kw] += np.einsum("nc,coij->noij", x[:, :, p, q], W)
    y = yp[:, :, ph : ph + oh, pw : pw + ow]
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    return y


def im2col(x: Array, kernel: Pair, stride: Pair, pad: Pair, to_matrix: bool) -> Array:
    """The windows of ``x`` (zero padding).

    Domain: ``x`` (N, C, H, W) with each kernel side at most the padded side.
    Shape: (N, C, KH, KW, OH, OW) with ``col[n, c, i, j, p, q] = xpad[n, c, p*SH + i,
    q*SW + j]``; with ``to_matrix``, (N*OH*OW, C*KH*KW) where row ``(n*OH + p)*OW + q``
    is the window at (n, p, q) flattened in (c, i, j) order.
    """
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = out_size(h, kh, stride[0], pad[0]), out_size(w, kw, stride[1], pad[1])
    xp = _pad(x, pad)
    col = np.zeros((n, c, kh, kw, oh, ow))
    for i in range(kh):
        for j in range(kw):
            for p in range(oh):
                for q in range(ow):
                    col[:, :, i, j, p, q] = xp[:, :, p * stride[0] + i, q * stride[1] + j]
    if to_matrix:
        matrix: Array = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)
        return matrix
    return col


def col2im(col: Array, shape: tuple[int, int, int, int], kernel: Pair, stride: Pair, pad: Pair, to_matrix: bool) -> Array:
    """Windows added back into an image of ``shape`` (N, C, H, W); padding dropped.

    Domain: ``col`` of the shape ``im2col`` produces for an image of ``shape``.
    Shape: ``shape``. The adjoint of ``im2col``: ``<im2col(x), col> == <x, col2im(col)>``.
    """
    n, c, h, w = shape
    kh, kw = kernel
    oh, ow = out_size(h, kh, stride[0], pad[0]), out_size(w, kw, stride[1], pad[1])
    if to_matrix:
        col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((n, c, h + 2 * pad[0], w + 2 * pad[1]))
    for i in range(kh):
        for j in range(kw):
            for p in range(oh):
                for q in range(ow):
                    xp[:, :, p * stride[0] + i, q * stride[1] + j] += col[:, :, i, j, p, q]
    return xp[:, :, pad[0] : pad[0] + h, pad[1] : pad[1] + w]


def pooling(x: Array, kernel: Pair, stride: Pair, pad: Pair) -> Array:
    """Max pooling; the padding is -inf so it never wins.

    Domain: ``x`` (N, C, H, W), pad < kernel on each side (every window overlaps
    the input). Shape: (N, C, OH, OW); ``y[n, c, p, q]`` is the max of the window.
    """
    return _pool(x, kernel, stride, pad, -np.inf, np.max)


def average_pooling(x: Array, kernel: Pair, stride: Pair, pad: Pair) -> Array:
    """Average pooling; zero padding is part of every window's mean (divide by KH*KW).

    Domain: ``x`` (N, C, H, W), each kernel side at most the padded side.
    Shape: (N, C, OH, OW).
    """
    return _pool(x, kernel, stride, pad, 0.0, np.mean)


def _pool(x: Array, kernel: Pair, stride: Pair, pad: Pair, fill: float, reduce: Any) -> Array:
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = out_size(h, kh, stride[0], pad[0]), out_size(w, kw, stride[1], pad[1])
    xp = _pad(x, pad, fill)
    y = np.zeros((n, c, oh, ow))
    for p in range(oh):
        for q in range(ow):
            window = xp[:, :, p * stride[0] : p * stride[0] + kh, q * stride[1] : q * stride[1] + kw]
            y[:, :, p, q] = reduce(window, axis=(2, 3))
    return y


def batch_norm(
    x: Array, gamma: Array, beta: Array, mean: Array, var: Array, train: bool, eps: float
) -> Array:
    """Batch normalization per channel (axis 1).

    Domain: ``x`` (N, C, ...), ``gamma``, ``beta``, ``mean``, ``var`` (C,), eps > 0.
    Shape: that of ``x``. Training mode uses the batch mean and biased variance over
    every axis but 1; test mode uses ``mean`` and ``var``. Channel by channel, in a loop.
    """
    y = np.empty(x.shape)
    for c in range(x.shape[1]):
        xc = x[:, c].astype(np.float64)
        m, v = (xc.mean(), xc.var()) if train else (mean[c], var[c])
        y[:, c] = gamma[c] * (xc - m) / np.sqrt(v + eps) + beta[c]
    return y


def running_stats(x: Array, mean: Array, var: Array, decay: float) -> tuple[Array, Array]:
    """The running averages after one training-mode batch_norm on ``x``: the
    unbiased variance (divide by count - 1) enters the running variance."""
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.size // x.shape[1]
    new_mean = decay * mean + (1 - decay) * x.mean(axis=axes)
    new_var = decay * var + (1 - decay) * x.var(axis=axes, ddof=1 if count > 1 else 0)
    return new_mean, new_var

