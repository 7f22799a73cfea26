"""Where DeZero's random numbers come from.

As in the book, every draw comes from NumPy's global generator (``numpy.random``)
unless the caller passes ``rng``, a ``numpy.random.Generator`` of its own, to keep
the draw apart from every other. Each function here stands for one call of the
book's and, without ``rng``, makes that very call: the same amount of numbers, of
the same distribution, so ``np.random.seed(s)`` followed by the book's program gives
the book's numbers. (With ``rng`` the numbers differ: a Generator is another
algorithm than the global ``RandomState``.)

Internal: layers, ``dropout``, ``DataLoader`` and the datasets share these helpers.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

Array: TypeAlias = npt.NDArray[Any]
Rng: TypeAlias = np.random.Generator | None


def checked(rng: object) -> np.random.Generator | None:
    """``rng`` itself when it is None or a ``numpy.random.Generator``; else ``TypeError``
    (a seed or a legacy ``RandomState`` is refused rather than silently reinterpreted)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)) or None, "
        f"got {type(rng).__name__}"
    )


def standard_normal(shape: tuple[int, ...], rng: Rng = None) -> Array:
    """Float64 standard normal numbers of ``shape``: ``np.random.randn(*shape)``."""
    if rng is None:
        return np.random.randn(*shape)
    return rng.standard_normal(shape)


def uniform01(shape: tuple[int, ...], rng: Rng = None) -> Array:
    """Float64 numbers uniform in [0, 1) of ``shape``: ``np.random.rand(*shape)``."""
    if rng is None:
        return np.random.rand(*shape)
    return rng.random(shape)


def uniform(low: float, high: float, shape: tuple[int, ...], rng: Rng = None) -> Array:
    """Float64 numbers uniform in [low, high): ``np.random.uniform(low, high, shape)``."""
    if rng is None:
        return np.random.uniform(low, high, size=shape)
    return rng.uniform(low, high, size=shape)


def permutation(n: int, rng: Rng = None) -> Array:
    """A random order of ``range(n)``: ``np.random.permutation(n)``."""
    if rng is None:
        return np.random.permutation(n)
    return rng.permutation(n)


def integer(low: int, high: int, rng: Rng = None) -> int:
    """One integer in [low, high): ``np.random.randint(low, high)``."""
    if rng is None:
        return int(np.random.randint(low, high))
    return int(rng.integers(low, high))
