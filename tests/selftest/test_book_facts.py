"""The facts about the book's DeZero (strategies/reports/book.py) tag a learner's failure
only where the book's code at the same stage fails the same property, and every
fact names a property that exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from strategies.reports.book import BOOK_FAILURES, book_verdict, inherited, stage

ROOT = Path(__file__).resolve().parents[2]
EVERY_LEVEL = ["forward", "core", "generations", "memory", "operators", "higher_order", "tensors", "nn", "layers"]


def test_a_stage_runs_from_its_highest_level_to_the_next() -> None:
    assert stage(["forward", "core"]) == (7, 14)
    assert stage(["forward", "core", "generations", "memory"]) == (17, 18)
    assert stage(EVERY_LEVEL) == (44, 60)
    assert stage([]) == (1, 1)


ENGINE_VERDICT = "every rule gives the right gradient on its own, given what it received: the engine combines them wrongly"


def test_a_failure_is_inherited_only_at_the_stages_where_the_book_fails_it() -> None:
    twice = "tests/properties/test_metamorphic.py::test_two_backward_passes_accumulate_twice"
    assert "step 14 adds" in inherited(twice, ["forward", "core"], ENGINE_VERDICT)
    assert inherited(twice, EVERY_LEVEL, ENGINE_VERDICT) == ""  # the book's package accumulates right
    leaf = "tests/properties/test_schedule.py::test_backward_without_a_graph_only_seeds"
    none_generation = "AttributeError: 'NoneType' object has no attribute 'generation'"
    assert inherited(leaf, EVERY_LEVEL, none_generation) and not inherited(leaf, ["forward", "core"], none_generation)
    assert inherited("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[sin]",
                     EVERY_LEVEL, "AssertionError: [sin alone vs complex step]") == ""


# Learners' own bugs on properties the book's package fails too (seen on real
# learners' packages): each fails otherwise than the book does, so it is theirs.
OWN_BUGS = [
    ("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[max]",
     "AttributeError: module 'dezero.utils' has no attribute 'max_backward_shape'"),
    ("tests/properties/test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[min-float64]",
     "AttributeError: module 'dezero.utils' has no attribute 'max_backward_shape'"),
    ("tests/properties/test_forward.py::test_each_op_alone_matches_numpy[layer_batch_norm]",
     "AttributeError: module 'dezero.functions' has no attribute 'batch_nrom'"),
    ("tests/properties/test_vectors.py::test_committed_vector[case-0021]",
     "AttributeError: 'list' object has no attribute 'data'"),
    ("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[matmul]",
     "AssertionError: [matmul alone vs complex step] leaf v0: backprop gradient differs from the complex-step "
     "gradient\nMatMul.backward (v2 = F.matmul(v0, v1)): gradient of input 0 is [[1.0, 2.0]], expected [[2.0, 1.0]]"),
    ("tests/properties/test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[max-float64]",
     "AssertionError: [max at its kinks] output element 0 (cotangent 0.25) picks from inputs [0, 1] = [1.0, 1.0]: "
     "its tied extremes [0, 1] get [0.5, 0.5], which should be shares of 0.25 (non-negative weights summing to 1), "
     "but they sum to 1.0"),
    ("tests/properties/test_training.py::test_hooks_change_gradients_as_their_formula_says[WeightDecay]",
     "AssertionError: [WeightDecay then SGD, step 1] p0 after the update:\n got array([1.])\n expected array([0.9])"),
]

# The book's own failures of the same properties, as its package fails them.
BOOK_WAYS = [
    ("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[max]",
     "ValueError: cannot reshape array of size 1 into shape (1,1,3)"),
    ("tests/properties/test_forward.py::test_each_op_alone_matches_numpy[layer_batch_norm]",
     "AssertionError at /home/me/dezero/functions.py:539: assert x.ndim == 2 or x.ndim == 4"),
    ("tests/properties/test_forward.py::test_each_op_alone_matches_numpy[batch_norm]",
     "AssertionError at /home/me/dezero/functions.py:539: assert x.ndim == 2 or x.ndim == 4"),
    ("tests/properties/test_vectors.py::test_committed_vector[case-0021]",
     "AttributeError: 'NoneType' object has no attribute 'grad'"),
    ("tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[matmul]",
     "AssertionError: [matmul alone vs complex step] leaf v1: gradient of shape (), expected (1, 1)\n"
     "MatMul.backward (v2 = F.matmul(v0, v1)): gradient of input 1 has shape (), expected (1, 1)"),
    ("tests/properties/test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[max-float64]",
     "AssertionError: [max at its kinks] output element 0 (cotangent 0.25) picks from inputs [0, 1] = [1.0, 1.0]: "
     "its tied extremes [0, 1] get [0.25, 0.25], which should be shares of 0.25 (non-negative weights summing "
     "to 1), but every tied extreme got all of it"),
    ("tests/properties/test_training.py::test_hooks_change_gradients_as_their_formula_says[WeightDecay]",
     "AssertionError: [WeightDecay then SGD, step 1] p0 after the update (p0 and p1 were given one gradient "
     "object):\n got array([1.])\n expected array([0.9])"),
]


@pytest.mark.parametrize(("nodeid", "account"), OWN_BUGS, ids=[f"{n.split('::')[1]}" for n, _ in OWN_BUGS])
def test_a_failure_unlike_the_books_is_the_learners_own(nodeid: str, account: str) -> None:
    verdict = book_verdict(nodeid, EVERY_LEVEL, account)
    assert verdict is not None and not verdict.same_way, verdict
    assert verdict.reason  # the book's failure of the same property, said beside it


@pytest.mark.parametrize(("nodeid", "account"), BOOK_WAYS, ids=[f"{n.split('::')[1]}" for n, _ in BOOK_WAYS])
def test_a_failure_like_the_books_is_tagged(nodeid: str, account: str) -> None:
    verdict = book_verdict(nodeid, EVERY_LEVEL, account)
    assert verdict is not None and verdict.same_way, verdict


def test_every_fact_has_a_pattern_that_compiles() -> None:
    for fact in BOOK_FAILURES:
        assert fact.fails_with, fact
        re.compile(fact.fails_with)


def test_every_fact_names_a_property_of_the_suite() -> None:
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "tests/properties"], cwd=ROOT, capture_output=True, text=True, timeout=300).stdout
    ids = [line for line in listed.splitlines() if "::" in line]
    stale = [fact.prop for fact in BOOK_FAILURES if not any(fact.prop in i for i in ids)]
    assert ids and not stale, f"facts about properties that do not exist: {stale}"
