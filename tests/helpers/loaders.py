"""A dataset whose items say where they came from, and one pass of a loader over it."""

from __future__ import annotations

from typing import Any

import numpy as np

from strategies.implementation.protocols import Array


class Items:
    """``n`` items: example ``i`` is ``[i, -i / 2]``, its label ``100 + i``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[Array, int]:
        if not 0 <= index < self.n:
            raise IndexError(index)
        return self.example(index), self.label(index)

    @staticmethod
    def example(index: int) -> Array:
        return np.array([index, -index / 2])

    @staticmethod
    def label(index: int) -> int:
        return 100 + int(index)

    def batch(self, indices: list[int]) -> tuple[Array, Array]:
        """The batch the book's loaders stack for ``indices``."""
        return np.array([self.example(i) for i in indices]), np.array([self.label(i) for i in indices])


def one_epoch(loader: Any, limit: int) -> list[tuple[Array, Array]]:
    """The batches of one pass over ``loader`` (at most ``limit + 1``: a loader that
    never stops is reported, not followed)."""
    batches = []
    for x, t in loader:
        batches.append((np.asarray(x), np.asarray(t)))
        if len(batches) > limit:
            break
    return batches
