"""backward() on integer and boolean data: float64 gradients, never an error and
never a truncated, wrapped or overflowing gradient (docs/semantics.md, integer data).

The first tests are the book's idioms of steps 37-40 (``Variable`` of an integer
array, then ``backward``); the expected gradients are worked out by hand.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

import dezero.functions as F
from dezero import Variable
from dezero.core import Function

INTS = np.array([[1, 2, 3], [4, 5, 6]])


def grad_of(v: Variable) -> npt.NDArray[np.float64]:
    assert v.grad is not None
    assert v.grad.dtype == np.float64, v.grad.dtype
    assert v.grad.shape == v.shape
    return np.asarray(v.grad.array)


# ---------------------------------------------------------------- the book's idioms


def test_sum_of_an_integer_matrix() -> None:
    x = Variable(INTS)
    y = F.sum(x)
    y.backward()
    assert y.array == 21 and y.dtype == INTS.dtype  # forward keeps the data's dtype
    np.testing.assert_array_equal(grad_of(x), np.ones((2, 3)))


def test_reshape_and_transpose_of_integer_data() -> None:
    x = Variable(INTS)
    y = F.transpose(F.reshape(x, (6,)).reshape(3, 2))
    y.backward(retain_grad=True)
    assert y.shape == (2, 3)
    np.testing.assert_array_equal(grad_of(x), np.ones((2, 3)))
    np.testing.assert_array_equal(grad_of(y), np.ones((2, 3)))  # the seed, float64 too


def test_sum_over_an_axis_of_integer_data() -> None:
    x = Variable(INTS)
    y = F.sum(x, axis=0)
    y.backward()
    np.testing.assert_array_equal(y.array, [5, 7, 9])
    np.testing.assert_array_equal(grad_of(x), np.ones((2, 3)))


def test_broadcast_addition_of_integer_vectors() -> None:
    x0 = Variable(np.array([1, 2, 3]))
    x1 = Variable(np.array([10]))
    y = x0 + x1
    y.backward()
    np.testing.assert_array_equal(y.array, [11, 12, 13])
    np.testing.assert_array_equal(grad_of(x0), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(grad_of(x1), [3.0])  # summed back over the broadcast


def test_an_integer_leaf_is_its_own_gradient() -> None:
    x = Variable(np.array([1, 2], dtype=np.int32))
    x.backward()
    np.testing.assert_array_equal(grad_of(x), [1.0, 1.0])


# ---------------------------------------------------------------- never truncated


def test_a_fractional_gradient_into_integer_data_is_kept() -> None:
    x = Variable(np.array([1, 2]))
    (x * 0.5).backward()
    np.testing.assert_array_equal(grad_of(x), [0.5, 0.5])


def test_fractional_gradients_accumulate_without_truncation() -> None:
    # 0.5 + 0.25 = 0.75 for each element; an integer buffer would hold 0.
    x = Variable(np.array([4, 8]))
    (x * 0.5 + x * 0.25).backward()
    np.testing.assert_array_equal(grad_of(x), [0.75, 0.75])


def test_a_negative_gradient_into_unsigned_data_does_not_wrap() -> None:
    x = Variable(np.array([3], dtype=np.uint8))
    y = 5 - x
    assert y.dtype == np.uint8 and y.array[0] == 2
    y.backward()
    np.testing.assert_array_equal(grad_of(x), [-1.0])  # not 255


def test_a_large_gradient_into_int8_data_does_not_overflow() -> None:
    x = Variable(np.array(1, dtype=np.int8))
    F.sum(F.broadcast_to(x, (300,))).backward()
    assert grad_of(x) == 300.0  # int8 holds at most 127


def test_a_cast_back_to_the_integer_dtype_does_not_truncate() -> None:
    x = Variable(np.array([1, 2]))
    (F.astype(x, np.float32) * 0.5).backward()
    np.testing.assert_array_equal(grad_of(x), [0.5, 0.5])


def test_leaky_relu_of_integer_data_keeps_its_slope() -> None:
    x = Variable(np.array([-2, 3]))
    F.sum(F.leaky_relu(x, 0.2)).backward()
    np.testing.assert_allclose(grad_of(x), [0.2, 1.0])


def test_tied_maxima_of_integer_data_share_the_gradient() -> None:
    x = Variable(np.array([5, 1, 5]))
    F.max(x).backward()
    np.testing.assert_array_equal(grad_of(x), [0.5, 0.0, 0.5])


def test_integer_and_float_variables_mixed() -> None:
    x = Variable(np.array([1.5, 2.0]))
    counts = Variable(np.array([3, 4]))
    (x * counts).backward()
    assert x.grad is not None and x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])
    np.testing.assert_array_equal(grad_of(counts), [1.5, 2.0])


def test_boolean_data_gets_float64_gradients() -> None:
    mask = Variable(np.array([True, False]))
    (mask * 2.0).backward()
    np.testing.assert_array_equal(grad_of(mask), [2.0, 2.0])


def test_float32_data_keeps_float32_gradients_next_to_integers() -> None:
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    counts = Variable(np.array([3, 4], dtype=np.int32))
    y = x * counts
    y.backward()
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])
    np.testing.assert_array_equal(grad_of(counts), [1.0, 2.0])


# ---------------------------------------------------------------- both engine modes


def test_integer_data_with_create_graph_gives_differentiable_float64_gradients() -> None:
    x = Variable(np.array([1, 3]))
    y = F.sum(x * x * x)  # dy/dx = 3 x^2, d2y/dx2 = 6 x
    y.backward(create_graph=True)
    gx = x.grad
    assert gx is not None and gx.creator is not None
    np.testing.assert_array_equal(grad_of(x), [3.0, 27.0])
    x.cleargrad()
    F.sum(gx).backward()
    np.testing.assert_array_equal(grad_of(x), [6.0, 18.0])


class IntegerHalf(Function[Variable]):
    """A book-style Function (Variables in backward) that returns an integer
    gradient for a float input: the engine casts it to the input's dtype."""

    def forward(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return x / 2

    def backward(self, gy: Variable) -> Variable:
        return Variable(np.ones(gy.shape, dtype=np.int64))


@pytest.mark.parametrize("create_graph", [False, True])
def test_an_integer_gradient_for_float_data_is_cast_to_its_dtype(create_graph: bool) -> None:
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    IntegerHalf()(x).backward(create_graph=create_graph)
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [1.0, 1.0])
