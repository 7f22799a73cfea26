"""The properties that cross the wire: graphs sent as requests of the driver
protocol (``docs/driver-protocol.md``) to a port in any language, judged by the
suite's own oracles.

They run on a port (``--port CMD``), and on a Python DeZero in process with
``--requests-in-process`` (the protocol's conformance test compares the two); a
Python DeZero's default check runs their in-process counterparts instead
(test_forward, test_gradients, test_higher_order, test_schedule).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.graphs.spec import GraphSpec, Leaf, Node, evaluate
from strategies.oracles.numerics import hessian_vector, side_by_side, value_vjp
from strategies.oracles.rounding import expected_gradients
from strategies.ports.protocol import WIRE_OPS, PortError, Request
from strategies.ports.runner import Runner
from strategies.survey.backprop import cotangents

from ..helpers.requests import answered, assert_dtypes, culprit, port_graph

RTOL = {"float64": 1e-9, "float32": 1e-4}
DTYPES = ["float64", "float32"]


@pytest.mark.requires("forward")
@given(data=st.data())
def test_numbers_cross_the_wire_bit_for_bit(runner: Runner, data: st.DataObject) -> None:
    """A leaf comes back exactly: every float64, -0.0, subnormals, NaN, infinities."""
    edges = st.sampled_from([-0.0, math.nan, math.inf, -math.inf, 5e-324, -2.2250738585072014e-308,
                             1.7976931348623157e308, 0.1, 1 / 3])
    x = data.draw(npst.arrays(np.float64, npst.array_shapes(min_dims=0, max_dims=2, max_side=4),
                              elements=edges | st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)),
                  label="leaf")
    if x.ndim > runner.capabilities.max_rank:
        pytest.skip("not applicable: the port's rank is lower")
    spec = GraphSpec((Leaf(x.shape, tuple(float(v) for v in x.ravel())),), 0, "float64", frozenset())
    got = answered(runner, Request(spec, leaves=[x]), "numbers").values[0]
    assert got.shape == x.shape and got.dtype == np.float64, (
        f"[numbers] sent a float64 array of shape {x.shape}, got {got.dtype} of shape {got.shape}")
    sent, back = x.ravel().view(np.uint64), got.ravel().view(np.uint64)
    for k in range(x.size):
        same = sent[k] == back[k] or (math.isnan(x.flat[k]) and math.isnan(got.flat[k]))
        assert same, f"[numbers] element {k}: sent {x.flat[k]!r}, got back {got.flat[k]!r}"


@pytest.mark.requires("forward")
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_request_values_match_numpy(runner: Runner, dtype: str, data: st.DataObject) -> None:
    spec = port_graph(data, runner, dtype=dtype)
    values = answered(runner, Request(spec), "forward").values
    assert_dtypes("forward", spec, values, "values")
    for i, (got, expected) in enumerate(zip(values, evaluate(spec))):
        allowed = RTOL[dtype] * (np.abs(expected) + 1.0)
        assert got.shape == expected.shape, f"[forward] v{i} has shape {got.shape}, NumPy's {expected.shape}"
        assert np.all(np.abs(got - expected) <= allowed), (
            f"[forward] v{i} differs from NumPy\n" + side_by_side(got, expected, allowed))


def _assert_gradients(runner: Runner, spec: GraphSpec, w: np.ndarray, oracle: str) -> None:
    answer = answered(runner, Request(spec, seed=w), oracle)
    grads = answer.leaf_grads(spec)
    assert_dtypes(oracle, spec, grads, "leaf grads")
    for leaf, (expected, allowed), grad in zip(spec.leaves, expected_gradients(spec, w), grads):
        if leaf not in spec.live:
            assert grad is None or not np.any(grad), (
                f"[{oracle}] leaf v{leaf} is not on a path to the output, yet received a gradient")
            continue
        wrong = grad is None or grad.shape != expected.shape or not np.all(
            np.abs(grad.astype(np.float64) - expected) <= allowed)
        if wrong:
            found = "no gradient" if grad is None else (
                f"a gradient of shape {grad.shape}, expected {expected.shape}" if grad.shape != expected.shape
                else "a gradient that differs from the complex-step J^T w\n" + side_by_side(grad, expected, allowed))
            raise AssertionError(f"[{oracle}] leaf v{leaf}: {found}\n"
                                 + culprit(runner, spec, answer.values, w))


@pytest.mark.requires("core")
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_request_gradients_match_complex_step(runner: Runner, dtype: str, data: st.DataObject) -> None:
    spec = port_graph(data, runner, dtype=dtype)
    w = data.draw(cotangents(evaluate(spec)[spec.output].shape), label="cotangent")
    _assert_gradients(runner, spec, w, f"{dtype} gradient vs complex step")


@pytest.mark.requires("core")
@pytest.mark.parametrize("op_name", list(WIRE_OPS))
@given(data=st.data())
def test_request_op_alone_matches_complex_step(runner: Runner, op_name: str, data: st.DataObject) -> None:
    spec = port_graph(data, runner, op=op_name)
    w = data.draw(cotangents(evaluate(spec)[spec.output].shape), label="cotangent")
    _assert_gradients(runner, spec, w, f"{op_name} alone vs complex step")


@pytest.mark.requires("higher_order")
@given(data=st.data())
def test_request_double_backward_matches_hessian_vector(runner: Runner, data: st.DataObject) -> None:
    """``H u`` from the port's second backward equals central differences of the
    complex-step gradients."""
    caps = runner.capabilities
    if not caps.higher_order:
        pytest.skip("not applicable: the port does not declare higher_order")
    spec = port_graph(data, runner, max_nodes=6)
    w = data.draw(cotangents(evaluate(spec)[spec.output].shape), label="cotangent w")
    u = [data.draw(cotangents(x.shape), label=f"direction u{k}") for k, x in enumerate(spec.leaf_arrays())]
    answer = answered(runner, Request(spec, seed=w, create_graph=True, direction=u), "higher order")
    assert answer.second is not None
    expected = hessian_vector(spec, w, u)
    scale = max([1.0] + [float(np.max(np.abs(h))) for h in expected if h.size])
    for leaf, got, hu in zip(spec.leaves, answer.second, expected):
        got = np.zeros_like(hu) if got is None else got
        allowed = 1e-6 * (np.abs(hu) + scale)
        assert got.shape == hu.shape and np.all(np.abs(got - hu) <= allowed), (
            f"[higher order] leaf v{leaf}: the second backward's H u differs from central differences of the "
            "complex-step gradients\n" + side_by_side(got, hu, allowed))


@pytest.mark.requires("generations")
@given(data=st.data())
def test_request_runs_each_backward_once(runner: Runner, data: st.DataObject) -> None:
    """Every node on a path to the output runs backward exactly once, the others
    never (the book's generations, step 16)."""
    caps = runner.capabilities
    if not caps.backward_calls:
        pytest.skip("not applicable: the port does not declare backward_calls")
    spec = port_graph(data, runner, max_nodes=12)
    w = data.draw(cotangents(evaluate(spec)[spec.output].shape), label="cotangent")
    answer = answered(runner, Request(spec, seed=w), "schedule")
    assert answer.backward_calls is not None, "[schedule] the port declared backward_calls but sent none"
    for i, step in enumerate(spec.steps):
        if isinstance(step, Node):
            runs, wanted = answer.backward_calls[i], 1 if i in spec.live else 0
            assert runs == wanted, (f"[schedule] {step.op} (v{i}) ran backward {runs} times, expected "
                                    f"{'once' if wanted else 'never (it is not on a path to the output)'}")


@pytest.mark.requires("memory")
@pytest.mark.parametrize("retain", [False, True], ids=["freed", "retained"])
@given(data=st.data())
def test_request_intermediate_grads_follow_retain_grad(runner: Runner, retain: bool, data: st.DataObject) -> None:
    """Without ``retain_grad`` no intermediate value keeps a gradient (step 18);
    with it, each on a path to the output holds its own ``d(w . y) / dv``."""
    caps = runner.capabilities
    if not caps.retain_grad:
        pytest.skip("not applicable: the port does not declare retain_grad")
    spec = port_graph(data, runner, max_nodes=6)
    w = data.draw(cotangents(evaluate(spec)[spec.output].shape), label="cotangent")
    grads = answered(runner, Request(spec, seed=w, retain_grad=retain), "retain_grad").grads
    for i, step in enumerate(spec.steps):
        if isinstance(step, Leaf):
            continue
        if not retain:
            assert grads[i] is None, f"[retain_grad] v{i} ({step.op}) kept a gradient without retain_grad"
        elif i in spec.live:
            expected, magnitude = value_vjp(spec, w, i)
            got = grads[i]
            assert got is not None, f"[retain_grad] v{i} ({step.op}) has no gradient with retain_grad"
            allowed = 1e-9 * (magnitude + 1.0) if spec.dtype == "float64" else 1e-4 * (magnitude + 1.0)
            assert got.shape == expected.shape and np.all(np.abs(got - expected) <= allowed), (
                f"[retain_grad] v{i} ({step.op}): its retained gradient differs from d(w . y)/dv{i}\n"
                + side_by_side(got, expected, allowed))


@pytest.mark.requires("tensors")
@given(data=st.data())
def test_request_incompatible_shapes_are_an_error(runner: Runner, data: st.DataObject) -> None:
    """Operands NumPy cannot broadcast make the port raise, never a value."""
    caps = runner.capabilities
    if not (caps.broadcast and caps.offers("add")):
        pytest.skip("not applicable: the port declares no broadcasting add")
    n = data.draw(st.integers(2, 4), label="n")
    m = data.draw(st.integers(2, 4).filter(lambda k: k != n), label="m")
    spec = GraphSpec((Leaf((n,), (1.0,) * n), Leaf((m,), (2.0,) * m), Node("add", (0, 1), ())), 2, "float64",
                     frozenset())
    found = runner.run(Request(spec))
    assert isinstance(found, PortError), (
        f"[bad input] adding shapes ({n},) and ({m},) gave a value of shape {found.values[2].shape}, not an error")
