"""Numerical derivatives of a graph spec, from the catalogue's reference forwards.

The oracle is the **complex step**: for an analytic ``f``,
``f(x + i h e) = f(x) + i h J e + O(h^2)``, so ``Im f(x + i h e) / h`` is a column
of the Jacobian with no subtractive cancellation; with ``h = 1e-20`` it is exact to
rounding. The reference forwards take kinks and argmax from the real part, so this
holds for piecewise ops too, away from their kinks (the DAG strategy keeps a margin).

Central differences (:func:`central_difference`, :func:`central_differences`) are
for what cannot take a complex step: a second derivative (a difference of complex
steps, :func:`second_directional`), and functions that run an implementation rather
than NumPy (the reference's own tests differentiate DeZero's forward and first
backward, whose float64 arrays cannot be complex).

The error a correct backward may make, element by element, is bounded in
:mod:`strategies.oracles.rounding`. (:func:`backprop_magnitudes` and
:func:`gradient_scale` are the metamorphic relations' coarser allowance.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from strategies.graphs.spec import GraphSpec, Leaf, Node, evaluate
from strategies.implementation.protocols import Array

__all__ = [
    "STEP", "TOLERANCES", "Tolerance", "backprop_magnitudes", "central_difference", "central_differences",
    "directional", "gradient_scale", "hessian_vector", "jacobians", "leaf_arrays", "second_directional",
    "side_by_side", "value_vjp", "vjp",
]

STEP = 1e-20


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


# The test vector files' tolerances (strategies.ports.vectors, docs/vectors.md): simple
# relative and absolute ones a port can apply without the rounding model.
TOLERANCES = {"float64": Tolerance(1e-8, 1e-11), "float32": Tolerance(1e-3, 1e-4)}

def leaf_arrays(spec: GraphSpec) -> list[Array]:
    """The spec's leaf values at its dtype, widened to float64."""
    return [x.astype(np.float64) for x in spec.leaf_arrays()]


def jacobians(spec: GraphSpec, output: int | None = None) -> list[Array]:
    """For each leaf, the Jacobian of value ``output`` (default: the spec's output)
    with respect to it, shaped ``output.shape + leaf.shape``."""
    out = spec.output if output is None else output
    base = [x.astype(np.complex128) for x in leaf_arrays(spec)]
    y_shape = evaluate(spec)[out].shape
    result = []
    for k, x in enumerate(base):
        jac = np.zeros(y_shape + x.shape)
        for index in np.ndindex(*x.shape):
            leaves = list(base)
            bumped = x.copy()
            bumped[index] += 1j * STEP
            leaves[k] = bumped
            jac[(...,) + index] = np.imag(evaluate(spec, leaves)[out]) / STEP
        result.append(jac)
    return result


def value_vjp(spec: GraphSpec, cotangent: Array, value: int) -> tuple[Array, Array]:
    """``d(w . y) / dv`` for any value ``v`` of the graph (a leaf or an intermediate,
    shifted where it is computed), and the magnitude sum ``|dy/dv|^T |w|``."""
    base = [x.astype(np.complex128) for x in leaf_arrays(spec)]
    shape = evaluate(spec)[value].shape
    grad, magnitude = np.zeros(shape), np.zeros(shape)
    for index in np.ndindex(*shape):
        delta = np.zeros(shape, dtype=np.complex128)
        delta[index] = 1j * STEP
        column = np.imag(evaluate(spec, base, shift=(value, delta))[spec.output]) / STEP
        grad[index] = np.sum(cotangent * column)
        magnitude[index] = np.sum(np.abs(cotangent * column))
    return grad, magnitude


def gradient_scale(spec: GraphSpec, cotangent: Array) -> float:
    """The largest gradient flowing anywhere: ``max |d(w . y) / dv|`` over the values
    on the path to the output."""
    largest = [np.max(np.abs(value_vjp(spec, cotangent, v)[0]), initial=0.0) for v in spec.live]
    return float(max(largest, default=0.0))


def backprop_magnitudes(spec: GraphSpec, cotangent: Array) -> list[Array]:
    """For each leaf, an estimate of the magnitude of the terms backprop adds on the way
    to it, in the units of the leaf's gradient: the cotangent's magnitude ``|w|``
    carried back through the absolute values of every node's local Jacobian
    (complex step on the node's reference forward), where each node also adds, to
    every element of its inputs, the largest magnitude it received. That last part
    stands for terms that cancel inside one node's rule (softmax's
    ``y * (gy - sum(y * gy))`` computes terms of size ``|gy|`` for a result near
    0), whose rounding error the nodes before it can amplify; the composite
    ``|J|^T |w|`` sees neither. Rounding errors are a few epsilons of this."""
    values = evaluate(spec)
    if np.shape(cotangent) != np.shape(values[spec.output]):
        raise ValueError(
            f"the cotangent has shape {np.shape(cotangent)}, the output {np.shape(values[spec.output])}"
        )
    carried: dict[int, Array] = {spec.output: np.abs(cotangent).astype(np.float64)}
    for node, outputs in reversed(list(spec.nodes())):
        received = [o for o in outputs if o in carried]
        if not received:
            continue  # not on a path to the output
        largest = max(float(np.max(carried[o], initial=0.0)) for o in received)
        inputs = [np.array(values[a], dtype=np.complex128) for a in node.args]
        params = dict(node.params)
        for position, arg in enumerate(node.args):
            x = inputs[position]
            total = np.zeros(x.shape)
            for index in np.ndindex(*x.shape):
                bumped = list(inputs)
                bumped[position] = x.copy()
                bumped[position][index] += 1j * STEP
                columns = node.spec.reference(bumped, params)
                total[index] = sum(
                    float(np.sum(carried[o] * np.abs(np.imag(c) / STEP)))
                    for o, c in zip(outputs, columns)
                    if o in carried
                )
            carried[arg] = carried.get(arg, np.zeros(x.shape)) + total + largest
    return [carried.get(leaf, np.zeros(np.shape(values[leaf]))) for leaf in spec.leaves]


def vjp(jacobian: Array, cotangent: Array) -> tuple[Array, Array]:
    """``J^T w`` and the magnitude sum ``|J|^T |w|`` for one leaf."""
    axes = (tuple(range(cotangent.ndim)), tuple(range(cotangent.ndim)))
    return (
        np.tensordot(cotangent, jacobian, axes=axes),
        np.tensordot(np.abs(cotangent), np.abs(jacobian), axes=axes),
    )


def directional(spec: GraphSpec, direction: Sequence[Array], output: int | None = None) -> Array:
    """``J u``: the derivative of value ``output`` along ``direction`` (one array per
    leaf), with one complex evaluation of the graph."""
    out = spec.output if output is None else output
    leaves = [x.astype(np.complex128) + 1j * STEP * u for x, u in zip(leaf_arrays(spec), direction)]
    return np.asarray(np.imag(evaluate(spec, leaves)[out]) / STEP)


def second_directional(spec: GraphSpec, cotangent: Array, u: Sequence[Array], v: Sequence[Array],
                       step: float = 1e-4) -> float:
    """``v^T H u`` for ``s(x) = cotangent . output``: the derivative along ``v`` of the
    complex-step derivative along ``u``, by central differences with steps ``step``
    and ``step / 2`` combined (Richardson), so that their step-squared errors cancel."""

    def along_u(t: float) -> float:
        leaves = [x + t * vk + 1j * STEP * uk for x, uk, vk in zip(leaf_arrays(spec), u, v)]
        return float(np.sum(cotangent * np.imag(evaluate(spec, leaves)[spec.output]) / STEP))

    coarse, fine = central_difference(along_u, step), central_difference(along_u, step / 2)
    return (4 * fine - coarse) / 3


def central_difference(f: Callable[[float], float], step: float) -> float:
    """``f'(0)`` as ``(f(step) - f(-step)) / (2 step)``: off by ``step^2 / 6`` times the
    third derivative, and by the rounding of ``f`` divided by ``step``."""
    return (f(step) - f(-step)) / (2 * step)


def central_differences(f: Callable[[list[Array]], float], arrays: Sequence[Array], step: float) -> list[Array]:
    """The gradient of the scalar ``f`` with respect to each array, element by element
    by :func:`central_difference`, at float64 copies of ``arrays`` (the caller's are
    left alone; ``f`` gets the copies, one element moved, and must not keep them)."""
    points = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for a in points:
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            saved = a[index]

            def moved(t: float) -> float:
                a[index] = saved + t
                return f(points)

            grad[index] = central_difference(moved, step)
            a[index] = saved
        grads.append(grad)
    return grads


def side_by_side(got: Array, expected: Array, allowed: Array, limit: int = 12) -> str:
    """The worst elements of a comparison as a small table."""
    got, expected = np.broadcast_arrays(np.asarray(got, dtype=np.float64), expected)
    error = np.abs(got - expected)
    order = np.argsort(-(error - allowed), axis=None)[:limit]
    rows = [f"{'index':>12} {'backprop':>22} {'numerical':>22} {'|diff|':>10} {'allowed':>10}"]
    for flat in order:
        index = np.unravel_index(flat, got.shape) if got.shape else ()
        rows.append(
            f"{str(tuple(int(i) for i in index)):>12} {got[index]!r:>22} {expected[index]!r:>22} "
            f"{error[index]:10.3g} {np.broadcast_to(allowed, got.shape)[index]:10.3g}"
        )
    return "\n".join(rows)


def hessian_vector(spec: GraphSpec, cotangent: Array, direction: Sequence[Array], step: float = 1e-5) -> list[Array]:
    """``H u`` of ``s(x) = w . f(x)`` for each leaf, with ``w`` the cotangent and
    ``u`` the direction: central differences (step ``step``) of complex-step
    gradients, so only the difference's own error (``O(step**2)``) is left."""

    def gradients(sign: float) -> list[Array]:
        steps: list[Leaf | Node] = []
        k = 0
        for item in spec.steps:
            if isinstance(item, Leaf):
                values = np.array(item.values) + sign * step * direction[k].ravel()
                steps.append(Leaf(item.shape, tuple(values.tolist())))
                k += 1
            else:
                steps.append(item)
        shifted = GraphSpec(tuple(steps), spec.output, "float64", spec.held)
        return [vjp(jacobian, cotangent)[0] for jacobian in jacobians(shifted)]

    plus, minus = gradients(1.0), gradients(-1.0)
    return [(p - m) / (2 * step) for p, m in zip(plus, minus)]
