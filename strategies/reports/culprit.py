"""Naming the guilty Function of a failing graph.

A graph property fails on a whole graph; the learner wants the one rule to fix.
:func:`find_culprit` reruns the graph with its backward watched, then checks each
node on its own, in backward order: the node's op on fresh leaves holding the
node's input values, seeded with the gradient the node actually received in the
graph, against the reference's vector-Jacobian product of that op. The first node
whose own backward disagrees is the culprit::

    Sub.backward (v4 = v2 - v3): gradient of input 1 is +0.25 at (0,), expected -0.25

When every node is right on its own, the rules are fine and the engine combined
their results wrongly (how gradients are summed, scheduled, or stored); the
property's own message says which of its rules broke. For a failure of double
backward, each node is also differentiated again on its own, so that a rule whose
first derivative is right but whose backward is not differentiable as written
(wrong shapes of intermediate gradients, operations outside the graph) is named
rather than the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strategies.graphs.spec import GraphSpec, Leaf, Node, build, evaluate
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import Call, recording_calls, upstream_functions
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.oracles.numerics import hessian_vector
from strategies.oracles.rounding import expected_gradients
from strategies.survey.backprop import double_backward, set_seed

__all__ = ["Culprit", "ENGINE", "ENGINE_CREATE_GRAPH", "ENGINE_SECOND_ORDER", "LOOSENESS", "SECOND_ORDER_RTOL", "find_culprit"]

# A node is the culprit only when its error is well past rounding: this many times
# the properties' own tolerance.
LOOSENESS = 10.0
# Double backward against central differences of exact gradients: well past the
# differences' own error, as LOOSENESS is past the first-order bound.
SECOND_ORDER_RTOL = 1e-4


@dataclass(frozen=True)
class Culprit:
    """The first rule found wrong, in words."""

    function: str  # "Sub.backward"
    node: str  # "v4 = v2 - v3"
    detail: str  # "gradient of input 1 is +0.25 at (0,), expected -0.25"

    def __str__(self) -> str:
        return f"{self.function} ({self.node}): {self.detail}"


ENGINE = ("every rule gives the right gradient on its own, given what it received: the engine combines "
          "them wrongly (how gradients are summed into a Variable used twice, the order Functions run in, "
          "or what backward keeps)")


ENGINE_SECOND_ORDER = ("every rule gives the right gradient on its own, and the right second derivative when its "
                       "backward is differentiated again (create_graph=True): the engine combines them wrongly "
                       "(what backward records of the gradients' graph, or how it sums them)")


ENGINE_CREATE_GRAPH = ("no rule gives its second derivative even on its own, when its backward is differentiated "
                       "again: backward does not record the graph of the gradients (create_graph=True), which is "
                       "the engine's")


def _cotangent(shape: tuple[int, ...]) -> Array:
    """A fixed, non-uniform cotangent (a uniform one hides transposes)."""
    size = int(np.prod(shape))
    return np.linspace(-1.0, 1.25, size).reshape(shape) if size else np.zeros(shape)


def _node_alone(spec: GraphSpec, node: Node, values: Sequence[Array]) -> GraphSpec:
    """``node`` on fresh leaves holding its inputs' values."""
    leaves = tuple(Leaf(np.shape(values[a]), tuple(float(x) for x in np.ravel(np.real(values[a])))) for a in node.args)
    alone = Node(node.op, tuple(range(len(leaves))), node.params)
    return GraphSpec(leaves + (alone,), len(leaves), spec.dtype)


def _describe(got: Array, want: Array) -> str:
    """The worst element of a mismatch, or the whole gradients when small."""
    if got.shape != want.shape:
        return f"has shape {got.shape}, expected {want.shape}"
    if got.size <= 4:
        return f"is {_flat(got)}, expected {_flat(want)}" + (f" (shape {got.shape})" if got.ndim > 1 else "")
    index = np.unravel_index(int(np.argmax(np.abs(got - want))), got.shape)
    at = tuple(int(i) for i in index)
    return f"is {got[index]:+.6g} at {at}, expected {want[index]:+.6g}"


def _flat(a: Array) -> str:
    return np.array2string(np.ravel(a), precision=6, separator=", ") if a.ndim else f"{float(a):+.6g}"


def _forward_culprit(spec: GraphSpec, built: dict[int, VariableLike], values: Sequence[Array]) -> Culprit | None:
    """The first node whose output differs from the reference op applied to the
    implementation's own values of its inputs."""
    for node, outputs in spec.nodes():
        if any(a not in built for a in node.args) or any(o not in built for o in outputs):
            continue
        inputs = [np.asarray(built[a].data, dtype=np.float64) for a in node.args]
        try:
            expected = node.spec.reference(inputs, dict(node.params))
        except (ValueError, IndexError):
            continue
        for o, want in zip(outputs, expected):
            data = np.asarray(built[o].data)
            got = data.astype(np.float64)
            tol = 1e-6 if spec.dtype == "float64" else 1e-3
            wrong = ""
            if got.shape != np.shape(want) or not np.allclose(got, np.real(want), rtol=tol, atol=tol):
                wrong = "value " + _describe(got, np.real(want))
            elif data.dtype != np.dtype(spec.dtype) and all(np.asarray(built[a].data).dtype == spec.dtype
                                                            for a in node.args):
                wrong = f"value has dtype {data.dtype}, from inputs of dtype {spec.dtype}"
            if wrong:
                creator = built[o].creator
                name = type(creator).__name__ if creator is not None else node.op
                source = node.spec.source([f"v{a}" for a in node.args], node.params)
                return Culprit(f"{name}.forward", f"v{o} = {source}", wrong)
    return None


def _check_alone(impl: Implementation, spec: GraphSpec, node: Node, received: Sequence[Array | None],
                 values: Sequence[Array], outputs: tuple[int, ...]) -> str | None:
    """What is wrong with ``node``'s backward on its own, given the gradients its
    outputs received, or None."""
    alone = _node_alone(spec, node, values)
    built = build(alone, impl, keep_all=True)
    outs = [built.values[alone.n_values - len(outputs) + k] for k in range(len(outputs))]
    seeds = [np.zeros(np.shape(values[o])) if g is None else np.asarray(g, dtype=np.float64)
             for g, o in zip(received, outputs)]
    if len(outs) > 1:
        return None  # several outputs: the suite's own probe Function, judged by the engine
    set_seed(impl, outs[0], seeds[0])
    outs[0].backward()
    for k, ((want, allowed), leaf) in enumerate(zip(expected_gradients(alone, seeds[0]), built.leaves)):
        got = grad_array(leaf.grad)
        got = np.zeros(want.shape) if got is None else got.astype(np.float64)
        if got.shape != want.shape or not np.all(np.abs(got - want) <= LOOSENESS * allowed):
            return f"gradient of input {k} " + _describe(got, want)
    return None


def _check_twice_alone(impl: Implementation, spec: GraphSpec, node: Node, received: Sequence[Array | None],
                       values: Sequence[Array], outputs: tuple[int, ...]) -> str | None:
    """What is wrong with ``node``'s backward differentiated again on its own
    (``create_graph=True``, then backward from each input's gradient along a fixed
    direction ``u``), given the gradient its output received, or None."""
    if len(outputs) > 1 or not node.spec.twice:
        return None
    alone = _node_alone(spec, node, values)
    built = build(alone, impl, keep_all=True)
    seed = np.zeros(np.shape(values[outputs[0]])) if received[0] is None else np.asarray(received[0], np.float64)
    u = [_cotangent(np.shape(values[a])) for a in node.args]
    got = double_backward(impl, built, impl.variable(seed.astype(spec.dtype)), u)
    want = hessian_vector(alone, seed, u)
    scale = max([1.0] + [float(np.max(np.abs(h))) for h in want if h.size])
    for k, (g, h) in enumerate(zip(got, want)):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != h.shape or not np.all(np.abs(g - h) <= SECOND_ORDER_RTOL * (np.abs(h) + scale)):
            return f"differentiated again, d(u . grad)/d(input {k}) " + _describe(g, h)
    return None


def find_culprit(impl: Implementation, spec: GraphSpec, cotangent: Array | None = None,
                 second_order: bool = False) -> Culprit | str:
    """The first node of ``spec`` (in backward order) whose own backward is wrong on
    ``impl`` when the output is seeded with ``cotangent`` (default: a fixed
    non-uniform one), or the :data:`ENGINE` verdict when none is. With
    ``second_order`` (a failure of double backward), each node's backward is also
    differentiated again on its own, against the reference's ``H u``; the verdict
    when every node is right both ways is :data:`ENGINE_SECOND_ORDER`."""
    creators: dict[int, int] = {}  # id(creator Function) -> index of the step that made it
    node_of_value = {v: k for k, ids in enumerate(spec.ids) for v in ids if isinstance(spec.steps[k], Node)}

    def remember(i: int, v: VariableLike) -> None:
        if i in node_of_value and v.creator is not None:
            creators.setdefault(id(v.creator), node_of_value[i])

    built = build(spec, impl, keep_all=True, on_value=remember)
    values = evaluate(spec)
    wrong_value = _forward_culprit(spec, built.values, values)
    if wrong_value is not None:
        return wrong_value
    y = built.output
    w = cotangent if cotangent is not None and np.shape(cotangent) == np.shape(y.data) else None
    set_seed(impl, y, _cotangent(np.shape(y.data)) if w is None else w)
    with recording_calls(upstream_functions(built.values.values())) as calls:
        y.backward()
    received: dict[int, Call] = {}
    for call in calls:
        k = creators.get(id(call.function))
        if k is not None:
            received.setdefault(k, call)
    for k in sorted(received, reverse=True):
        node = spec.steps[k]
        assert isinstance(node, Node)
        if not set(spec.ids[k]) & spec.live:
            continue
        call = received[k]
        gys = [None if g is None else grad_array(g) for g in call.gys]
        wrong = _check_alone(impl, spec, node, gys, values, spec.ids[k])
        if wrong is not None:
            return _named(spec, k, call, wrong)
    if not second_order:
        return ENGINE
    # Differentiated again, each node alone. A fault every rule shows alone is the
    # engine's (it does not record the gradients' graph), not the first rule's.
    checked, wrong_twice = 0, []
    for k in sorted(received, reverse=True):
        node = spec.steps[k]
        assert isinstance(node, Node)
        if not set(spec.ids[k]) & spec.live or len(spec.ids[k]) > 1 or not node.spec.twice:
            continue
        checked += 1
        gys = [None if g is None else grad_array(g) for g in received[k].gys]
        wrong = _check_twice_alone(impl, spec, node, gys, values, spec.ids[k])
        if wrong is not None:
            wrong_twice.append(_named(spec, k, received[k], wrong))
    if not wrong_twice:
        return ENGINE_SECOND_ORDER
    return ENGINE_CREATE_GRAPH if checked > 1 and len(wrong_twice) == checked else wrong_twice[0]


def _named(spec: GraphSpec, k: int, call: Call, wrong: str) -> Culprit:
    node = spec.steps[k]
    assert isinstance(node, Node)
    source = node.spec.source([f"v{a}" for a in node.args], node.params)
    names = ", ".join(f"v{i}" for i in spec.ids[k])
    return Culprit(f"{type(call.function).__name__}.backward", f"{names} = {source}", wrong)
