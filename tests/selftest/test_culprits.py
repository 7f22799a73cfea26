"""A wrong rule is named. For every rule mutant whose bug shows in an op's values or
first gradients, a run of the suite (which screens each op alone) leaves the broken
op out of random graphs, so the failure is reported on the op alone, and the culprit
analysis names the Function; on the unbroken reference it names nobody."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from strategies.capabilities import survey
from strategies.culprit import ENGINE, Culprit, find_culprit
from strategies.dags import single_op
from strategies.graph import GraphSpec, build
from strategies.implementation import Implementation
from strategies.ops import BY_NAME
from strategies.screening import check_alone
from tests.selftest.mutants import MUTANTS, Mutant, applied

# Rule mutants of the other kinds: a bad-input check, float32 only, second order,
# optimizers, hooks, saving, parameter order.
ELSEWHERE = ("bad input", "forward float32", "op alone twice", "optimizer", "hook", "save/load", "parameter order")
RULES = [m for m in MUTANTS if m.kind == "rule" and not m.caught_by.startswith(ELSEWHERE)]


def _failing_example(impl: Implementation, op_name: str) -> GraphSpec:
    """The first derandomized example of ``op_name`` alone that fails the check the
    screening runs."""
    found: list[GraphSpec] = []

    @settings(max_examples=100, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(single_op(BY_NAME[op_name], broadcasting=True))
    def search(spec: GraphSpec) -> None:
        if not found:
            try:
                check_alone(impl, spec, differentiate=True, grads_are_variables=True)
            except Exception:  # noqa: BLE001  (any failure: that is the example)
                found.append(spec)

    search()
    assert found, f"no example of {op_name} alone fails"
    return found[0]


def _mutated_class(mutant: Mutant) -> str:
    return mutant.target.partition(":")[2].partition(".")[0]


@pytest.mark.parametrize("mutant", RULES, ids=[m.name for m in RULES])
def test_a_wrong_rule_is_left_out_of_graphs_and_named(mutant: Mutant) -> None:
    with applied(mutant), np.errstate(all="ignore"):
        impl = Implementation.load("dezero")
        caps = survey(impl)
        assert caps.left_out, f"screening left no op out of random graphs under '{mutant.name}'"
        op_name = sorted(caps.left_out)[0]
        spec = _failing_example(impl, op_name)
        culprit = find_culprit(impl, spec)
        creator = type(build(spec, impl).output.creator).__name__
    assert isinstance(culprit, Culprit)
    if _mutated_class(mutant) == creator:  # the mutated Function makes the op's output: it is named
        assert culprit.function.startswith(creator + "."), f"'{mutant.name}': {culprit}"


@pytest.mark.parametrize("op_name", ["sub", "matmul", "softmax", "conv2d", "layer_linear"])
def test_the_reference_has_no_culprit(op_name: str) -> None:
    impl = Implementation.load("dezero")

    @settings(max_examples=10, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(single_op(BY_NAME[op_name]))
    def check(spec: GraphSpec) -> None:
        assert find_culprit(impl, spec) == ENGINE

    check()
