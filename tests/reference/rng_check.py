"""Checks of how code uses NumPy's global (legacy) random generator.

The policy (``dezero/_random.py``): what the book draws from ``numpy.random``, the
reference draws too, in the same order and amount; what takes ``rng`` draws from
that instead and leaves the global generator alone; nothing re-seeds it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


def _same_state(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["bit_generator"] == b["bit_generator"]
        and np.array_equal(a["state"]["key"], b["state"]["key"])
        and a["state"]["pos"] == b["state"]["pos"]
        and a["has_gauss"] == b["has_gauss"]
        and a["gauss"] == b["gauss"]
    )


@contextlib.contextmanager
def global_generator_untouched() -> Iterator[None]:
    """Fail unless the block neither draws from nor re-seeds ``numpy.random``'s global
    state."""
    with global_draws_like(lambda: None):
        yield


@contextlib.contextmanager
def global_draws_like(book_calls: Callable[[], object]) -> Iterator[None]:
    """Fail unless the block leaves ``numpy.random``'s global generator exactly where
    ``book_calls`` (the book's draws, say ``lambda: np.random.randn(3, 4)``) leaves
    it from the same state: the same amount of numbers, and no re-seeding."""
    before = np.random.get_state(legacy=False)
    yield
    after_block = np.random.get_state(legacy=False)
    np.random.set_state(before)
    book_calls()
    after_book = np.random.get_state(legacy=False)
    np.random.set_state(after_block)
    assert _same_state(after_block, after_book), "the global NumPy generator was not used as the book uses it"
