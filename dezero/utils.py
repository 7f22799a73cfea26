"""Helpers: array shape utilities, numerical gradients, Graphviz output, downloads
into the cache folder, and the window-size arithmetic of convolution."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import warnings
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, TextIO, Union

import numpy as np

from dezero._arrays import Array, Axis, logsumexp, normalize_axis, reshape_sum_backward, sum_to
from dezero._config import no_grad
from dezero._files import atomic_write
from dezero.core import Function, Variable, as_variable
from dezero.functions.conv import get_conv_outsize, get_deconv_outsize, pair

__all__ = [
    "sum_to",
    "reshape_sum_backward",
    "logsumexp",
    "max_backward_shape",
    "numerical_grad",
    "gradient_check",
    "array_allclose",
    "array_equal",
    "get_dot_graph",
    "plot_dot_graph",
    "cache_dir",
    "show_progress",
    "get_file",
    "get_conv_outsize",
    "get_deconv_outsize",
    "pair",
]

PathLike = Union[str, "os.PathLike[str]"]

ArrayOrVariable = Union[Array, Variable]


def max_backward_shape(x: Array | Variable, axis: Axis) -> list[int]:
    """The shape of ``x`` with the reduced ``axis`` (None: every axis) set to 1: the
    shape to which a gradient of ``max(x, axis)`` reshapes to broadcast against ``x``."""
    reduced = normalize_axis(axis, x.ndim)
    return [1 if i in reduced else size for i, size in enumerate(x.shape)]


# --------------------------------------------------------------------- numerical gradients


def numerical_grad(
    f: Callable[..., ArrayOrVariable],
    x: ArrayOrVariable | Sequence[ArrayOrVariable],
    *args: Any,
    eps: float = 1e-4,
    **kwargs: Any,
) -> Any:
    """Central-difference gradient of ``sum(f(x, *args, **kwargs))`` with respect to ``x``.

    ``x`` is one array or Variable (the result is one float64 array of its shape) or
    a tuple/list of them (``f`` is called as ``f(*x, *args)`` and a tuple of arrays
    comes back). Unlike the book, this works on float64 copies: the caller's arrays
    and Variables are never modified, and float32 inputs do not limit the accuracy.
    """
    inputs = [_float64_copy(v) for v in _as_list(x)]

    def total(delta: Array, index: tuple[int, ...], k: int) -> Array:
        saved = inputs[k].array[index]
        inputs[k].array[index] = saved + delta
        try:
            with no_grad():
                y = f(*inputs, *args, **kwargs)
            # Copied before the input is restored: the output may be a view of the
            # input (transpose, reshape), which restoring it would change.
            return np.array(as_variable(y).array, dtype=np.float64)
        finally:
            inputs[k].array[index] = saved

    grads = []
    for k, v in enumerate(inputs):
        grad = np.zeros(v.shape, dtype=np.float64)
        for index in np.ndindex(*v.shape):
            diff = total(np.float64(eps), index, k) - total(np.float64(-eps), index, k)
            grad[index] = diff.sum() / (2 * eps)
        grads.append(grad)
    return tuple(grads) if isinstance(x, (tuple, list)) else grads[0]


def _as_list(x: ArrayOrVariable | Sequence[ArrayOrVariable]) -> list[ArrayOrVariable]:
    """One input, or a tuple/list of inputs, as a list."""
    if isinstance(x, (np.ndarray, Variable)):
        return [x]
    return list(x)


def _float64_copy(v: ArrayOrVariable) -> Variable:
    data = v.array if isinstance(v, Variable) else np.asarray(v)
    return Variable(np.array(data, dtype=np.float64))


def gradient_check(
    f: Callable[..., ArrayOrVariable],
    x: ArrayOrVariable | Sequence[ArrayOrVariable],
    *args: Any,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    **kwargs: Any,
) -> bool:
    """Whether backprop's gradient of ``sum(f(x, ...))`` matches :func:`numerical_grad`.

    Runs on float64 copies of ``x`` (several inputs as a tuple, as in
    ``numerical_grad``) and warns with the largest difference when they disagree.
    """
    xs = _as_list(x)
    expected = numerical_grad(f, tuple(xs), *args, **kwargs)
    inputs = [_float64_copy(v) for v in xs]
    y = as_variable(f(*inputs, *args, **kwargs))
    y.backward()
    ok = True
    for i, (v, num) in enumerate(zip(inputs, expected)):
        got = np.zeros_like(num) if v.grad is None else v.grad.array
        if not array_allclose(got, num, rtol=rtol, atol=atol):
            ok = False
            worst = float(np.max(np.abs(got - num))) if num.size else 0.0
            warnings.warn(
                f"gradient_check: input {i}: backprop and numerical gradients differ "
                f"(largest absolute difference {worst:.3g})",
                stacklevel=2,
            )
    return ok


def array_allclose(a: ArrayOrVariable, b: ArrayOrVariable, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """``numpy.allclose`` on arrays or Variables (note the book's tolerances): every
    element within ``atol + rtol * |b|``. As in NumPy, shapes that broadcast are
    compared element by element (a (1,) array against a 0-d one, a row against
    every row); shapes that do not broadcast are simply not close (False)."""
    a_, b_ = _data(a), _data(b)
    try:
        np.broadcast_shapes(a_.shape, b_.shape)
    except ValueError:
        return False
    return bool(np.allclose(a_, b_, rtol=rtol, atol=atol))


def array_equal(a: ArrayOrVariable, b: ArrayOrVariable) -> bool:
    """``numpy.array_equal`` on arrays or Variables: the same shape and elements."""
    return bool(np.array_equal(_data(a), _data(b)))


def _data(v: ArrayOrVariable) -> Array:
    return v.array if isinstance(v, Variable) else np.asarray(v)


# --------------------------------------------------------------------- Graphviz


def _dot_var(v: Variable, verbose: bool) -> str:
    label = v.name or ""
    if verbose and v.data is not None:
        label += (": " if label else "") + f"{v.shape} {v.dtype}"
    return f'{id(v)} [label="{_escape(label)}", color=orange, style=filled]\n'


def _dot_func(f: Function[Any]) -> str:
    lines = [f'{id(f)} [label="{_escape(type(f).__name__)}", color=lightblue, style=filled, shape=box]\n']
    lines += [f"{id(x)} -> {id(f)}\n" for x in f.inputs]
    lines += [f"{id(f)} -> {id(y)}\n" for y in (ref() for ref in f.outputs) if y is not None]
    return "".join(lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def get_dot_graph(output: Variable, verbose: bool = True) -> str:
    """The graph that computed ``output``, in Graphviz DOT text (variables orange,
    functions blue); ``verbose`` adds shapes and dtypes."""
    parts = [_dot_var(output, verbose)]
    stack = [output.creator] if output.creator is not None else []
    seen = {id(f) for f in stack}
    while stack:
        func = stack.pop()
        parts.append(_dot_func(func))
        for x in func.inputs:
            parts.append(_dot_var(x, verbose))
            if x.creator is not None and id(x.creator) not in seen:
                seen.add(id(x.creator))
                stack.append(x.creator)
    return "digraph g {\n" + "".join(parts) + "}\n"


def plot_dot_graph(output: Variable, verbose: bool = True, to_file: str = "graph.png") -> str:
    """Render the graph of ``output`` with Graphviz's ``dot`` into ``to_file`` (the
    format follows its extension) and return its path."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "plot_dot_graph needs the Graphviz 'dot' program on PATH "
            "(e.g. 'apt install graphviz' or 'brew install graphviz')"
        )
    fmt = os.path.splitext(to_file)[1][1:] or "png"
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "graph.dot")
        with open(source, "w", encoding="utf-8") as fh:
            fh.write(get_dot_graph(output, verbose))
        subprocess.run([dot, source, "-T", fmt, "-o", to_file], check=True)
    return to_file


# --------------------------------------------------------------------- downloads

cache_dir = os.path.join(os.path.expanduser("~"), ".dezero")
"""Where :func:`get_file` keeps downloads (``~/.dezero``); assign to move it."""

_PROGRESS_WIDTH = 30


def show_progress(block_num: int, block_size: int, total_size: int, *, file: TextIO | None = None) -> None:
    """Draw a download's progress bar on one line (``file``, default stderr), redrawn
    in place: ``block_num`` blocks of ``block_size`` bytes of ``total_size`` are in.

    The arguments are those of ``urllib.request.urlretrieve``'s ``reporthook``; a
    ``total_size`` of 0 or less (unknown) shows the bytes received instead of a bar.
    """
    out = sys.stderr if file is None else file
    received = block_num * block_size
    if total_size > 0:
        fraction = min(received / total_size, 1.0)
        done = int(fraction * _PROGRESS_WIDTH)
        bar = "#" * done + "." * (_PROGRESS_WIDTH - done)
        out.write(f"\r[{bar}] {100 * fraction:6.2f}%")
    else:
        out.write(f"\r{received:,} bytes")
    out.flush()


def get_file(url: str, file_name: str | None = None, root: PathLike | None = None) -> str:
    """The local path of ``url``'s file in ``root`` (default :data:`cache_dir`),
    downloading it first, with a progress bar on stderr, if it is not there yet.

    ``file_name`` defaults to the last part of the URL. The download goes to a
    temporary name renamed when complete, so an interrupted download is never taken
    for the file next time.
    """
    directory = os.fspath(root) if root is not None else cache_dir
    name = file_name or url.rstrip("/").rsplit("/", 1)[-1]
    path = os.path.join(directory, name)
    if os.path.exists(path):
        return path
    os.makedirs(directory, exist_ok=True)
    print(f"Downloading: {name}", file=sys.stderr)
    with atomic_write(path, ".part") as out:
        _download(url, out)
    print(" Done", file=sys.stderr)
    return path


def _download(url: str, out: BinaryIO, block_size: int = 1 << 16) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else -1
        blocks = 0
        show_progress(blocks, block_size, total)
        while chunk := response.read(block_size):
            out.write(chunk)
            blocks += 1
            show_progress(blocks, block_size, total)
