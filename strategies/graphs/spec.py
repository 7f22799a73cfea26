"""A graph spec: a plain, immutable description of a DAG of Functions.

A :class:`GraphSpec` is a sequence of steps, each a :class:`Leaf` (a new Variable
with given values) or a :class:`Node` (an op of the catalogue applied to earlier
values). Every step's outputs get the next value ids: ``v0, v1, ...``. Its repr is
a Python script that rebuilds the graph on DeZero, so a counterexample can be
pasted and run.

- :func:`build` turns a spec into Variables of an implementation.
- :func:`evaluate` computes every value with the catalogue's NumPy reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np

from strategies.catalogue.ops import BY_NAME, Op, Params
from strategies.implementation.handle import Implementation
from strategies.implementation.namespace import Functions
from strategies.implementation.probes import probes_for
from strategies.implementation.protocols import Array, VariableLike

__all__ = ["Built", "GraphSpec", "Leaf", "Node", "Step", "apply", "build", "call", "evaluate", "width"]


@dataclass(frozen=True)
class Leaf:
    """A leaf Variable: its shape and its values in row-major order."""

    shape: tuple[int, ...]
    values: tuple[float, ...]

    def array(self, dtype: str) -> Array:
        return np.array(self.values, dtype=dtype).reshape(self.shape)


@dataclass(frozen=True)
class Node:
    """``op`` applied to the values ``args`` (ids of earlier values) with ``params``."""

    op: str
    args: tuple[int, ...]
    params: Params = ()

    @property
    def spec(self) -> Op:
        return BY_NAME[self.op]


Step: TypeAlias = Leaf | Node


@dataclass(frozen=True)
class GraphSpec:
    """A DAG: ``steps`` in order, the ``output`` value id, the leaves' ``dtype``, and
    ``held``: intermediate values the user keeps a reference to (all others are
    referred to by the graph alone once it is built)."""

    steps: tuple[Step, ...]
    output: int
    dtype: str = "float64"
    held: frozenset[int] = field(default_factory=frozenset)

    # -- structure

    @cached_property
    def ids(self) -> tuple[tuple[int, ...], ...]:
        """The value ids each step creates."""
        ids, next_id = [], 0
        for step in self.steps:
            ids.append(tuple(range(next_id, next_id + width(step))))
            next_id += width(step)
        return tuple(ids)

    @property
    def n_values(self) -> int:
        return sum(len(i) for i in self.ids)

    @cached_property
    def leaves(self) -> tuple[int, ...]:
        return tuple(i[0] for step, i in zip(self.steps, self.ids) if isinstance(step, Leaf))

    def nodes(self) -> Iterator[tuple[Node, tuple[int, ...]]]:
        """Each node with the ids of its outputs."""
        for step, ids in zip(self.steps, self.ids):
            if isinstance(step, Node):
                yield step, ids

    @cached_property
    def consumers(self) -> dict[int, list[int]]:
        """For each value id, the index of every step that takes it as an argument
        (once per argument position, so ``f(x, x)`` counts twice)."""
        result: dict[int, list[int]] = {v: [] for v in range(self.n_values)}
        for k, step in enumerate(self.steps):
            if isinstance(step, Node):
                for a in step.args:
                    result[a].append(k)
        return result

    @cached_property
    def live(self) -> frozenset[int]:
        """Values on a path to the output."""
        producer = {v: k for k, ids in enumerate(self.ids) for v in ids}
        live, stack = set(), [self.output]
        while stack:
            v = stack.pop()
            if v in live:
                continue
            live.add(v)
            step = self.steps[producer[v]]
            if isinstance(step, Node):
                stack.extend(step.args)
        return frozenset(live)

    def leaf_arrays(self) -> list[Array]:
        """The leaves' values, in leaf order, at the spec's dtype."""
        return [step.array(self.dtype) for step in self.steps if isinstance(step, Leaf)]

    def ops(self) -> set[str]:
        return {node.op for node, _ in self.nodes()}

    # -- the script

    def script(self, package: str = "dezero") -> str:
        """A Python script that rebuilds this graph on ``package`` as ``y``."""
        lines = ["import numpy as np", f"import {package}", f"from {package} import Variable"]
        aliases = _aliases(self.ops())
        if "F" in aliases:
            lines.append(f"import {package}.functions as F")
        if "L" in aliases:
            lines.append(f"import {package}.layers as L")
        if "P" in aliases:
            lines += [
                "from strategies.implementation.handle import Implementation",
                "from strategies.implementation.probes import probes_for",
                f"P = probes_for(Implementation({package!r}, {package}))",
            ]
        for step, ids in zip(self.steps, self.ids):
            names = ", ".join(f"v{i}" for i in ids)
            if isinstance(step, Leaf):
                values = np.array(step.values).reshape(step.shape).tolist()
                lines.append(f"{names} = Variable(np.array({values!r}, dtype=np.{self.dtype}))")
            else:
                lines.append(f"{names} = " + step.spec.source([f"v{a}" for a in step.args], step.params))
        dropped = sorted(self.dropped)
        if dropped:
            lines.append(f"del {', '.join(f'v{i}' for i in dropped)}  # only the graph refers to these now")
        lines.append(f"y = v{self.output}")
        return "\n".join(lines)

    def dot(self) -> str:
        """The graph in Graphviz DOT: values as ellipses (leaves filled), ops as boxes;
        the output doubly outlined, values the user does not hold dashed."""
        lines = ["digraph graph_spec {", "  rankdir=LR;"]
        for step, ids in zip(self.steps, self.ids):
            if isinstance(step, Leaf):
                lines.append(f'  v{ids[0]} [label="v{ids[0]} {step.shape}", style=filled, fillcolor=orange];')
                continue
            node = f"op{ids[0]}"
            label = step.spec.source([f"v{a}" for a in step.args], step.params).replace('"', '\\"')
            lines.append(f'  {node} [label="{label}", shape=box, style=filled, fillcolor=lightblue];')
            lines += [f"  v{a} -> {node};" for a in step.args]
            for i in ids:
                style = "peripheries=2" if i == self.output else ("style=dashed" if i in self.dropped else "")
                lines.append(f'  v{i} [label="v{i}" {style}];')
                lines.append(f"  {node} -> v{i};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    @property
    def dropped(self) -> frozenset[int]:
        """Intermediate values the user does not hold after building."""
        kept = set(self.leaves) | set(self.held) | {self.output}
        return frozenset(range(self.n_values)) - kept

    def __repr__(self) -> str:
        return "\n" + self.script() + "\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints counterexamples with this: the runnable script."""
        printer.text(repr(self))

    # -- transformations

    def with_dtype(self, dtype: str) -> GraphSpec:
        return replace(self, dtype=dtype)


# --------------------------------------------------------------------- evaluation


def evaluate(
    spec: GraphSpec, leaves: Sequence[Array] | None = None, shift: tuple[int, Array] | None = None
) -> list[Array]:
    """Every value of the graph, by id, from the NumPy reference forwards.

    ``leaves`` (in leaf order) replaces the spec's leaf values, e.g. by complex
    arrays for the complex-step derivative. ``shift = (id, delta)`` adds ``delta``
    to that value as soon as it is computed (a derivative with respect to an
    intermediate value).
    """
    values: list[Array] = []
    given = iter(leaves) if leaves is not None else None
    for step in spec.steps:
        if isinstance(step, Leaf):
            leaf = next(given) if given is not None else step.array(spec.dtype).astype(np.float64)
            values.append(np.asarray(leaf))
        else:
            values.extend(step.spec.reference([values[a] for a in step.args], dict(step.params)))
        if shift is not None and shift[0] < len(values) and shift[0] >= len(values) - width(step):
            values[shift[0]] = values[shift[0]] + shift[1]
    return values


def width(step: Step) -> int:
    """How many values a step creates."""
    return 1 if isinstance(step, Leaf) else step.spec.n_outputs


# --------------------------------------------------------------------- building


@dataclass
class Built:
    """A spec built on an implementation: the Variables the user holds."""

    spec: GraphSpec
    values: dict[int, VariableLike]

    @property
    def output(self) -> VariableLike:
        return self.values[self.spec.output]

    @property
    def leaves(self) -> list[VariableLike]:
        return [self.values[i] for i in self.spec.leaves]


_compiled: dict[str, Any] = {}


def _code(source: str) -> Any:
    code = _compiled.get(source)
    if code is None:
        code = _compiled[source] = compile(source, "<graph spec>", "eval")
    return code


def _aliases(ops: set[str]) -> frozenset[str]:
    return frozenset().union(*(BY_NAME[op].aliases for op in ops))


def _namespace(impl: Implementation, ops: set[str]) -> dict[str, Any]:
    """The names op templates use: ``np``, ``F``, ``L`` and ``P`` (looked up now, at
    build time)."""
    namespace: dict[str, Any] = {"np": np}
    aliases = _aliases(ops)
    if "F" in aliases:
        namespace["F"] = Functions(impl)
    if "L" in aliases:
        namespace["L"] = impl.submodule("layers")
    if "P" in aliases:
        namespace["P"] = probes_for(impl)
    return namespace


def call(op: Op, args: Sequence[VariableLike], params: Params, namespace: dict[str, Any]) -> list[VariableLike]:
    """Run one op's template on Variables; its outputs as a list."""
    source = op.source([f"a{k}" for k in range(len(args))], params)
    result = eval(_code(source), namespace, {f"a{k}": a for k, a in enumerate(args)})
    return list(result) if op.n_outputs > 1 else [result]


def apply(impl: Implementation, op: Op, args: Sequence[VariableLike], params: Params = ()) -> list[VariableLike]:
    """``op(*args)`` on ``impl``, outside any spec."""
    return call(op, args, params, _namespace(impl, {op.name}))


def build(
    spec: GraphSpec,
    impl: Implementation,
    *,
    keep_all: bool = False,
    on_value: Callable[[int, VariableLike], None] | None = None,
    leaves: Sequence[Array] | None = None,
) -> Built:
    """Create the graph's Variables on ``impl`` by running the spec's script lines.

    The result holds the leaves, the output and the ``held`` values; pass
    ``keep_all`` to hold every value. ``on_value(id, variable)`` sees each value as
    it is made (to take weak references, say). ``leaves`` replaces the leaf values.
    """
    given = iter(leaves) if leaves is not None else None
    namespace = _namespace(impl, spec.ops())
    values: dict[int, VariableLike] = {}
    for step, ids in zip(spec.steps, spec.ids):
        if isinstance(step, Leaf):
            data = step.array(spec.dtype) if given is None else np.asarray(next(given), dtype=spec.dtype)
            made: list[VariableLike] = [impl.variable(data)]
        else:
            made = call(step.spec, [values[a] for a in step.args], step.params, namespace)
            if len(made) != len(ids):
                raise AssertionError(f"{step.op} returned {len(made)} outputs, expected {len(ids)}")
        for i, v in zip(ids, made):
            values[i] = v
            if on_value is not None:
                on_value(i, v)
    kept = values if keep_all else {i: v for i, v in values.items() if i not in spec.dropped}
    return Built(spec, kept)
