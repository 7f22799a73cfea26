"""Kinks and ties: gradients where a function has one-sided derivatives only.

At a kink of a piecewise-linear op its backward must choose. Every element of the
generalized (Clarke) gradient is a valid choice, and nothing else: for these ops,
a convex combination of the one-sided derivatives.

- ``max``/``min`` over tied extremes, max pooling over a window of tied maxima:
  the upstream gradient of each output element is shared among its tied extremes
  with non-negative weights that sum to it; every other element gets 0. The first
  index, an equal split, any other split pass; every tied element getting all of
  it (the book's ``max``) fails.
- ``relu``, ``leaky_relu``, ``abs`` at 0, ``clip`` at either bound: the derivative lies between the one-sided derivatives of the
  reference forward (``relu'(0)`` in [0, 1], ``leaky_relu'(0)`` in [slope, 1],
  ``abs'(0)`` in [-1, 1], ``clip`` at a bound in [0, 1]).
- NaN and inf fail everywhere.

In random graphs at kinks (:func:`strategies.graphs.kinks.kinked_graphs`: leaves on a
coarse grid, the piecewise-linear ops on their kinks, ties of copies of one value
made on purpose) every gradient is finite, and where the kinks allow a sharper
question:

- when every tie is between equal functions of the leaves (copies of one value;
  ``relu(v - v)``), the graph is differentiable there and every valid choice gives
  its gradient: the complex-step oracle applies;
- when exactly one kink is broken by moving the leaves along ``d``, ``<grad, d>``
  lies between the one-sided derivatives along ``d`` (from the reference forward);
- with two such kinks or more, a composition of valid choices need not lie in the
  generalized gradient of the composition (``relu(x) - relu(-x)`` at 0 gives
  ``2 relu'(0)``, not 1), so only finiteness is asked; likewise when a value is
  near a kink but not on it (rounding decides the side).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from strategies.graphs.spec import GraphSpec, Node, build
from strategies.implementation.handle import Implementation
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, grads
from strategies.survey.capabilities import capabilities
from strategies.graphs.kinks import (
    KINKED,
    SELECTING,
    accidental_kinks,
    at_kinks,
    groups_of_output,
    kinked_graphs,
    kinks,
    one_sided_derivatives,
)
from strategies.catalogue.ops import BY_NAME
from strategies.implementation.protocols import Array

from ..helpers.gates import skip_unless_offered
from ..helpers.oracles import assert_vjp_matches

pytestmark = pytest.mark.requires("core")

# One-sided derivatives of one op: a difference over this step, far below the
# distance between kinks of strategies.graphs.kinks.VALUES (0.5).
SIDE_STEP = 1e-3
# Moves of the leaves in random graphs: far below strategies.graphs.kinks.NEAR.
MOVE = 1e-8
ULPS = 8


def _assert_finite(oracle: str, spec: GraphSpec, got: list[Array | None]) -> None:
    for leaf, g in zip(spec.leaves, got):
        if g is not None and not np.all(np.isfinite(g)):
            raise AssertionError(f"[{oracle}] leaf v{leaf}: the gradient is not finite at a kink: {g!r}")


def _assert_between_one_sided(oracle: str, spec: GraphSpec, g: Array, w: Array) -> None:
    """Elementwise ops: ``g / w`` between the one-sided derivatives, element by element."""
    x = spec.leaf_arrays()[0].astype(np.float64)
    node = spec.steps[1]
    assert isinstance(node, Node)

    def f(a: Array) -> Array:
        return node.spec.reference([a], dict(node.params))[0]

    right, left = (f(x + SIDE_STEP) - f(x)) / SIDE_STEP, (f(x) - f(x - SIDE_STEP)) / SIDE_STEP
    low, high = np.minimum(left, right), np.maximum(left, right)
    least, most = np.where(w > 0, w * low, w * high), np.where(w > 0, w * high, w * low)
    slack = ULPS * np.finfo(spec.dtype).eps * np.abs(w) * np.maximum(1.0, np.abs(high)) + 1e-9 * np.abs(w)
    bad = (g < least - slack) | (g > most + slack)
    if np.any(bad):
        rows = [f"{'index':>12} {'x':>6} {'backprop':>14} {'allowed from':>14} {'to':>14}"]
        for index in map(tuple, np.argwhere(bad)):
            rows.append(f"{str(tuple(int(i) for i in index)):>12} {x[index]:6.2f} {g[index]:14.6g} "
                        f"{least[index]:14.6g} {most[index]:14.6g}")
        raise AssertionError(
            f"[{oracle}] the gradient is not between the one-sided derivatives times the cotangent\n" + "\n".join(rows)
        )


def _assert_shared_among_ties(oracle: str, spec: GraphSpec, g: Array, w: Array) -> None:
    """Selecting ops: each output's cotangent shared among its tied extremes (weights
    >= 0, summing to 1); every other input element gets 0."""
    x = spec.leaf_arrays()[0].astype(np.float64).reshape(-1)
    node = spec.steps[1]
    assert isinstance(node, Node)
    flat, cot = g.astype(np.float64).reshape(-1), w.reshape(-1)
    eps = np.finfo(spec.dtype).eps
    picked = np.zeros(x.size, dtype=bool)
    for o, members in enumerate(groups_of_output(spec)):
        members = members[members >= 0]
        values = x[members]
        extreme = values.min() if node.op == "min" else values.max()
        tied = members[values == extreme]
        picked[tied] = True
        slack = ULPS * eps * abs(cot[o]) * (len(tied) + 1)
        shares = flat[tied]
        total = float(np.sum(shares))
        where = f"output element {o} (cotangent {cot[o]!r}) picks from inputs {members.tolist()} = {values.tolist()}"
        if np.any(shares * np.sign(cot[o]) < -slack) or abs(total - cot[o]) > slack:
            whole = len(tied) > 1 and bool(np.all(np.abs(shares - cot[o]) <= slack))
            raise AssertionError(
                f"[{oracle}] {where}: its tied extremes {tied.tolist()} get {shares.tolist()}, which should be "
                f"shares of {cot[o]!r} (non-negative weights summing to 1), but "
                + ("every tied extreme got all of it" if whole else f"they sum to {total!r}")
            )
    others = ~picked & (np.abs(flat) > 0)
    if np.any(others):
        index = np.nonzero(others)[0]
        raise AssertionError(
            f"[{oracle}] inputs {index.tolist()} are no output's extreme, yet get gradients {flat[index].tolist()}"
        )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op_name", KINKED)
@given(data=st.data())
def test_each_op_at_its_kinks_lies_in_the_generalized_gradient(
    impl: Implementation, op_name: str, dtype: str, data: st.DataObject
) -> None:
    skip_unless_offered(impl, BY_NAME[op_name])
    spec = draw_graph(data, impl, strategy=at_kinks(op_name, dtype))
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    (g,) = grads(built.leaves)
    oracle = f"{op_name} at its kinks"
    assert g is not None, f"[{oracle}] the leaf received no gradient (grad is None)"
    x_shape = spec.leaf_arrays()[0].shape
    assert g.shape == x_shape, f"[{oracle}] gradient of shape {g.shape}, expected {x_shape}"
    _assert_finite(oracle, spec, [g])
    if op_name in SELECTING:
        _assert_shared_among_ties(oracle, spec, g, w)
    else:
        _assert_between_one_sided(oracle, spec, g, w)


@given(data=st.data())
def test_gradients_at_kinks_in_random_graphs(impl: Implementation, data: st.DataObject) -> None:
    caps = capabilities(impl)
    if not any(op.name in KINKED for op in caps.graph_ops):
        pytest.skip("not applicable: random graphs have no piecewise-linear op (max, min, relu, ...)")
    spec = draw_graph(data, impl, strategy=kinked_graphs(caps.graph_ops, broadcasting=caps.broadcasting))
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w)
    got = grads(built.leaves)
    _assert_finite("kinks in graphs", spec, got)
    census = kinks(spec)
    if census.near:
        event("kinks: a value near a kink (finiteness only)")
        return
    accidental = accidental_kinks(spec, MOVE)
    if not accidental:
        event("kinks: only ties of equal functions" if census.kinks else "kinks: none")
        assert_vjp_matches("kinks in graphs: ties of equal functions", spec, got, w)
        return
    if len(accidental) > 1:
        event("kinks: several (finiteness only)")
        return
    event("kinks: one, checked along d")
    d = [data.draw(cotangents(x.shape), label=f"direction d{k}") for k, x in enumerate(spec.leaf_arrays())]
    right, left = one_sided_derivatives(spec, w, d, MOVE)
    terms = [g.astype(np.float64) * dk for g, dk in zip(got, d) if g is not None]
    along = sum(float(np.sum(t)) for t in terms)
    slack = 1e-7 * (1.0 + abs(right) + abs(left) + sum(float(np.sum(np.abs(t))) for t in terms))
    assert min(left, right) - slack <= along <= max(left, right) + slack, (
        f"[kinks in graphs: one kink] <grad, d> = {along!r} is not between the one-sided derivatives along d, "
        f"{left!r} (from below) and {right!r} (from above); the kink: {sorted(accidental)}"
    )
