"""What the book's own DeZero fails, stage by stage: facts found by running the suite
on the book's step programs and final package (``docs/conformance/``), kept as data
so that a learner's report can say which failures are inherited from the book.

A learner whose implementation is at a stage of the book (its highest capability
level) and fails a property the book's code also fails at that stage sees the
failure tagged "the book's DeZero fails this too", with the reason. No code of
the book is here: only which property fails, at which steps, and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from strategies.capabilities import LEVEL_NAMES, first_step

LAST_STEP = 60


@dataclass(frozen=True)
class BookFailure:
    """The book's code fails ``prop`` at steps ``first`` to ``last``, because ``reason``."""

    prop: str  # a test id, or its start: "test_metamorphic.py::test_two_backward_passes"
    first: int
    last: int
    reason: str

    def matches(self, nodeid: str) -> bool:
        return self.prop in nodeid


def stage(levels: Iterable[str]) -> tuple[int, int]:
    """The book's steps an implementation with these levels corresponds to: from the
    step where its highest level begins to the step before the next level."""
    present = [level for level in LEVEL_NAMES if level in set(levels)]
    if not present:
        return (1, 1)
    top = LEVEL_NAMES.index(present[-1])
    last = first_step(LEVEL_NAMES[top + 1]) - 1 if top + 1 < len(LEVEL_NAMES) else LAST_STEP
    return first_step(present[-1]), max(last, first_step(present[-1]))


def inherited(nodeid: str, levels: Iterable[str]) -> str:
    """Why the book's DeZero fails the property ``nodeid`` too at this stage, or ""."""
    first, last = stage(levels)
    for fact in BOOK_FAILURES:
        if fact.matches(nodeid) and fact.first <= last and first <= fact.last:
            return fact.reason
    return ""


# Filled from the runs recorded in docs/conformance/ (see docs/conformance/book.md).
BOOK_FAILURES: tuple[BookFailure, ...] = ()
