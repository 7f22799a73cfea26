"""The facts about the book's DeZero (strategies/reports/book.py) tag a learner's failure
only where the book's code at the same stage fails the same property, and every
fact names a property that exists."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from strategies.reports.book import BOOK_FAILURES, inherited, stage

ROOT = Path(__file__).resolve().parents[2]
EVERY_LEVEL = ["forward", "core", "generations", "memory", "operators", "higher_order", "tensors", "nn", "layers"]


def test_a_stage_runs_from_its_highest_level_to_the_next() -> None:
    assert stage(["forward", "core"]) == (7, 14)
    assert stage(["forward", "core", "generations", "memory"]) == (17, 18)
    assert stage(EVERY_LEVEL) == (44, 60)
    assert stage([]) == (1, 1)


def test_a_failure_is_inherited_only_at_the_stages_where_the_book_fails_it() -> None:
    twice = "tests/properties/test_metamorphic.py::test_two_backward_passes_accumulate_twice"
    assert "step 14 adds" in inherited(twice, ["forward", "core"])
    assert inherited(twice, EVERY_LEVEL) == ""  # the book's package accumulates right
    leaf = "tests/properties/test_schedule.py::test_backward_without_a_graph_only_seeds"
    assert inherited(leaf, EVERY_LEVEL) and not inherited(leaf, ["forward", "core"])
    assert inherited("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[sin]",
                     EVERY_LEVEL) == ""


def test_every_fact_names_a_property_of_the_suite() -> None:
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "tests/properties"], cwd=ROOT, capture_output=True, text=True, timeout=300).stdout
    ids = [line for line in listed.splitlines() if "::" in line]
    stale = [fact.prop for fact in BOOK_FAILURES if not any(fact.prop in i for i in ids)]
    assert ids and not stale, f"facts about properties that do not exist: {stale}"
