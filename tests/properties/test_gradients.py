"""Oracle 1: backward's gradients equal the derivative of the function the graph
computes, for every leaf, under a random cotangent.

The derivative comes from the catalogue's independent NumPy forwards by the
complex step (``strategies.oracles.numerics``), element by element of the output: no
scalarising, so a large output value cannot hide a small wrong partial.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME, CATALOGUE
from strategies.graphs.spec import build
from strategies.implementation.handle import Implementation
from strategies.oracles.numerics import directional, leaf_arrays
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, grads

from ..helpers.gates import DTYPES, skip_unless_offered
from ..helpers.oracles import assert_vjp_matches

pytestmark = pytest.mark.requires("core")


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_gradients_match_complex_step(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, dtype=dtype)
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    assert_vjp_matches(f"{dtype} gradient vs complex step", spec, grads(built.leaves), w)


@given(data=st.data())
def test_random_projection_on_large_graphs(impl: Implementation, data: st.DataObject) -> None:
    """``<grad, u> == v^T J u`` for signed random ``u`` (all leaves) and ``v``: one
    complex evaluation per check, whatever the graph's size."""
    spec = draw_graph(data, impl, max_nodes=40, max_leaves=4)
    built = build(spec, impl)
    v = data.draw(cotangents(built.output.data.shape), label="cotangent v")
    u = [data.draw(cotangents(x.shape), label=f"direction u{k}") for k, x in enumerate(leaf_arrays(spec))]
    backward(impl, built.output, v)
    got_grads = grads(built.leaves)
    for leaf, g in zip(spec.leaves, got_grads):
        assert (g is not None) == (leaf in spec.live), (
            f"[random projection] leaf v{leaf}: {'no gradient' if g is None else 'a gradient'}, though it is "
            f"{'' if leaf in spec.live else 'not '}on a path to the output"
        )
    got = sum(float(np.sum(g * uk)) for g, uk in zip(got_grads, u) if g is not None)
    ju = directional(spec, u)
    expected = float(np.sum(v * ju))
    scale = float(np.sum(np.abs(v * ju))) + sum(
        float(np.sum(np.abs(g * uk))) for g, uk in zip(got_grads, u) if g is not None
    )
    assert abs(got - expected) <= 1e-8 * max(scale, 1.0), (
        f"[random projection] <grad, u> = {got!r} but v^T J u = {expected!r} "
        f"(difference {abs(got - expected):.3g}, allowed {1e-8 * max(scale, 1.0):.3g})"
    )


@pytest.mark.parametrize("op_name", [op.name for op in CATALOGUE])
@given(data=st.data())
def test_each_op_alone_matches_complex_step(impl: Implementation, op_name: str, data: st.DataObject) -> None:
    """Every rule on its own, over its whole parameter range (axes, permutations,
    indices, shapes up to three dimensions): rare in a random DAG, always here."""
    op = BY_NAME[op_name]
    skip_unless_offered(impl, op)
    spec = draw_graph(data, impl, op=op)
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    assert_vjp_matches(f"{op_name} alone vs complex step", spec, grads(built.leaves), w)


@pytest.mark.parametrize("op_name", [op.name for op in CATALOGUE if op.family == "elementwise"])
@given(data=st.data())
def test_each_elementwise_op_alone_in_float32(impl: Implementation, op_name: str, data: st.DataObject) -> None:
    """Each elementwise rule alone in float32, where its derivative must be right to a
    few float32 units in the last place (in random graphs a small error in one rule
    can hide under the rounding of the others)."""
    op = BY_NAME[op_name]
    skip_unless_offered(impl, op)
    spec = draw_graph(data, impl, op=op, dtype="float32")
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    assert_vjp_matches(f"{op_name} alone in float32 vs complex step", spec, grads(built.leaves), w)
