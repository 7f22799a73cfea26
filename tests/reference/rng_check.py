"""A check that code leaves NumPy's global (legacy) random generator alone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np


@contextlib.contextmanager
def global_generator_untouched() -> Iterator[None]:
    """Fail unless the block neither draws from nor re-seeds ``numpy.random``'s global
    state: afterwards, the next draws must equal those from the state saved before."""
    before = np.random.get_state()
    yield
    after_draws = np.random.random(4)
    np.random.set_state(before)
    expected = np.random.random(4)
    assert np.array_equal(after_draws, expected), "the global NumPy generator was used or re-seeded"
