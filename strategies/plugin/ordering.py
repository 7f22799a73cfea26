"""The order the properties run in: the likely failures first.

A failing property costs far more than a passing one (its failure shrinks, and a
failure that reads as the book's is run again with the book's examples set aside).
Run last, one such property keeps one worker busy while the other has nothing
left to do; run first, the passing properties fill in around it. Likely to fail:
a property the book's code fails at the implementation's stage (the book's facts),
and a per-op property of an op the survey found broken alone. The order is a
stable sort of the collected order, the same in every worker (pytest-xdist
requires it); which tests run, and how, does not change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strategies.plugin.session import suite_run
from strategies.reports.book import book_facts

__all__ = ["likely_to_fail", "pytest_collection_modifyitems"]


def likely_to_fail(item: pytest.Item, levels: frozenset[str], broken: frozenset[str], program: str) -> bool:
    """The book's code fails this property at this stage, or it is a per-op
    property (a parameter names the op) of an op that fails alone."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return any(isinstance(v, str) and v in broken for v in params) or bool(book_facts(item.nodeid, levels, program))


@pytest.hookimpl(trylast=True)  # after the skips and xfails files have marked the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = suite_run(config)
    if run is None or run.capabilities is None:
        return
    caps = run.capabilities
    broken = frozenset(caps.left_out) | frozenset(caps.left_out_twice)
    program = Path(run.target).name if run.target.endswith(".py") else ""
    first = {item.nodeid for item in items if likely_to_fail(item, caps.levels, broken, program)}
    items.sort(key=lambda item: item.nodeid not in first)
