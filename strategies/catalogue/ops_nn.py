"""Catalogue entries for images, normalization and layers (the book's steps 52-60).

Convolution, transposed convolution, im2col/col2im and pooling on NCHW images;
batch normalization in training and in test mode; and the ``Linear``, ``Conv2d``,
``Deconv2d`` and ``BatchNorm`` layers, applied with their parameters given as fresh
leaves (``P.with_params(layer, W=..., b=...)``), so that gradients with respect
to them are checked too.

The NumPy references here are written for the suite, independently of any
implementation: windows are strided slices of the padded input, one per kernel
offset ``(i, j)``. They accept complex arrays (every operation is analytic in the
values) and take max pooling's choice on the real part, so complex-step
derivatives through them are exact. Real arrays of a narrower dtype (float32) are
widened to float64 first: the suite passes float64 or complex128, the reference's
own tests (``tests/reference``) pass float32 layers' data too, and both get an
expected value computed in double precision.

Kernel sizes, strides and paddings are drawn as ints or as (height, width) pairs.
Images are small (an op's cost in the oracles grows with the number of leaf
elements), and single-op images have four dimensions of at most a few elements.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
from hypothesis import strategies as st

from strategies.catalogue.opspec import (
    MARGIN,
    Draw,
    FreshLeaf,
    Inapplicable,
    Input,
    Magnitudes,
    Op,
    Params,
    one_output,
    same_dtype,
)
from strategies.implementation.protocols import Array

__all__ = [
    "EPS_VALUES", "IntOrPair", "LAYER_EPS", "MAX_CHANNELS", "MAX_IMAGE", "MAX_KERNEL", "MAX_MEAN_TO_STD",
    "MAX_PAD", "MAX_SIDE", "MAX_STRIDE", "MIN_VARIANCE", "NN_OPS", "Pair", "ParamDraw",
    "average_pooling_reference", "batch_norm_reference", "col2im_reference", "conv2d_reference",
    "deconv2d_reference", "im2col_reference", "pooling_reference",
]

Pair: TypeAlias = tuple[int, int]
# A kernel size, stride or pad as the call receives it: an int or a pair.
IntOrPair: TypeAlias = int | tuple[int, int]
ParamDraw: TypeAlias = Callable[[Draw, Sequence[Input]], tuple[Params, tuple[FreshLeaf, ...]]]

MAX_KERNEL = 3
MAX_STRIDE = 3
MAX_PAD = 2
MAX_CHANNELS = 3
# Ops on images take at most this many elements, and sides of at most MAX_SIDE.
MAX_IMAGE = 96
MAX_SIDE = 6
# Batch norm in training mode needs every channel's batch variance at least this.
MIN_VARIANCE = 0.01
# ... and its mean within this many standard deviations of 0.
MAX_MEAN_TO_STD = 5.0
# The batch norm eps values drawn, and the layer's (the book's default).
EPS_VALUES = (2e-5, 1e-3, 0.1)
LAYER_EPS = 2e-5


def _pair(value: IntOrPair) -> Pair:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _side(size: int, kernel: int, stride: int, pad: int) -> int:
    """How many window positions fit along one side."""
    return (size + 2 * pad - kernel) // stride + 1


# --------------------------------------------------------------------- reference forwards


def _wide(a: Array) -> Array:
    """``a`` as float64 (complex128 if complex), not copied when it already is."""
    return np.asarray(a, dtype=np.result_type(a, np.float64))


def _padded(x: Array, pad: Pair, fill: complex = 0.0) -> Array:
    ph, pw = pad
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def _slices(xp: Array, kernel: Pair, stride: Pair, out: Pair) -> Iterator[tuple[int, int, Array]]:
    """For each kernel offset ``(i, j)``, the padded input's elements it meets at
    every output position: ``xp[:, :, i + SH * p, j + SW * q]`` for all ``(p, q)``."""
    (sh, sw), (oh, ow) = stride, out
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield i, j, xp[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw]


def _out(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, pad: Pair) -> Pair:
    return (_side(x_shape[2], kernel[0], stride[0], pad[0]), _side(x_shape[3], kernel[1], stride[1], pad[1]))


def conv2d_reference(x: Array, W: Array, b: Array | None, stride: IntOrPair, pad: IntOrPair) -> Array:
    """``y[n, o, p, q] = sum over c, i, j of W[o, c, i, j] * xpad[n, c, SH*p + i, SW*q + j] + b[o]``."""
    x, W = _wide(x), _wide(W)
    kernel, s, p = (W.shape[2], W.shape[3]), _pair(stride), _pair(pad)
    out = _out(x.shape, kernel, s, p)
    y = np.zeros((x.shape[0], W.shape[0]) + out, dtype=np.result_type(x, W, np.float64))
    for i, j, window in _slices(_padded(x, p), kernel, s, out):
        y += np.einsum("nchw,oc->nohw", window, W[:, :, i, j])
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def deconv2d_reference(
    x: Array, W: Array, b: Array | None, stride: IntOrPair, pad: IntOrPair, outsize: Pair | None
) -> Array:
    """The transposed convolution: input pixel ``(p, q)`` adds ``x[n, c, p, q] * W[c, o]``
    into the window at padded ``(SH*p, SW*q)``; the padding is cut off at the end."""
    x, W = _wide(x), _wide(W)
    n, _, h, w = x.shape
    kh, kw = W.shape[2], W.shape[3]
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    oh, ow = outsize if outsize is not None else (sh * (h - 1) + kh - 2 * ph, sw * (w - 1) + kw - 2 * pw)
    yp = np.zeros((n, W.shape[1], oh + 2 * ph, ow + 2 * pw), dtype=np.result_type(x, W, np.float64))
    for i in range(kh):
        for j in range(kw):
            yp[:, :, i : i + sh * (h - 1) + 1 : sh, j : j + sw * (w - 1) + 1 : sw] += np.einsum(
                "nchw,co->nohw", x, W[:, :, i, j]
            )
    y = yp[:, :, ph : ph + oh, pw : pw + ow]
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def im2col_reference(x: Array, kernel_size: IntOrPair, stride: IntOrPair, pad: IntOrPair, to_matrix: bool) -> Array:
    """``col[n, c, i, j, p, q] = xpad[n, c, SH*p + i, SW*q + j]``; as a matrix, one row
    per window ``(n, p, q)`` holding it in ``(c, i, j)`` order."""
    x = _wide(x)
    kernel, s, p = _pair(kernel_size), _pair(stride), _pair(pad)
    out = _out(x.shape, kernel, s, p)
    n, c = x.shape[:2]
    col = np.zeros((n, c) + kernel + out, dtype=np.result_type(x, np.float64))
    for i, j, window in _slices(_padded(x, p), kernel, s, out):
        col[:, :, i, j] = window
    if to_matrix:
        return np.asarray(col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out[0] * out[1], -1))
    return col


def col2im_reference(
    col: Array,
    input_shape: tuple[int, int, int, int],
    kernel_size: IntOrPair,
    stride: IntOrPair,
    pad: IntOrPair,
    to_matrix: bool,
) -> Array:
    """Every window element added back at its pixel (the padding dropped)."""
    col = _wide(col)
    kernel, s, p = _pair(kernel_size), _pair(stride), _pair(pad)
    n, c, h, w = input_shape
    out = _out(input_shape, kernel, s, p)
    if to_matrix:
        col = col.reshape((n,) + out + (c,) + kernel).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((n, c, h + 2 * p[0], w + 2 * p[1]), dtype=np.result_type(col, np.float64))
    (sh, sw), (oh, ow) = s, out
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            xp[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw] += col[:, :, i, j]
    return xp[:, :, p[0] : p[0] + h, p[1] : p[1] + w]


def _stacked_windows(x: Array, kernel: Pair, stride: Pair, pad: Pair, fill: complex) -> Array:
    """(N, C, KH*KW, OH, OW): each window's elements in row-major kernel order."""
    out = _out(x.shape, kernel, stride, pad)
    return np.stack([window for _, _, window in _slices(_padded(x, pad, fill), kernel, stride, out)], axis=2)


def pooling_reference(x: Array, kernel_size: IntOrPair, stride: IntOrPair, pad: IntOrPair) -> Array:
    """The largest element of each window, chosen by the real part; the padding is
    -inf, so it never wins."""
    windows = _stacked_windows(_wide(x), _pair(kernel_size), _pair(stride), _pair(pad), -np.inf)
    pick = np.argmax(np.real(windows), axis=2)
    return np.take_along_axis(windows, pick[:, :, None], axis=2)[:, :, 0]


def average_pooling_reference(x: Array, kernel_size: IntOrPair, stride: IntOrPair, pad: IntOrPair) -> Array:
    """The mean of each window, the zero padding counted in (divide by KH*KW)."""
    kernel = _pair(kernel_size)
    windows = _stacked_windows(_wide(x), kernel, _pair(stride), _pair(pad), 0.0)
    return np.asarray(windows.sum(axis=2) / (kernel[0] * kernel[1]))


def _per_channel(v: Array, ndim: int) -> Array:
    return np.asarray(v).reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm_reference(
    x: Array,
    gamma: Array,
    beta: Array,
    mean: Array | Sequence[float] | None,
    var: Array | Sequence[float] | None,
    eps: float,
) -> Array:
    """``gamma * (x - m) / sqrt(v + eps) + beta`` per channel (axis 1): the batch's mean
    and biased variance over every other axis when ``mean``/``var`` are None
    (training mode), else those constants (test mode). The variance is the mean of
    squares, ``(x - m) ** 2``, not of absolute squares, so it is analytic."""
    x = _wide(x)
    if mean is None or var is None:
        axes = (0,) + tuple(range(2, x.ndim))
        m = x.mean(axis=axes, keepdims=True)
        v = ((x - m) ** 2).mean(axis=axes, keepdims=True)
    else:
        m, v = _per_channel(_wide(np.asarray(mean)), x.ndim), _per_channel(_wide(np.asarray(var)), x.ndim)
    return np.asarray(_per_channel(gamma, x.ndim) * (x - m) / np.sqrt(v + eps) + _per_channel(beta, x.ndim))


def _batch_norm_terms(eps: float | None) -> Magnitudes:
    """Op.cancellation of batch norm in training mode (``eps`` None: the call's own).

    ``gx = gamma / s * (gy - mean(gy) - xhat * mean(gy * xhat))`` subtracts terms
    of up to ``(2 + |xhat| * max |xhat|) * max |gy|``; and ``xhat = (x - m) / s``,
    ``s`` and ``gamma``'s gradient ``sum(gy * xhat)`` carry the error of ``x - m``,
    ``(max |x| + |m|) / s`` units in the last place of a standard deviation."""

    def terms(xs: Sequence[Array], p: Mapping[str, Any]) -> tuple[Array, ...]:
        x, gamma, beta = xs
        axes = (0,) + tuple(range(2, x.ndim))
        m = x.mean(axis=axes, keepdims=True)
        s = np.sqrt(((x - m) ** 2).mean(axis=axes, keepdims=True) + (p["eps"] if eps is None else eps))
        xhat = np.abs(x - m) / s
        widest = xhat.max(axis=axes, keepdims=True)
        spread = (np.abs(x).max(axis=axes, keepdims=True) + np.abs(m)) / s
        count = x.size // x.shape[1]
        gx = np.abs(_per_channel(gamma, x.ndim)) / s * (2 + xhat) * (1 + widest) * (1 + spread)
        ggamma = count * spread * (1 + widest)
        return gx, ggamma.reshape(np.shape(gamma)), np.zeros(np.shape(beta))

    return terms


def _batch_norm_forward_terms(eps: float | None) -> Magnitudes:
    """Op.forward_terms of batch norm in training mode: ``gamma * (x - m) / s + beta``,
    with ``x - m`` off by a unit of ``|x| + |m|`` and ``s`` by ``spread`` units."""

    def terms(xs: Sequence[Array], p: Mapping[str, Any]) -> tuple[Array, ...]:
        x, gamma, beta = xs
        axes = (0,) + tuple(range(2, x.ndim))
        m = x.mean(axis=axes, keepdims=True)
        s = np.sqrt(((x - m) ** 2).mean(axis=axes, keepdims=True) + (p["eps"] if eps is None else eps))
        spread = (np.abs(x).max(axis=axes, keepdims=True) + np.abs(m)) / s
        g = np.abs(_per_channel(gamma, x.ndim))
        return (g * (np.abs(x) + np.abs(m)) / s * (1 + spread) + np.abs(_per_channel(beta, x.ndim)),)

    return terms


def _batch_norm_test_forward_terms(xs: Sequence[Array], p: Mapping[str, Any]) -> tuple[Array, ...]:
    x, gamma, beta = xs
    mean, var = _per_channel(np.array(p["mean"]), x.ndim), _per_channel(np.array(p["var"]), x.ndim)
    g, b = np.abs(_per_channel(gamma, x.ndim)), np.abs(_per_channel(beta, x.ndim))
    return (g * (np.abs(x) + np.abs(mean)) / np.sqrt(var + p["eps"]) + b,)


def _batch_norm_test_terms(xs: Sequence[Array], p: Mapping[str, Any]) -> tuple[Array, ...]:
    """Op.cancellation of batch norm in test mode: only ``gamma``'s gradient
    ``sum(gy * (x - mean) / s)`` has a difference that can cancel."""
    x, gamma, beta = xs
    axes = (0,) + tuple(range(2, x.ndim))
    mean, s = _per_channel(np.array(p["mean"]), x.ndim), np.sqrt(_per_channel(np.array(p["var"]), x.ndim) + p["eps"])
    count = x.size // x.shape[1]
    spread = ((np.abs(x) + np.abs(mean)) / s).max(axis=axes)
    return np.zeros(np.shape(x)), (count * spread).reshape(np.shape(gamma)), np.zeros(np.shape(beta))


# --------------------------------------------------------------------- domain checks


def _images(xs: Sequence[Input]) -> bool:
    """Small images: four dimensions, sides of at most MAX_SIDE, at most MAX_IMAGE
    elements (so that transposed convolutions in a graph cannot compound)."""
    shape = xs[0].shape
    return len(shape) == 4 and min(shape) >= 1 and max(shape[2:]) <= MAX_SIDE and math.prod(shape) <= MAX_IMAGE


def _normalizable(xs: Sequence[Input]) -> bool:
    """At least two elements per channel, and in each a real variance, not small
    beside the mean (centering values far from 0 with a small spread loses the
    digits float32 gradients need)."""
    shape = xs[0].shape
    if len(shape) < 2 or min(shape) < 1 or math.prod(shape) // shape[1] < 2:
        return False
    axes = (0,) + tuple(range(2, len(shape)))
    mean, var = np.mean(xs[0].value, axis=axes), np.var(xs[0].value, axis=axes)
    return bool(np.all(var >= MIN_VARIANCE) and np.all(mean**2 <= MAX_MEAN_TO_STD**2 * var))


def _has_channels(xs: Sequence[Input]) -> bool:
    return len(xs[0].shape) >= 2 and min(xs[0].shape) >= 1


def _untied_windows(x: Array, kernel: Pair, stride: Pair, pad: Pair) -> bool:
    """In every window the largest element beats the runner-up by more than MARGIN."""
    windows = np.sort(_stacked_windows(x, kernel, stride, pad, -np.inf), axis=2)
    if windows.shape[2] < 2:
        return True
    return bool(np.all(windows[:, :, -1] - windows[:, :, -2] > MARGIN))


# --------------------------------------------------------------------- geometry draws


def _as_given(draw: Draw, values: Pair) -> IntOrPair:
    """A pair as the call receives it: the int when both sides agree (if drawn so)."""
    if values[0] == values[1] and draw(st.booleans()):
        return values[0]
    return values


def _per_side(draw: Draw, low: Pair, high: Pair) -> Pair:
    """One value per side in ``[low, high]``; often the same for both (an int argument)."""
    a, b = max(low), min(high)
    if a <= b and draw(st.booleans()):
        v = draw(st.integers(a, b))
        return (v, v)
    return (draw(st.integers(low[0], high[0])), draw(st.integers(low[1], high[1])))


def _window_geometry(draw: Draw, sides: Pair, *, pad_below_kernel: bool = False) -> tuple[Pair, Pair, Pair]:
    """Kernel, stride and pad for a window sweep over ``sides`` with at least one
    position; with ``pad_below_kernel`` every window overlaps the input (pooling)."""
    pad = _per_side(draw, (0, 0), (MAX_PAD, MAX_PAD))
    low = (pad[0] + 1, pad[1] + 1) if pad_below_kernel else (1, 1)
    high = (min(MAX_KERNEL, sides[0] + 2 * pad[0]), min(MAX_KERNEL, sides[1] + 2 * pad[1]))
    kernel = _per_side(draw, low, high)
    stride = _per_side(draw, (1, 1), (MAX_STRIDE, MAX_STRIDE))
    return kernel, stride, pad


def _geometry_params(draw: Draw, kernel: Pair | None, stride: Pair, pad: Pair) -> Params:
    given: Params = (("stride", _as_given(draw, stride)), ("pad", _as_given(draw, pad)))
    return given if kernel is None else (("kernel_size", _as_given(draw, kernel)),) + given


def _image_sides(x: Input) -> Pair:
    return (x.shape[2], x.shape[3])


def _conv_params(bias: bool) -> ParamDraw:
    """Filters (OC, C, KH, KW) and a bias (OC,) as fresh leaves, stride and pad."""

    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        kernel, stride, pad = _window_geometry(draw, _image_sides(xs[0]))
        out_channels = draw(st.integers(1, MAX_CHANNELS))
        weights = FreshLeaf((out_channels, xs[0].shape[1]) + kernel)
        fresh = (weights, FreshLeaf((out_channels,))) if bias else (weights,)
        return _geometry_params(draw, None, stride, pad), fresh

    return draw_params


def _deconv_geometry(draw: Draw, sides: Pair) -> tuple[Pair, Pair, Pair, Pair]:
    """Kernel, stride, pad and the output size (the default one, or larger by less
    than a stride: both map back to ``sides`` under the convolution)."""
    stride = _per_side(draw, (1, 1), (MAX_STRIDE, MAX_STRIDE))
    kernel = _per_side(draw, (1, 1), (MAX_KERNEL, MAX_KERNEL))
    # The default output side, stride * (side - 1) + kernel - 2 * pad, stays >= 1.
    most = tuple(min(MAX_PAD, (s * (n - 1) + k - 1) // 2) for s, n, k in zip(stride, sides, kernel))
    pad = _per_side(draw, (0, 0), (most[0], most[1]))
    default = tuple(s * (n - 1) + k - 2 * p for s, n, k, p in zip(stride, sides, kernel, pad))
    extra = (draw(st.integers(0, stride[0] - 1)), draw(st.integers(0, stride[1] - 1)))
    return kernel, stride, pad, (default[0] + extra[0], default[1] + extra[1])


def _deconv_params(bias: bool) -> ParamDraw:
    """Filters (C, OC, KH, KW), a bias (OC,), stride, pad, and an explicit outsize or None."""

    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        kernel, stride, pad, outsize = _deconv_geometry(draw, _image_sides(xs[0]))
        out_channels = draw(st.integers(1, MAX_CHANNELS))
        weights = FreshLeaf((xs[0].shape[1], out_channels) + kernel)
        fresh = (weights, FreshLeaf((out_channels,))) if bias else (weights,)
        given: Any = outsize if draw(st.booleans()) else None
        return _geometry_params(draw, None, stride, pad) + (("outsize", given),), fresh

    return draw_params


def _im2col_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    kernel, stride, pad = _window_geometry(draw, _image_sides(xs[0]))
    return _geometry_params(draw, kernel, stride, pad) + (("to_matrix", draw(st.booleans())),), ()


def _divisor(draw: Draw, n: int, most: int) -> int:
    return int(draw(st.sampled_from([d for d in range(1, min(n, most) + 1) if n % d == 0])))


def _col2im_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """An image shape and geometry whose windows have the input's shape: a matrix
    (N*OH*OW, C*KH*KW) read by factoring both sides, or (N, C, KH, KW, OH, OW)."""
    shape = xs[0].shape
    if len(shape) == 6:
        n, c, kh, kw, oh, ow = shape
    else:
        rows, cols = shape
        n = _divisor(draw, rows, rows)
        oh = _divisor(draw, rows // n, rows // n)
        ow = rows // (n * oh)
        kh = _divisor(draw, cols, MAX_KERNEL)
        kw = _divisor(draw, cols // kh, MAX_KERNEL)
        c = cols // (kh * kw)
    stride = _per_side(draw, (1, 1), (MAX_STRIDE, MAX_STRIDE))
    # The image side (out - 1) * stride + kernel - 2 * pad + extra stays >= 1.
    most = tuple(min(MAX_PAD, ((o - 1) * s + k - 1) // 2) for o, s, k in zip((oh, ow), stride, (kh, kw)))
    pad = _per_side(draw, (0, 0), (most[0], most[1]))
    extra = (draw(st.integers(0, stride[0] - 1)), draw(st.integers(0, stride[1] - 1)))
    h = (oh - 1) * stride[0] + kh - 2 * pad[0] + extra[0]
    w = (ow - 1) * stride[1] + kw - 2 * pad[1] + extra[1]
    params = (("input_shape", (n, c, h, w)),) + _geometry_params(draw, (kh, kw), stride, pad)
    return params + (("to_matrix", len(shape) == 2),), ()


def _col2im_input(xs: Sequence[Input]) -> bool:
    shape = xs[0].shape
    return len(shape) in (2, 6) and min(shape) >= 1 and math.prod(shape) <= MAX_IMAGE


def _pooling_params(max_pooling: bool) -> ParamDraw:
    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        kernel, stride, pad = _window_geometry(draw, _image_sides(xs[0]), pad_below_kernel=max_pooling)
        if max_pooling and not _untied_windows(xs[0].value, kernel, stride, pad):
            raise Inapplicable
        return _geometry_params(draw, kernel, stride, pad), ()

    return draw_params


def _scale_shift(draw: Draw, xs: Sequence[Input]) -> tuple[FreshLeaf, FreshLeaf]:
    channels = xs[0].shape[1]
    return FreshLeaf((channels,), -1.5, 1.5), FreshLeaf((channels,))


def _batch_norm_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """Scale and shift as fresh leaves; fresh running averages (updated in place by
    the call, which the output does not depend on) and eps."""
    params = (("channels", xs[0].shape[1]), same_dtype(xs[0]), ("eps", draw(st.sampled_from(EPS_VALUES))))
    return params, _scale_shift(draw, xs)


def _batch_norm_test_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """Scale and shift as fresh leaves, running mean and variance as constants."""
    channels = xs[0].shape[1]
    cents = st.integers(-100, 100).map(lambda c: c / 100)
    mean = tuple(draw(st.lists(cents, min_size=channels, max_size=channels)))
    var = tuple(draw(st.lists(st.integers(25, 200).map(lambda c: c / 100), min_size=channels, max_size=channels)))
    params = (("mean", mean), ("var", var), same_dtype(xs[0]), ("eps", draw(st.sampled_from(EPS_VALUES))))
    return params, _scale_shift(draw, xs)


def _linear_layer_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    out_size = draw(st.integers(1, 3))
    return (("out_size", out_size),), (FreshLeaf((xs[0].shape[1], out_size)), FreshLeaf((out_size,)))


def _conv_layer_params(transposed: bool) -> ParamDraw:
    """A Conv2d layer with a bias, or a Deconv2d layer without one."""

    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        sides, channels = _image_sides(xs[0]), xs[0].shape[1]
        out_channels = draw(st.integers(1, MAX_CHANNELS))
        if transposed:
            kernel, stride, pad, _ = _deconv_geometry(draw, sides)
            fresh: tuple[FreshLeaf, ...] = (FreshLeaf((channels, out_channels) + kernel),)
        else:
            kernel, stride, pad = _window_geometry(draw, sides)
            fresh = (FreshLeaf((out_channels, channels) + kernel), FreshLeaf((out_channels,)))
        return (("out_channels", out_channels),) + _geometry_params(draw, kernel, stride, pad), fresh

    return draw_params


# --------------------------------------------------------------------- single-op leaves

# Images of at most 2 x 3 x 4 x 4 elements: enough for every stride and padding case,
# small enough for a complex-step Jacobian per example.
_IMAGES = st.tuples(st.integers(1, 2), st.integers(1, MAX_CHANNELS), st.integers(1, 4), st.integers(1, 4))
# Batch-norm input: (N, C) or (N, C, ...) with at least two elements per channel.
_BATCHES = st.tuples(st.integers(1, 4), st.integers(1, MAX_CHANNELS)).flatmap(
    lambda nc: st.lists(st.integers(1, 2), max_size=2).map(lambda rest: nc + tuple(rest))
).filter(lambda s: math.prod(s) // s[1] >= 2)
_WINDOWS = st.one_of(
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
              st.integers(1, 2), st.integers(1, 2)),
)


# --------------------------------------------------------------------- the entries


def _image_op(name: str, template: str, reference: Callable[..., Array], draw_params: ParamDraw, **kw: Any) -> Op:
    kw.setdefault("requires", (f"F.{name}",))
    kw.setdefault("leaf_shapes", _IMAGES)
    kw.setdefault("applicable", _images)
    return Op(name, 1, template, one_output(reference), family="image", draw_params=draw_params, **kw)


def _conv(x: Array, W: Array, b: Array | None = None, **p: Any) -> Array:
    return conv2d_reference(x, W, b, p["stride"], p["pad"])


def _deconv(x: Array, W: Array, b: Array | None = None, **p: Any) -> Array:
    return deconv2d_reference(x, W, b, p["stride"], p["pad"], p.get("outsize"))


def _batch_norm(xs: Sequence[Array], p: Mapping[str, Any]) -> tuple[Array, ...]:
    return (batch_norm_reference(xs[0], xs[1], xs[2], p.get("mean"), p.get("var"), p["eps"]),)


NN_OPS: tuple[Op, ...] = (
    # convolution
    _image_op("conv2d", "F.conv2d({0}, {1}, {2}, stride={stride}, pad={pad})", _conv, _conv_params(bias=True)),
    _image_op("conv2d_nobias", "F.conv2d({0}, {1}, stride={stride}, pad={pad})", _conv, _conv_params(bias=False),
              requires=("F.conv2d",)),
    _image_op("deconv2d", "F.deconv2d({0}, {1}, {2}, stride={stride}, pad={pad}, outsize={outsize})", _deconv,
              _deconv_params(bias=True)),
    _image_op("conv2d_simple", "F.conv2d_simple({0}, {1}, {2}, stride={stride}, pad={pad})", _conv,
              _conv_params(bias=True)),
    _image_op("im2col", "F.im2col({0}, {kernel_size}, stride={stride}, pad={pad}, to_matrix={to_matrix})",
              im2col_reference, _im2col_params),
    _image_op("col2im",
              "F.col2im({0}, {input_shape}, {kernel_size}, stride={stride}, pad={pad}, to_matrix={to_matrix})",
              col2im_reference, _col2im_params, applicable=_col2im_input, leaf_shapes=_WINDOWS),
    # pooling: max pooling has kinks where two window elements tie
    _image_op("pooling", "F.pooling({0}, {kernel_size}, stride={stride}, pad={pad})", pooling_reference,
              _pooling_params(max_pooling=True), smooth=False, distinct_leaf=0.1),
    _image_op("average_pooling", "F.average_pooling({0}, {kernel_size}, stride={stride}, pad={pad})",
              average_pooling_reference, _pooling_params(max_pooling=False)),
    # batch normalization: training mode (batch statistics) and test mode (constants)
    Op("batch_norm",
       1, "F.batch_norm({0}, {1}, {2}, np.zeros({channels}, dtype={dtype}), np.ones({channels}, dtype={dtype}), "
       "eps={eps})",
       _batch_norm, ("F.batch_norm",), "normalization", applicable=_normalizable, draw_params=_batch_norm_params,
       leaf_shapes=_BATCHES, distinct_leaf=0.3, cancellation=_batch_norm_terms(None),
       forward_terms=_batch_norm_forward_terms(None)),
    Op("batch_norm_test",
       1, "P.in_test_mode(F.batch_norm, {0}, {1}, {2}, np.array({mean}, dtype={dtype}), "
       "np.array({var}, dtype={dtype}), eps={eps})",
       _batch_norm, ("F.batch_norm", "using_config"), "normalization", applicable=_has_channels,
       draw_params=_batch_norm_test_params, leaf_shapes=_BATCHES, cancellation=_batch_norm_test_terms,
       forward_terms=_batch_norm_test_forward_terms),
    # layers, their parameters given as fresh leaves
    Op("layer_linear", 1, "P.with_params(L.Linear({out_size}), W={1}, b={2})({0})",
       one_output(lambda x, W, b, out_size: x @ W + b), ("L.Linear",), "layer",
       applicable=lambda xs: len(xs[0].shape) == 2 and min(xs[0].shape) >= 1,
       draw_params=_linear_layer_params, leaf_dims=(2, 2)),
    Op("layer_conv2d", 1,
       "P.with_params(L.Conv2d({out_channels}, {kernel_size}, stride={stride}, pad={pad}), W={1}, b={2})({0})",
       one_output(lambda x, W, b, **p: conv2d_reference(x, W, b, p["stride"], p["pad"])), ("L.Conv2d",), "image",
       applicable=_images, draw_params=_conv_layer_params(transposed=False), leaf_shapes=_IMAGES),
    Op("layer_deconv2d", 1,
       "P.with_params(L.Deconv2d({out_channels}, {kernel_size}, stride={stride}, pad={pad}, nobias=True), "
       "W={1})({0})",
       one_output(lambda x, W, **p: deconv2d_reference(x, W, None, p["stride"], p["pad"], None)),
       ("L.Deconv2d",), "image", applicable=_images, draw_params=_conv_layer_params(transposed=True),
       leaf_shapes=_IMAGES),
    Op("layer_batch_norm", 1, "P.with_params(L.BatchNorm(), gamma={1}, beta={2})({0})",
       lambda xs, p: (batch_norm_reference(xs[0], xs[1], xs[2], None, None, LAYER_EPS),), ("L.BatchNorm",),
       "normalization", applicable=_normalizable, draw_params=lambda draw, xs: ((), _scale_shift(draw, xs)),
       leaf_shapes=_BATCHES, distinct_leaf=0.3, cancellation=_batch_norm_terms(LAYER_EPS),
       forward_terms=_batch_norm_forward_terms(LAYER_EPS)),
)
