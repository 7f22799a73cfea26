"""Gradient checks by float64 central finite differences: the suite's
(``strategies.oracles.numerics.central_differences``), independent of
``dezero.utils.numerical_grad``. (Not its complex step: these checks differentiate
DeZero's own forward and first backward, which take no complex arrays.)

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
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import central_differences

Op = Callable[..., Variable]
# The step of the differences: their error, ~1e-12 of the third derivative plus
# ~1e-10 of the value (rounding), is far below the tolerances.
EPS = 1e-6


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

    assert_close(backprop(op, arrays, weight), central_differences(value, arrays, EPS), rtol, atol)


def check_second_order(
    op: Op, arrays: Sequence[Array], rng: np.random.Generator, rtol: float = 1e-5, atol: float = 1e-6
) -> None:
    weight = rng.standard_normal(output_shape(op, arrays))
    directions = [rng.standard_normal(np.shape(a)) for a in arrays]

    def contracted_first_gradient(points: list[Array]) -> float:
        *inputs, upstream = points
        grads = backprop(op, inputs, upstream)
        return float(sum(np.sum(g * r) for g, r in zip(grads, directions)))

    expected = central_differences(contracted_first_gradient, [*arrays, weight], EPS)

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
