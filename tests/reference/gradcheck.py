"""Gradient checks by float64 central finite differences, written for these tests
(independent of ``dezero.utils.numerical_grad``).

An ``op`` takes Variables and returns one Variable. Every check contracts the
output with a random upstream gradient ``weight`` (never all ones), so a wrong
transpose or a dropped broadcast cannot hide behind a symmetric seed.

Second order: with ``G_i(a, g)`` the backprop gradient of ``sum(op(a) * g)`` with
respect to input ``i``, and random ``r_i``, the scalar
``S(a, g) = sum_i sum(G_i(a, g) * r_i)`` is differentiated twice over: by backprop
through the first backward (``create_graph=True``), and by finite differences of
``S`` evaluated with first-order backprop. That covers every input and the
upstream gradient ``g`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import dezero.functions as F
from dezero import Variable
from tests.reference.numpy_reference import Array

Op = Callable[..., Variable]


def numerical_gradients(f: Callable[[list[Array]], float], arrays: Sequence[Array], eps: float = 1e-6) -> list[Array]:
    """Central differences of the scalar ``f`` at float64 copies of ``arrays``."""
    points = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for a in points:
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            saved = a[index]
            a[index] = saved + eps
            plus = f(points)
            a[index] = saved - eps
            minus = f(points)
            a[index] = saved
            grad[index] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def _grad_array(v: Variable) -> Array:
    return np.zeros(v.shape) if v.grad is None else np.asarray(v.grad.array, dtype=np.float64)


def backprop(op: Op, arrays: Sequence[Array], weight: Array) -> list[Array]:
    """Backprop gradients of ``sum(op(*arrays) * weight)`` (zeros where none arrives)."""
    xs = [Variable(np.array(a, dtype=np.float64)) for a in arrays]
    F.sum(op(*xs) * weight).backward()
    return [_grad_array(x) for x in xs]


def output_shape(op: Op, arrays: Sequence[Array]) -> tuple[int, ...]:
    return op(*[Variable(np.array(a, dtype=np.float64)) for a in arrays]).shape


def assert_close(got: Sequence[Array], expected: Sequence[Array], rtol: float, atol: float) -> None:
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g.shape == e.shape, f"input {i}: gradient shape {g.shape} != {e.shape}"
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def check_first_order(
    op: Op, arrays: Sequence[Array], rng: np.random.Generator, rtol: float = 1e-6, atol: float = 1e-7
) -> None:
    weight = rng.standard_normal(output_shape(op, arrays))

    def value(points: list[Array]) -> float:
        y = op(*[Variable(p) for p in points])
        return float(np.sum(y.array * weight))

    assert_close(backprop(op, arrays, weight), numerical_gradients(value, arrays), rtol, atol)


def check_second_order(
    op: Op, arrays: Sequence[Array], rng: np.random.Generator, rtol: float = 1e-5, atol: float = 1e-6
) -> None:
    weight = rng.standard_normal(output_shape(op, arrays))
    directions = [rng.standard_normal(np.shape(a)) for a in arrays]

    def contracted_first_gradient(points: list[Array]) -> float:
        *inputs, upstream = points
        grads = backprop(op, inputs, upstream)
        return float(sum(np.sum(g * r) for g, r in zip(grads, directions)))

    expected = numerical_gradients(contracted_first_gradient, [*arrays, weight])

    xs = [Variable(np.array(a, dtype=np.float64)) for a in arrays]
    upstream = Variable(weight.copy())
    F.sum(op(*xs) * upstream).backward(create_graph=True)
    first = [x.grad for x in xs]
    for v in (*xs, upstream):
        v.cleargrad()
    terms = [F.sum(g * r) for g, r in zip(first, directions) if g is not None]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    total.backward()
    assert_close([_grad_array(v) for v in (*xs, upstream)], expected, rtol, atol)
