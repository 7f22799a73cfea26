"""The DAG strategy: random graphs of Functions with shared subexpressions.

Uniform random wiring rarely builds the shapes that break a backward engine, so
:func:`dags` grows a graph from *motifs*, each counted with ``hypothesis.event``:

- ``chain``: a run of one-input ops (``long chain`` when it has five or more);
- ``skip``: an older value joined with a much newer descendant of it (fan-out
  with unequal path lengths);
- ``diamond``: one value feeding two ops whose results are joined again (the two
  sides tie in generation);
- ``twice``: the same Variable as both inputs of one call, ``f(x, x)``;
- ``fork``: a two-output Function, one output used, dropped, or both joined;
- ``dead``: a branch that never reaches the output, sometimes still held;
- ``fresh``: a join with a new leaf whose shape broadcasts against the graph;
- ``nn``: an op on images, normalization or a layer (``NN_FAMILIES``), often
  after reshaping the value to images (N, C, H, W). These ops enter a graph only
  through this motif, so that they do not dilute the others' choice of ops.

Values are computed with the catalogue's NumPy reference while the graph is drawn,
so every op is placed only inside its domain, a margin away from its kinks and
ties, and no value overflows. Leaf values are multiples of 1/100 and shrink
towards small graphs of small, readable numbers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from hypothesis import assume, event
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as npst

from strategies.catalogue.ops import BY_NAME, CATALOGUE, FreshLeaf, Inapplicable, Input, Op
from strategies.graphs.spec import GraphSpec, Leaf, Node, Step, width
from strategies.implementation.protocols import Array

__all__ = ["BOUND", "IMAGE_SIZE", "LEAF_RANGE", "MOTIFS", "NN_FAMILIES", "NN_ODDS", "dags", "single_op"]

MOTIFS = ("chain", "skip", "diamond", "twice", "fork", "dead", "fresh")
# Families of the ops only the ``nn`` motif places (strategies.catalogue.ops_nn). It is one
# motif in NN_ODDS (when the implementation has such ops): the per-op properties
# check them alone, and rarer here they take few draws from the other motifs.
NN_FAMILIES = frozenset({"image", "normalization", "layer"})
NN_ODDS = 16
LEAF_RANGE = 2.0  # leaf values lie in [-LEAF_RANGE, LEAF_RANGE]
BOUND = 100.0  # no value of a generated graph exceeds this in magnitude
IMAGE_SIZE = 96  # the nn motif reshapes values of at most this many elements


@dataclass
class _Growing:
    """A graph being drawn: its steps and the reference value of every value id."""

    dtype: str
    # Whether joins may broadcast (from the book's step 40 on); else they join values
    # of one shape only.
    broadcasting: bool = True
    steps: list[Step] = field(default_factory=list)
    values: list[Array] = field(default_factory=list)
    generation: list[int] = field(default_factory=list)
    held: set[int] = field(default_factory=set)
    n_nodes: int = 0
    grid: int = 100  # leaf values are multiples of 1 / grid

    def add_leaf(self, draw: Any, shape: tuple[int, ...], low: float = -LEAF_RANGE, high: float = LEAF_RANGE) -> int:
        n = int(np.prod(shape))
        steps = draw(st.lists(st.integers(int(low * self.grid), int(high * self.grid)), min_size=n, max_size=n))
        leaf = Leaf(shape, tuple(k / self.grid for k in steps))
        self.steps.append(leaf)
        self.values.append(leaf.array(self.dtype).astype(np.float64))
        self.generation.append(0)
        return len(self.values) - 1

    def add_distinct_leaf(self, draw: Any, shape: tuple[int, ...], gap: float) -> int:
        """A leaf whose values are distinct, ``gap`` apart, centred on 0, in an order
        drawn (shrinking towards ascending)."""
        n = int(np.prod(shape))
        order = draw(st.permutations(range(n)))
        leaf = Leaf(shape, tuple(round((k - (n - 1) / 2) * gap, 6) for k in order))
        self.steps.append(leaf)
        self.values.append(leaf.array(self.dtype).astype(np.float64))
        self.generation.append(0)
        return len(self.values) - 1

    def add_node(self, op: Op, args: Sequence[int], params: Any) -> list[int] | None:
        """Append ``op(args)`` if its reference values are finite and bounded."""
        try:
            with np.errstate(all="ignore"):
                outputs = op.reference([self.values[a] for a in args], dict(params))
        except (ValueError, IndexError, ZeroDivisionError):
            return None
        if not all(np.all(np.isfinite(y)) and np.all(np.abs(y) <= BOUND) for y in outputs):
            return None
        self.steps.append(Node(op.name, tuple(args), params))
        generation = max(self.generation[a] for a in args) + 1
        ids = []
        for y in outputs:
            self.values.append(np.asarray(y, dtype=np.float64))
            self.generation.append(generation)
            ids.append(len(self.values) - 1)
        self.n_nodes += 1
        return ids

    def input(self, v: int) -> Input:
        return Input(self.values[v].shape, self.values[v], self.dtype)


@dataclass(frozen=True)
class _Palette:
    """The ops a graph may use, sorted by how they take their inputs."""

    unary: tuple[Op, ...]
    join: tuple[Op, ...]
    fork: Op | None
    reduce_all: Op | None
    nn: tuple[Op, ...] = ()  # one-input ops on images, normalization, layers
    reshape: Op | None = None

    @classmethod
    def of(cls, ops: Sequence[Op]) -> _Palette:
        names = {op.name for op in ops}
        unary = tuple(op for op in ops if op.arity == 1 and op.n_outputs == 1)
        return cls(
            unary=tuple(op for op in unary if op.family not in NN_FAMILIES),
            join=tuple(op for op in ops if op.arity == 2),
            fork=BY_NAME["fork"] if "fork" in names else None,
            reduce_all=BY_NAME["sum"] if "sum" in names else None,
            nn=tuple(op for op in unary if op.family in NN_FAMILIES),
            reshape=BY_NAME["reshape"] if "reshape" in names else None,
        )


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x == y or 1 in (x, y) for x, y in zip(reversed(a), reversed(b)))


def _rotated(ops: Sequence[Op], g: _Growing) -> list[Op]:
    """``ops`` starting at a place that moves with each node.

    Hypothesis fills part of each example with the simplest choices, and shrinks
    towards them; rotating the list makes that simplest op differ from node to node
    instead of always being the first op of the catalogue.
    """
    k = (g.n_nodes * 7) % len(ops) if ops else 0
    return list(ops[k:]) + list(ops[:k])


def _unary(draw: Any, g: _Growing, palette: _Palette, x: int) -> int:
    """Apply a one-input op to ``x`` (fresh operand leaves as it needs); ``x`` itself
    when no op fits."""
    candidates = [op for op in _rotated(palette.unary, g) if op.applicable([g.input(x)])]
    for _ in range(3):
        if not candidates:
            break
        op = draw(st.sampled_from(candidates))
        try:
            params, fresh = op.draw_params(draw, [g.input(x)])
        except Inapplicable:
            candidates.remove(op)
            continue
        args = [x] + [_fresh(draw, g, leaf) for leaf in fresh]
        ids = g.add_node(op, args, params)
        if ids is not None:
            return ids[0]
        candidates.remove(op)
    return x


def _fresh(draw: Any, g: _Growing, leaf: FreshLeaf) -> int:
    return g.add_leaf(draw, leaf.shape, leaf.low, leaf.high)


def _join(draw: Any, g: _Growing, palette: _Palette, a: int, b: int) -> int:
    """Combine two values with a two-input op (reducing ``b`` first if the shapes do
    not broadcast); ``a`` when no op fits, or when the shapes differ and the
    implementation does not broadcast."""
    if not g.broadcasting and g.values[a].shape != g.values[b].shape:
        return a
    if not _broadcastable(g.values[a].shape, g.values[b].shape):
        if palette.reduce_all is None:
            return a
        reduced = g.add_node(palette.reduce_all, [b], (("axis", None), ("keepdims", False)))
        if reduced is None:
            return a
        b = reduced[0]
    candidates = [op for op in _rotated(palette.join, g) if op.applicable([g.input(a), g.input(b)])]
    while candidates:
        op = draw(st.sampled_from(candidates))
        ids = g.add_node(op, [a, b], ())
        if ids is not None:
            if g.generation[a] == g.generation[b] and a != b:
                event("generation tie")
            return ids[0]
        candidates.remove(op)
    return a


def _ancestors(g: _Growing, v: int) -> list[int]:
    """Earlier values ``v`` depends on, nearest first."""
    producer: dict[int, Node] = {}
    next_id = 0
    for step in g.steps:
        n = width(step)
        if isinstance(step, Node):
            for i in range(next_id, next_id + n):
                producer[i] = step
        next_id += n
    seen, order, stack = set(), [], [v]
    while stack:
        u = stack.pop()
        node = producer.get(u)
        for a in node.args if node else ():
            if a not in seen:
                seen.add(a)
                order.append(a)
                stack.append(a)
    return sorted(order, key=lambda u: -u)


def _motif(draw: Any, g: _Growing, palette: _Palette, main: int, name: str) -> int:
    """Grow the graph by one motif around ``main``; return the new main value."""
    if name == "chain":
        length = draw(st.integers(1, 6))
        event("motif: long chain" if length >= 5 else "motif: chain")
        for _ in range(length):
            main = _unary(draw, g, palette, main)
        return main
    if name == "skip":
        older = [u for u in _ancestors(g, main) if g.generation[main] - g.generation[u] >= 2]
        if not older:
            for _ in range(2):
                main = _unary(draw, g, palette, main)
            older = [u for u in _ancestors(g, main) if g.generation[main] - g.generation[u] >= 2]
        if older:
            event("motif: skip")
            return _join(draw, g, palette, main, draw(st.sampled_from(older)))
        return main
    if name == "diamond":
        event("motif: diamond")
        left = _unary(draw, g, palette, main)
        right = _unary(draw, g, palette, main)
        return _join(draw, g, palette, left, right)
    if name == "twice":
        event("motif: f(x, x)")
        return _join(draw, g, palette, main, main)
    if name == "fork" and palette.fork is not None:
        ids = g.add_node(palette.fork, [main], ())
        if ids is None:
            return main
        use = draw(st.sampled_from(["first", "second", "both", "held"]))
        event(f"motif: fork, {use} used" if use != "held" else "motif: fork, one output held unused")
        if use == "both":
            return _join(draw, g, palette, ids[0], ids[1])
        if use == "held":
            g.held.add(ids[1])
        return ids[0] if use in ("first", "held") else ids[1]
    if name == "dead":
        source = draw(st.sampled_from(range(len(g.values))))
        dead = _unary(draw, g, palette, source)
        if dead != source:
            held = draw(st.booleans())
            event("motif: dead branch, held" if held else "motif: dead branch, dropped")
            if held:
                g.held.add(dead)
        return main
    if name == "fresh":
        shape = g.values[main].shape
        if g.broadcasting:
            shape = draw(npst.broadcastable_shapes(shape, min_dims=0, max_dims=3, max_side=3))
        event("motif: fresh leaf")
        return _join(draw, g, palette, main, g.add_leaf(draw, shape))
    if name == "nn" and palette.nn:
        x, size = main, g.values[main].size
        if palette.reshape is not None and 0 < size <= IMAGE_SIZE and g.values[main].ndim != 4 and draw(st.booleans()):
            reshaped = g.add_node(palette.reshape, [main], (("shape", _image_shape(draw, size)),))
            if reshaped is None:
                return main
            x = reshaped[0]
        after = _unary(draw, g, replace(palette, unary=palette.nn), x)
        if after != x:
            event(f"motif: nn, {g.steps[-1].op if isinstance(g.steps[-1], Node) else ''}")
        return after
    return main


def _image_shape(draw: Any, size: int) -> tuple[int, int, int, int]:
    """(N, C, H, W) with ``size`` elements: small batch and channels, the rest in
    the image's sides."""

    def divisor(n: int, most: int) -> int:
        return int(draw(st.sampled_from([d for d in range(1, min(n, most) + 1) if n % d == 0])))

    n = divisor(size, 2)
    c = divisor(size // n, 3)
    h = divisor(size // (n * c), 4)
    return (n, c, h, size // (n * c * h))


@st.composite
def _dags(
    draw: Any,
    ops: tuple[Op, ...],
    max_nodes: int,
    max_leaves: int,
    dtype: str,
    wiring: str,
    broadcasting: bool,
    grid: int,
) -> GraphSpec:
    palette = _Palette.of(ops)
    g = _Growing(dtype, broadcasting, grid=grid)
    n_leaves = draw(st.integers(1, max_leaves))
    leaves = [g.add_leaf(draw, shape) for shape in draw(_leaf_shapes(n_leaves, broadcasting, max_side=3))]
    main = leaves[-1]
    if wiring == "uniform":
        while g.n_nodes < max_nodes:
            before = g.n_nodes
            if palette.join and draw(st.booleans()):
                main = _join(draw, g, palette, draw(st.sampled_from(range(len(g.values)))),
                             draw(st.sampled_from(range(len(g.values)))))
            else:
                main = _unary(draw, g, palette, draw(st.sampled_from(range(len(g.values)))))
            if g.n_nodes == before:
                break
    else:
        for leaf in leaves[:-1]:  # every first leaf takes part
            main = _join(draw, g, palette, main, leaf)
        while g.n_nodes < max_nodes:
            before = g.n_nodes
            nn = bool(palette.nn) and draw(st.integers(1, NN_ODDS)) == NN_ODDS  # shrinks away from nn
            main = _motif(draw, g, palette, main, "nn" if nn else draw(st.sampled_from(MOTIFS)))
            if g.n_nodes == before and not draw(st.booleans()):
                break
    if g.generation[main] == 0 and palette.unary:  # the output is a node, never a leaf
        main = _unary(draw, g, palette, main)
    if g.generation[main] == 0 and palette.join:  # only two-input ops: f(x, x)
        main = _join(draw, g, palette, main, main)
    if g.generation[main] == 0 and palette.fork is not None:
        ids = g.add_node(palette.fork, [main], ())
        main = ids[0] if ids is not None else main
    return GraphSpec(tuple(g.steps), main, dtype, frozenset(g.held - {main}))


def _leaf_shapes(n: int, broadcasting: bool, max_side: int) -> st.SearchStrategy[list[tuple[int, ...]]]:
    """``n`` shapes that broadcast together, or ``n`` times one shape."""
    if broadcasting:
        return npst.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3, max_side=max_side).map(
            lambda shapes: list(shapes.input_shapes)
        )
    return npst.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=max_side).map(lambda shape: [shape] * n)


@st.composite
def _single(draw: Any, op: Op, dtype: str, broadcasting: bool, min_dims: int) -> GraphSpec:
    g = _Growing(dtype, broadcasting)
    if op.arity == 2:
        args = [g.add_leaf(draw, s, *op.leaf_range) for s in draw(_leaf_shapes(2, broadcasting, max_side=4))]
    else:
        low, high = op.leaf_dims
        low = min(max(low, min_dims), high)
        shapes = op.leaf_shapes
        if shapes is None:
            shapes = npst.array_shapes(min_dims=low, max_dims=high, min_side=1, max_side=4)
        shape = draw(shapes)
        if op.distinct_leaf > 0:
            args = [g.add_distinct_leaf(draw, shape, op.distinct_leaf)]
        else:
            args = [g.add_leaf(draw, shape, *op.leaf_range)]
    inputs = [g.input(a) for a in args]
    assume(op.applicable(inputs))
    try:
        params, fresh = op.draw_params(draw, inputs)
    except Inapplicable:
        assume(False)
        raise
    ids = g.add_node(op, args + [_fresh(draw, g, leaf) for leaf in fresh], params)
    assume(ids is not None)
    assert ids is not None
    return GraphSpec(tuple(g.steps), ids[0], dtype, frozenset(ids[1:]))


def single_op(
    op: Op, *, dtype: str = "float64", broadcasting: bool = True, min_dims: int = 0
) -> st.SearchStrategy[GraphSpec]:
    """Graphs of one ``op`` applied to fresh leaves (of up to three dimensions, or as
    the op's ``leaf_shapes`` and ``distinct_leaf`` say), with its parameters drawn
    across their whole range, for checking each rule alone. Without
    ``broadcasting`` the two inputs of a two-input op have one shape; ``min_dims``
    asks for a one-input op's leaf of at least that many dimensions where the op
    allows (Hypothesis favours the simplest shapes first)."""
    if not isinstance(op, Op):
        raise InvalidArgument(f"op must be a catalogue Op, got {op!r}")
    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"dtype={dtype!r} must be 'float32' or 'float64'")
    return _single(op, dtype, broadcasting, min_dims)


def dags(
    ops: Sequence[Op] | None = None,
    *,
    max_nodes: int = 8,
    max_leaves: int = 3,
    dtype: str = "float64",
    wiring: str = "motifs",
    broadcasting: bool = True,
    grid: int = 100,
) -> st.SearchStrategy[GraphSpec]:
    """Graph specs over ``ops`` (default: the whole catalogue).

    ``max_nodes`` bounds the number of op nodes (a motif in progress may finish a
    node or two past it); ``max_leaves`` the leaves drawn up front (ops may add
    operand leaves). ``dtype`` is ``"float64"`` or ``"float32"``. ``wiring`` is
    ``"motifs"`` (the default) or ``"uniform"``, which picks inputs uniformly from
    earlier values (kept for measuring what motifs buy). Without ``broadcasting``
    (an implementation before the book's step 40) every join is of two values of
    one shape, and ops that broadcast inside (``Op.broadcasts``) are left out.
    Leaf values are multiples of ``1 / grid`` (a coarse grid, such as 2, makes
    ties and zeros common).
    """
    arguments: dict[str, Any] = {"ops": ops, "max_nodes": max_nodes, "max_leaves": max_leaves, "dtype": dtype,
                                 "wiring": wiring, "broadcasting": broadcasting, "grid": grid}
    _validated_dags(**arguments)  # invalid arguments raise here, not at the first draw
    return _dags_as_called(**{k: v for k, v in arguments.items() if v != _DEFAULTS[k]})


def _validated_dags(
    ops: Sequence[Op] | None, max_nodes: int, max_leaves: int, dtype: str, wiring: str, broadcasting: bool, grid: int
) -> st.SearchStrategy[GraphSpec]:
    chosen = tuple(CATALOGUE if ops is None else ops)
    if not chosen:
        raise InvalidArgument("dags() needs at least one op")
    for op in chosen:
        if not isinstance(op, Op):
            raise InvalidArgument(f"ops must be catalogue Ops, got {op!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise InvalidArgument(f"max_nodes={max_nodes!r} must be a positive int")
    if not isinstance(max_leaves, int) or max_leaves < 1:
        raise InvalidArgument(f"max_leaves={max_leaves!r} must be a positive int")
    if dtype not in ("float32", "float64"):
        raise InvalidArgument(f"dtype={dtype!r} must be 'float32' or 'float64'")
    if wiring not in ("motifs", "uniform"):
        raise InvalidArgument(f"wiring={wiring!r} must be 'motifs' or 'uniform'")
    if not broadcasting:
        chosen = tuple(op for op in chosen if not op.broadcasts)
        if not chosen:
            raise InvalidArgument("dags(broadcasting=False) leaves no op: every op given broadcasts")
    if not isinstance(grid, int) or grid < 1:
        raise InvalidArgument(f"grid={grid!r} must be a positive int")
    return _dags(chosen, max_nodes, max_leaves, dtype, wiring, broadcasting, grid)


def _named_as_public() -> Callable[..., st.SearchStrategy[GraphSpec]]:
    # A composite named ``dags`` whose arguments are the caller's, so that the
    # strategy reprs as the call that made it (``dags(max_nodes=5)``), as
    # Hypothesis's own strategies do.
    @st.composite
    def dags(draw: st.DrawFn, /, **given: Any) -> GraphSpec:
        return draw(_validated_dags(**{**_DEFAULTS, **given}))

    return dags


_dags_as_called = _named_as_public()
_DEFAULTS = {name: p.default for name, p in inspect.signature(dags).parameters.items()}
