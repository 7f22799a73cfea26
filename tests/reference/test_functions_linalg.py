"""matmul (1-D, 2-D, batched, broadcast batch axes) and linear."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import F64, check_function, normal

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((3,), (3,)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)),
]


@pytest.mark.parametrize(("shape_x", "shape_w"), MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy_and_gradients_keep_their_shapes(
    shape_x: tuple[int, ...], shape_w: tuple[int, ...]
) -> None:
    check_function(F.matmul, np.matmul, [normal(50, *shape_x), normal(51, *shape_w)])


def test_variable_matmul_and_dot_methods() -> None:
    a, b = normal(52, 2, 3), normal(53, 3, 2)
    check_function(lambda x, w: x.matmul(w), np.matmul, [a, b])
    check_function(lambda x, w: x.dot(w), np.matmul, [a, b])


def test_matmul_of_a_0d_operand_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="at least one dimension"):
        F.matmul(Variable(np.array(2.0)), Variable(np.ones((2, 2))))


@pytest.mark.parametrize(("shape_x", "shape_w"), [((2, 3), (2, 3)), ((3,), (2,)), ((2, 3), (4,))])
def test_matmul_of_misaligned_shapes_is_a_value_error(
    shape_x: tuple[int, ...], shape_w: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="not aligned"):
        F.matmul(Variable(np.ones(shape_x)), Variable(np.ones(shape_w)))


@pytest.mark.parametrize("b_shape", [(4,), (1, 4), (2, 4), ()], ids=str)
def test_linear_with_bias(b_shape: tuple[int, ...]) -> None:
    def numpy_linear(x: F64, W: F64, b: F64) -> F64:
        return x @ W + b

    inputs = [normal(54, 2, 3), normal(55, 3, 4), normal(56, *b_shape)]
    check_function(F.linear, numpy_linear, inputs)


def test_linear_without_bias() -> None:
    check_function(F.linear, np.matmul, [normal(57, 2, 3), normal(58, 3, 4)])
    check_function(lambda x, W: F.linear(x, W, None), np.matmul, [normal(57, 2, 3), normal(58, 3, 4)])


def test_linear_of_batched_input_falls_back_to_matmul() -> None:
    def numpy_linear(x: F64, W: F64, b: F64) -> F64:
        return x @ W + b

    check_function(F.linear, numpy_linear, [normal(59, 5, 2, 3), normal(60, 3, 4), normal(61, 4)])


def test_linear_with_a_bias_that_does_not_broadcast_is_a_value_error() -> None:
    x, W = Variable(np.ones((2, 3))), Variable(np.ones((3, 4)))
    with pytest.raises(ValueError, match="does not broadcast"):
        F.linear(x, W, Variable(np.ones(3)))


def test_linear_and_matmul_accept_integer_array_constants() -> None:
    weights = np.array([[1, 2], [3, 4]])
    for product in (lambda v: F.linear(v, weights, np.array([1, 1])), lambda v: v @ weights):
        x = Variable(np.array([[1.0, 2.0]]))
        y = product(x)
        y.grad = Variable(np.array([[1.0, -1.0]]))
        y.backward()
        assert x.grad is not None
        np.testing.assert_array_equal(x.grad.array, [[1 - 2, 3 - 4]])


def test_matmul_of_a_vector_with_an_integer_vector_constant() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = x @ np.array([3, 5])
    assert y.shape == ()
    assert y.array == 13.0
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [3.0, 5.0])
