"""Large magnitudes: exp-based ops stay finite and accurate wherever the
mathematics is finite.

``softmax``, ``log_softmax``, ``softmax_cross_entropy``, ``sigmoid``,
``sigmoid_cross_entropy``, ``tanh``, ``exp`` (and ``utils.logsumexp`` on arrays,
where offered) get inputs of magnitude up to 1000 in float64, past the 709 where
``exp`` overflows, and up to 2**100 in float32 (far past its 88, yet far inside its
range, so that the difference of two inputs and the sum of a few stay finite).
Inputs cluster around a large centre with small offsets (softmax over values that
all overflow ``exp``) or spread far apart (softmax that underflows).

The expected values and gradients are the closed forms, evaluated here in long
double from the inputs as given (already rounded to the dtype), in their stable
forms (shifted by the maximum, ``softplus(x) = max(x, 0) + log1p(exp(-|x|))``), so
they are finite exactly where the mathematics is. ``exp`` is drawn only where its
value, and its gradient under the cotangent, are below the dtype's largest number:
``exp(1000)`` overflows legitimately; ``softmax`` never does.

Tolerance: each element may err by a few (``ULPS``) epsilons of the dtype times the
magnitudes of what an implementation must compute on the way, which for the
shift-by-maximum forms includes the shifted input ``|x - max|`` (its rounding,
amplified by ``exp``) and, for values that cancel (``log_softmax = x - logsumexp``,
``softplus(x) - t x``), the terms that cancel. Every correct formulation passes;
a formula that overflows (softmax without the shift, ``log(1 + exp(x))``) or
underflows to ``log(0)`` gives inf or NaN, and one that clips gives a wrong value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.catalogue.ops import BY_NAME
from strategies.implementation.handle import Implementation, ImplementationError
from strategies.implementation.namespace import Functions
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.survey.backprop import backward, cotangents

from ..helpers.gates import skip_unless_offered

pytestmark = pytest.mark.requires("core")

Long = np.longdouble
ULPS = 16
# The largest input magnitude, and the magnitudes the inputs cluster around.
BOUND = {"float64": 1000.0, "float32": 2.0**100}
MAGNITUDES = {
    "float64": (0.0, 1.0, 30.0, 300.0, 700.0, 709.0, 710.0, 745.0, 800.0, 1000.0),
    "float32": (0.0, 1.0, 30.0, 87.0, 88.5, 89.0, 104.0, 1000.0, 1e10, 2.0**100),
}


def _eps(dtype: str) -> float:
    return float(np.finfo(dtype).eps)


def _tiny(dtype: str) -> float:
    return float(np.finfo(dtype).tiny)


# --------------------------------------------------------------------- inputs


def _signed(magnitudes: tuple[float, ...]) -> st.SearchStrategy[float]:
    return st.tuples(st.booleans(), st.sampled_from(magnitudes)).map(lambda p: -p[1] if p[0] else p[1])


# A centre, and offsets from it: small ones, or any of the magnitudes.
CENTRES = {dtype: _signed(magnitudes) for dtype, magnitudes in MAGNITUDES.items()}
OFFSETS = {
    dtype: st.one_of(st.integers(-400, 400).map(lambda c: c / 100), centres) for dtype, centres in CENTRES.items()
}


def large_arrays(shape: tuple[int, ...], dtype: str, high: float | None = None) -> st.SearchStrategy[Array]:
    """Arrays of ``dtype`` around a large centre: each element the centre plus a small
    offset (at most 4) or a large one (a magnitude of :data:`MAGNITUDES`), clipped to
    ``[-BOUND, high]``."""
    low, top = -BOUND[dtype], BOUND[dtype] if high is None else high
    size = int(np.prod(shape))

    def around(centre_offsets: tuple[float, list[float]]) -> Array:
        centre, offsets = centre_offsets
        values = np.clip(centre + np.array(offsets, dtype=np.float64), low, top)
        return values.reshape(shape).astype(dtype)

    return st.tuples(CENTRES[dtype], st.lists(OFFSETS[dtype], min_size=size, max_size=size)).map(around)


def _shape(data: st.DataObject, min_dims: int, max_dims: int) -> tuple[int, ...]:
    shape: tuple[int, ...] = data.draw(
        npst.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4), label="shape"
    )
    return shape


# --------------------------------------------------------------------- the oracle


def assert_close(what: str, got: Array | None, expected: Array, allowed: Array) -> None:
    """``got`` has ``expected``'s shape and lies within ``allowed`` of it everywhere
    (so it is finite wherever ``expected`` is)."""
    if got is None:
        raise AssertionError(f"[large magnitudes] {what}: no gradient (None)")
    if got.shape != expected.shape:
        raise AssertionError(f"[large magnitudes] {what}: shape {got.shape}, expected {expected.shape}")
    error = np.abs(np.asarray(got, dtype=Long) - expected)
    bad = ~(error <= allowed)  # NaN counts as bad
    if not np.any(bad):
        return
    rows = [f"{'index':>12} {'got':>24} {'expected':>24} {'allowed':>10}"]
    for index in [tuple(int(i) for i in ix) for ix in np.argwhere(bad)[:8]] if got.ndim else [()]:
        rows.append(f"{str(index):>12} {float(got[index])!r:>24} {float(expected[index])!r:>24} "
                    f"{float(allowed[index]):10.3g}")
    finite = "not finite, " if not np.all(np.isfinite(np.asarray(got)[bad])) else ""
    raise AssertionError(
        f"[large magnitudes] {what}: {finite}{int(np.count_nonzero(bad))} of {got.size} elements off\n"
        + "\n".join(rows)
    )


def _run(
    impl: Implementation, call: Callable[[VariableLike], VariableLike], x: Array, expected_shape: tuple[int, ...],
    data: st.DataObject,
) -> tuple[Array, Array | None, Array]:
    """``call(x)``, then backward under a random cotangent: the value, the gradient
    of ``x`` and the cotangent."""
    xv = impl.variable(x.copy())
    with np.errstate(all="ignore"):  # overflow is judged by the values, not warned about
        y = call(xv)
        value = np.asarray(y.data)
        if value.shape != expected_shape:
            raise AssertionError(f"[large magnitudes] the value has shape {value.shape}, expected {expected_shape}")
        w = data.draw(cotangents(expected_shape), label="cotangent")
        backward(impl, y, w)
    return value, grad_array(xv.grad), w


# --------------------------------------------------------------------- exact forms


def _shifted(x: Array, axis: int) -> tuple[Array, Array, Array]:
    """For the softmax family along ``axis``, in long double: the shifted input
    ``z = x - max``, ``softmax(x)`` and ``log(sum(exp(z)))``."""
    xl = x.astype(Long)
    z = xl - np.max(xl, axis=axis, keepdims=True)
    e = np.exp(z)
    s = np.sum(e, axis=axis, keepdims=True)
    return z, e / s, np.log(s)


def _sigmoid(x: Array) -> Array:
    xl = x.astype(Long)
    e = np.exp(-np.abs(xl))
    return np.asarray(np.where(xl >= 0, 1 / (1 + e), e / (1 + e)))


def _softplus(x: Array) -> Array:
    xl = x.astype(Long)
    return np.asarray(np.maximum(xl, 0) + np.log1p(np.exp(-np.abs(xl))))


# --------------------------------------------------------------------- the cases


def _softmax_family(impl: Implementation, name: str, dtype: str, data: st.DataObject) -> None:
    shape = _shape(data, 1, 3)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    x = data.draw(large_arrays(shape, dtype), label="x")
    f = getattr(Functions(impl), name)
    value, grad, w = _run(impl, lambda v: f(v, axis=axis), x, shape, data)
    z, p, log_s = _shifted(x, axis)
    eps, tiny, n = _eps(dtype), _tiny(dtype), shape[axis]
    xl, wl = x.astype(Long), w.astype(Long)
    top = np.max(np.abs(xl), axis=axis, keepdims=True)
    # The relative error of each probability: the rounding of x - max (or of
    # x - logsumexp, as exp(log_softmax) computes it), amplified by exp, and the sum's.
    spread = n + np.abs(z) + top
    if name == "softmax":
        assert_close(f"{dtype} softmax value", value, p, ULPS * eps * spread * p + tiny)
        pw = np.sum(p * wl, axis=axis, keepdims=True)
        weighted = np.sum(p * np.abs(wl) * spread, axis=axis, keepdims=True)
        allowed = ULPS * eps * p * (spread * (np.abs(wl) + np.sum(p * np.abs(wl), axis=axis, keepdims=True)) + weighted)
        assert_close(f"{dtype} softmax gradient", grad, p * (wl - pw), allowed + tiny)
    else:
        assert_close(f"{dtype} log_softmax value", value, z - log_s,
                     ULPS * eps * (np.abs(xl) + top + np.abs(z - log_s) + n))
        total = np.sum(wl, axis=axis, keepdims=True)
        allowed = ULPS * eps * (np.abs(wl) + p * spread * np.sum(np.abs(wl), axis=axis, keepdims=True))
        assert_close(f"{dtype} log_softmax gradient", grad, wl - p * total, allowed + tiny)


def _softmax_cross_entropy(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    n, classes = data.draw(st.integers(1, 3), label="N"), data.draw(st.integers(1, 4), label="C")
    x = data.draw(large_arrays((n, classes), dtype), label="scores")
    labels = np.array(data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n), label="labels"))
    value, grad, w = _run(impl, lambda v: Functions(impl).softmax_cross_entropy(v, labels), x, (), data)
    z, p, log_s = _shifted(x, 1)
    rows = np.arange(n)
    xl = x.astype(Long)
    eps, tiny = _eps(dtype), _tiny(dtype)
    loss = -np.sum((z - log_s)[rows, labels]) / n
    magnitude = np.sum(np.max(np.abs(xl), axis=1) + np.abs(xl[rows, labels]) + log_s[:, 0] + classes) / n
    assert_close(f"{dtype} softmax_cross_entropy value", value, np.asarray(loss), np.asarray(ULPS * eps * magnitude))
    one_hot = np.eye(classes, dtype=Long)[labels]
    wl = Long(w.item())
    spread = classes + np.abs(z) + np.max(np.abs(xl), axis=1, keepdims=True)
    allowed = ULPS * eps * np.abs(wl) / n * (p * spread + one_hot) + tiny
    assert_close(f"{dtype} softmax_cross_entropy gradient", grad, (p - one_hot) * wl / n, allowed)


def _sigmoid_cross_entropy(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    shape = _shape(data, 1, 2)
    x = data.draw(large_arrays(shape, dtype), label="logits")
    quarters = st.integers(0, 4).map(lambda k: k / 4)
    t = data.draw(npst.arrays(np.float64, shape, elements=quarters), label="targets").astype(dtype)
    value, grad, w = _run(impl, lambda v: Functions(impl).sigmoid_cross_entropy(v, t), x, (), data)
    xl, tl, batch = x.astype(Long), t.astype(Long), shape[0]
    eps, tiny = _eps(dtype), _tiny(dtype)
    loss = np.sum(_softplus(x) - tl * xl) / batch
    magnitude = np.sum(_softplus(x) + np.abs(tl * xl) + 1) / batch
    assert_close(f"{dtype} sigmoid_cross_entropy value", value, np.asarray(loss),
                 np.asarray(ULPS * x.size * eps * magnitude))
    wl = Long(w.item())
    allowed = ULPS * eps * np.abs(wl) / batch * (1 + tl) + tiny
    assert_close(f"{dtype} sigmoid_cross_entropy gradient", grad, (_sigmoid(x) - tl) * wl / batch, allowed)


def _elementwise(impl: Implementation, name: str, dtype: str, data: st.DataObject) -> None:
    shape = _shape(data, 0, 2)
    # exp only where its value and gradient (|cotangent| <= 2) stay below the largest number.
    high = float(np.log(np.finfo(dtype).max)) - 1 if name == "exp" else None
    x = data.draw(large_arrays(shape, dtype, high), label="x")
    value, grad, w = _run(impl, getattr(Functions(impl), name), x, shape, data)
    xl, wl = x.astype(Long), w.astype(Long)
    eps, tiny = _eps(dtype), _tiny(dtype)
    if name == "exp":
        y = np.exp(xl)
        assert_close(f"{dtype} exp value", value, y, ULPS * eps * y + tiny)
        assert_close(f"{dtype} exp gradient", grad, wl * y, ULPS * eps * np.abs(wl) * y + tiny)
        return
    if name == "sigmoid":
        y = _sigmoid(x)
        derivative = y * (1 - y)
    else:
        y = np.tanh(xl)
        e = np.exp(-2 * np.abs(xl))
        derivative = 4 * e / (1 + e) ** 2  # 1 / cosh(x) ** 2, without overflow
    # Absolute errors of a few epsilons: 0.5 * tanh(x / 2) + 0.5 and 1 - y * y cancel
    # to tiny values, and are as accurate as the cancellation allows.
    assert_close(f"{dtype} {name} value", value, y, np.full(y.shape, ULPS * eps, dtype=Long))
    assert_close(f"{dtype} {name} gradient", grad, wl * derivative, ULPS * eps * np.abs(wl) + tiny)


def _logsumexp(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    """``utils.logsumexp(x, axis)`` on arrays, as the book's utils has it: the value only."""
    try:
        logsumexp = getattr(impl.submodule("utils"), "logsumexp", None)
    except ImplementationError:
        logsumexp = None
    if logsumexp is None:
        pytest.skip("not applicable: the implementation has no utils.logsumexp")
    shape = _shape(data, 2, 2)
    axis = data.draw(st.sampled_from([0, 1]), label="axis")
    x = data.draw(large_arrays(shape, dtype), label="x")
    with np.errstate(all="ignore"):
        value = np.asarray(logsumexp(x.copy(), axis))
    z, _, log_s = _shifted(x, axis)
    expected = np.max(x.astype(Long), axis=axis, keepdims=True) + log_s
    if value.size != expected.size:
        raise AssertionError(f"[large magnitudes] logsumexp: shape {value.shape}, expected {expected.shape}")
    assert_close(f"{dtype} logsumexp value", value.reshape(expected.shape), expected,
                 ULPS * _eps(dtype) * (np.abs(expected) + shape[axis]))


CASES: dict[str, Callable[[Implementation, str, st.DataObject], None]] = {
    "softmax": lambda impl, dtype, data: _softmax_family(impl, "softmax", dtype, data),
    "log_softmax": lambda impl, dtype, data: _softmax_family(impl, "log_softmax", dtype, data),
    "logsumexp": _logsumexp,
    "softmax_cross_entropy": _softmax_cross_entropy,
    "sigmoid": lambda impl, dtype, data: _elementwise(impl, "sigmoid", dtype, data),
    "sigmoid_cross_entropy": _sigmoid_cross_entropy,
    "tanh": lambda impl, dtype, data: _elementwise(impl, "tanh", dtype, data),
    "exp": lambda impl, dtype, data: _elementwise(impl, "exp", dtype, data),
}


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_large_inputs_give_finite_accurate_values_and_gradients(
    impl: Implementation, name: str, data: st.DataObject
) -> None:
    if name in BY_NAME:
        skip_unless_offered(impl, BY_NAME[name])
    dtype = data.draw(st.sampled_from(["float64", "float32"]), label="dtype")
    CASES[name](impl, dtype, data)
