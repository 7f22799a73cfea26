"""The suite tests itself: every deliberately broken implementation in
``tests.selftest.mutants`` must be caught by the property named for it, under the
``ci`` profile's settings (derandomized, 100 examples). Each mutant is probed
afresh, as the suite probes any implementation it is pointed at, so a bug that
changes what the probes see (an unused output that breaks backward) is judged by
the property that still applies."""

from __future__ import annotations

import pytest

from strategies.implementation import Implementation
from tests.selftest.mutants import MUTANTS, Mutant, applied
from tests.selftest.properties import NAMES, PROPERTIES, STATEFUL, run

# Properties that no mutant names as its catcher, each with a mutant it catches
# (from docs/mutants.md), so that every property of the suite is shown to fail.
DEMONSTRATIONS = {
    "gradients float32": "sign error",
    "random projection": "sign error",
    "outputs are weakrefs": "outputs held strongly",
    "retain_grad=True": "swapped operands",
    "Hessian symmetry": "create_graph ignored",  # double backward gives zeros: symmetric, but wrong
    "shared == recomputed": "wrong transpose",
    "x + x == x * 2": "swapped operands",
    "linear in cotangent": "matmul transpose missing",
    "shapes and dtypes": "broadcasting not undone",
    STATEFUL: "outputs held strongly",
    "kinks in graphs": "tied maxima all get the gradient",
}
# Properties shown failing by a self-test of their own, where no one-line mutant of the
# reference can express the bug (the file that shows it).
SHOWN_ELSEWHERE = {"grad mode per thread": "test_shared_grad_mode.py"}
BY_NAME = {m.name: m for m in MUTANTS}


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(mutant: Mutant) -> None:
    with applied(mutant):
        outcome = run(mutant.caught_by, Implementation.load("dezero"))
    assert outcome.caught, (
        f"mutant '{mutant.name}' ({mutant.bug}) survived {outcome.examples} examples of '{mutant.caught_by}'"
    )


@pytest.mark.parametrize("name", sorted(DEMONSTRATIONS))
def test_property_catches_its_demonstration(name: str) -> None:
    mutant = BY_NAME[DEMONSTRATIONS[name]]
    with applied(mutant):
        outcome = run(name, Implementation.load("dezero"))
    assert outcome.caught, f"'{name}' did not catch mutant '{mutant.name}' in {outcome.examples} examples"


def _test_function(name: str) -> object:
    """The test a property name runs (several names may share one, with other arguments)."""
    return STATEFUL if name == STATEFUL else PROPERTIES[name][0]


def test_every_property_is_shown_to_fail() -> None:
    shown = {_test_function(n) for n in [*(m.caught_by for m in MUTANTS), *DEMONSTRATIONS, *SHOWN_ELSEWHERE]}
    never = sorted({n for n in NAMES if _test_function(n) not in shown})
    assert not never, f"properties no mutant shows failing: {never}"


def test_every_mutant_names_a_real_property() -> None:
    unknown = [m.name for m in MUTANTS if m.caught_by not in NAMES]
    assert not unknown, f"mutants naming no property: {unknown}"


@pytest.mark.parametrize("name", sorted({m.caught_by for m in MUTANTS} | set(DEMONSTRATIONS)))
def test_the_catching_properties_pass_on_the_reference(impl: Implementation, name: str) -> None:
    """Under the very settings that catch the mutants, the unbroken reference
    passes: a mutant counts as caught only by a property that can pass. (This also
    shows that applying and undoing a mutant leaves the reference whole.)"""
    with applied(MUTANTS[0]):
        pass
    outcome = run(name, impl)
    assert not outcome.caught, f"'{name}' fails on the reference itself: {outcome.error}"
