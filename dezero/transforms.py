"""Transforms for dataset examples: callables from ndarray to ndarray.

Only the NumPy ones of the book (the PIL image transforms are left out, so the
package needs nothing but NumPy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, Union

import numpy as np
import numpy.typing as npt

from dezero.core import Array

Transform = Callable[[Array], Array]


class Compose:
    """Apply ``transforms`` in order (none: the identity)."""

    def __init__(self, transforms: Sequence[Transform] = ()) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Array) -> Array:
        for transform in self.transforms:
            x = transform(x)
        return x


class Flatten:
    """Flatten an example to one dimension."""

    def __call__(self, x: Array) -> Array:
        return np.asarray(x).reshape(-1)


class AsType:
    """Cast to ``dtype``."""

    def __init__(self, dtype: npt.DTypeLike = np.float32) -> None:
        self.dtype = np.dtype(dtype)

    def __call__(self, x: Array) -> Array:
        return np.asarray(x).astype(self.dtype)


ToFloat = AsType


class ToInt(AsType):
    """Cast to an integer dtype (int64 by default)."""

    def __init__(self, dtype: npt.DTypeLike = np.int64) -> None:
        super().__init__(dtype)


class Normalize:
    """``(x - mean) / std``. ``mean`` and ``std`` are numbers or per-channel
    sequences (channel axis 0 of an example, as for a (C, H, W) image)."""

    def __init__(self, mean: Union[float, Sequence[float]] = 0, std: Union[float, Sequence[float]] = 1) -> None:
        self.mean = mean
        self.std = std

    def _per_channel(self, value: Union[float, Sequence[float]], x: Array) -> Array:
        array = np.asarray(value, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        if array.ndim == 1 and x.ndim > 1:
            return array.reshape((len(array),) + (1,) * (x.ndim - 1))
        return array

    def __call__(self, x: Array) -> Array:
        x = np.asarray(x)
        mean, std = self._per_channel(self.mean, x), self._per_channel(self.std, x)
        result: Array = (x - mean) / std
        return result


T = TypeVar("T")


def identity(x: T) -> T:
    """The default transform: returns its argument."""
    return x
