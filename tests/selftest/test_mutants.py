"""The suite tests itself: every deliberately broken implementation in
``tests.selftest.mutants`` must be caught by the ORACLE of the property named for
it, under the ``ci`` profile's settings (derandomized, 100 examples). Each mutant
is probed afresh, as the suite probes any implementation it is pointed at, so a bug
that changes what the probes see (an unused output that breaks backward) is judged
by the property that still applies.

A property whose run ends because the reference itself raised (its own shape
check, a NumPy error) has not caught anything: a variant of the bug that computes
wrong numbers instead would pass it. So a mutant that only crashes names a twin,
that variant, and the twin must be caught by the oracle."""

from __future__ import annotations

import pytest

from strategies.implementation.handle import Implementation
from tests.selftest.mutants import BY_NAME, MUTANTS, Mutant, applied
from tests.selftest.properties import LOADING, NAMES, PROPERTIES, STATEFUL, Kind, run

# Properties that no mutant names as its catcher, each with a mutant its oracle
# catches (from docs/mutants.md), so that every property of the suite is shown to fail.
DEMONSTRATIONS = {
    "test_gradients_match_complex_step[float32]": "sign error",
    "test_random_projection_on_large_graphs": "sign error",
    "test_function_outputs_are_weak_references": "outputs held strongly",
    "test_retain_grad_true_keeps_correct_intermediate_grads": "swapped operands",
    "test_hessian_is_symmetric": "create_graph ignored",  # double backward gives zeros: symmetric, but wrong
    "test_shared_subexpression_equals_recomputation": "in-place accumulation where writable",
    "test_x_plus_x_equals_x_times_2": "swapped operands",
    STATEFUL: "outputs held strongly",
    "test_gradients_at_kinks_in_random_graphs": "tied maxima all get the gradient",
    "test_grads_carry_a_graph_with_create_graph": "create_graph ignored",
    "test_committed_vector[case-0002]": "sign error",  # its graph starts with v0 - v1
    # The request properties (ports), on the reference in process:
    "test_request_values_match_numpy[float64]": "forward operands swapped",
    "test_request_gradients_match_complex_step[float64]": "sign error",
    "test_request_op_alone_matches_complex_step[sin]": "sin derivative 1e-3 off",
    "test_request_double_backward_matches_hessian_vector": "create_graph ignored",
    "test_request_runs_each_backward_once": "processed twice",
    "test_request_intermediate_grads_follow_retain_grad[freed]": "retain_grad ignored",
}
# Properties shown failing by a self-test of their own, where no one-line mutant of the
# reference can express the bug (the file that shows it).
SHOWN_ELSEWHERE = {
    "test_no_grad_in_one_thread_leaves_other_threads_building_graphs": "test_shared_grad_mode.py",
    **{name: "test_zoo.py" for name in LOADING},  # judged on implementations that fail to load
    # Numbers are the driver's to write: a JavaScript driver that loses -0.0's sign.
    "test_numbers_cross_the_wire_bit_for_bit": "test_ports.py",
    # and a JavaScript port that does not check shapes before it broadcasts.
    "test_request_incompatible_shapes_are_an_error": "test_ports.py",
}


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_the_oracle(mutant: Mutant) -> None:
    with applied(mutant):
        outcome = run(mutant.caught_by, Implementation.load("dezero"))
    said = f"mutant '{mutant.name}' ({mutant.bug}): '{mutant.caught_by}' {outcome.describe()}"
    if mutant.twin:  # known to crash the reference: it must still fail, its twin is caught
        assert outcome.failed, said
    else:
        assert outcome.kind is not Kind.CRASHED, (
            f"{said}.\nA crash is not a catch: give the mutant a non-crashing twin (Mutant.twin) "
            "that the oracle catches, or make the oracle see the bug before the crash"
        )
        assert outcome.caught, said


def test_every_crashing_mutant_has_a_twin_the_oracle_must_catch() -> None:
    """The twin exists, is judged by the same property, and is no crashing one itself."""
    for mutant in (m for m in MUTANTS if m.twin):
        twin = BY_NAME.get(mutant.twin)
        assert twin is not None, f"'{mutant.name}' names a twin '{mutant.twin}' that is not a mutant"
        assert not twin.twin, f"the twin '{twin.name}' of '{mutant.name}' crashes too"
        assert twin.target.partition(":")[0].startswith("dezero"), twin


@pytest.mark.parametrize("name", sorted(DEMONSTRATIONS))
def test_property_catches_its_demonstration(name: str) -> None:
    mutant = BY_NAME[DEMONSTRATIONS[name]]
    with applied(mutant):
        outcome = run(name, Implementation.load("dezero"))
    assert outcome.caught, f"'{name}' on mutant '{mutant.name}': {outcome.describe()}"


def test_every_property_is_shown_to_fail() -> None:
    """Every test function of tests/properties (found as pytest collects them, not
    listed by hand) is shown failing through its oracle: by a mutant that names it,
    a demonstration, or a self-test of its own."""
    catchers = [*(m.caught_by for m in MUTANTS if not m.twin), *DEMONSTRATIONS, *SHOWN_ELSEWHERE]
    unknown = sorted(set(catchers) - set(NAMES))
    assert not unknown, f"catchers that are no property's name: {unknown}"
    shown = {PROPERTIES[n][0] for n in catchers}
    never = sorted({PROPERTIES[n][0].__name__ for n in NAMES if PROPERTIES[n][0] not in shown})
    assert not never, f"properties no mutant shows failing through their oracle: {never}"


def test_every_mutant_names_a_real_property() -> None:
    unknown = [m.name for m in MUTANTS if m.caught_by not in NAMES]
    assert not unknown, f"mutants naming no property: {unknown}"


def test_mutant_names_are_unique() -> None:
    assert len(BY_NAME) == len(MUTANTS)


@pytest.mark.parametrize("name", sorted({m.caught_by for m in MUTANTS} | set(DEMONSTRATIONS)))
def test_the_catching_properties_pass_on_the_reference(impl: Implementation, name: str) -> None:
    """Under the very settings that catch the mutants, the unbroken reference
    passes: a mutant counts as caught only by a property that can pass. (This also
    shows that applying and undoing a mutant leaves the reference whole.)"""
    with applied(MUTANTS[0]):
        pass
    outcome = run(name, impl)
    assert not outcome.failed, f"'{name}' fails on the reference itself: {outcome.describe()}"
