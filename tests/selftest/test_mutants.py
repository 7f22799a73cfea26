"""The suite tests itself: every deliberately broken implementation in
``tests.selftest.mutants`` must be caught by the property named for it, under the
``ci`` profile's settings (derandomized, 100 examples)."""

from __future__ import annotations

import pytest

from strategies.implementation import Implementation
from tests.selftest.mutants import MUTANTS, Mutant, applied
from tests.selftest.properties import NAMES, run


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(impl: Implementation, mutant: Mutant) -> None:
    with applied(mutant):
        outcome = run(mutant.caught_by, impl)
    assert outcome.caught, (
        f"mutant '{mutant.name}' ({mutant.bug}) survived {outcome.examples} examples of '{mutant.caught_by}'"
    )


def test_every_mutant_names_a_real_property() -> None:
    unknown = [m.name for m in MUTANTS if m.caught_by not in NAMES]
    assert not unknown, f"mutants naming no property: {unknown}"


@pytest.mark.parametrize("name", sorted({m.caught_by for m in MUTANTS}))
def test_the_catching_properties_pass_on_the_reference(impl: Implementation, name: str) -> None:
    """Under the very settings that catch the mutants, the unbroken reference
    passes: a mutant counts as caught only by a property that can pass. (This also
    shows that applying and undoing a mutant leaves the reference whole.)"""
    with applied(MUTANTS[0]):
        pass
    outcome = run(name, impl)
    assert not outcome.caught, f"'{name}' fails on the reference itself: {outcome.error}"
