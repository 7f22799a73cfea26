"""The per-element rounding bound of ``strategies.oracles.rounding``: on hand-made graphs
whose bounds can be worked out on paper, and on random float32 graphs, where it
must leave no room to zero a gradient element that is not a cancellation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from strategies.graphs.spec import GraphSpec, Leaf, Node, build
from strategies.implementation.handle import Implementation
from strategies.oracles.rounding import FLOOR, expected_gradients, rounding_bounds
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, grads
from strategies.survey.capabilities import adopt, survey
from tests.helpers.oracles import assert_vjp_matches


def test_rounding_inside_softmax_is_carried_through_the_nodes_before_it() -> None:
    """y = softmax(4 * (2 / x)) with x = (0.21, -0.33): the logits differ by ~62, so
    y = (1, ~1e-27) and softmax's Jacobian is ~1e-27. Its backward computes
    y * (gy - sum(y * gy)): for the first element terms of size |gy| cancel, and
    their rounding error is multiplied by 4 and by |d(2/x)/dx| = 2/x^2 on the way to
    x (a nightly run found this graph: a correct backward was off by twice the old
    composite allowance). For the second element every term carries the factor
    y ~ 1e-27, so its bound stays that small."""
    x = np.array([0.21, -0.33])
    w = np.array([0.625, -0.25])
    spec = GraphSpec(
        steps=(
            Leaf((2,), tuple(x)),
            Node("rdiv_scalar", (0,), (("c", 2.0),)),
            Node("mul_scalar", (1,), (("c", 4.0),)),
            Node("softmax", (2,), (("axis", 0),)),
        ),
        output=3,
    )
    bound = rounding_bounds(spec, w)[0]
    on_paper = np.max(np.abs(w)) * 4.0 * 2.0 / x[0] ** 2
    assert bound[0] >= on_paper * (1 - 1e-12), (bound, on_paper)
    assert bound[1] < 1e-20, bound


def test_a_node_off_the_path_to_the_output_adds_nothing() -> None:
    """y = sin(x); a dead branch cos(x) does not reach y. x is exact (a leaf), so the
    bound is the one rounding of sin's rule, |cos(x)| |w|."""
    x = np.array([0.5, -1.0])
    w = np.array([0.75, -0.5])
    spec = GraphSpec(steps=(Leaf((2,), tuple(x)), Node("cos", (0,)), Node("sin", (0,))), output=2)
    np.testing.assert_allclose(rounding_bounds(spec, w)[0], np.abs(np.cos(x)) * np.abs(w), rtol=1e-12)


def test_copies_are_exact() -> None:
    """y = transpose(reshape(x)): backward only moves the cotangent, so the bound is 0
    and a gradient must be the cotangent itself, moved."""
    spec = GraphSpec(
        steps=(Leaf((2, 3), (0.5, -1.0, 2.0, 0.25, 1.5, -0.75)), Node("reshape", (0,), (("shape", (3, 2)),)),
               Node("T", (1,))),
        output=2,
    )
    np.testing.assert_array_equal(rounding_bounds(spec, np.ones((2, 3)))[0], np.zeros((2, 3)))


def test_a_derivative_that_depends_on_a_rounded_value_inherits_its_error() -> None:
    """y = sin(v), v = 3.25 * x: v is rounded (error |v| units), and sin's derivative
    cos(v) then is off by |sin(v)| |v| units. On the way to x: 3.25 times
    (sin's rounding |w cos v| + that inherited error |w sin v| |v|), plus the
    multiplication's own rounding 3.25 |w cos v|."""
    x = np.array([0.4, -1.2])
    w = np.array([0.5, 1.25])
    spec = GraphSpec(steps=(Leaf((2,), tuple(x)), Node("mul_scalar", (0,), (("c", 3.25),)), Node("sin", (1,))),
                     output=2)
    v = 3.25 * x
    on_paper = 3.25 * (np.abs(w * np.cos(v)) + np.abs(w * np.sin(v)) * np.abs(v)) + 3.25 * np.abs(w * np.cos(v))
    np.testing.assert_allclose(rounding_bounds(spec, w)[0], on_paper, rtol=1e-6)


def test_a_rule_that_cancels_is_bounded_by_its_terms() -> None:
    """y = tanh(x): backward computes gy * (1 - y*y), whose terms are of size 1 even
    where 1 - y*y is small: |w| (1 - y^2) for the product, plus |w| for the
    difference (Op.cancellation)."""
    x = np.array([2.5, -0.1])
    w = np.array([1.5, -0.5])
    spec = GraphSpec(steps=(Leaf((2,), tuple(x)), Node("tanh", (0,))), output=1)
    y = np.tanh(x)
    np.testing.assert_allclose(rounding_bounds(spec, w)[0], np.abs(w) * (1 - y * y) + np.abs(w), rtol=1e-9)


def test_a_cotangent_of_another_shape_is_a_value_error() -> None:
    spec = GraphSpec(steps=(Leaf((2,), (0.5, -1.0)), Node("sin", (0,))), output=1)
    with pytest.raises(ValueError, match=r"cotangent has shape \(3,\), the output \(2,\)"):
        rounding_bounds(spec, np.ones(3))


# A gradient element whose exact value is below this fraction of its bound M (the
# sum of the magnitudes flowing into it) is a cancellation: the terms summed into
# it nearly cancel, and float32 cannot be asked to tell it from 0.
CANCELLATION = 1e-3
DAGS = 300


def test_zeroing_a_gradient_element_fails_the_float32_oracle_unless_it_is_a_cancellation() -> None:
    """In 300 random float32 graphs over every op of the reference (as the self-test
    draws them), zeroing a single nonzero leaf-gradient element makes the gradient
    oracle fail, except for the few elements whose terms cancel: their exact value
    is below CANCELLATION of their bound. (With the old rule, ``atol * max(1, S)``
    for S the largest gradient anywhere, 80 of 1,771 nonzero elements could be
    zeroed, elements of any size next to a large gradient elsewhere.)"""
    impl = Implementation.load("dezero")
    adopt(impl, survey(impl, screen_ops=False))
    counts = {"nonzero": 0, "caught": 0, "cancellations": 0}

    @settings(max_examples=DAGS, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def zero_each_element(data: st.DataObject) -> None:
        spec = draw_graph(data, impl, dtype="float32")
        built = build(spec, impl)
        w = data.draw(cotangents(built.output.data.shape), label="cotangent")
        backward(impl, built.output, w)
        got = grads(built.leaves)
        bounds = rounding_bounds(spec, w)
        caught: list[tuple[int, tuple[int, ...]]] = []
        for k, (leaf, (expected, allowed)) in enumerate(zip(spec.leaves, expected_gradients(spec, w))):
            if leaf not in spec.live:
                continue
            for index in np.ndindex(*expected.shape):
                if abs(expected[index]) <= max(FLOOR, 1e-12 * bounds[leaf][index]):
                    continue  # a zero (up to the complex step), or below float32's normal numbers
                counts["nonzero"] += 1
                if abs(expected[index]) > allowed[index]:
                    counts["caught"] += 1
                    caught.append((k, index))
                else:
                    assert abs(expected[index]) < CANCELLATION * bounds[leaf][index], (spec, leaf, index)
                    counts["cancellations"] += 1
        if caught:  # the oracle itself, end to end, on one zeroed element
            k, index = caught[0]
            zeroed = [None if g is None else g.copy() for g in got]
            target = zeroed[k]
            assert target is not None
            target[index] = 0
            with pytest.raises(AssertionError, match="differs from the complex-step"):
                assert_vjp_matches("zeroed", spec, zeroed, w)

    zero_each_element()
    assert counts["nonzero"] >= 800, counts
    assert counts["cancellations"] <= 0.02 * counts["nonzero"], counts
