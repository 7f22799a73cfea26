"""Gradients are differentiable again: Hessian-vector products from
``backward(create_graph=True)`` against finite differences of first-order gradients
(which the other test files check against finite differences of NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import (
    F64,
    DezeroFunction,
    finite_difference_grads,
    generator,
    normal,
)


def _first_order(f: DezeroFunction, inputs: list[F64], upstream: F64) -> list[F64]:
    variables = [Variable(x.copy()) for x in inputs]
    y = f(*variables)
    y.grad = Variable(upstream)
    y.backward()
    return [np.zeros_like(x) if v.grad is None else v.grad.array for x, v in zip(inputs, variables)]


def _check_hessian_vector_product(f: DezeroFunction, inputs: list[F64], seed: int) -> None:
    variables = [Variable(x.copy()) for x in inputs]
    y = f(*variables)
    upstream = normal(seed, *y.shape)
    directions = [normal(seed + 1 + k, *x.shape) for k, x in enumerate(inputs)]

    y.grad = Variable(upstream)
    y.backward(create_graph=True)
    grads = [v.grad for v in variables]
    for v in variables:
        v.cleargrad()
    terms = [F.sum(g * d) for g, d in zip(grads, directions) if g is not None]
    projection = sum(terms, Variable(np.array(0.0)))
    projection.backward()
    got = [np.zeros_like(x) if v.grad is None else v.grad.array for x, v in zip(inputs, variables)]

    def projected_first_order(*xs: F64) -> F64:
        firsts = _first_order(f, list(xs), upstream)
        return np.asarray(sum(np.sum(g * d) for g, d in zip(firsts, directions)))

    want = finite_difference_grads(projected_first_order, inputs, np.array(1.0))
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"input {k}")


def _positive(seed: int, *shape: int) -> F64:
    return np.abs(normal(seed, *shape)) + 0.5


LABELS = np.array([1, 0, 2])

CASES: list[tuple[str, DezeroFunction, list[F64]]] = [
    ("sin", F.sin, [normal(1, 3, 2)]),
    ("cos", F.cos, [normal(2, 3, 2)]),
    ("tanh", F.tanh, [normal(3, 3, 2)]),
    ("exp", F.exp, [normal(4, 3, 2)]),
    ("log", F.log, [_positive(5, 3, 2)]),
    ("sqrt", F.sqrt, [_positive(6, 3, 2)]),
    ("square", F.square, [normal(7, 3, 2)]),
    ("sigmoid", F.sigmoid, [normal(8, 3, 2)]),
    ("x ** 3", lambda x: x**3, [normal(9, 3, 2)]),
    ("2 ** x", lambda x: 2**x, [normal(10, 3, 2)]),
    ("x ** y", lambda x, y: x**y, [_positive(11, 3, 2), normal(12, 2)]),
    ("x * y", lambda x, y: x * y, [normal(13, 3, 2), normal(14, 2)]),
    ("x / y", lambda x, y: x / y, [normal(15, 3, 2), _positive(16, 3, 1)]),
    ("x - y", lambda x, y: x - y, [normal(17, 3, 2), normal(18, 1, 2)]),
    ("matmul", lambda x, w: F.tanh(x @ w), [normal(19, 3, 2), normal(20, 2, 4)]),
    ("batched matmul", lambda x, w: F.sin(x @ w), [normal(21, 2, 3, 2), normal(22, 2, 4)]),
    ("vector matmul", lambda x, w: F.sin(x @ w), [normal(23, 3), normal(24, 3, 2)]),
    ("linear", lambda x, w, b: F.tanh(F.linear(x, w, b)),
     [normal(25, 3, 2), normal(26, 2, 4), normal(27, 4)]),  # fmt: skip
    ("softmax", lambda x: F.softmax(x), [normal(28, 3, 4)]),
    ("log_softmax", lambda x: F.log_softmax(x, 0), [normal(29, 3, 4)]),
    ("sum keepdims", lambda x: F.sum(x * x, axis=-1, keepdims=True), [normal(30, 3, 4)]),
    ("mean", lambda x: F.mean(F.exp(x), axis=(0, 1)), [normal(31, 2, 3, 2)]),
    ("broadcast_to", lambda x: F.broadcast_to(x, (2, 3)) ** 2, [normal(32, 3)]),
    ("sum_to", lambda x: F.sum_to(x**2, (3,)), [normal(33, 2, 3)]),
    ("reshape, transpose", lambda x: F.sin(x.reshape(3, 2).T), [normal(34, 2, 3)]),
    ("get_item", lambda x: x[np.array([0, 0, 2])] ** 2, [normal(35, 3, 2)]),
    ("max", lambda x: F.max(x**2, axis=1), [normal(36, 3, 4)]),
    ("mean_squared_error", F.mean_squared_error, [normal(37, 3, 2), normal(38, 3, 2)]),
    ("softmax_cross_entropy", lambda x: F.softmax_cross_entropy(x, LABELS), [normal(39, 3, 3)]),
    ("sigmoid_cross_entropy", F.sigmoid_cross_entropy, [normal(40, 3, 2), generator(41).random((3, 2))]),
    ("binary_cross_entropy", F.binary_cross_entropy,
     [generator(42).uniform(0.2, 0.8, (3, 2)), generator(43).random((3, 2))]),  # fmt: skip
    ("x ** int constant", lambda x: x ** np.array([2, 3]), [normal(44, 3, 2)]),
    ("int constant / x", lambda x: np.array([1, 2]) / x, [_positive(45, 3, 2)]),
    ("x @ int constant", lambda x: F.sin(x @ np.array([[1, 2], [3, 4]])), [normal(46, 3, 2)]),
    ("x @ int vector", lambda x: F.sin(x @ np.array([1, 2])), [normal(47, 3, 2)]),
]


@pytest.mark.parametrize(("name", "f", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_hessian_vector_product_matches_finite_differences(
    name: str, f: DezeroFunction, inputs: list[F64]
) -> None:
    _check_hessian_vector_product(f, inputs, seed=len(name))


def test_second_derivative_of_kinked_functions_is_zero() -> None:
    for kinked in (F.relu, F.abs, lambda v: F.clip(v, -0.5, 0.5), lambda v: F.leaky_relu(v, 0.1)):
        x = Variable(np.array([-1.0, -0.2, 0.3, 2.0]))
        kinked(x).backward(create_graph=True)
        gx = x.grad
        assert gx is not None
        x.cleargrad()
        F.sum(gx * np.array([1.0, 2.0, 3.0, 4.0])).backward()
        assert x.grad is None or not np.any(x.grad.array)
