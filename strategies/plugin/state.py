"""Global state a test changed is put back, and the change is reported.

An implementation that turns grad mode off and leaves it off, silences NumPy's
floating-point errors, re-seeds NumPy's global generator, edits the warning filters
or lowers the recursion limit during one property would change the verdicts of the
properties after it. Each is restored after every test that uses the
implementation, and the test that changed it fails at teardown, saying what changed.

Drawing from NumPy's global generator is no change of this kind (the book's dropout
and weight initialisation do it): its state is restored silently. Re-seeding it is
reported, with the place that called ``np.random.seed``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import pytest

from strategies.plugin.session import implementation

__all__ = ["JUDGES_RESEEDING", "Snapshot", "pytest_configure"]


@dataclass
class Snapshot:
    """The global state before a test."""

    config: tuple[object, ...]
    errors: Any  # what np.geterr() returns, for np.seterr(**errors)
    filters: list[Any]
    random_state: Any
    recursion_limit: int
    seeded_from: list[str] = field(default_factory=list)


def _frame_in(directory: str) -> str | None:
    """``file:line`` of the innermost frame of the call stack in ``directory``
    (Hypothesis seeds for every example: this must be cheap)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith(directory):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return None


class _RecordingSeed:
    """``np.random.seed`` that notes the calls made from the implementation's code
    (Hypothesis seeds the generator for each example too: not a finding)."""

    def __init__(self, original: Callable[..., None], directory: Path, calls: list[str]) -> None:
        self.original, self.directory, self.calls = original, str(directory) + os.sep, calls

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        caller = _frame_in(self.directory)
        if caller is not None:
            self.calls.append(caller)
        self.original(*args, **kwargs)


# The marker of a property that re-seeds on purpose to judge it: its own oracle
# reports the re-seeding, so the restoring fixture does not report it again.
JUDGES_RESEEDING = "judges_reseeding"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{JUDGES_RESEEDING}: the property judges re-seeding of NumPy's global generator itself",
    )


@pytest.fixture(autouse=True)
def _global_state_is_restored(request: pytest.FixtureRequest) -> Iterator[None]:
    impl = implementation(request.config)
    if impl is None or "impl" not in request.fixturenames:
        yield
        return
    before = Snapshot(
        impl.config_state(), np.geterr(), list(warnings.filters), np.random.get_state(),
        sys.getrecursionlimit(),
    )
    original_seed = np.random.seed
    np.random.seed = _RecordingSeed(original_seed, impl.directory, before.seeded_from)
    try:
        yield
    finally:
        np.random.seed = original_seed
    changes = []
    config = impl.config_state()
    if config != before.config:
        impl.restore_config(before.config)
        changes.append(f"the test left Config changed: (enable_backprop, train) {before.config} -> {config}")
    errors = np.geterr()
    if errors != before.errors:
        np.seterr(**before.errors)
        changes.append(f"the test left NumPy's error settings changed: {before.errors} -> {errors}")
    if list(warnings.filters) != before.filters:
        warnings.resetwarnings()  # tells the warnings machinery that the filters changed
        warnings.filters.extend(before.filters)  # type: ignore[attr-defined]  # a list at run time
        changes.append("the test left the warning filters changed")
    limit = sys.getrecursionlimit()
    if limit != before.recursion_limit:
        sys.setrecursionlimit(before.recursion_limit)
        changes.append(f"the test left the recursion limit changed: {before.recursion_limit} -> {limit}")
    np.random.set_state(before.random_state)
    if before.seeded_from and request.node.get_closest_marker(JUDGES_RESEEDING) is None:
        changes.append(f"the implementation re-seeded NumPy's global generator (np.random.seed called at "
                       f"{before.seeded_from[0]}): code that seeds it behind the user's back makes their "
                       f"runs repeat each other")
    if changes:
        pytest.fail("; ".join(changes) + " (restored for the tests after it)")
