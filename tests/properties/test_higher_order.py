"""Oracle 5: higher-order gradients (``backward(create_graph=True)``).

With ``s(x) = w . f(x)`` and first gradients ``g = grad s``, differentiating
``u . g`` again gives the Hessian-vector product ``H u``. It must equal the central
difference of the first gradients along ``u``, and ``v . H u == u . H v``.

Each op on images, normalization and layers (rare in random DAGs) is also checked
alone, with the cotangent ``w`` a Variable of the second pass too: ``u . g`` is
then differentiated with respect to ``w`` as well, which must give ``J u`` (the
complex-step directional derivative). That reaches every rule of a double backward,
also those of ops linear in their input (pooling, convolution in ``x``), whose
``H u`` alone is zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME, Op
from strategies.catalogue.ops_nn import NN_OPS
from strategies.graphs.spec import Built, GraphSpec, build
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.oracles.numerics import directional, second_directional, side_by_side
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, double_backward, grads
from strategies.survey.capabilities import capabilities

from ..helpers.gates import skip_unless_offered

pytestmark = pytest.mark.requires("higher_order")

H = 1e-4  # central-difference step, far inside the strategy's margin from kinks


def _twice_differentiable(impl: Implementation) -> tuple[Op, ...]:
    return capabilities(impl).graph_ops_twice


def _first_grads(impl: Implementation, spec: GraphSpec, w: Array, leaves: Sequence[Array]) -> list[Array]:
    built = build(spec, impl, leaves=leaves)
    backward(impl, built.output, w)
    return [np.zeros(x.shape) if g is None else g for g, x in zip(grads(built.leaves), leaves)]


def _hvp(impl: Implementation, spec: GraphSpec, w: Array, u: Sequence[Array]) -> list[Array]:
    """``H u`` on a fresh build of ``spec`` with the cotangent ``w``."""
    return double_backward(impl, build(spec, impl), impl.variable(w.astype(spec.dtype)), u)


def _difference_of_first_grads(
    impl: Implementation, spec: GraphSpec, w: Array, x: list[Array], u: list[Array], h: float
) -> list[Array]:
    """The central difference of the first gradients along ``u`` with step ``h``."""
    plus = _first_grads(impl, spec, w, [a + h * uk for a, uk in zip(x, u)])
    minus = _first_grads(impl, spec, w, [a - h * uk for a, uk in zip(x, u)])
    return [(p - m) / (2 * h) for p, m in zip(plus, minus)]


@given(data=st.data())
def test_double_backward_matches_differences_of_first_grads(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, ops=_twice_differentiable(impl), max_nodes=6)
    x = [a.astype(np.float64) for a in spec.leaf_arrays()]
    w = data.draw(cotangents(build(spec, impl).output.data.shape), label="cotangent w")
    u = [data.draw(cotangents(a.shape), label=f"direction u{k}") for k, a in enumerate(x)]
    hu = _hvp(impl, spec, w, u)
    coarse, fine = _difference_of_first_grads(impl, spec, w, x, u, H), _difference_of_first_grads(impl, spec, w, x, u, H / 2)
    scale = max([1.0] + [float(np.max(np.abs(g))) for g in hu if g.size])
    for k, (got, d_h, d_half) in enumerate(zip(hu, coarse, fine)):
        # Richardson: the step-h^2 errors of the two differences cancel; what is left
        # is far below |d_h - d_half|, the error estimate added to the tolerance.
        expected = (4 * d_half - d_h) / 3
        allowed = 1e-6 * (np.abs(expected) + scale) + np.abs(d_h - d_half)
        assert np.all(np.abs(got - expected) <= allowed), (
            f"[higher order] leaf v{spec.leaves[k]}: double backward H u differs from the central "
            f"difference of first grads along u\n" + side_by_side(got, expected, allowed)
        )


@pytest.mark.parametrize("op_name", [op.name for op in NN_OPS if op.twice])
@given(data=st.data())
def test_each_op_alone_double_backward_matches_differences(
    impl: Implementation, op_name: str, data: st.DataObject
) -> None:
    op = BY_NAME[op_name]
    skip_unless_offered(impl, op)
    spec = draw_graph(data, impl, op=op)
    x = [a.astype(np.float64) for a in spec.leaf_arrays()]
    built = build(spec, impl)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent w")
    u = [data.draw(cotangents(a.shape), label=f"direction u{k}") for k, a in enumerate(x)]

    seed = impl.variable(w.astype(spec.dtype))
    hu = double_backward(impl, built, seed, u)
    hw = grad_array(seed.grad)

    plus = _first_grads(impl, spec, w, [a + H * uk for a, uk in zip(x, u)])
    minus = _first_grads(impl, spec, w, [a - H * uk for a, uk in zip(x, u)])
    ju = directional(spec, u)
    scale = max([1.0, float(np.max(np.abs(ju))) if ju.size else 1.0] + [float(np.max(np.abs(g))) for g in plus + hu if g.size])
    for k, (got, p, m) in enumerate(zip(hu, plus, minus)):
        expected = (p - m) / (2 * H)
        allowed = 1e-5 * (np.abs(expected) + scale)
        assert np.all(np.abs(got - expected) <= allowed), (
            f"[higher order, {op_name} alone] leaf v{spec.leaves[k]}: double backward H u differs from "
            f"the central difference of first grads along u\n" + side_by_side(got, expected, allowed)
        )
    assert hw is not None, f"[higher order, {op_name} alone] the cotangent received no gradient in the second pass"
    allowed = 1e-5 * (np.abs(ju) + scale)
    assert np.all(np.abs(hw - ju) <= allowed), (
        f"[higher order, {op_name} alone] d(u . grad)/dw differs from J u (complex step)\n"
        + side_by_side(hw, ju, allowed)
    )


@given(data=st.data())
def test_hessian_is_symmetric(impl: Implementation, data: st.DataObject) -> None:
    """``v.Hu == u.Hv``, and both equal the second derivative of ``w . y`` along ``u``
    and ``v`` (from the NumPy reference): a double backward that returns zeros, or
    any other symmetric but wrong form, fails."""
    spec = draw_graph(data, impl, ops=_twice_differentiable(impl), max_nodes=6)
    shapes = [a.shape for a in spec.leaf_arrays()]
    w = data.draw(cotangents(build(spec, impl).output.data.shape), label="cotangent w")
    u = [data.draw(cotangents(s), label=f"u{k}") for k, s in enumerate(shapes)]
    v = [data.draw(cotangents(s), label=f"v{k}") for k, s in enumerate(shapes)]
    v_hu_terms = [a * b for a, b in zip(v, _hvp(impl, spec, w, u))]
    u_hv_terms = [a * b for a, b in zip(u, _hvp(impl, spec, w, v))]
    v_hu, u_hv = (sum(float(np.sum(t)) for t in terms) for terms in (v_hu_terms, u_hv_terms))
    allowed = 1e-9 * max(1.0, abs(v_hu), abs(u_hv))
    assert abs(v_hu - u_hv) <= allowed, f"[Hessian symmetry] v.Hu = {v_hu!r} but u.Hv = {u_hv!r}"
    expected = second_directional(spec, w, u, v, H)
    magnitude = sum(float(np.sum(np.abs(t))) for t in v_hu_terms)
    allowed = 1e-6 * (1.0 + abs(expected) + magnitude)
    assert abs(v_hu - expected) <= allowed, (
        f"[Hessian symmetry] v.Hu = u.Hv = {v_hu!r}, but the second derivative of w.y along u and v is "
        f"{expected!r} (difference {abs(v_hu - expected):.3g}, allowed {allowed:.3g})"
    )


@given(data=st.data())
def test_grads_carry_no_graph_without_create_graph(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    built = build(spec, impl)
    backward(impl, built.output, data.draw(cotangents(built.output.data.shape), label="cotangent"))
    for i, leaf in zip(spec.leaves, built.leaves):
        creator = getattr(leaf.grad, "creator", None)
        assert creator is None, f"[create_graph=False] the grad of v{i} has a creator {type(creator).__name__}"


@pytest.mark.requires("operators")
@given(data=st.data())
def test_grads_carry_a_graph_with_create_graph(impl: Implementation, data: st.DataObject) -> None:
    """A first grad that depends on the leaves (``x * x``) has a creator under create_graph."""
    x = impl.variable(data.draw(cotangents((2,)), label="x"))
    y = x * x
    backward(impl, y, np.ones(2), create_graph=True)
    g = x.grad
    assert g is not None and g.creator is not None, "[create_graph=True] d(x*x)/dx has no creator"
    got = grad_array(g)
    assert got is not None and np.allclose(got, 2 * x.data), "[create_graph=True] d(x*x)/dx != 2x"
