"""Convolution and pooling on images in NCHW layout (batch, channels, height, width).

``kernel_size``, ``stride`` and ``pad`` are each an int (the same for height and
width) or a pair ``(for_height, for_width)``. An output side is
``(side + 2 * pad - kernel) // stride + 1`` (:func:`get_conv_outsize`).

Every backward is written with Functions of this module, so gradients are
differentiable again to any order: the pairs conv2d/deconv2d, im2col/col2im and
the pooling gradient/gather are each other's adjoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, SupportsIndex, TypeAlias, Union

import numpy as np

from dezero._arrays import array_module
from dezero.core import V, Array, Function, Operand, Variable, as_variable
from dezero.functions.linalg import linear
from dezero.functions.shape import broadcast, reshape, transpose

IntPair: TypeAlias = Union[int, Sequence[int]]
Shape4: TypeAlias = tuple[int, int, int, int]


def pair(value: IntPair, name: str = "value", minimum: int = 0) -> tuple[int, int]:
    """``value`` as ``(height, width)``; an int stands for both.

    ``TypeError`` unless it is an int or a sequence of two ints; ``ValueError`` when
    a number is below ``minimum``.
    """
    if isinstance(value, SupportsIndex) and not isinstance(value, bool):
        result = (value.__index__(),) * 2
    elif (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(v, SupportsIndex) and not isinstance(v, bool) for v in value)
    ):
        result = (value[0].__index__(), value[1].__index__())
    else:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(result) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return result


def get_conv_outsize(input_size: int, kernel_size: int, stride: int, pad: int) -> int:
    """The output side of a convolution (or pooling) window sweep."""
    return (input_size + 2 * pad - kernel_size) // stride + 1


def get_deconv_outsize(size: int, kernel_size: int, stride: int, pad: int) -> int:
    """The default output side of a transposed convolution: the smallest input side
    that a convolution of this geometry maps to ``size``."""
    return stride * (size - 1) + kernel_size - 2 * pad


@dataclass(frozen=True)
class Geometry:
    """Kernel, stride and padding of a window sweep, each as (height, width)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    pad: tuple[int, int]

    @classmethod
    def of(cls, kernel_size: IntPair, stride: IntPair, pad: IntPair) -> Geometry:
        """Validated geometry: kernel and stride at least 1, pad at least 0."""
        return cls(pair(kernel_size, "kernel_size", 1), pair(stride, "stride", 1), pair(pad, "pad", 0))

    def out_size(self, height: int, width: int) -> tuple[int, int]:
        return (
            get_conv_outsize(height, self.kernel[0], self.stride[0], self.pad[0]),
            get_conv_outsize(width, self.kernel[1], self.stride[1], self.pad[1]),
        )

    def checked_out_size(self, height: int, width: int) -> tuple[int, int]:
        """``out_size``, or ``ValueError`` when the kernel does not fit the padded input."""
        out = self.out_size(height, width)
        if min(out) < 1:
            raise ValueError(
                f"a kernel of {self.kernel} does not fit an input of {(height, width)} "
                f"padded by {self.pad}"
            )
        return out

    def parts(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """``(kernel, stride, pad)``, the arguments of the book-style constructors."""
        return self.kernel, self.stride, self.pad

    def deconv_out_size(self, height: int, width: int) -> tuple[int, int]:
        return (
            get_deconv_outsize(height, self.kernel[0], self.stride[0], self.pad[0]),
            get_deconv_outsize(width, self.kernel[1], self.stride[1], self.pad[1]),
        )


# --------------------------------------------------------------------- array helpers


def _padded(x: Array, pad: tuple[int, int], fill: float = 0) -> Array:
    if pad == (0, 0):
        return x
    ph, pw = pad
    padded: Array = array_module(x).pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    return padded


def _windows(x: Array, geometry: Geometry, fill: float = 0) -> Array:
    """A read-only view of shape (N, C, KH, KW, OH, OW): element ``[n, c, i, j, p, q]``
    is the padded input at row ``p * SH + i - PH``, column ``q * SW + j - PW``."""
    oh, ow = geometry.checked_out_size(x.shape[2], x.shape[3])
    (sh, sw), (kh, kw) = geometry.stride, geometry.kernel
    sliding_window_view = array_module(x).lib.stride_tricks.sliding_window_view
    view = sliding_window_view(_padded(x, geometry.pad, fill), (kh, kw), axis=(2, 3))
    view = view[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw]
    result: Array = view.transpose(0, 1, 4, 5, 2, 3)
    return result


def _scatter_windows(col: Array, image_shape: Shape4, geometry: Geometry) -> Array:
    """The adjoint of :func:`_windows`: add every window element back at its pixel
    (padding dropped). ``col`` has shape (N, C, KH, KW, OH, OW)."""
    n, c, h, w = image_shape
    (sh, sw), (ph, pw) = geometry.stride, geometry.pad
    kh, kw, oh, ow = col.shape[2:]
    xp = array_module(col)
    image = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=col.dtype)
    for i in range(kh):
        for j in range(kw):
            image[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw] += col[:, :, i, j]
    result: Array = xp.ascontiguousarray(image[:, :, ph : ph + h, pw : pw + w])
    return result


def _lowest(dtype: np.dtype[Any]) -> float:
    """A padding value that never wins a max: -inf for floats, the minimum for ints."""
    if dtype.kind == "f":
        return -np.inf
    return float(np.iinfo(dtype).min)


def im2col_array(
    x: Array, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0, to_matrix: bool = True
) -> Array:
    """Windows of images ``x`` as a new array: (N, C, KH, KW, OH, OW), or as a matrix
    of shape (N * OH * OW, C * KH * KW) when ``to_matrix`` (one row per window)."""
    col = _windows(x, Geometry.of(kernel_size, stride, pad))
    if to_matrix:
        n, c, kh, kw, oh, ow = col.shape
        matrix: Array = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)
        return matrix
    copied: Array = col.copy()
    return copied


def col2im_array(
    col: Array,
    image_shape: Sequence[int],
    kernel_size: IntPair,
    stride: IntPair = 1,
    pad: IntPair = 0,
    to_matrix: bool = True,
) -> Array:
    """The adjoint of :func:`im2col_array`: windows summed back into images of
    ``image_shape`` (N, C, H, W)."""
    geometry = Geometry.of(kernel_size, stride, pad)
    shape = _shape4(tuple(image_shape))
    n, c, h, w = shape
    oh, ow = geometry.checked_out_size(h, w)
    kh, kw = geometry.kernel
    if to_matrix:
        col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    return _scatter_windows(col, shape, geometry)


# --------------------------------------------------------------------- im2col / col2im


class Im2col(Function[Variable]):
    __slots__ = ("geometry", "to_matrix")
    array_backward = True

    def __init__(self, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0, to_matrix: bool = True) -> None:
        self.geometry = Geometry.of(kernel_size, stride, pad)
        self.to_matrix = to_matrix

    def forward(self, x: Array) -> Array:
        return im2col_array(x, *self.geometry.parts(), self.to_matrix)

    def backward(self, gy: V) -> V:
        return Col2im(_shape4(self.inputs[0].shape), *self.geometry.parts(), self.to_matrix).apply(gy)


class Col2im(Function[Variable]):
    __slots__ = ("image_shape", "geometry", "to_matrix")
    array_backward = True

    def __init__(
        self,
        input_shape: Shape4,
        kernel_size: IntPair,
        stride: IntPair = 1,
        pad: IntPair = 0,
        to_matrix: bool = True,
    ) -> None:
        self.image_shape = input_shape
        self.geometry = Geometry.of(kernel_size, stride, pad)
        self.to_matrix = to_matrix

    def forward(self, col: Array) -> Array:
        return col2im_array(col, self.image_shape, *self.geometry.parts(), self.to_matrix)

    def backward(self, gy: V) -> V:
        return Im2col(*self.geometry.parts(), self.to_matrix).apply(gy)


def im2col(
    x: Operand, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0, to_matrix: bool = True
) -> Variable:
    """Extract the sliding windows of images ``x`` (N, C, H, W).

    Returns (N * OH * OW, C * KH * KW) when ``to_matrix`` (one window per row, rows
    ordered by image then output row then column), else (N, C, KH, KW, OH, OW).
    """
    x = _images("im2col", x)
    geometry = Geometry.of(kernel_size, stride, pad)
    geometry.checked_out_size(x.shape[2], x.shape[3])
    return Im2col(*geometry.parts(), to_matrix)(x)


def col2im(
    x: Operand,
    input_shape: Sequence[int],
    kernel_size: IntPair,
    stride: IntPair = 1,
    pad: IntPair = 0,
    to_matrix: bool = True,
) -> Variable:
    """Sum windows back into images of ``input_shape`` (N, C, H, W): the adjoint of
    :func:`im2col` with the same arguments (overlapping windows add up)."""
    x = as_variable(x)
    image_shape = _shape4(tuple(input_shape))
    geometry = Geometry.of(kernel_size, stride, pad)
    n, c, h, w = image_shape
    oh, ow = geometry.checked_out_size(h, w)
    kh, kw = geometry.kernel
    expected = (n * oh * ow, c * kh * kw) if to_matrix else (n, c, kh, kw, oh, ow)
    if x.shape != expected:
        raise ValueError(
            f"col2im: windows of shape {x.shape} do not match input_shape {image_shape} "
            f"with this geometry; expected shape {expected}"
        )
    return Col2im(image_shape, *geometry.parts(), to_matrix)(x)


# --------------------------------------------------------------------- convolution


class Conv2d(Function[Variable]):
    """``y[n, o] = sum over c, i, j of W[o, c, i, j] * window(x)[n, c, i, j] (+ b[o])``."""

    __slots__ = ("stride", "pad")
    array_backward = True

    def __init__(self, stride: IntPair = 1, pad: IntPair = 0) -> None:
        self.stride = pair(stride, "stride", 1)
        self.pad = pair(pad, "pad", 0)

    def geometry(self, W_shape: tuple[int, ...]) -> Geometry:
        return Geometry((W_shape[2], W_shape[3]), self.stride, self.pad)

    def forward(self, x: Array, W: Array, b: Array | None = None) -> Array:
        xp = array_module(x)
        col = _windows(x, self.geometry(W.shape))
        y = xp.tensordot(col, W, ((1, 2, 3), (1, 2, 3)))  # (N, OH, OW, OC)
        if b is not None:
            y = y + b
        result: Array = xp.ascontiguousarray(y.transpose(0, 3, 1, 2))
        return result

    def backward(self, gy: V) -> tuple[V | None, ...]:
        x, W = self.inputs_like(gy)[:2]
        h, w = x.shape[2], x.shape[3]
        gx = Deconv2d(self.stride, self.pad, (h, w)).apply(gy, W) if self.needs_grad(0) else None
        gW = Conv2DGradW(self.geometry(W.shape)).apply(x, gy) if self.needs_grad(1) else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, (gy.sum(axis=(0, 2, 3)) if self.needs_grad(2) else None)


class Deconv2d(Function[Variable]):
    """The transposed convolution: the adjoint of ``conv2d(., W)`` with respect to
    its input. ``W`` has shape (C_in, C_out, KH, KW); ``outsize`` is (OH, OW)."""

    __slots__ = ("stride", "pad", "outsize")
    array_backward = True

    def __init__(self, stride: IntPair = 1, pad: IntPair = 0, outsize: tuple[int, int] | None = None) -> None:
        self.stride = pair(stride, "stride", 1)
        self.pad = pair(pad, "pad", 0)
        self.outsize = outsize

    def geometry(self, W_shape: tuple[int, ...]) -> Geometry:
        return Geometry((W_shape[2], W_shape[3]), self.stride, self.pad)

    def forward(self, x: Array, W: Array, b: Array | None = None) -> Array:
        geometry = self.geometry(W.shape)
        n, _, h, w = x.shape
        oh, ow = self.outsize or geometry.deconv_out_size(h, w)
        col = array_module(x).tensordot(W, x, (0, 1))  # (C_out, KH, KW, N, H, W)
        col = col.transpose(3, 0, 1, 2, 4, 5)
        y = _scatter_windows(col, (n, W.shape[1], oh, ow), geometry)
        if b is not None:
            y = y + b.reshape(1, -1, 1, 1)
        return y

    def backward(self, gy: V) -> tuple[V | None, ...]:
        x, W = self.inputs_like(gy)[:2]
        gx = Conv2d(self.stride, self.pad).apply(gy, W) if self.needs_grad(0) else None
        gW = Conv2DGradW(self.geometry(W.shape)).apply(gy, x) if self.needs_grad(1) else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, (gy.sum(axis=(0, 2, 3)) if self.needs_grad(2) else None)


class Conv2DGradW(Function[Variable]):
    """The gradient of ``conv2d(x, W)`` with respect to ``W`` for output gradient
    ``gy``: bilinear in ``(x, gy)``, so its own backward is a deconv and a conv."""

    __slots__ = ("geometry",)
    array_backward = True

    def __init__(self, conv2d: Geometry | Conv2d) -> None:
        """``conv2d``: the geometry, or (the book's argument) the Conv2d node whose
        weight gradient this is; only its geometry is kept."""
        self.geometry = conv2d if isinstance(conv2d, Geometry) else conv2d.geometry(conv2d.inputs[1].shape)

    def forward(self, x: Array, gy: Array) -> Array:
        col = _windows(x, self.geometry)  # (N, C, KH, KW, OH, OW)
        xp = array_module(x)
        gW: Array = xp.tensordot(gy, col, ((0, 2, 3), (0, 4, 5)))  # (OC, C, KH, KW)
        return gW

    def backward(self, ggW: V) -> tuple[V | None, V | None]:
        x, gy = self.inputs_like(ggW)
        size = (x.shape[2], x.shape[3])
        stride, pad = self.geometry.stride, self.geometry.pad
        gx = Deconv2d(stride, pad, size).apply(gy, ggW) if self.needs_grad(0) else None
        ggy = Conv2d(stride, pad).apply(x, ggW) if self.needs_grad(1) else None
        return gx, ggy


def conv2d(x: Operand, W: Operand, b: Operand | None = None, stride: IntPair = 1, pad: IntPair = 0) -> Variable:
    """2-D convolution (cross-correlation, as in the book) of images ``x`` (N, C, H, W)
    with filters ``W`` (OC, C, KH, KW) and optional bias ``b`` (OC,).

    Returns (N, OC, OH, OW). Zero padding.
    """
    x, W = _images("conv2d", x), _images("conv2d", W, "filters W")
    if x.shape[1] != W.shape[1]:
        raise ValueError(f"conv2d: input has {x.shape[1]} channels but W {W.shape} expects {W.shape[1]}")
    Conv2d(stride, pad).geometry(W.shape).checked_out_size(x.shape[2], x.shape[3])
    if b is None:
        return Conv2d(stride, pad)(x, W)
    return Conv2d(stride, pad)(x, W, _bias("conv2d", b, W.shape[0]))


def deconv2d(
    x: Operand,
    W: Operand,
    b: Operand | None = None,
    stride: IntPair = 1,
    pad: IntPair = 0,
    outsize: Sequence[int] | None = None,
) -> Variable:
    """Transposed convolution of ``x`` (N, C, H, W) with ``W`` (C, OC, KH, KW).

    Returns (N, OC, OH, OW) with ``(OH, OW) = outsize``, by default
    ``stride * (H - 1) + KH - 2 * pad`` (and likewise for the width). ``outsize``
    must be a size that ``conv2d`` with this geometry maps back to (H, W).
    """
    x, W = _images("deconv2d", x), _images("deconv2d", W, "filters W")
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"deconv2d: input has {x.shape[1]} channels but W {W.shape} expects {W.shape[0]}")
    function = Deconv2d(stride, pad)
    geometry = function.geometry(W.shape)
    h, w = x.shape[2], x.shape[3]
    size = geometry.deconv_out_size(h, w) if outsize is None else pair(tuple(outsize), "outsize", 1)
    if min(size) < 1 or geometry.out_size(*size) != (h, w):
        raise ValueError(
            f"deconv2d: an output of size {size} is not consistent with an input of size "
            f"{(h, w)} for kernel {geometry.kernel}, stride {geometry.stride}, pad {geometry.pad}"
        )
    function.outsize = size
    if b is None:
        return function(x, W)
    return function(x, W, _bias("deconv2d", b, W.shape[1]))


def conv2d_simple(
    x: Operand, W: Operand, b: Operand | None = None, stride: IntPair = 1, pad: IntPair = 0
) -> Variable:
    """:func:`conv2d` composed of im2col, a matrix product and reshapes (the same
    result, a longer graph)."""
    x, W = _images("conv2d_simple", x), _images("conv2d_simple", W, "filters W")
    if x.shape[1] != W.shape[1]:
        raise ValueError(f"conv2d_simple: input has {x.shape[1]} channels but W {W.shape} expects {W.shape[1]}")
    n = x.shape[0]
    out_channels, _, kh, kw = W.shape
    geometry = Geometry((kh, kw), pair(stride, "stride", 1), pair(pad, "pad", 0))
    oh, ow = geometry.checked_out_size(x.shape[2], x.shape[3])
    col = Im2col(*geometry.parts(), True)(x)  # (N * OH * OW, C * KH * KW)
    weights = transpose(reshape(W, (out_channels, -1)))  # (C * KH * KW, OC)
    bias = None if b is None else _bias("conv2d_simple", b, out_channels)
    y = linear(col, weights, bias)
    return transpose(reshape(y, (n, oh, ow, out_channels)), (0, 3, 1, 2))


# --------------------------------------------------------------------- pooling


class Pooling(Function[Variable]):
    """Max pooling. The padding never wins (it is -inf); among tied maxima the first
    in row-major window order takes the gradient."""

    __slots__ = ("geometry", "indexes")
    array_backward = True

    def __init__(self, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0) -> None:
        self.geometry = Geometry.of(kernel_size, stride, pad)

    def forward(self, x: Array) -> Array:
        col = _windows(x, self.geometry, fill=_lowest(x.dtype))
        n, c, kh, kw, oh, ow = col.shape
        col = col.reshape(n, c, kh * kw, oh, ow)
        self.indexes = col.argmax(axis=2)
        y: Array = array_module(x).take_along_axis(col, self.indexes[:, :, None], axis=2)[:, :, 0]
        return y

    def backward(self, gy: V) -> V:
        x_shape = _shape4(self.inputs[0].shape)
        return Pooling2DGrad(x_shape, self.geometry, self.indexes).apply(gy)


class _MaxPoolingRoute(Function[Variable]):
    """What the two halves of max pooling's backward share: the input's shape, the
    window geometry and, per window, the index of its maximum."""

    __slots__ = ("input_shape", "geometry", "indexes")
    array_backward = True

    def __init__(
        self, input_shape: Shape4 | Pooling, geometry: Geometry | None = None, indexes: Array | None = None
    ) -> None:
        """From the three parts, or (the book's argument) from the Pooling node whose
        maxima these are; only its parts are kept."""
        if isinstance(input_shape, Pooling):
            pooling = input_shape
            input_shape, geometry, indexes = _shape4(pooling.inputs[0].shape), pooling.geometry, pooling.indexes
        if geometry is None or indexes is None:
            raise TypeError(f"{type(self).__name__} needs a Pooling node, or an input shape, a geometry and indexes")
        self.input_shape = input_shape
        self.geometry = geometry
        self.indexes = indexes


class Pooling2DGrad(_MaxPoolingRoute):
    """Route each pooled gradient to the input element that was the maximum."""

    __slots__ = ()

    def forward(self, gy: Array) -> Array:
        n, c, oh, ow = gy.shape
        kh, kw = self.geometry.kernel
        xp = array_module(gy)
        col = xp.zeros((n, c, kh * kw, oh, ow), dtype=gy.dtype)
        xp.put_along_axis(col, self.indexes[:, :, None], gy[:, :, None], axis=2)
        return _scatter_windows(col.reshape(n, c, kh, kw, oh, ow), self.input_shape, self.geometry)

    def backward(self, ggx: V) -> V:
        return Pooling2DWithIndexes(self.input_shape, self.geometry, self.indexes).apply(ggx)


class Pooling2DWithIndexes(_MaxPoolingRoute):
    """Pick, in each window, the element at the given index (the adjoint of
    :class:`Pooling2DGrad`)."""

    __slots__ = ()

    def forward(self, x: Array) -> Array:
        col = _windows(x, self.geometry)
        n, c, kh, kw, oh, ow = col.shape
        col = col.reshape(n, c, kh * kw, oh, ow)
        y: Array = array_module(x).take_along_axis(col, self.indexes[:, :, None], axis=2)[:, :, 0]
        return y

    def backward(self, gy: V) -> V:
        return Pooling2DGrad(self.input_shape, self.geometry, self.indexes).apply(gy)


class AveragePooling(Function[Variable]):
    """The mean of each window; zero padding counts as elements of the window."""

    __slots__ = ("geometry",)
    array_backward = True

    def __init__(self, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0) -> None:
        self.geometry = Geometry.of(kernel_size, stride, pad)

    def forward(self, x: Array) -> Array:
        y: Array = _windows(x, self.geometry).mean(axis=(2, 3))
        return y

    def backward(self, gy: V) -> V:
        x_shape = _shape4(self.inputs[0].shape)
        n, c, oh, ow = gy.shape
        kh, kw = self.geometry.kernel
        spread = broadcast((gy / (kh * kw)).reshape((n, c, 1, 1, oh, ow)), (n, c, kh, kw, oh, ow))
        return Col2im(x_shape, *self.geometry.parts(), False).apply(spread)


def pooling(x: Operand, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0) -> Variable:
    """Max pooling of images ``x`` (N, C, H, W) to (N, C, OH, OW).

    ``pad`` must be smaller than the kernel, so that every window holds at least one
    input element (the padding itself is -inf and never the maximum).
    """
    x = _images("pooling", x)
    geometry = Geometry.of(kernel_size, stride, pad)
    if any(p >= k for p, k in zip(geometry.pad, geometry.kernel)):
        raise ValueError(f"pooling: pad {geometry.pad} must be smaller than the kernel {geometry.kernel}")
    geometry.checked_out_size(x.shape[2], x.shape[3])
    return Pooling(*geometry.parts())(x)


def average_pooling(x: Operand, kernel_size: IntPair, stride: IntPair = 1, pad: IntPair = 0) -> Variable:
    """Average pooling of images ``x`` (N, C, H, W) to (N, C, OH, OW); zero padding
    is averaged in (every window divides by KH * KW)."""
    x = _images("average_pooling", x)
    geometry = Geometry.of(kernel_size, stride, pad)
    geometry.checked_out_size(x.shape[2], x.shape[3])
    return AveragePooling(*geometry.parts())(x)


# --------------------------------------------------------------------- argument checks


def _images(function: str, x: Operand, what: str = "input") -> Variable:
    x = as_variable(x)
    if x.ndim != 4:
        raise ValueError(f"{function}: the {what} must have 4 dimensions, got shape {x.shape}")
    return x


def _bias(function: str, b: Operand, channels: int) -> Variable:
    b = as_variable(b)
    if b.shape != (channels,):
        raise ValueError(f"{function}: the bias must have shape ({channels},), got {b.shape}")
    return b


def _shape4(shape: tuple[int, ...]) -> Shape4:
    if len(shape) != 4:
        raise ValueError(f"expected an image shape (N, C, H, W), got {shape}")
    return (shape[0], shape[1], shape[2], shape[3])
