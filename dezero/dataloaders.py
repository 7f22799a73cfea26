"""Mini-batch iterators over datasets.

A :class:`DataLoader` yields ``(x, t)`` batches: the examples and the labels of
``batch_size`` items stacked with ``numpy.array`` (the last batch may be smaller).
After the last batch it raises ``StopIteration`` and resets itself, reshuffling, so
the same loader serves every epoch. As in the book, shuffling draws one
``np.random.permutation`` at construction and one at each new epoch, from NumPy's
global generator, or from ``rng`` (a ``numpy.random.Generator``) when given.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Protocol

import numpy as np

from dezero import _random
from dezero.core import Array
from dezero.cuda import as_cupy



def _pillow_installed() -> bool:
    try:
        return importlib.util.find_spec("PIL") is not None
    except (ImportError, ValueError):  # ValueError: a PIL entry of None in sys.modules
        return False


pil_available = _pillow_installed()
"""Whether Pillow is installed (found, not imported: ``dezero`` needs NumPy only);
the image transforms of :mod:`dezero.transforms` need it."""


class SupportsExamples(Protocol):
    """What a loader needs: a length and ``(example, label)`` pairs by integer index."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> tuple[object, object]: ...


def _batch_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"batch_size must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"batch_size must be at least 1, got {value}")
    return int(value)


class DataLoader:
    """Batches of ``dataset`` in shuffled (or, with ``shuffle=False``, index) order."""

    def __init__(
        self,
        dataset: SupportsExamples,
        batch_size: int,
        shuffle: bool = True,
        gpu: bool = False,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self.dataset = dataset
        self.batch_size = _batch_size(batch_size)
        self.shuffle = shuffle
        self.gpu = gpu
        self.rng = _random.checked(rng)
        self.data_size = len(dataset)
        self.max_iter = math.ceil(self.data_size / self.batch_size)
        self.reset()

    def reset(self) -> None:
        """Start a new epoch (with a new order when shuffling)."""
        self.iteration = 0
        if self.shuffle:
            self.index = _random.permutation(self.data_size, self.rng)
        else:
            self.index = np.arange(self.data_size)

    def __iter__(self) -> DataLoader:
        return self

    def __next__(self) -> tuple[Array, Array]:
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        start = self.iteration * self.batch_size
        indices = self.index[start : start + self.batch_size]
        self.iteration += 1
        return self._stack([int(i) for i in indices])

    def _stack(self, indices: list[int]) -> tuple[Array, Array]:
        examples = [self.dataset[i] for i in indices]
        x = np.array([example[0] for example in examples])
        t = np.array([example[1] for example in examples])
        if self.gpu:  # the book's DataLoader(gpu=True): batches as CuPy arrays
            return as_cupy(x), as_cupy(t)
        return x, t

    def next(self) -> tuple[Array, Array]:
        return self.__next__()

    def to_cpu(self) -> None:
        """Give later batches as NumPy arrays."""
        self.gpu = False

    def to_gpu(self) -> None:
        """Give later batches as CuPy arrays (see dezero.cuda)."""
        self.gpu = True


class SeqDataLoader(DataLoader):
    """Batches for truncated backpropagation through time: row ``i`` of batch ``k``
    is item ``(i * (len(dataset) // batch_size) + k) % len(dataset)``, so each row
    walks its own stretch of the sequence in order. ``batch_size`` may not exceed
    the dataset's length."""

    def __init__(self, dataset: SupportsExamples, batch_size: int, gpu: bool = False) -> None:
        super().__init__(dataset, batch_size, shuffle=False, gpu=gpu)
        if self.batch_size > self.data_size:
            raise ValueError(
                f"SeqDataLoader: batch_size {self.batch_size} exceeds the dataset's length {self.data_size}"
            )

    def __next__(self) -> tuple[Array, Array]:
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        jump = self.data_size // self.batch_size
        indices = [(row * jump + self.iteration) % self.data_size for row in range(self.batch_size)]
        self.iteration += 1
        return self._stack(indices)
