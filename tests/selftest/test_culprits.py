"""A wrong rule is named. For every rule mutant whose bug shows in an op's values or
first gradients, the screening of a run of the suite finds the op broken alone (so
random graphs leave it out, and the failure is reported on the op alone); where the
op computes wrong numbers, the culprit analysis names the Function, and on the
unbroken reference it names nobody. (Where the broken op raises instead, the
failure's own exception is the report.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from strategies.catalogue.ops import BY_NAME
from strategies.graphs.dags import single_op
from strategies.graphs.spec import GraphSpec, Leaf, Node, build
from strategies.implementation.handle import Implementation
from strategies.reports.culprit import ENGINE, ENGINE_CREATE_GRAPH, ENGINE_SECOND_ORDER, Culprit, find_culprit
from strategies.survey.screening import Mismatch, check_alone, screen
from tests.selftest.mutants import BY_NAME as BY_MUTANT
from tests.selftest.mutants import MUTANTS, Mutant, applied
from tests.selftest.properties import PROPERTIES

# The properties whose failures the culprit analysis explains: first-order gradients
# and values of float64 graphs, and each op alone. (Rule mutants caught elsewhere: a
# bad-input check, float32 only, second order, optimizers, hooks, saving, parameter
# order, kinks, loss shapes, magnitudes, changes in place, layers and data outside
# the catalogue.)
JUDGED = {"test_each_op_alone_matches_complex_step", "test_each_elementwise_op_alone_in_float32",
          "test_each_op_alone_matches_numpy", "test_gradients_match_complex_step", "test_every_value_matches_numpy",
          "test_grads_are_linear_in_the_cotangent"}


def _judged(name: str) -> bool:
    function, fixed = PROPERTIES[name]
    return function.__name__ in JUDGED and fixed.get("dtype") != "float32"


# A bug in a helper every broadcasting rule calls (sum_to): the culprit is the rule
# that called it, whichever that is.
IN_HELPERS = {"broadcasting undone by a mean"}
RULES = [m for m in MUTANTS
         if m.kind == "rule" and _judged(m.caught_by) and m.name not in IN_HELPERS]
# The op of a mutant caught by a graph property rather than by its op's own.
OP_OF = {"Sub": "sub", "Mul": "mul", "Add": "add", "Sin": "sin", "Exp": "exp"}


def _op_of(mutant: Mutant) -> str:
    op_name = PROPERTIES[mutant.caught_by][1].get("op_name")
    if op_name is not None:
        return str(op_name)
    return OP_OF[_mutated_class(mutant)]


def _mutated_class(mutant: Mutant) -> str:
    return mutant.target.partition(":")[2].partition(".")[0]


def _failing_example(impl: Implementation, op_name: str) -> tuple[GraphSpec, Exception]:
    """The first derandomized example of ``op_name`` alone that fails the check the
    screening runs, and how it fails."""
    found: list[tuple[GraphSpec, Exception]] = []

    @settings(max_examples=100, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(single_op(BY_NAME[op_name], broadcasting=True))
    def search(spec: GraphSpec) -> None:
        if not found:
            try:
                check_alone(impl, spec, differentiate=True, grads_are_variables=True)
            except Exception as exc:  # noqa: BLE001  (any failure: that is the example)
                found.append((spec, exc))

    search()
    assert found, f"no example of {op_name} alone fails"
    return found[0]


# The screening's 20 examples miss these rarer bugs (their own properties need more):
# in a run they reach random graphs, where the culprit analysis names the Function.
SCREENING_MISSES = {"im2col matrix columns transposed"}


@pytest.mark.parametrize("mutant", RULES, ids=[m.name for m in RULES])
def test_a_wrong_rule_is_left_out_of_graphs_and_named(mutant: Mutant) -> None:
    op_name = _op_of(mutant)
    with applied(mutant), np.errstate(all="ignore"):
        impl = Implementation.load("dezero")
        verdict = screen(impl, BY_NAME[op_name], differentiate=True, grads_are_variables=True, broadcasting=True)
        found = "broken" if mutant.name not in SCREENING_MISSES else "ok"
        assert verdict.status == found, f"'{mutant.name}': the screening finds {op_name} {verdict.status}"
        spec, failure = _failing_example(impl, op_name)
        if not isinstance(failure, Mismatch):
            assert found == "broken", f"'{mutant.name}' raises and reaches random graphs"
            return  # it raises: the exception names the place
        culprit = find_culprit(impl, spec)
        creator = type(build(spec, impl).output.creator).__name__
    assert isinstance(culprit, Culprit), f"'{mutant.name}': {culprit}"
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


# A learner's classic: a backward that computes with ``x.data``, outside the graph.
# Its first derivative is right; differentiated again (create_graph=True) it is not.
OUTSIDE_THE_GRAPH = Mutant(
    "sin backward outside the graph", "rule", "Sin.backward multiplies by cos of x's data, a constant to the graph",
    "dezero.functions.elementwise:Sin.backward", "return gy * Cos().apply(x)",
    "return gy * Cos().apply(x if not isinstance(x, Variable) else Variable(x.data))",
    "test_double_backward_matches_differences_of_first_grads")


def test_a_rule_right_once_but_wrong_twice_is_named_for_a_double_backward_failure() -> None:
    spec = GraphSpec((Leaf((2,), (0.3, -0.7)), Node("sin", (0,), ()), Node("square", (1,), ())), 2, "float64")
    with applied(OUTSIDE_THE_GRAPH):
        impl = Implementation.load("dezero")
        first_order = find_culprit(impl, spec)
        second_order = find_culprit(impl, spec, second_order=True)
    assert first_order == ENGINE, first_order  # every first derivative is right
    assert isinstance(second_order, Culprit), second_order
    assert second_order.function == "Sin.backward" and "differentiated again" in second_order.detail, second_order


def test_a_double_backward_fault_of_every_rule_alone_is_the_engines() -> None:
    spec = GraphSpec((Leaf((2,), (0.3, -0.7)), Node("sin", (0,), ()), Node("square", (1,), ())), 2, "float64")
    with applied(BY_MUTANT["create_graph ignored"]):
        verdict = find_culprit(Implementation.load("dezero"), spec, second_order=True)
    assert verdict == ENGINE_CREATE_GRAPH, verdict


def test_a_double_backward_failure_with_every_rule_right_both_ways_says_so() -> None:
    spec = GraphSpec((Leaf((2,), (0.3, -0.7)), Node("sin", (0,), ()), Node("square", (1,), ())), 2, "float64")
    assert find_culprit(Implementation.load("dezero"), spec, second_order=True) == ENGINE_SECOND_ORDER
