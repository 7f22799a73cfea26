"""Graphs that sit exactly on kinks and ties, drawn on purpose.

Everywhere else the suite keeps values a margin away from kinks and ties
(:data:`strategies.catalogue.opspec.MARGIN`), where a gradient is a derivative. Here values
sit on them, where it is a choice among the one-sided derivatives:

- :func:`at_kinks`: one piecewise-linear op (:data:`KINKED`) applied to a leaf
  drawn to hit its kinks: ``max``/``min`` with ties along the reduced axes,
  ``relu``, ``leaky_relu`` and ``abs`` at 0, ``clip`` with both bounds at input
  values, max pooling over windows of tied values (windows that
  do not overlap, so each input element belongs to one window);
- :func:`kinked_graphs`: random graphs whose leaves lie on a coarse grid, whose
  piecewise-linear ops may sit on their kinks, and that often end in a tie made on
  purpose (copies of one value reduced by ``max``, a difference ``v - v`` through
  ``relu``, pooling over repeated columns): a tie between values that are the same
  function of the leaves, so the graph stays differentiable there;
- :func:`kinks`: the kinks a graph's values sit on, and whether any value is only
  near one; :func:`accidental_kinks`: those that a move of the leaves breaks (the
  others are ties of equal functions).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hypothesis import strategies as st

from strategies.catalogue.opspec import Code, Draw, FreshLeaf, Inapplicable, Input, Op, Params
from strategies.graphs.dags import dags
from strategies.graphs.spec import GraphSpec, Leaf, Node, evaluate
from strategies.implementation.protocols import Array

__all__ = [
    "Census", "ELEMENTWISE", "GRID", "KINKED", "NEAR", "SELECTING", "SLOPES", "VALUES", "accidental_kinks",
    "at_kinks", "groups_of_output", "kinked_graphs", "kinks", "one_sided_derivatives", "pooling_windows",
    "reduced_groups",
]

# The piecewise-linear ops whose kinks this module draws and finds.
KINKED = ("max", "min", "relu", "leaky_relu", "abs", "clip", "pooling")
ELEMENTWISE = ("relu", "leaky_relu", "abs", "clip")
SELECTING = ("max", "min", "pooling")  # each output picks one input element of a group
# Leaf values of a single op at its kinks: few, so that ties are common.
VALUES = (-1.0, -0.5, 0.0, 0.5, 1.0)
# Random graphs at kinks: leaf values are multiples of 1 / GRID in [-2, 2].
GRID = 2
# A value closer than this to a kink, yet not on it, makes a graph ambiguous: the
# implementation's rounding may put it on either side.
NEAR = 1e-4
SLOPES = (0.2, 0.1, 0.5)


# --------------------------------------------------------------------- one op at its kinks


def _axes(draw: Draw, ndim: int) -> Any:
    """None, an int or a tuple of distinct axes, each maybe negative."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signed = tuple(a - ndim if draw(st.booleans()) else a for a in chosen)
    return signed[0] if kind == "int" else signed


def reduced_groups(x: Array, axis: Any) -> Array:
    """``x`` as (output elements, group): each row the elements one reduction output
    of ``max``/``min`` over ``axis`` picks from, in the outputs' row-major order."""
    ndim = x.ndim
    axes = tuple(range(ndim)) if axis is None else tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))
    rest = [a for a in range(ndim) if a not in axes]
    moved = np.transpose(x, rest + list(axes))
    return np.asarray(moved.reshape(math.prod(x.shape[a] for a in rest), -1))


def _tie_in_some_group(draw: Draw, values: Array, axis: Any, largest: bool) -> Array:
    """``values`` with the extreme of one group (of two or more elements) copied
    onto another element of the group, so that at least one reduction is tied."""
    index = np.arange(values.size).reshape(values.shape)
    groups = reduced_groups(index, axis)
    if groups.shape[1] < 2 or groups.shape[0] == 0:
        return values
    row = draw(st.integers(0, groups.shape[0] - 1))
    members = values.flat[groups[row]]
    source = groups[row][int(np.argmax(members) if largest else np.argmin(members))]
    target = groups[row][draw(st.sampled_from([k for k in range(groups.shape[1]) if groups[row][k] != source]))]
    tied: Array = values.copy()
    tied.flat[target] = values.flat[source]
    return tied


def _bounds(draw: Draw, values: Array) -> Params:
    """Clip bounds at two of the values, ``lo < hi`` (or ``hi`` above them all).

    Never ``lo == hi``: that clip is a constant, whose derivative is 0 everywhere,
    yet the common inclusive mask (the book's, PyTorch's) gives 1 at the bound; a
    degenerate case left out here."""
    present = sorted({float(v) for v in values.flat})
    lo = draw(st.sampled_from(present))
    above = [v for v in present if v > lo]
    return (("lo", lo), ("hi", draw(st.sampled_from(above)) if above else lo + 0.5))


def _array(draw: Draw, shape: tuple[int, ...]) -> Array:
    n = math.prod(shape)
    return np.array(draw(st.lists(st.sampled_from(VALUES), min_size=n, max_size=n)), dtype=np.float64).reshape(shape)


def _single(values: Array, op: str, params: Params, dtype: str) -> GraphSpec:
    leaf = Leaf(values.shape, tuple(float(v) for v in values.flat))
    return GraphSpec((leaf, Node(op, (0,), params)), 1, dtype)


@st.composite
def _at_kinks(draw: Draw, op: str, dtype: str) -> GraphSpec:
    if op == "pooling":
        n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        kernel = (draw(st.integers(1, h)), draw(st.integers(1, w)))
        stride = (kernel[0] + draw(st.integers(0, 1)), kernel[1] + draw(st.integers(0, 1)))
        params: Params = (("kernel_size", kernel), ("stride", stride), ("pad", (0, 0)))
        return _single(_array(draw, (n, c, h, w)), op, params, dtype)
    shape = draw(st.lists(st.integers(1, 4), min_size=0 if op in ELEMENTWISE else 1, max_size=3).map(tuple))
    values = _array(draw, shape)
    if op in ("max", "min"):
        axis = _axes(draw, len(shape))
        params = (("axis", axis), ("keepdims", draw(st.booleans())))
        return _single(_tie_in_some_group(draw, values, axis, op == "max"), op, params, dtype)
    if op == "clip":
        return _single(values, op, _bounds(draw, values), dtype)
    values.flat[draw(st.integers(0, values.size - 1))] = 0.0  # relu, leaky_relu, abs: at least one 0
    params = (("slope", draw(st.sampled_from(SLOPES))),) if op == "leaky_relu" else ()
    return _single(values, op, params, dtype)


def at_kinks(op: str, dtype: str = "float64") -> st.SearchStrategy[GraphSpec]:
    """Graphs of one op of :data:`KINKED` on a leaf of :data:`VALUES`, drawn so that
    it sits on its kinks (see the module docstring)."""
    if op not in KINKED:
        raise ValueError(f"{op!r} is not one of {KINKED}")
    return _at_kinks(op, dtype)


# --------------------------------------------------------------------- random graphs at kinks


def _any_axes(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (("axis", _axes(draw, len(xs[0].shape))), ("keepdims", draw(st.booleans()))), ()


def _bounds_at_values(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    if xs[0].value.size == 0:
        raise Inapplicable
    return _bounds(draw, xs[0].value), ()


def _any_windows(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    """Max pooling windows, ties allowed: padding below the kernel, so that every
    window holds an input element."""
    h, w = xs[0].shape[2:]
    pad = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    kernel = (draw(st.integers(pad[0] + 1, min(3, h + 2 * pad[0]))), draw(st.integers(pad[1] + 1, min(3, w + 2 * pad[1]))))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return (("kernel_size", kernel), ("stride", stride), ("pad", pad)), ()


def _kinks_allowed(op: Op) -> Op:
    """``op`` as random graphs at kinks place it: on its kinks too."""
    if op.name in ("relu", "leaky_relu", "abs"):
        return replace(op, applicable=lambda xs: True)
    if op.name in ("max", "min"):
        return replace(op, draw_params=_any_axes)
    if op.name == "clip":
        return replace(op, draw_params=_bounds_at_values)
    if op.name == "pooling":
        return replace(op, draw_params=_any_windows)
    return op


@dataclass(frozen=True)
class _Appender:
    """Appends nodes to a graph spec, each with one output."""

    spec: GraphSpec

    def add(self, op: str, args: tuple[int, ...], params: Params = ()) -> _Appender:
        return _Appender(replace(self.spec, steps=self.spec.steps + (Node(op, args, params),), output=self.spec.n_values))

    @property
    def last(self) -> int:
        return self.spec.n_values - 1


def _tie_tails(names: set[str], v: Array) -> list[str]:
    """The tie tails :func:`_with_tie` can append to a value like ``v``, given the ops."""
    tails = []
    if "broadcast_to" in names and ({"max", "min"} & names):
        tails.append("copies reduced")
    if "get_item" in names and ({"max", "min"} & names) and v.ndim >= 1 and v.shape[0] >= 1:
        tails.append("rows repeated, reduced")
    if "sub" in names and "add" in names and ({"relu", "leaky_relu", "abs", "clip"} & names):
        tails.append("difference at a kink")
    if {"reshape", "broadcast_to", "pooling"} <= names and 1 <= v.size <= 24:
        tails.append("pooling over repeated columns")
    return tails


@st.composite
def _with_tie(draw: Draw, spec: GraphSpec, names: frozenset[str]) -> GraphSpec:
    """``spec`` with, sometimes, a tail that ties copies of its output (see the
    module docstring)."""
    v = evaluate(spec)[spec.output]
    tails = _tie_tails(set(names), v)
    if not tails or not draw(st.booleans()):
        return spec
    tail = draw(st.sampled_from(tails))
    out = spec.output
    g = _Appender(spec)
    if tail == "copies reduced":
        g = g.add("broadcast_to", (out,), (("shape", (draw(st.integers(2, 3)),) + v.shape),))
        reduce = draw(st.sampled_from(sorted({"max", "min"} & names)))
        return g.add(reduce, (g.last,), (("axis", 0), ("keepdims", draw(st.booleans())))).spec
    if tail == "rows repeated, reduced":
        row = draw(st.integers(0, v.shape[0] - 1))
        g = g.add("get_item", (out,), (("index", Code(f"np.array([{row}, {row}])")),))
        reduce = draw(st.sampled_from(sorted({"max", "min"} & names)))
        return g.add(reduce, (g.last,), (("axis", 0), ("keepdims", False))).spec
    if tail == "difference at a kink":
        g = g.add("sub", (out, out))
        difference = g.last
        kink = draw(st.sampled_from(sorted({"relu", "leaky_relu", "abs", "clip"} & names)))
        params: Params = ()
        if kink == "leaky_relu":
            params = (("slope", draw(st.sampled_from(SLOPES))),)
        if kink == "clip":
            params = (("lo", 0.0), ("hi", draw(st.sampled_from([0.5, 1.0]))))
        g = g.add(kink, (difference,), params)
        return g.add("add", (out, g.last)).spec
    # pooling over repeated columns: each window holds copies of one element
    width = draw(st.integers(2, 3))
    g = g.add("reshape", (out,), (("shape", (1, 1, v.size, 1)),))
    g = g.add("broadcast_to", (g.last,), (("shape", (1, 1, v.size, width)),))
    window = ((1, width), (1, width), (0, 0))
    return g.add("pooling", (g.last,), tuple(zip(("kernel_size", "stride", "pad"), window))).spec


def kinked_graphs(ops: Sequence[Op], *, max_nodes: int = 8, broadcasting: bool = True) -> st.SearchStrategy[GraphSpec]:
    """Random graphs over ``ops`` (float64) at kinks: leaves on a grid of
    ``1 / GRID``, the piecewise-linear ops placed on their kinks too and drawn three
    times as often as the others, and often a tie tail (see the module docstring)."""
    chosen = tuple(_kinks_allowed(op) for op in ops) + 2 * tuple(_kinks_allowed(op) for op in ops if op.name in KINKED)
    names = frozenset(op.name for op in ops)
    return dags(chosen, max_nodes=max_nodes, grid=GRID, broadcasting=broadcasting).flatmap(
        lambda spec: _with_tie(spec, names)
    )


# --------------------------------------------------------------------- finding kinks


def pooling_windows(x: Array, kernel: Sequence[int], stride: Sequence[int], pad: Sequence[int]) -> Array:
    """(N, C, OH, OW, KH*KW): each window's elements, the padding as -inf."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    oh, ow = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    parts = [xp[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw] for i in range(kh) for j in range(kw)]
    return np.stack(parts, axis=-1)


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


@dataclass(frozen=True)
class Census:
    """The kinks a graph's values sit on (each named by its step, its element or
    group, and the kink point), and whether some value is near a kink, not on it."""

    kinks: frozenset[tuple[Any, ...]]
    near: bool


def kinks(spec: GraphSpec, leaves: Sequence[Array] | None = None) -> Census:
    """The kinks of the live piecewise-linear nodes of ``spec`` (at ``leaves``, by
    default its own): elements at a kink point, groups (a reduction, a pooling
    window) whose extreme is tied."""
    values = evaluate(spec, leaves)
    found: set[tuple[Any, ...]] = set()
    near = False
    for step, (node, outputs) in enumerate(spec.nodes()):
        if node.op not in KINKED or outputs[0] not in spec.live:
            continue
        x, params = np.real(values[node.args[0]]), dict(node.params)
        if node.op in ELEMENTWISE:
            points = (params["lo"], params["hi"]) if node.op == "clip" else (0.0,)
            for point in points:
                distance = np.abs(x - point)
                found |= {(step, tuple(int(i) for i in index), point) for index in np.argwhere(distance == 0)}
                near = near or bool(np.any((distance > 0) & (distance < NEAR)))
            continue
        if node.op == "pooling":
            windows = pooling_windows(x, _pair(params["kernel_size"]), _pair(params["stride"]), _pair(params["pad"]))
            groups = windows.reshape(-1, windows.shape[-1])
        else:
            groups = reduced_groups(x, params["axis"])
        extreme = groups.min(axis=1, keepdims=True) if node.op == "min" else groups.max(axis=1, keepdims=True)
        distance = np.abs(groups - extreme)
        found |= {(step, int(g)) for g in np.nonzero(np.sum(distance == 0, axis=1) >= 2)[0]}
        near = near or bool(np.any((distance > 0) & (distance < NEAR)))
    return Census(frozenset(found), near)


def accidental_kinks(spec: GraphSpec, step: float) -> frozenset[tuple[Any, ...]]:
    """The kinks of ``spec`` that a move of the leaves by ``+-step`` along a generic
    direction (fixed pseudo-random normal values: no two elements move alike)
    leaves: ties of different functions of the leaves, or a kink point that an input
    only passes through. A tie of equal functions moves along."""
    x = [leaf.astype(np.float64) for leaf in spec.leaf_arrays()]
    generic = np.random.default_rng(20240612)
    direction = [generic.standard_normal(a.shape) for a in x]
    here = kinks(spec).kinks
    ahead = kinks(spec, [a + step * d for a, d in zip(x, direction)]).kinks
    behind = kinks(spec, [a - step * d for a, d in zip(x, direction)]).kinks
    return here - (ahead & behind)


def one_sided_derivatives(spec: GraphSpec, cotangent: Array, direction: Sequence[Array], step: float) -> tuple[float, float]:
    """The derivatives of ``cotangent . output`` along ``direction`` from each side:
    the complex-step derivative at ``+-step`` along it (where each piece is smooth),
    extrapolated to 0 from ``step`` and ``step / 2``."""
    stored = 1e-20
    x = [leaf.astype(np.float64) for leaf in spec.leaf_arrays()]

    def at(t: float) -> float:
        leaves = [a + t * d + 1j * stored * d for a, d in zip(x, direction)]
        return float(np.sum(cotangent * np.imag(evaluate(spec, leaves)[spec.output]) / stored))

    right = 2 * at(step / 2) - at(step)
    left = 2 * at(-step / 2) - at(-step)
    return right, left


def groups_of_output(spec: GraphSpec) -> Array:
    """For a single selecting op (``max``, ``min``, pooling without overlapping
    windows): (output elements, group) of flat indices into the leaf, -1 for the
    padding. Row ``o`` holds the elements output ``o`` picks from."""
    (leaf, node) = spec.steps
    assert isinstance(leaf, Leaf) and isinstance(node, Node) and node.op in SELECTING
    index = np.arange(math.prod(leaf.shape), dtype=np.float64).reshape(leaf.shape)
    params = dict(node.params)
    if node.op == "pooling":
        windows = pooling_windows(index, _pair(params["kernel_size"]), _pair(params["stride"]), _pair(params["pad"]))
        groups = windows.reshape(-1, windows.shape[-1])
        return np.where(np.isfinite(groups), groups, -1).astype(int)
    return reduced_groups(index, params["axis"]).astype(int)
