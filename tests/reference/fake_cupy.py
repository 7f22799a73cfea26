"""A stand-in for CuPy, to test the GPU dispatch without a GPU.

:func:`make` builds a module to install as ``sys.modules["cupy"]``. Its arrays are
:class:`FakeGpuArray`, an ndarray subclass that behaves like a CuPy array where it
matters for the dispatch:

- NumPy's functions refuse it (``numpy.tensordot(gpu, ...)`` is a ``TypeError``),
  so every such call must go through the array module;
- arithmetic and ufuncs work between fake GPU arrays and with numbers, but mixing
  one with a NumPy array is a ``TypeError``, as with CuPy;
- results are always fake GPU arrays, 0-d ones included (CuPy never returns NumPy
  scalars).

The module computes with NumPy and records the name of every function called
through it in ``calls``, so a test can see the dispatch happen.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np


class FakeGpuArray(np.ndarray[Any, np.dtype[Any]]):
    """An array in the fake GPU's memory (a NumPy array underneath)."""

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise TypeError(f"numpy.{func.__name__} was called on a fake GPU array: use the array module")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        for value in inputs + tuple(kwargs.get("out", ())):
            if isinstance(value, np.ndarray) and not isinstance(value, FakeGpuArray):
                raise TypeError(f"{ufunc.__name__}: a fake GPU array mixed with a NumPy array")
        if "out" in kwargs:
            kwargs["out"] = tuple(_host(o) for o in kwargs["out"])
        result = getattr(ufunc, method)(*(_host(x) for x in inputs), **kwargs)
        return _device(result)


def _host(x: Any) -> Any:
    """The NumPy array under a fake GPU array (sharing its memory)."""
    if isinstance(x, FakeGpuArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_host(v) for v in x)
    return x


def _device(x: Any) -> Any:
    """NumPy results as fake GPU arrays (sharing memory); NumPy scalars as 0-d arrays."""
    if isinstance(x, np.ndarray):
        return x.view(FakeGpuArray)
    if isinstance(x, np.generic):
        return np.asarray(x).view(FakeGpuArray)
    if isinstance(x, tuple):
        return tuple(_device(v) for v in x)
    return x


class _Through:
    """A NumPy object (function, ufunc, submodule) reached through the fake module."""

    def __init__(self, target: Any, name: str, calls: list[str]) -> None:
        self._target, self._name, self._calls = target, name, calls

    def __getattr__(self, name: str) -> _Through:
        return _Through(getattr(self._target, name), f"{self._name}.{name}", self._calls)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._calls.append(self._name)
        return _device(self._target(*_host(args), **{k: _host(v) for k, v in kwargs.items()}))


class FakeCupy(types.ModuleType):
    ndarray = FakeGpuArray

    def __init__(self) -> None:
        super().__init__("cupy", "A stand-in for CuPy (tests only)")
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Through(getattr(np, name), name, self.calls)

    def asnumpy(self, x: Any) -> np.ndarray[Any, np.dtype[Any]]:
        self.calls.append("asnumpy")
        return np.array(_host(x))

    def asarray(self, x: Any, dtype: Any = None) -> FakeGpuArray:
        self.calls.append("asarray")
        result: FakeGpuArray = np.array(_host(x), dtype=dtype).view(FakeGpuArray)
        return result


def on_device(a: np.ndarray[Any, np.dtype[Any]]) -> FakeGpuArray:
    """A copy of the NumPy array ``a`` in the fake GPU's memory."""
    result: FakeGpuArray = a.copy().view(FakeGpuArray)
    return result
