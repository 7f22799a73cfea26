"""The tolerance helpers of ``strategies.numerics`` on hand-made graphs whose
magnitudes can be worked out on paper."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.graph import GraphSpec, Leaf, Node
from strategies.numerics import backprop_magnitudes, jacobians, vjp


def test_rounding_inside_softmax_is_carried_through_the_nodes_before_it() -> None:
    """y = softmax(4 * (2 / x)) with x = (0.21, -0.33): the logits differ by ~62, so
    softmax's Jacobian is ~1e-27 and so is the composite |J|^T |w|; but softmax's
    backward computes terms of size |w| before they cancel, and their rounding
    error is multiplied by 4 and by |d(2/x)/dx| = 2/x^2 on the way to x. (A nightly
    run found this shape of graph: a correct backward was off by twice the
    composite allowance.)"""
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
    (magnitude,) = backprop_magnitudes(spec, w)
    (composite,) = (vjp(jac, w)[1] for jac in jacobians(spec))
    on_paper = np.max(np.abs(w)) * 4.0 * 2.0 / x**2
    assert np.all(composite < 1e-20)
    assert np.all(magnitude >= on_paper), (magnitude, on_paper)
    assert np.all(magnitude >= composite)


def test_a_node_off_the_path_to_the_output_adds_nothing() -> None:
    """y = sin(x); a dead branch cos(x) does not reach y: x's magnitude is the
    |cos(x)| |w| of the live path plus what sin's rule is allowed (max |w|)."""
    x = np.array([0.5, -1.0])
    w = np.array([0.75, -0.5])
    spec = GraphSpec(
        steps=(Leaf((2,), tuple(x)), Node("cos", (0,)), Node("sin", (0,))),
        output=2,
    )
    (magnitude,) = backprop_magnitudes(spec, w)
    np.testing.assert_allclose(magnitude, np.abs(np.cos(x)) * np.abs(w) + np.max(np.abs(w)), rtol=1e-12)


def test_a_cotangent_of_another_shape_is_a_value_error() -> None:
    spec = GraphSpec(steps=(Leaf((2,), (0.5, -1.0)), Node("sin", (0,))), output=1)
    with pytest.raises(ValueError, match=r"cotangent has shape \(3,\), the output \(2,\)"):
        backprop_magnitudes(spec, np.ones(3))
