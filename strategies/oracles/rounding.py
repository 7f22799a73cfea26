"""The rounding error a correct backward may make, element by element.

A first-order rounding analysis of backprop over a graph spec, from the catalogue's
reference forwards (complex-step columns of each node's local Jacobian). Element
``i`` of a value's gradient may be off by ``ULPS * eps * M_i`` (``eps`` of the
graph's dtype; :func:`tolerance`), where ``M`` (:func:`rounding_bounds`) is carried
back from the output node by node, each node adding to its inputs

- ``|J|^T G``: the terms its rule multiplies and adds, with ``G`` the magnitudes
  of the gradients it receives (``|w|`` carried back through ``|J|^T``);
- ``|J|^T M``: the error it received, passed on;
- the error of those terms that its inputs' forward rounding causes: values are
  rounded too (``Phi``, below), and a local derivative that depends on a value,
  like ``cos(x)`` for ``sin``, inherits it: the change of the columns of ``J``
  when the inputs move by their errors (central differences of complex-step
  columns, the largest over a few sign patterns of the errors), weighted by ``G``;
- for a rule that subtracts terms which can cancel (``Op.cancellation``: tanh's
  ``1 - y*y``, softmax's ``gy - sum(y * gy)``), the size of those terms times the
  largest gradient it receives from the outputs that depend on the element.

``Phi`` is carried forward the same way: each value's own rounding (its magnitude,
the magnitude of the terms a sum or product adds, or ``Op.forward_terms``; none
for a copy) plus ``|J| Phi`` of its inputs. Leaves are exact (their values are the
dtype's). A rule that passes one gradient on unchanged (reshape, add) is exact; the
engine's sum of several gradients for one value rounds once more.

So each element is bounded by what flows into it, never by the largest gradient
elsewhere in the graph: a leaf gradient of 1e-3 beside one of 1e3 is checked to its
own units in the last place. ``M`` adds worst cases (every rounding error with the
same sign); the errors of the reference's backward, measured on 10,000 random
graphs (float32 and float64), stay below 0.9 units of it, hence :data:`ULPS` = 4:
tight enough that a 1e-5 relative error in one rule's derivative shows in float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strategies.graphs.spec import GraphSpec, Node, evaluate
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import STEP, jacobians, vjp

__all__ = ["FLOOR", "PATTERNS", "SHIFT", "ULPS", "expected_gradients", "rounding_bounds", "tolerance"]

SHIFT = 1e-6  # the central difference along Phi, relative to Phi
# Units in the last place of M allowed.
ULPS = 4


# Below this, gradients are not compared: float32's smallest normal number over its
# eps (values that small lose their digits), far above the complex step's own
# truncation error (STEP**2 times a third derivative: a zero derivative may come
# out as 1e-40).
FLOOR = float(np.finfo(np.float32).tiny / np.finfo(np.float32).eps)


def tolerance(bound: Array, dtype: str) -> Array:
    """The allowed error of each element of a gradient whose rounding bound
    (:func:`rounding_bounds`) is ``bound``, in ``dtype``."""
    return np.asarray(ULPS * float(np.finfo(dtype).eps) * bound + FLOOR)


@dataclass
class _Local:
    """One node's local Jacobian, column by column: for input ``position`` and its
    element ``index``, ``columns[position][index][k]`` is ``d output_k / d x`` and
    ``along_phi[position][index][k]`` how much it changes (in absolute value) when
    the inputs move by their rounding errors ``Phi``."""

    columns: list[dict[tuple[int, ...], list[Array]]]
    along_phi: list[dict[tuple[int, ...], list[Array]]]


def _columns(node: Node, inputs: Sequence[Array], position: int, index: tuple[int, ...],
             shift: Sequence[Array] | None = None) -> list[Array]:
    """``d output_k / d inputs[position][index]`` by the complex step, at ``inputs``
    (plus ``shift``)."""
    start = inputs if shift is None else [x + s for x, s in zip(inputs, shift)]
    bumped = [np.array(x, dtype=np.complex128) for x in start]
    bumped[position][index] += 1j * STEP
    return [np.imag(c) / STEP for c in node.spec.reference(bumped, dict(node.params))]


def _signs(shape: tuple[int, ...], pattern: int) -> Array:
    """Signs for moving a value's elements by their rounding errors: all alike,
    alternating, or fixed pseudo-random ones."""
    n = int(np.prod(shape))
    if pattern == 0:
        return np.ones(shape)
    if pattern == 1:
        return np.asarray((-1.0) ** np.arange(n)).reshape(shape)
    return np.asarray(np.where(np.random.default_rng(n).random(n) < 0.5, -1.0, 1.0)).reshape(shape)


PATTERNS = 3


def _local(node: Node, inputs: Sequence[Array], phi: Sequence[Array]) -> _Local:
    """The node's columns, and how much they change when its inputs move by their
    rounding errors ``phi``: the largest over sign patterns (all errors alike, as a
    sum sees them; alternating and pseudo-random, as a softmax, which ignores a
    common shift, sees them) of the derivative along the signed errors, by central
    differences of complex-step columns."""
    moved = any(np.any(p) for p in phi)
    columns: list[dict[tuple[int, ...], list[Array]]] = []
    along: list[dict[tuple[int, ...], list[Array]]] = []
    shifts = [[_signs(np.shape(p), k) * p * SHIFT for p in phi] for k in range(PATTERNS)]
    for position, x in enumerate(inputs):
        columns.append({})
        along.append({})
        for index in np.ndindex(*x.shape):
            column = columns[-1][index] = _columns(node, inputs, position, index)
            total = [np.zeros_like(c) for c in column]
            if moved:
                for shift in shifts:
                    up = _columns(node, inputs, position, index, shift)
                    down = _columns(node, inputs, position, index, [-d for d in shift])
                    total = [np.maximum(t, np.abs(u - d) / (2 * SHIFT)) for t, u, d in zip(total, up, down)]
            along[-1][index] = total
    return _Local(columns, along)


def _passes_on(node: Node, inputs: Sequence[Array], position: int, index: tuple[int, ...],
               column: list[Array]) -> bool:
    """Whether the node's rule passes the gradient of input element ``index`` on
    unchanged: its column of +-1 stays so when that element moves (a reshape, an
    add), not only at this point (``x0 / x1`` where ``x0 == x1 * x1``, whose
    backward rounds)."""
    shift = [np.zeros(np.shape(x)) for x in inputs]
    shift[position][index] = 0.5 + abs(float(inputs[position][index]))
    moved = _columns(node, inputs, position, index, shift)
    return all(np.array_equal(a, b) for a, b in zip(column, moved))


def rounding_bounds(spec: GraphSpec, cotangent: Array) -> dict[int, Array]:
    """``M`` for every value on a path to the output (leaves and intermediates), for
    the gradient of ``cotangent . output``: backprop's rounding error in element
    ``i`` of the value's gradient is a few ``eps * M_i`` (see the module docstring)."""
    values = evaluate(spec)
    if np.shape(cotangent) != np.shape(values[spec.output]):
        raise ValueError(
            f"the cotangent has shape {np.shape(cotangent)}, the output {np.shape(values[spec.output])}"
        )
    live_nodes = [(node, outputs) for node, outputs in spec.nodes() if any(o in spec.live for o in outputs)]

    # forward: each live node's local Jacobian and each value's rounding error Phi
    phi: dict[int, Array] = {leaf: np.zeros(np.shape(values[leaf])) for leaf in spec.leaves}
    local: dict[int, _Local] = {}
    for node, outputs in live_nodes:
        inputs = [np.asarray(values[a], dtype=np.float64) for a in node.args]
        jac = local[outputs[0]] = _local(node, inputs, [phi[a] for a in node.args])
        # What a node rounds: its result, or the terms it adds up (a sum, a matrix
        # product: |J_x| |x| through any one input); nothing where it copies. An
        # input taken twice (x - x) carries its error through the sum of both
        # columns: the two uses are off alike.
        rounded = [np.abs(values[o]) for o in outputs]
        carried = [np.zeros(np.shape(values[o])) for o in outputs]
        sources = [np.zeros(np.shape(values[o]), dtype=int) for o in outputs]  # nonzero entries
        copies = [np.zeros(np.shape(values[o]), dtype=int) for o in outputs]  # those equal to +-1 * the value
        for arg in dict.fromkeys(node.args):
            positions = [p for p, a in enumerate(node.args) if a == arg]
            x = inputs[positions[0]]
            terms = [np.zeros(np.shape(values[o])) for o in outputs]
            for index in np.ndindex(*x.shape):
                for k in range(len(outputs)):
                    c = sum(jac.columns[p][index][k] for p in positions)
                    carried[k] += np.abs(c) * phi[arg][index]
                    terms[k] += np.abs(c) * abs(x[index])
                    sources[k] += c != 0
                    copies[k] += (np.abs(c) == 1) & (np.abs(values[outputs[k]]) == abs(x[index]))
            if node.spec.family != "elementwise":  # (there |J| |x| is the condition, not terms)
                rounded = [np.maximum(r, t) for r, t in zip(rounded, terms)]
        if node.spec.forward_terms is not None:
            rounded = [np.maximum(r, t) for r, t in zip(rounded, node.spec.forward_terms(inputs, dict(node.params)))]
        for k, o in enumerate(outputs):
            copied = (sources[k] == 1) & (copies[k] == 1)  # one source, which it equals up to sign
            phi[o] = carried[k] + np.where(copied, 0.0, rounded[k])

    # backward: the gradients' magnitudes G and their rounding bounds M
    G: dict[int, Array] = {spec.output: np.abs(cotangent).astype(np.float64)}
    M: dict[int, Array] = {spec.output: np.zeros(np.shape(cotangent))}
    received_from: dict[int, int] = {}  # how many gradients each value receives
    for node, outputs in reversed(live_nodes):
        received = [k for k, o in enumerate(outputs) if o in G]
        for k in received:
            if received_from.get(outputs[k], 0) > 1:  # the engine added them up
                M[outputs[k]] = M[outputs[k]] + G[outputs[k]]
        jac = local[outputs[0]]
        real_inputs = [np.asarray(values[a], dtype=np.float64) for a in node.args]
        cancels = node.spec.cancellation(real_inputs, dict(node.params)) if node.spec.cancellation else None
        for position, arg in enumerate(node.args):
            shape = np.shape(values[arg])
            g_in, m_in = np.zeros(shape), np.zeros(shape)
            for index, column in jac.columns[position].items():
                largest, entries, unit = 0.0, 0, True
                for k in received:
                    g, m = G[outputs[k]], M[outputs[k]]
                    c = np.abs(column[k])
                    g_in[index] += float(np.sum(g * c))
                    m_in[index] += float(np.sum(m * c)) + float(np.sum(g * jac.along_phi[position][index][k]))
                    depends = np.array(column[k] != 0)
                    entries += int(np.count_nonzero(depends))
                    unit = unit and bool(np.all(c[depends] == 1))
                    # (A derivative can round to 0 in the complex step, as softmax's
                    # 1 - y for y near 1: an output also depends on the input element
                    # at its own position, and a scalar output on every element.)
                    if g.shape == shape:
                        depends[index] = True
                    if g.size == 1:
                        depends[...] = True
                    if np.any(depends):
                        largest = max(largest, float(np.max(g[depends])))
                if not (entries == 1 and unit and _passes_on(node, real_inputs, position, index, column)):
                    m_in[index] += g_in[index]  # (a rule that passes one gradient on unchanged is exact)
                if cancels is not None:
                    m_in[index] += float(cancels[position][index]) * largest
            G[arg] = G.get(arg, np.zeros(shape)) + g_in
            M[arg] = M.get(arg, np.zeros(shape)) + m_in
            received_from[arg] = received_from.get(arg, 0) + 1
    for leaf in spec.leaves:
        if received_from.get(leaf, 0) > 1:
            M[leaf] = M[leaf] + G[leaf]
    # (Where a bound overflows, nothing is known: any finite gradient passes there.)
    return {v: np.where(np.isnan(m), np.inf, m) for v, m in M.items()}


def expected_gradients(spec: GraphSpec, cotangent: Array) -> list[tuple[Array, Array]]:
    """For each leaf, ``J^T w`` from the complex-step Jacobian and the error allowed
    in each element (the rounding bound of :mod:`strategies.oracles.rounding`)."""
    bounds = rounding_bounds(spec, cotangent)
    result = []
    for leaf, jac in zip(spec.leaves, jacobians(spec)):
        expected, _ = vjp(jac, cotangent)
        result.append((expected, tolerance(bounds.get(leaf, np.zeros(expected.shape)), spec.dtype)))
    return result
