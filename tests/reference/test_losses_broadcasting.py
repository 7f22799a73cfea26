"""Losses whose operands broadcast: the book's value, and each gradient summed back
to its operand's shape (docs/semantics.md, broadcasting losses).

Book step 59 computes ``mean_squared_error`` of a (1, 1) prediction against a (1,)
target. The book's ``sigmoid_cross_entropy`` and ``binary_cross_entropy`` first
reshape a target with another number of axes to the input's shape, then let
NumPy broadcast. Values are worked out by hand or from NumPy formulas written
here; gradients are compared with finite differences of those formulas.
"""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import F64, check_function, generator, normal


def numpy_mse(x0: F64, x1: F64) -> F64:
    diff = x0 - x1
    return np.asarray(np.sum(diff**2) / len(diff))  # len of the broadcast difference


def numpy_sigmoid_ce(x: F64, t: F64) -> F64:
    return np.asarray(np.sum(np.logaddexp(0, x) - t * x) / len(x))


def numpy_bce(p: F64, t: F64) -> F64:
    return np.asarray(-np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / len(t))


# ---------------------------------------------------------------- mean_squared_error


def test_mean_squared_error_of_a_1x1_prediction_against_a_vector_target() -> None:
    # Book step 59: y of shape (1, 1) against t of shape (1,).
    y = Variable(np.array([[2.0]]))
    t = Variable(np.array([3.0]))
    loss = F.mean_squared_error(y, t)
    assert loss.shape == () and loss.array == 1.0  # (2 - 3)^2 / 1
    loss.backward()
    assert y.grad is not None and t.grad is not None
    np.testing.assert_array_equal(y.grad.array, [[-2.0]])  # 2 (y - t) / 1, shape (1, 1)
    np.testing.assert_array_equal(t.grad.array, [2.0])  # shape (1,)


def test_mean_squared_error_of_a_column_against_a_row_compares_every_pair() -> None:
    x0 = Variable(np.array([[1.0], [2.0]]))
    x1 = Variable(np.array([0.0, 1.0, 2.0]))
    loss = F.mean_squared_error(x0, x1)
    # diff = [[1, 0, -1], [2, 1, 0]]: squares sum to 7, over len(diff) = 2.
    assert loss.array == 3.5
    loss.backward()
    assert x0.grad is not None and x1.grad is not None
    # d/d diff = 2 diff / 2 = diff; summed over the axes each operand was broadcast along.
    np.testing.assert_array_equal(x0.grad.array, [[0.0], [3.0]])
    np.testing.assert_array_equal(x1.grad.array, [-3.0, -1.0, 1.0])


@pytest.mark.parametrize(
    ("shape0", "shape1"),
    [((4, 1), (4,)), ((1, 3), (4, 3)), ((4, 3), (3,)), ((4, 3), ()), ((2, 1, 3), (4, 1))],
)
def test_mean_squared_error_broadcasts_like_numpy(shape0: tuple[int, ...], shape1: tuple[int, ...]) -> None:
    check_function(F.mean_squared_error, numpy_mse, [normal(1, *shape0), normal(2, *shape1)])


def test_mean_squared_error_against_a_broadcast_raw_target() -> None:
    y = Variable(normal(3, 4, 1))
    target = normal(4, 4)
    loss = F.mean_squared_error(y, target)
    np.testing.assert_allclose(loss.array, numpy_mse(y.array, target), rtol=1e-12)
    loss.backward()
    assert y.grad is not None and y.grad.shape == (4, 1)


def test_mean_squared_error_of_shapes_that_do_not_broadcast_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"mean_squared_error: the shapes \(3,\) and \(4,\) do not broadcast"):
        F.mean_squared_error(Variable(np.ones(3)), Variable(np.ones(4)))


# ---------------------------------------------------------------- sigmoid_cross_entropy


def test_sigmoid_cross_entropy_reshapes_a_target_with_fewer_axes() -> None:
    # As the book: a (2,) target against (2, 1) logits is paired element by element.
    x = Variable(np.array([[0.0], [0.0]]))
    loss = F.sigmoid_cross_entropy(x, np.array([1, 0]))
    np.testing.assert_allclose(loss.array, np.log(2.0), rtol=1e-12)  # 2 log 2 / len(x)
    loss.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, [[-0.25], [0.25]])  # (sigmoid(0) - t) / 2


def test_sigmoid_cross_entropy_broadcasts_a_target_with_as_many_axes() -> None:
    targets = generator(5).random((4, 1))
    check_function(F.sigmoid_cross_entropy, numpy_sigmoid_ce, [normal(6, 4, 3), targets])


def test_sigmoid_cross_entropy_target_broadcast_beyond_the_input() -> None:
    """The target's gradient is that of the broadcast loss terms, summed to the
    target's shape, also where the target is the larger operand (found by the
    nightly profile: (1, 2, 2) logits against a (2, 2, 1) target)."""
    targets = generator(7).random((2, 2, 1))
    check_function(F.sigmoid_cross_entropy, numpy_sigmoid_ce, [normal(8, 1, 2, 2), targets])


def test_sigmoid_cross_entropy_target_that_cannot_take_the_shape_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"sigmoid_cross_entropy: a target of shape \(3,\)"):
        F.sigmoid_cross_entropy(Variable(np.ones((2, 1))), np.ones(3))


# ---------------------------------------------------------------- binary_cross_entropy


def test_binary_cross_entropy_reshapes_a_target_with_fewer_axes() -> None:
    p = Variable(np.array([[0.5], [0.25]]))
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0]))
    # -(log 0.5 + log 0.75) / 2
    np.testing.assert_allclose(loss.array, -(np.log(0.5) + np.log(0.75)) / 2, rtol=1e-12)
    loss.backward()
    assert p.grad is not None
    # d/dp of -(t log p + (1 - t) log(1 - p)) / 2: -1/(2 p) for t = 1, 1/(2 (1 - p)) for t = 0.
    np.testing.assert_allclose(p.grad.array, [[-1.0], [2.0 / 3.0]])


def test_binary_cross_entropy_broadcasts_and_divides_by_len_of_the_target() -> None:
    p = generator(7).uniform(0.1, 0.9, (1, 3))
    t = generator(8).random((4, 3))
    check_function(F.binary_cross_entropy, numpy_bce, [p, t])
