"""Non-mutation (as MyGrad checks): computing never changes what it was given.

- Forward leaves its inputs' data unchanged: each value is copied as soon as it
  is made, and after the whole graph is built every value must still equal its copy.
- Backward leaves the upstream gradients unchanged: each gradient handed to a
  Function's ``backward`` is copied as the call starts; it must be the same when
  the call returns (the Function did not update it in place) and when the sweep
  ends (no other consumer of the same gradient object, and not the engine, did).
  ``Add.backward`` hands one ``gy`` to both inputs, so a consumer that scales its
  ``gy`` in place corrupts the other; the seed the user gave is one of these.
- Backward leaves every value's data unchanged.
- Backward leaves other variables' grads unchanged: after the sweep, a second
  backward through one leaf alone (the suite's ``P.double``) must leave every other
  grad as it was; grads shared between variables (the book stores ``Add``'s one
  ``gy`` as the grad of both inputs) plus accumulation in place would change them.

The oracle compares each array with its own copy, bit for bit: no tolerance and no
reference values, so it accepts every implementation that computes out of place or
in place on memory it owns (a fresh buffer, a grad it alone holds, as PyTorch
accumulates), and fails only on a change someone else can see.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME, CATALOGUE
from strategies.graphs.spec import GraphSpec, Node, build
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import upstream_functions
from strategies.implementation.probes import probes_for
from strategies.implementation.protocols import Array, VariableLike
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import cotangents, set_seed
from strategies.survey.capabilities import capabilities

from ..helpers.gates import skip_unless_offered
from ..helpers.snapshots import copy_of, describe_change, unchanged, watching_upstream_gradients

pytestmark = pytest.mark.requires("core")

# A change in place happens on every call whatever the values, so each op alone gets
# a fifth of the profile's examples (still across its axes, shapes and parameters):
# the ops' own properties are the costly part of the suite.
PER_OP = settings(max_examples=max(10, settings().max_examples // 5))


@pytest.mark.parametrize("op_name", [op.name for op in CATALOGUE])
@PER_OP
@given(data=st.data())
def test_each_op_alone_changes_nothing_it_was_given(impl: Implementation, op_name: str, data: st.DataObject) -> None:
    """Every op on its own, over its whole parameter range: its forward keeps its
    inputs, its backward keeps the seed (its upstream gradient) and the data."""
    op = BY_NAME[op_name]
    skip_unless_offered(impl, op)
    _assert_nothing_given_changes(impl, draw_graph(data, impl, op=op), data)


@given(data=st.data())
def test_graphs_change_nothing_they_were_given(impl: Implementation, data: st.DataObject) -> None:
    """Random DAGs, where one gradient object reaches several consumers (``x + y``,
    ``f(x, x)``, diamonds, forks) and grads may be retained on intermediates."""
    _assert_nothing_given_changes(impl, draw_graph(data, impl), data)


def _assert_nothing_given_changes(impl: Implementation, spec: GraphSpec, data: st.DataObject) -> None:
    made: dict[int, Array | None] = {}
    built = build(spec, impl, keep_all=True, on_value=lambda i, v: made.__setitem__(i, copy_of(v.data)))
    for i, before in sorted(made.items()):
        after = copy_of(built.values[i].data)
        if before is not None and not unchanged(before, after):
            raise AssertionError(f"[forward non-mutation] v{i} changed while {_consumers(spec, i)} computed: "
                                 f"{describe_change(before, after)}")
    _assert_backward_keeps_what_it_reads(impl, built.values, built.output, data)
    _assert_a_second_backward_keeps_other_grads(impl, built.values, spec, data)


def _assert_backward_keeps_what_it_reads(
    impl: Implementation, values: dict[int, VariableLike], y: VariableLike, data: st.DataObject
) -> None:
    """Backward from ``y`` (retaining grads, if drawn): every upstream gradient, the
    seed among them, and every value's data stay as they were."""
    retain_grad = "memory" in capabilities(impl).levels and data.draw(st.booleans(), label="retain_grad")
    set_seed(impl, y, data.draw(cotangents(y.data.shape), label="cotangent"))
    seed, seed_before = y.grad, copy_of(y.grad)
    data_before = {i: copy_of(v.data) for i, v in values.items()}
    with watching_upstream_gradients(upstream_functions([y])) as watch:
        try:
            if retain_grad:
                y.backward(retain_grad=True)
            else:
                y.backward()
        except Exception as exc:
            if watch.changed_by_the_call:  # a crash that followed a change in place
                raise AssertionError(f"[backward non-mutation] {watch.changed_by_the_call[0]}") from exc
            raise
    if watch.changed_by_the_call:
        raise AssertionError(f"[backward non-mutation] {watch.changed_by_the_call[0]}")
    later = watch.changed_since()
    if later:
        raise AssertionError(f"[backward non-mutation] changed after its backward returned, before the sweep "
                             f"ended: {later[0]}")
    if seed_before is not None and not unchanged(seed_before, copy_of(seed)):
        raise AssertionError(f"[backward non-mutation] the seed gradient changed: "
                             f"{describe_change(seed_before, copy_of(seed))}")
    for i, before in sorted(data_before.items()):
        after = copy_of(values[i].data)
        if before is not None and not unchanged(before, after):
            raise AssertionError(f"[backward non-mutation] the data of v{i} changed: {describe_change(before, after)}")


def _assert_a_second_backward_keeps_other_grads(
    impl: Implementation, values: dict[int, VariableLike], spec: GraphSpec, data: st.DataObject
) -> None:
    """Backward through ``P.double(leaf)`` for one leaf: every other grad stays."""
    leaf = data.draw(st.sampled_from(spec.leaves), label="leaf of the second backward")
    others = {i: copy_of(v.grad) for i, v in values.items() if v is not values[leaf]}
    doubled = probes_for(impl).double(values[leaf])
    set_seed(impl, doubled, data.draw(cotangents(doubled.data.shape), label="second cotangent"))
    doubled.backward()
    for i, before in sorted(others.items()):
        if before is not None and not unchanged(before, copy_of(values[i].grad)):
            raise AssertionError(
                f"[other grads unchanged] a backward through P.double(v{leaf}) alone changed the grad of v{i}: "
                f"{describe_change(before, copy_of(values[i].grad))}"
            )


def _consumers(spec: GraphSpec, value: int) -> str:
    """The calls that take ``value`` as an input, as source text."""
    calls = []
    for k in dict.fromkeys(spec.consumers[value]):
        step = spec.steps[k]
        assert isinstance(step, Node)  # only nodes consume values
        calls.append(f"`{step.spec.source([f'v{a}' for a in step.args], step.params)}`")
    return ", ".join(calls) if calls else "the graph"
