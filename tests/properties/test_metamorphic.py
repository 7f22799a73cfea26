"""Oracle 6: metamorphic relations, with tolerances near machine precision.

- two backward passes accumulate exactly twice one pass; ``cleargrad`` resets;
- a shared subexpression gives the grads of the same graph with it recomputed;
- ``x + x`` and ``x * 2`` give the same grads;
- grads are linear in the cotangent.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME
from strategies.graphs.spec import GraphSpec, build
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import backprop_magnitudes, gradient_scale, side_by_side
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, grads
from strategies.survey.capabilities import capabilities

from ..helpers.transforms import recompute, shared_values, through

pytestmark = pytest.mark.requires("core")

# Rounding allowance: ULPS float64 epsilons of the magnitude of every term summed
# on the way to the leaf (backprop_magnitudes: also terms that cancel inside one
# node's rule, as in softmax, whose error a later node can amplify) and of the
# largest gradient in the graph.
ULPS = 64


def _leaf_grads(impl: Implementation, spec: GraphSpec, w: Array) -> list[Array]:
    built = build(spec, impl)
    backward(impl, built.output, w)
    return [np.zeros(x.shape) if g is None else g.astype(np.float64) for g, x in zip(grads(built.leaves), spec.leaf_arrays())]


def _assert_close(oracle: str, spec: GraphSpec, got: list[Array], expected: list[Array], w: Array) -> None:
    """Equal within ULPS float64 epsilons of the magnitude of the summed terms."""
    magnitudes = backprop_magnitudes(spec, w)
    scale = max(1.0, gradient_scale(spec, w))
    for k, (magnitude, a, b) in enumerate(zip(magnitudes, got, expected)):
        allowed = ULPS * np.finfo(np.float64).eps * (magnitude + scale)
        assert np.all(np.abs(a - b) <= allowed), (
            f"[{oracle}] leaf v{spec.leaves[k]}\n" + side_by_side(a, b, allowed)
        )


@given(data=st.data())
def test_two_backward_passes_accumulate_twice(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    once = [None if g is None else g.copy() for g in grads(built.leaves)]
    backward(impl, built.output, w)
    twice = grads(built.leaves)
    zero = [np.zeros(x.shape) for x in spec.leaf_arrays()]
    _assert_close(
        "backward twice == 2 x once", spec,
        [z if g is None else g for g, z in zip(twice, zero)],
        [z if g is None else 2 * g for g, z in zip(once, zero)], 2 * w,
    )
    if not hasattr(built.output, "cleargrad"):
        return  # the book adds cleargrad at step 14
    for leaf in built.leaves:
        leaf.cleargrad()
        assert leaf.grad is None, "[cleargrad] grad is not None after cleargrad()"
    backward(impl, built.output, w)
    again = grads(built.leaves)
    _assert_close(
        "cleargrad then backward == once", spec,
        [z if g is None else g for g, z in zip(again, zero)],
        [z if g is None else g for g, z in zip(once, zero)], w,
    )


@given(data=st.data())
def test_shared_subexpression_equals_recomputation(impl: Implementation, data: st.DataObject) -> None:
    if not any(op.arity == 2 or op.n_outputs == 2 for op in capabilities(impl).graph_ops):
        pytest.skip("not applicable: a value is shared only through an op of two inputs or outputs, "
                    "and random graphs have none")
    spec = draw_graph(data, impl)
    candidates = shared_values(spec)
    assume(candidates)
    shared = data.draw(st.sampled_from(candidates), label="shared value")
    w = data.draw(cotangents(build(spec, impl).output.data.shape), label="cotangent")
    _assert_close(
        "shared == recomputed", spec,
        _leaf_grads(impl, spec, w), _leaf_grads(impl, recompute(spec, shared), w), w,
    )


@pytest.mark.requires("operators")
@given(data=st.data())
def test_x_plus_x_equals_x_times_2(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    leaf = data.draw(st.sampled_from(sorted(set(spec.leaves) & spec.live)), label="leaf")
    # x/2 + x/2 and (x/2) * 2 both equal x exactly, so every value downstream is unchanged.
    doubled = through(spec, leaf, BY_NAME["add"].name, 2, scale=0.5)
    scaled = through(spec, leaf, BY_NAME["mul_scalar"].name, 1, (("c", 2),), scale=0.5)
    w = data.draw(cotangents(build(spec, impl).output.data.shape), label="cotangent")
    _assert_close("x + x == x * 2", doubled, _leaf_grads(impl, doubled, w), _leaf_grads(impl, scaled, w), w)


@given(data=st.data())
def test_grads_are_linear_in_the_cotangent(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    shape = build(spec, impl).output.data.shape
    v1 = data.draw(cotangents(shape), label="v1")
    v2 = data.draw(cotangents(shape), label="v2")
    a, b = data.draw(st.sampled_from([(2.0, -0.5), (0.25, 3.0), (-1.5, 1.0)]), label="(a, b)")
    combined = _leaf_grads(impl, spec, a * v1 + b * v2)
    separate = [a * g1 + b * g2 for g1, g2 in zip(_leaf_grads(impl, spec, v1), _leaf_grads(impl, spec, v2))]
    _assert_close("linear in the cotangent", spec, combined, separate, np.abs(a * v1) + np.abs(b * v2))
