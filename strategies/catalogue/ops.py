"""The op catalogue: every differentiable operation the DAG strategy can place.

One :class:`Op` (:mod:`strategies.catalogue.opspec`) per operation of ``dezero.functions``
and of the Variable operators, per layer of ``dezero.layers`` (those of images,
normalization and layers are in :mod:`strategies.catalogue.ops_nn`), plus the suite's own
probe Functions (:mod:`strategies.implementation.probes`). Each entry holds:

- ``template``: the call as Python source, e.g. ``"F.sum({0}, axis={axis})"``. The
  same text is shown in a counterexample script and evaluated to build the graph,
  so a script always reproduces exactly what ran. Names are looked up on the
  implementation under test when the graph is built, never at import.
- ``reference``: an independent NumPy forward. It accepts complex arrays and takes
  branch decisions (kinks, argmax) on the real part, so the complex-step
  derivative of a whole graph is exact away from kinks.
- ``applicable`` / ``draw_params``: the input domain (e.g. ``log`` needs values
  above a margin from 0) and the shape rules, as predicates on the inputs' shapes
  and values, and a parameter draw (axes, shapes, indices, fresh operand leaves).
- ``smooth`` (no kinks) and ``twice`` (its backward is differentiable again).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from strategies.catalogue.ops_nn import NN_OPS
from strategies.catalogue.opspec import Code as Code
from strategies.catalogue.opspec import Draw as Draw
from strategies.catalogue.opspec import FreshLeaf as FreshLeaf
from strategies.catalogue.opspec import Inapplicable as Inapplicable
from strategies.catalogue.opspec import Input as Input
from strategies.catalogue.opspec import MARGIN as MARGIN
from strategies.catalogue.opspec import Op as Op
from strategies.catalogue.opspec import Params as Params
from strategies.catalogue.opspec import one_output as _one
from strategies.catalogue.opspec import same_dtype as _same_dtype
from strategies.implementation.protocols import Array

__all__ = ["BY_NAME", "CATALOGUE", "Code", "FreshLeaf", "Inapplicable", "Input", "Op", "Params"]

# --------------------------------------------------------------------- domain helpers


def _real(x: Array) -> Array:
    return np.real(x)


def _above(bound: float) -> Callable[[Sequence[Input]], bool]:
    return lambda xs: bool(np.all(xs[0].value > bound))


def _below(bound: float) -> Callable[[Sequence[Input]], bool]:
    return lambda xs: bool(np.all(xs[0].value < bound))


def _within(bound: float) -> Callable[[Sequence[Input]], bool]:
    return lambda xs: bool(np.all(np.abs(xs[0].value) < bound))


def _away_from(*points: float) -> Callable[[Sequence[Input]], bool]:
    return lambda xs: all(bool(np.all(np.abs(xs[0].value - p) > MARGIN)) for p in points)


def _nonzero_last(xs: Sequence[Input]) -> bool:
    return bool(np.all(np.abs(xs[-1].value) > 0.2))


def _has_axis(xs: Sequence[Input]) -> bool:
    return len(xs[0].shape) >= 1


def _is_matrix(xs: Sequence[Input]) -> bool:
    return len(xs[0].shape) == 2 and min(xs[0].shape) >= 1


def _draw_axis(draw: Draw, shape: tuple[int, ...]) -> Any:
    """None, an int (maybe negative) or a tuple of distinct axes (maybe negative)."""
    ndim = len(shape)
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    # A tuple names two axes or more where there are (one axis is the int form's job).
    size = 1 if kind == "int" else draw(st.integers(min(2, ndim), ndim))
    axes = draw(st.permutations(range(ndim)))[:size]
    signed = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    return signed[0] if kind == "int" else signed


def _norm_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(sorted(a % ndim for a in axes))


def _reduction_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (("axis", _draw_axis(draw, xs[0].shape)), ("keepdims", draw(st.booleans()))), ()


def _no_ties(x: Array, axis: Any) -> bool:
    """The two largest and the two smallest values along the axes differ by a margin."""
    axes = _norm_axes(axis, x.ndim)
    if x.size == 0:
        return False
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, rest + list(axes)).reshape([x.shape[a] for a in rest] + [-1])
    if moved.shape[-1] < 2:
        return True
    s = np.sort(moved, axis=-1)
    return bool(np.all(s[..., -1] - s[..., -2] > MARGIN) and np.all(s[..., 1] - s[..., 0] > MARGIN))


# --------------------------------------------------------------------- reference forwards


def _relu(x: Array) -> Array:
    return x * (_real(x) > 0)


def _leaky_relu(x: Array, slope: float) -> Array:
    return np.where(_real(x) > 0, x, x * slope)


def _abs(x: Array) -> Array:
    return x * np.sign(_real(x))


def _clip(x: Array, lo: float, hi: float) -> Array:
    r = _real(x)
    return np.where(r < lo, lo, np.where(r > hi, hi, x))


def _sigmoid(x: Array) -> Array:
    return 1 / (1 + np.exp(-x))


def _pick_extreme(x: Array, axis: Any, keepdims: bool, largest: bool) -> Array:
    """max or min of ``x`` over axes, chosen by the real part, keeping the complex value."""
    axes = _norm_axes(axis, x.ndim)
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, rest + list(axes)).reshape([x.shape[a] for a in rest] + [-1])
    pick = np.argmax(_real(moved), axis=-1) if largest else np.argmin(_real(moved), axis=-1)
    y = np.take_along_axis(moved, pick[..., None], axis=-1)[..., 0]
    if keepdims:
        y = y.reshape([1 if a in axes else n for a, n in enumerate(x.shape)])
    return np.asarray(y)


def _logsumexp(x: Array, axis: int) -> Array:
    m = np.max(_real(x), axis=axis, keepdims=True)
    return np.asarray(m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)))


def _softmax(x: Array, axis: int) -> Array:
    e = np.exp(x - np.max(_real(x), axis=axis, keepdims=True))
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True))


def _batch(x: Array) -> int:
    return x.shape[0] if x.ndim else 1


def _sum_to(x: Array, shape: tuple[int, ...]) -> Array:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    summed: Array = np.sum(x, axis=axes, keepdims=True)
    return summed.reshape(shape)


# --------------------------------------------------------------------- cancelling rules
# Op.cancellation: for a rule whose backward subtracts terms that can cancel, the
# size of those terms per unit of upstream gradient, per input element. Where the
# difference is small (tanh and sigmoid saturating, softmax's largest probability
# near 1), its rounding error is of the size of the terms, not of the result.


def _tanh_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    return (np.ones(np.shape(xs[0])),)  # gy * (1 - y * y)


def _sigmoid_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    # gy * y * (1 - y), with y off by eps when computed as 0.5 + 0.5 * tanh(x / 2)
    return (np.ones(np.shape(xs[0])),)


def _softmax_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    # softmax: y * (gy - sum(y * gy)); log_softmax: gy - y * sum(gy)
    return (_softmax(xs[0], p["axis"]),)


def _softmax_cross_entropy_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    x = xs[0]
    return (_softmax(x, 1) / x.shape[0],)  # (softmax(x) - one_hot(t)) * gy / N


def _sigmoid_cross_entropy_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    # x: (sigmoid(x) - t) * gy / N; t: -x * gy / N, or (log(1 - q) - log(q)) * gy / N
    # with q = sigmoid(x) when the loss is computed from q (the book)
    x, t = xs
    n = _batch(x)
    return (_sigmoid(x) + np.abs(t)) / n, (np.logaddexp(0, -x) + np.logaddexp(0, x)) / n


def _binary_cross_entropy_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    q, t = xs  # (-t / q + (1 - t) / (1 - q)) * gy / N, and (log(1 - q) - log(q)) * gy / N
    n = _batch(q)
    return (
        (np.abs(t / q) + np.abs((1 - t) / (1 - q))) / n,
        (np.abs(np.log(q)) + np.abs(np.log(1 - q))) / n,
    )


def _squared_error_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    x, t = xs
    terms = 2 * (np.abs(x) + np.abs(t)) / _batch(x)  # 2 * (x - t) * gy / N
    return (terms, terms)


# Op.forward_terms: for an op whose forward subtracts terms that can cancel, the
# size of those terms, per output element.


def _sigmoid_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    return (np.ones(np.shape(xs[0])),)  # 0.5 + 0.5 * tanh(x / 2), or 1 / (1 + exp(-x))


def _log_softmax_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    x = xs[0]
    return (np.abs(x) + np.abs(_logsumexp(x, p["axis"])),)  # x - logsumexp(x): near 0 for the largest x


def _softmax_cross_entropy_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    x = xs[0]
    rows = np.arange(x.shape[0])
    picked = np.abs(x[rows, list(p["labels"])]) + np.abs(_logsumexp(x, 1))[:, 0]
    return (np.asarray(np.sum(picked) / x.shape[0]),)  # mean of logsumexp(x) - x[label]


def _sigmoid_cross_entropy_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    # - t log(q) - (1 - t) log(1 - q) with q = sigmoid(x) off by eps, or softplus(x) - t x
    x, t = xs
    log_q, log_not_q = -np.logaddexp(0, -x), -np.logaddexp(0, x)
    terms = np.abs(t * log_q) + np.abs((1 - t) * log_not_q) + np.abs(t) * (1 + np.exp(-x)) + np.abs(1 - t) * (1 + np.exp(x))
    return (np.asarray(np.sum(terms + np.abs(t * x)) / _batch(x)),)


def _binary_cross_entropy_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    q, t = xs
    return (np.asarray(np.sum(np.abs(t * np.log(q)) + np.abs((1 - t) * np.log(1 - q))) / _batch(q)),)


def _squared_error_forward_terms(xs: Sequence[Array], p: Any) -> tuple[Array, ...]:
    x, t = xs
    return (np.asarray(np.sum((np.abs(x) + np.abs(t)) ** 2) / _batch(x)),)  # sum((x - t) ** 2) / N


# --------------------------------------------------------------------- parameter draws


def _draw_const(draw: Draw) -> float | int:
    const: float | int = draw(st.sampled_from([2, 0.5, -1.5, 3.25, -2]))
    return const


def _scalar_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (("c", _draw_const(draw)),), ()


def _array_const_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    shape = xs[0].shape[-1:] if xs[0].shape else ()
    n = math.prod(shape)
    values = draw(st.lists(st.sampled_from([0.5, -1.25, 2.0, 1.5]), min_size=n, max_size=n))
    const: Any = tuple(values) if shape else values[0]
    return (("const", const), _same_dtype(xs[0])), ()


def _pow_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    x = xs[0].value
    choices: list[float | int] = [2, 3]
    if np.all(np.abs(x) > 0.2):
        choices.append(-1)
    if np.all(x > 0.2):
        choices += [0.5, 1.5]
    return (("c", draw(st.sampled_from(choices))),), ()


def _rpow_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (("c", draw(st.sampled_from([2.0, 0.5, 3.0]))),), ()


@functools.lru_cache(maxsize=1024)
def _factorizations(size: int, max_dims: int = 3) -> list[tuple[int, ...]]:
    """Every shape of up to ``max_dims`` dimensions with ``size`` elements, fewest
    dimensions first."""
    shapes: set[tuple[int, ...]] = {()} if size == 1 else set()

    def extend(prefix: tuple[int, ...], rest: int) -> None:
        if prefix and rest == 1:
            shapes.add(prefix)
        if len(prefix) < max_dims:
            for d in range(1, rest + 1):
                if rest % d == 0:
                    extend(prefix + (d,), rest // d)

    if size >= 1:
        extend((), size)
    return sorted(shapes, key=lambda s: (len(s), s))


def _reshape_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    # Not the same shape: reshape, sum_to and broadcast_to to the input's own shape
    # return the input Variable itself, which a spec cannot tell apart.
    others = [s for s in _factorizations(math.prod(xs[0].shape)) if s != xs[0].shape]
    if not others:
        raise Inapplicable
    shape = draw(st.sampled_from(others))
    if shape and draw(st.booleans()):  # let the implementation infer one dimension
        i = draw(st.integers(0, len(shape) - 1))
        shape = shape[:i] + (-1,) + shape[i + 1 :]
    return (("shape", shape),), ()


def _transpose_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    axes = draw(st.permutations(range(len(xs[0].shape))))
    return (("axes", tuple(axes)),), ()


def _broadcast_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    shape = xs[0].shape
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    body = tuple(draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    target = lead + body
    if target == shape:
        target = (2,) + shape
    return (("shape", target),), ()


def _sum_to_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    shape = xs[0].shape
    drop = draw(st.integers(0, len(shape)))
    target = tuple(1 if draw(st.booleans()) else n for n in shape[drop:])
    if target == shape:
        raise Inapplicable
    return (("shape", target),), ()


def _expand_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    ndim = len(xs[0].shape)
    return (("axis", draw(st.integers(-ndim - 1, ndim))),), ()


def _index_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """An index: an int, a slice, a tuple of ints and slices, or an int array with repeats."""
    shape = xs[0].shape
    n = shape[0]
    kind = draw(st.sampled_from(["int", "slice", "tuple", "array"]))
    if kind == "int":
        return (("index", Code(str(draw(st.integers(-n, n - 1))))),), ()
    if kind == "array":
        picks = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
        return (("index", Code(f"np.array({picks})")),), ()
    parts = []
    for size in shape[: 1 if kind == "slice" else len(shape)]:
        if draw(st.booleans()):
            parts.append(str(draw(st.integers(-size, size - 1))))
        else:
            start = draw(st.integers(0, size - 1))
            stop = draw(st.integers(start + 1, size))
            step = draw(st.sampled_from([1, 2]))
            parts.append(f"{start}:{stop}" + (f":{step}" if step != 1 else ""))
    return (("index", Code(", ".join(parts) + ("," if len(parts) == 1 and kind == "tuple" else ""))),), ()


def _evaluate_index(index: str) -> Any:
    return eval(f"np.s_[{index}]", {"np": np})  # our own generated index text


def _clip_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """Bounds between the input's values, a margin away from every one of them."""
    values = np.unique(np.round(xs[0].value, 6))
    edges = np.concatenate([[values[0] - 1.0], values, [values[-1] + 1.0]])
    gaps = [
        (float(a), float(b)) for a, b in zip(edges[:-1], edges[1:]) if b - a > 2 * MARGIN + 0.02
    ]
    lo_gap = draw(st.sampled_from(gaps))
    hi_gap = draw(st.sampled_from([g for g in gaps if g[0] >= lo_gap[0]]))
    lo = round((lo_gap[0] + lo_gap[1]) / 2, 3)
    hi = round((hi_gap[0] + hi_gap[1]) / 2, 3)
    return (("lo", lo), ("hi", max(lo, hi))), ()


def _softmax_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    ndim = len(xs[0].shape)
    return (("axis", draw(st.integers(-ndim, ndim - 1))),), ()


def _matmul_params(batch: bool) -> Callable[[Draw, Sequence[Input]], tuple[Params, tuple[FreshLeaf, ...]]]:
    """A fresh right operand: a vector or a matrix, or a batch of matrices (a form
    the book's ``matmul``, a matrix product, does not have)."""

    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        k = xs[0].shape[-1]
        if batch:
            shape: tuple[int, ...] = (draw(st.integers(1, 2)), k, draw(st.integers(1, 3)))
        elif draw(st.booleans()):
            shape = (k,)
        else:
            shape = (k, draw(st.integers(1, 3)))
        return (), (FreshLeaf(shape),)

    return draw_params


def _matmul_left_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """A constant ndarray on the left of ``const @ x`` (x is (k,) or (..., k, m)), so
    that the Variable's ``__rmatmul__`` runs."""
    shape = xs[0].shape
    k = shape[0] if len(shape) == 1 else shape[-2]
    m = draw(st.integers(1, 3))
    values = draw(st.lists(st.sampled_from([0.5, -1.25, 2.0, 1.5, -0.75]), min_size=m * k, max_size=m * k))
    const = tuple(tuple(values[i * k : (i + 1) * k]) for i in range(m))
    return (("const", const), _same_dtype(xs[0])), ()


def _linear_params(bias: bool) -> Callable[[Draw, Sequence[Input]], tuple[Params, tuple[FreshLeaf, ...]]]:
    def draw_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
        n_in, n_out = xs[0].shape[1], draw(st.integers(1, 3))
        weight = FreshLeaf((n_in, n_out))
        return (), ((weight, FreshLeaf((n_out,))) if bias else (weight,))

    return draw_params


def _same_shape_leaf(low: float, high: float) -> Callable[[Draw, Sequence[Input]], tuple[Params, tuple[FreshLeaf, ...]]]:
    return lambda draw, xs: ((), (FreshLeaf(xs[0].shape, low, high),))


def _labels_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    n, classes = xs[0].shape
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    return (("labels", tuple(labels)),), ()


def _ids_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    rows = xs[0].shape[0]
    ids = draw(st.lists(st.integers(0, rows - 1), min_size=1, max_size=4))
    return (("ids", tuple(ids)),), ()


def _leaky_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (("slope", draw(st.sampled_from([0.2, 0.1, 0.5]))),), ()


def _untied(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """Axes along which the extremes are not tied; max/min is applicable only then."""
    params, fresh = _reduction_params(draw, xs)
    if not _no_ties(xs[0].value, dict(params)["axis"]):
        raise Inapplicable
    return params, fresh



# --------------------------------------------------------------------- the catalogue


def _unary(name: str, f: Callable[[Array], Array], **kw: Any) -> Op:
    kw.setdefault("requires", (f"F.{name}",))
    kw.setdefault("family", "elementwise")
    return Op(name, 1, f"F.{name}({{0}})", _one(f), **kw)


def _operator(name: str, template: str, f: Callable[..., Array], dunder: str, arity: int = 1, **kw: Any) -> Op:
    kw.setdefault("family", "operator")
    return Op(name, arity, template, _one(f), requires=(f"Variable.{dunder}",), **kw)


def _with_number(name: str, template: str, f: Callable[..., Array], dunder: str, **kw: Any) -> Op:
    """An operator with a Python number on one side (``x + 2``)."""
    kw.setdefault("draw_params", _scalar_params)
    return _operator(name, template, f, dunder, constant="a Python number", **kw)


def _pairwise(name: str, f: Callable[[Array, Array], Array], dunder: str, **kw: Any) -> Op:
    symbol = {"__add__": "+", "__sub__": "-", "__mul__": "*", "__truediv__": "/"}[dunder]
    return _operator(name, f"{{0}} {symbol} {{1}}", f, dunder, arity=2, **kw)


_BASIC: tuple[Op, ...] = (
    # elementwise functions
    _unary("sin", np.sin),
    _unary("cos", np.cos),
    # tanh and sigmoid stay out of saturation, where their gradient formulas
    # (1 - y*y, y*(1 - y)) cancel to a few float32 ulps of nothing.
    _unary("tanh", np.tanh, applicable=_within(3.0), cancellation=_tanh_terms),
    _unary("exp", np.exp, applicable=_below(2.5)),
    _unary("log", np.log, applicable=_above(0.2), leaf_range=(0.25, 2.0)),
    _unary("sqrt", np.sqrt, applicable=_above(0.2), leaf_range=(0.25, 2.0)),
    _unary("square", np.square),
    _unary("sigmoid", _sigmoid, applicable=_within(6.0), cancellation=_sigmoid_terms,
           forward_terms=_sigmoid_forward_terms),
    _unary("abs", _abs, smooth=False, applicable=_away_from(0.0)),
    _unary("relu", _relu, smooth=False, applicable=_away_from(0.0)),
    Op("leaky_relu", 1, "F.leaky_relu({0}, {slope})", _one(_leaky_relu), ("F.leaky_relu",),
       "elementwise", smooth=False, applicable=_away_from(0.0), draw_params=_leaky_params),
    Op("clip", 1, "F.clip({0}, {lo}, {hi})", _one(_clip), ("F.clip",), "elementwise",
       smooth=False, draw_params=_clip_params),
    # operators with a constant on one side
    _operator("neg", "-{0}", np.negative, "__neg__"),
    _with_number("add_scalar", "{0} + {c}", lambda x, c: x + c, "__add__"),
    _with_number("radd_scalar", "{c} + {0}", lambda x, c: c + x, "__radd__"),
    _with_number("sub_scalar", "{0} - {c}", lambda x, c: x - c, "__sub__"),
    _with_number("rsub_scalar", "{c} - {0}", lambda x, c: c - x, "__rsub__"),
    _with_number("mul_scalar", "{0} * {c}", lambda x, c: x * c, "__mul__"),
    _with_number("rmul_scalar", "{c} * {0}", lambda x, c: c * x, "__rmul__"),
    _with_number("div_scalar", "{0} / {c}", lambda x, c: x / c, "__truediv__"),
    _with_number("rdiv_scalar", "{c} / {0}", lambda x, c: c / x, "__rtruediv__",
                 applicable=_nonzero_last, leaf_range=(0.25, 2.0)),
    _with_number("pow", "{0} ** {c}", lambda x, c: x**c, "__pow__", draw_params=_pow_params),
    _with_number("rpow", "{c} ** {0}", lambda x, c: c**x, "__rpow__", applicable=_below(2.5),
                 draw_params=_rpow_params),
    _operator("radd_array", "np.array({const}, dtype={dtype}) + {0}", lambda x, const, dtype: np.array(const) + x,
              "__radd__", draw_params=_array_const_params, constant="a NumPy array"),
    _operator("rmul_array", "np.array({const}, dtype={dtype}) * {0}", lambda x, const, dtype: np.array(const) * x,
              "__rmul__", draw_params=_array_const_params, constant="a NumPy array"),
    # operators on two graph values (NumPy broadcasting)
    _pairwise("add", np.add, "__add__"),
    _pairwise("sub", np.subtract, "__sub__"),
    _pairwise("mul", np.multiply, "__mul__"),
    _pairwise("div", np.divide, "__truediv__", applicable=_nonzero_last, leaf_range=(0.25, 2.0)),
    # the same as functions: the book's steps 11-22 call add(x0, x1) before Variable
    # has operators (found as functions, or as the Function classes Add, Mul...)
    Op("add_function", 2, "F.add({0}, {1})", _one(np.add), ("F.add",), "function"),
    Op("mul_function", 2, "F.mul({0}, {1})", _one(np.multiply), ("F.mul",), "function"),
    Op("sub_function", 2, "F.sub({0}, {1})", _one(np.subtract), ("F.sub",), "function"),
    Op("div_function", 2, "F.div({0}, {1})", _one(np.divide), ("F.div",), "function",
       applicable=_nonzero_last, leaf_range=(0.25, 2.0)),
    Op("neg_function", 1, "F.neg({0})", _one(np.negative), ("F.neg",), "function"),
    Op("pow_function", 1, "F.pow({0}, {c})", _one(lambda x, c: x**c), ("F.pow",), "function",
       draw_params=_pow_params, constant="a Python number"),
    # reductions
    Op("sum_all", 1, "F.sum({0})", _one(np.sum), ("F.sum",), "reduction"),
    Op("sum", 1, "F.sum({0}, axis={axis}, keepdims={keepdims})",
       _one(lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims)),
       ("F.sum",), "reduction", draw_params=_reduction_params),
    Op("sum_method", 1, "{0}.sum(axis={axis}, keepdims={keepdims})",
       _one(lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims)),
       ("Variable.sum",), "reduction", draw_params=_reduction_params),
    Op("average", 1, "F.average({0}, axis={axis}, keepdims={keepdims})",
       _one(lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims)),
       ("F.average",), "reduction", applicable=lambda xs: math.prod(xs[0].shape) > 0,
       draw_params=_reduction_params),
    Op("max", 1, "F.max({0}, axis={axis}, keepdims={keepdims})",
       _one(lambda x, axis, keepdims: _pick_extreme(x, axis, keepdims, True)),
       ("F.max",), "reduction", smooth=False,
       draw_params=lambda draw, xs: _untied(draw, xs)),
    Op("min", 1, "F.min({0}, axis={axis}, keepdims={keepdims})",
       _one(lambda x, axis, keepdims: _pick_extreme(x, axis, keepdims, False)),
       ("F.min",), "reduction", smooth=False,
       draw_params=lambda draw, xs: _untied(draw, xs)),
    # moving elements
    Op("reshape", 1, "F.reshape({0}, {shape})", _one(lambda x, shape: np.reshape(x, shape)),
       ("F.reshape",), "shape", draw_params=_reshape_params),
    Op("reshape_method", 1, "{0}.reshape({shape})", _one(lambda x, shape: np.reshape(x, shape)),
       ("Variable.reshape",), "shape", draw_params=_reshape_params),
    Op("transpose", 1, "F.transpose({0}, {axes})", _one(lambda x, axes: np.transpose(x, axes)),
       ("F.transpose",), "shape", applicable=_has_axis, draw_params=_transpose_params),
    Op("transpose_reversed", 1, "F.transpose({0})", _one(np.transpose), ("F.transpose",), "shape",
       applicable=_has_axis),
    Op("T", 1, "{0}.T", _one(np.transpose), ("Variable.T",), "shape"),
    Op("get_item", 1, "{0}[{index}]", _one(lambda x, index: x[_evaluate_index(index)]),
       ("Variable.__getitem__",), "shape", applicable=lambda xs: len(xs[0].shape) >= 1 and xs[0].shape[0] >= 1,
       draw_params=_index_params),
    Op("broadcast_to", 1, "F.broadcast_to({0}, {shape})",
       _one(lambda x, shape: np.broadcast_to(x, shape)),
       ("F.broadcast_to",), "shape", draw_params=_broadcast_params),
    Op("sum_to", 1, "F.sum_to({0}, {shape})", _one(_sum_to), ("F.sum_to",), "shape",
       draw_params=_sum_to_params),
    Op("expand_dims", 1, "F.expand_dims({0}, {axis})", _one(lambda x, axis: np.expand_dims(x, axis)),
       ("F.expand_dims",), "shape", draw_params=_expand_params),
    Op("flatten", 1, "F.flatten({0})", _one(lambda x: np.reshape(x, (x.shape[0], -1))),
       ("F.flatten",), "shape", applicable=lambda xs: len(xs[0].shape) not in (0, 2)),
    # linear algebra
    Op("matmul", 1, "F.matmul({0}, {1})", _one(np.matmul), ("F.matmul",), "linalg",
       applicable=_has_axis, draw_params=_matmul_params(batch=False)),
    Op("matmul_batch", 1, "F.matmul({0}, {1})", _one(np.matmul), ("F.matmul",), "linalg",
       applicable=_has_axis, draw_params=_matmul_params(batch=True)),
    Op("matmul_operator", 1, "{0} @ {1}", _one(np.matmul), ("Variable.__matmul__",), "linalg",
       applicable=_has_axis, draw_params=_matmul_params(batch=False)),
    Op("rmatmul", 1, "np.array({const}, dtype={dtype}) @ {0}",
       _one(lambda x, const, dtype: np.matmul(np.array(const), x)),
       ("Variable.__rmatmul__",),
       "linalg", applicable=_has_axis, draw_params=_matmul_left_params, constant="a NumPy array"),
    Op("linear", 1, "F.linear({0}, {1}, {2})", _one(lambda x, w, b: x @ w + b),
       ("F.linear",), "linalg", applicable=_is_matrix, draw_params=_linear_params(bias=True), leaf_dims=(2, 2),
       broadcasts=True),
    Op("linear_nobias", 1, "F.linear({0}, {1})", _one(lambda x, w: x @ w),
       ("F.linear",), "linalg", applicable=_is_matrix, draw_params=_linear_params(bias=False), leaf_dims=(2, 2)),
    # neural-network functions
    Op("softmax", 1, "F.softmax({0}, axis={axis})", _one(_softmax), ("F.softmax",), "nn",
       applicable=_has_axis, draw_params=_softmax_params, cancellation=_softmax_terms),
    Op("log_softmax", 1, "F.log_softmax({0}, axis={axis})",
       _one(lambda x, axis: x - _logsumexp(x, axis)), ("F.log_softmax",), "nn",
       applicable=_has_axis, draw_params=_softmax_params, cancellation=_softmax_terms,
       forward_terms=_log_softmax_forward_terms),
    Op("mean_squared_error", 1, "F.mean_squared_error({0}, {1})",
       _one(lambda x, t: np.sum((x - t) ** 2) / _batch(x)), ("F.mean_squared_error",), "nn",
       applicable=_has_axis, draw_params=_same_shape_leaf(-1.0, 1.0), leaf_dims=(1, 3),
       cancellation=_squared_error_terms, forward_terms=_squared_error_forward_terms),
    Op("softmax_cross_entropy", 1, "F.softmax_cross_entropy({0}, np.array({labels}))",
       _one(lambda x, labels: -np.sum((x - _logsumexp(x, 1))[np.arange(x.shape[0]), list(labels)]) / x.shape[0]),
       ("F.softmax_cross_entropy",), "nn", applicable=_is_matrix, draw_params=_labels_params,
       leaf_dims=(2, 2), cancellation=_softmax_cross_entropy_terms,
       forward_terms=_softmax_cross_entropy_forward_terms),
    # (out of saturation, like sigmoid: computed from sigmoid(x), as the book does,
    # log(1 - q) loses the digits of 1 - q as x grows)
    Op("sigmoid_cross_entropy", 1, "F.sigmoid_cross_entropy({0}, {1})",
       _one(lambda x, t: np.sum(np.log(1 + np.exp(x)) - t * x) / _batch(x)),
       ("F.sigmoid_cross_entropy",), "nn", applicable=lambda xs: len(xs[0].shape) >= 1 and _within(6.0)(xs),
       draw_params=_same_shape_leaf(0.0, 1.0), cancellation=_sigmoid_cross_entropy_terms,
       forward_terms=_sigmoid_cross_entropy_forward_terms),
    Op("binary_cross_entropy", 1, "F.binary_cross_entropy({0}, {1})",
       _one(lambda p, t: -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / _batch(p)),
       ("F.binary_cross_entropy",), "nn",
       applicable=lambda xs: len(xs[0].shape) >= 1 and bool(np.all((xs[0].value > 0.1) & (xs[0].value < 0.9))),
       draw_params=_same_shape_leaf(0.0, 1.0), leaf_range=(0.15, 0.85),
       cancellation=_binary_cross_entropy_terms, forward_terms=_binary_cross_entropy_forward_terms),
    Op("embed_id", 1, "F.embed_id(np.array({ids}), {0})",
       _one(lambda w, ids: w[np.array(ids)]), ("F.embed_id",), "nn", applicable=_is_matrix,
       draw_params=_ids_params, leaf_dims=(2, 2)),
    # the suite's own Functions (strategies.implementation.probes): a multi-output node
    Op("fork", 1, "P.fork({0})", lambda xs, p: (xs[0] * xs[0], xs[0] + xs[0] + xs[0]),
       ("Function",), "probe", n_outputs=2),
)


# Images, normalization and layers: strategies.catalogue.ops_nn.
CATALOGUE: tuple[Op, ...] = _BASIC + NN_OPS

BY_NAME: dict[str, Op] = {op.name: op for op in CATALOGUE}
