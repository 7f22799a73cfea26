"""GPU arrays through CuPy, as in the book's step 52.

Every Function computes with the array module of its inputs
(:func:`get_array_module`): NumPy for NumPy arrays, CuPy for CuPy arrays. Move data
with :func:`as_cupy` / :func:`as_numpy`, or with the ``to_gpu()`` / ``to_cpu()``
methods of ``Variable``, ``Layer`` and ``DataLoader``.

CuPy is an optional extra: it is imported only when something asks for it
(:func:`as_cupy`, ``dezero.cuda.cupy``), never by ``import dezero``.
``gpu_enable`` says whether it is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

import numpy as np

from dezero._arrays import Array, array_module
from dezero.core import Variable

gpu_enable: bool = importlib.util.find_spec("cupy") is not None


def get_array_module(x: Variable | Array | Any) -> ModuleType:
    """``cupy`` for a CuPy array (or a Variable holding one), else ``numpy``."""
    if isinstance(x, Variable):
        x = x.data
    return array_module(x)


def as_numpy(x: Variable | Array | Any) -> Array:
    """``x`` (an array, a number, or a Variable's data) as a NumPy array."""
    if isinstance(x, Variable):
        x = x.data
    if isinstance(x, np.ndarray) and array_module(x) is np:
        return x
    xp = array_module(x)
    if xp is np:
        return np.asarray(x)
    result: Array = xp.asnumpy(x)
    return result


def as_cupy(x: Variable | Array | Any) -> Array:
    """``x`` (an array, a number, or a Variable's data) as a CuPy array; needs CuPy."""
    if isinstance(x, Variable):
        x = x.data
    result: Array = _cupy().asarray(x)
    return result


def _cupy() -> ModuleType:
    try:
        return importlib.import_module("cupy")
    except ImportError as error:
        raise RuntimeError(
            "dezero.cuda needs CuPy, which could not be imported: install the CuPy build "
            "for your CUDA version (see https://docs.cupy.dev/en/stable/install.html)"
        ) from error


def __getattr__(name: str) -> ModuleType:
    # The book's ``dezero.cuda.cupy`` (and its alias ``cp``), imported on first use.
    if name in ("cupy", "cp"):
        return _cupy()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
