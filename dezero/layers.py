"""Layers: callables that own Parameters, directly or through sub-layers.

A :class:`Layer` finds its Parameters through its attributes: assigning a
Parameter or a Layer to an attribute registers it, in assignment order (a dict, not
the book's set, so :meth:`Layer.params` has the same order in every run). Weights are
drawn as in the book, from NumPy's global generator, when it draws them (at
construction, or at the first call for a lazily sized layer), so ``np.random.seed``
gives the book's weights; a layer given ``rng`` (a ``numpy.random.Generator``) draws
from that instead.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from typing import Any, Union

import numpy as np
import numpy.typing as npt

import dezero.functions as F
from dezero import _random
from dezero._files import atomic_write
from dezero.cuda import get_array_module
from dezero.core import Array, Operand, Parameter, Variable, as_variable
from dezero.functions.conv import IntPair, pair

PathLike = Union[str, "os.PathLike[str]"]


class Layer:
    """Base class: subclasses assign Parameters and Layers to attributes and define
    ``forward``. Calling a layer calls ``forward``, which returns one Variable."""

    _params: dict[str, None]  # names of Parameter/Layer attributes, in assignment order

    def __init__(self) -> None:
        self.__dict__.setdefault("_params", {})

    def __setattr__(self, name: str, value: object) -> None:
        names: dict[str, None] = self.__dict__.setdefault("_params", {})
        if isinstance(value, (Parameter, Layer)):
            names[name] = None
        else:  # an attribute rebound to something else no longer holds parameters
            names.pop(name, None)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        self._params.pop(name, None)
        super().__delattr__(name)

    def __call__(self, *inputs: Operand) -> Variable:
        output = self.forward(*inputs)
        if not isinstance(output, Variable):
            raise TypeError(
                f"{type(self).__name__}.forward must return a Variable, got {type(output).__name__}"
            )
        return output

    def forward(self, *inputs: Any) -> Variable:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    # -- parameters

    def named_params(self) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` pairs, the path joining attribute names with ``/``
        (``"l0/W"``). Each Parameter and each sub-layer is visited once, at its
        first path, even when several attributes hold it."""
        seen: set[int] = set()
        # Every object whose id is in ``seen`` stays alive (reachable from self)
        # during the walk, so an id cannot be reused for another object meanwhile.
        yield from self._walk("", seen)

    def _walk(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Parameter]]:
        seen.add(id(self))
        for name in self._params:
            value = self.__dict__[name]
            if id(value) in seen:
                continue
            if isinstance(value, Layer):
                yield from value._walk(f"{prefix}{name}/", seen)
            else:
                seen.add(id(value))
                yield f"{prefix}{name}", value

    def params(self) -> Iterator[Parameter]:
        """Every Parameter of this layer and its sub-layers, once each, in attribute
        assignment order (depth first)."""
        for _, param in self.named_params():
            yield param

    def cleargrads(self) -> None:
        for param in self.params():
            param.cleargrad()

    # -- weights on disk

    def save_weights(self, path: PathLike) -> None:
        """Write every initialized Parameter's data to a NumPy ``.npz`` file (the
        suffix is added when missing), keyed by :meth:`named_params` paths.

        The file is written completely under a temporary name and then renamed, so an
        interrupted save never leaves a truncated file behind. No pickles.
        """
        target = _npz_path(path)
        arrays = {key: param.data for key, param in self.named_params() if param.data is not None}
        with atomic_write(target, ".npz") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for key, data in arrays.items():
                with archive.open(key + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(data), allow_pickle=False)

    def load_weights(self, path: PathLike) -> None:
        """Read Parameters saved by :meth:`save_weights` (``allow_pickle=False``).

        The file must hold exactly this layer's initialized Parameters, each with its
        current shape (a Parameter not yet initialized, such as a lazy ``Linear``
        weight, takes the stored array as it is). Nothing is changed unless every
        check passes; a mismatch raises ``ValueError`` naming the keys. ``path`` is
        read as given when that file exists, else with ``.npz`` appended.
        """
        name = os.fspath(path)
        source = name if os.path.isfile(name) else _npz_path(name)
        with np.load(source, allow_pickle=False) as archive:
            stored = {key: archive[key] for key in archive.files}
        params = dict(self.named_params())
        missing = [k for k, p in params.items() if k not in stored and p.data is not None]
        unexpected = [k for k in stored if k not in params]
        if missing or unexpected:
            raise ValueError(
                f"load_weights: the file does not match this {type(self).__name__}: "
                f"missing {missing}, unexpected {unexpected}"
            )
        for key, data in stored.items():
            current = params[key].data
            if current is not None and current.shape != data.shape:
                raise ValueError(
                    f"load_weights: {key!r} has shape {current.shape} here but {data.shape} in the file"
                )
        for key, data in stored.items():
            params[key].data = data

    def to_cpu(self) -> None:
        """Move every parameter's data to host memory (NumPy)."""
        for param in self.params():
            param.to_cpu()

    def to_gpu(self) -> None:
        """Move every parameter's data to the GPU (CuPy; see dezero.cuda)."""
        for param in self.params():
            param.to_gpu()


def _npz_path(path: PathLike) -> str:
    name = os.fspath(path)
    return name if name.endswith(".npz") else name + ".npz"


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _optional_size(value: object, name: str) -> int | None:
    return None if value is None else _positive_int(value, name)


def _float_dtype(dtype: npt.DTypeLike) -> np.dtype[Any]:
    result = np.dtype(dtype)
    if result.kind != "f":
        raise TypeError(f"parameters need a floating-point dtype, got {result}")
    return result


def _scaled_normal(
    rng: np.random.Generator | None, shape: tuple[int, ...], fan_in: int, dtype: np.dtype[Any]
) -> Array:
    """The book's weights: standard normal numbers cast to ``dtype``, times
    ``sqrt(1 / fan_in)``, in ``dtype``. (The book's product is float64 under NumPy 2,
    a float64 scale promoting it; here it is rounded back to ``dtype``, so float32
    weights are the book's values rounded to float32.)"""
    normal = _random.standard_normal(shape, rng).astype(dtype)
    weights: Array = (normal * np.sqrt(1 / fan_in)).astype(dtype)
    return weights


def _to_device_of(x: Operand, param: Parameter) -> None:
    """Move ``param`` (drawn lazily, in host memory) to the GPU when ``x`` is there."""
    if get_array_module(x) is not np:
        param.to_gpu()


def _last_axis(layer: str, x: Operand) -> int:
    shape = as_variable(x).shape
    if not shape:
        raise ValueError(f"{layer} needs an input with at least one dimension, got a 0-d array")
    return shape[-1]


# --------------------------------------------------------------------- dense layers


class Linear(Layer):
    """``y = x @ W + b`` with ``W`` of shape (in_size, out_size).

    With ``in_size=None`` the weight is created at the first call, from the size of
    the input's last axis. ``dtype`` is the parameters' dtype (float32 by default).
    """

    def __init__(
        self,
        out_size: int,
        nobias: bool = False,
        dtype: npt.DTypeLike = np.float32,
        in_size: int | None = None,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.out_size = _positive_int(out_size, "out_size")
        self.in_size = _optional_size(in_size, "in_size")
        self.dtype = _float_dtype(dtype)
        self.rng = _random.checked(rng)
        self.W = Parameter(None, name="W")
        if self.in_size is not None:
            self._init_W(self.in_size)
        self.b = None if nobias else Parameter(np.zeros(self.out_size, dtype=self.dtype), name="b")

    def _init_W(self, in_size: int) -> None:
        self.in_size = in_size
        self.W.data = _scaled_normal(self.rng, (in_size, self.out_size), in_size, self.dtype)

    def forward(self, x: Operand) -> Variable:
        size = _last_axis("Linear", x)
        if self.W.data is None:
            self._init_W(size)
            _to_device_of(x, self.W)
        elif size != self.W.shape[0]:
            raise ValueError(
                f"Linear: the input's last axis has size {size}, but W expects {self.W.shape[0]}"
            )
        return F.linear(x, self.W, self.b)


class EmbedID(Layer):
    """Rows of ``W`` (in_size, out_size) looked up by integer ids."""

    def __init__(
        self,
        in_size: int,
        out_size: int,
        *,
        dtype: npt.DTypeLike = np.float64,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        shape = (_positive_int(in_size, "in_size"), _positive_int(out_size, "out_size"))
        dtype, rng = _float_dtype(dtype), _random.checked(rng)
        self.W = Parameter(_random.standard_normal(shape, rng).astype(dtype), name="W")

    def forward(self, x: Operand) -> Variable:
        ids = as_variable(x).array
        if ids.size and (ids.min() < 0 or ids.max() >= self.W.shape[0]):
            raise ValueError(f"EmbedID: ids must lie in [0, {self.W.shape[0]}), got {ids.min()}..{ids.max()}")
        return F.embed_id(ids, self.W)


# --------------------------------------------------------------------- recurrent layers


class RNN(Layer):
    """``h = tanh(x2h(x) + h2h(h_prev))`` (no ``h2h`` term at the first step).

    ``h2h`` maps the hidden state, so its input size is ``hidden_size`` whatever the
    input size is (the book gives it ``in_size``, which fails when they differ). Its
    weights are drawn when the book draws them: at construction when ``in_size`` is
    given, else at the second step (the first that uses ``h2h``).
    """

    h: Variable | None

    def __init__(
        self, hidden_size: int, in_size: int | None = None, *, rng: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        hidden_size = _positive_int(hidden_size, "hidden_size")
        self.x2h = Linear(hidden_size, in_size=in_size, rng=rng)
        h2h_size = None if in_size is None else hidden_size
        self.h2h = Linear(hidden_size, in_size=h2h_size, nobias=True, rng=rng)
        self.h = None

    def reset_state(self) -> None:
        self.h = None

    def forward(self, x: Operand) -> Variable:
        pre = self.x2h(x)
        if self.h is not None:
            pre = pre + self.h2h(self.h)
        self.h = F.tanh(pre)
        return self.h


class LSTM(Layer):
    """A long short-term memory step with forget, input and output gates and a tanh
    candidate; the state ``(h, c)`` carries over between calls until ``reset_state``."""

    h: Variable | None
    c: Variable | None

    def __init__(
        self, hidden_size: int, in_size: int | None = None, *, rng: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        H = _positive_int(hidden_size, "hidden_size")
        self.x2f = Linear(H, in_size=in_size, rng=rng)
        self.x2i = Linear(H, in_size=in_size, rng=rng)
        self.x2o = Linear(H, in_size=in_size, rng=rng)
        self.x2u = Linear(H, in_size=in_size, rng=rng)
        self.h2f = Linear(H, in_size=H, nobias=True, rng=rng)
        self.h2i = Linear(H, in_size=H, nobias=True, rng=rng)
        self.h2o = Linear(H, in_size=H, nobias=True, rng=rng)
        self.h2u = Linear(H, in_size=H, nobias=True, rng=rng)
        self.reset_state()

    def reset_state(self) -> None:
        self.h = None
        self.c = None

    def forward(self, x: Operand) -> Variable:
        f, i, o, u = self.x2f(x), self.x2i(x), self.x2o(x), self.x2u(x)
        if self.h is not None:
            f = f + self.h2f(self.h)
            i = i + self.h2i(self.h)
            o = o + self.h2o(self.h)
            u = u + self.h2u(self.h)
        f, i, o, u = F.sigmoid(f), F.sigmoid(i), F.sigmoid(o), F.tanh(u)
        self.c = i * u if self.c is None else f * self.c + i * u
        self.h = o * F.tanh(self.c)
        return self.h


# --------------------------------------------------------------------- convolution


class Conv2d(Layer):
    """:func:`dezero.functions.conv2d` with filters ``W`` (out_channels, in_channels,
    KH, KW), created at the first call when ``in_channels`` is None."""

    def __init__(
        self,
        out_channels: int,
        kernel_size: IntPair,
        stride: IntPair = 1,
        pad: IntPair = 0,
        nobias: bool = False,
        dtype: npt.DTypeLike = np.float32,
        in_channels: int | None = None,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.out_channels = _positive_int(out_channels, "out_channels")
        self.in_channels = _optional_size(in_channels, "in_channels")
        self.kernel_size = pair(kernel_size, "kernel_size", 1)
        self.stride = pair(stride, "stride", 1)
        self.pad = pair(pad, "pad", 0)
        self.dtype = _float_dtype(dtype)
        self.rng = _random.checked(rng)
        self.W = Parameter(None, name="W")
        if self.in_channels is not None:
            self._init_W(self.in_channels)
        self.b = None if nobias else Parameter(np.zeros(self.out_channels, dtype=self.dtype), name="b")

    def _filter_shape(self, in_channels: int) -> tuple[int, int, int, int]:
        return (self.out_channels, in_channels) + self.kernel_size

    def _init_W(self, in_channels: int) -> None:
        self.in_channels = in_channels
        kh, kw = self.kernel_size
        self.W.data = _scaled_normal(self.rng, self._filter_shape(in_channels), in_channels * kh * kw, self.dtype)

    def forward(self, x: Operand) -> Variable:
        shape = as_variable(x).shape
        if len(shape) != 4:
            raise ValueError(f"{type(self).__name__} needs images (N, C, H, W), got shape {shape}")
        if self.W.data is None:
            self._init_W(shape[1])
            _to_device_of(x, self.W)
        return self._apply(x)

    def _apply(self, x: Operand) -> Variable:
        return F.conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(Conv2d):
    """:func:`dezero.functions.deconv2d` with filters ``W`` (in_channels,
    out_channels, KH, KW); same arguments as :class:`Conv2d`."""

    def _filter_shape(self, in_channels: int) -> tuple[int, int, int, int]:
        return (in_channels, self.out_channels) + self.kernel_size

    def _apply(self, x: Operand) -> Variable:
        return F.deconv2d(x, self.W, self.b, self.stride, self.pad)


# --------------------------------------------------------------------- normalization


class BatchNorm(Layer):
    """:func:`dezero.functions.batch_norm` over axis 1, with parameters of shape (C,)
    created at the first call in the input's dtype: running averages ``avg_mean``
    (zeros) and ``avg_var`` (ones), scale ``gamma`` (ones) and shift ``beta`` (zeros).

    The running averages are Parameters, as in the book, so ``save_weights`` keeps
    them; they never receive a gradient, so optimizers leave them alone.
    """

    def __init__(self, decay: float = 0.9, eps: float = 2e-5) -> None:
        super().__init__()
        self.decay = decay
        self.eps = eps
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def forward(self, x: Operand) -> Variable:
        x = as_variable(x)
        if x.ndim < 2:
            raise ValueError(f"BatchNorm needs x of shape (N, C, ...), got {x.shape}")
        if x.dtype.kind != "f":
            raise TypeError(f"BatchNorm needs floating-point input, got dtype {x.dtype}")
        channels, dtype = x.shape[1], x.dtype
        for param, fill in ((self.avg_mean, 0), (self.avg_var, 1), (self.gamma, 1), (self.beta, 0)):
            if param.data is None:
                param.data = get_array_module(x).full(channels, fill, dtype=dtype)
        return F.batch_norm(x, self.gamma, self.beta, self.avg_mean.array, self.avg_var.array, self.decay, self.eps)
