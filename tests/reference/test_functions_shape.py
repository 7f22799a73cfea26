"""Functions that move elements: reshape, transpose, expand_dims, flatten, get_item,
broadcast_to and sum_to."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import F64, check_function, normal


def test_reshape() -> None:
    x = normal(30, 2, 3, 4)
    check_function(lambda v: F.reshape(v, (4, 6)), lambda a: a.reshape(4, 6), [x])
    check_function(lambda v: F.reshape(v, (-1, 2)), lambda a: a.reshape(-1, 2), [x])
    check_function(lambda v: F.reshape(v, 24), lambda a: a.reshape(24), [x])


def test_reshape_to_the_same_shape_returns_the_input() -> None:
    x = Variable(np.ones((2, 3)))
    assert F.reshape(x, (2, 3)) is x


def test_reshape_to_a_wrong_size_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot reshape"):
        F.reshape(Variable(np.ones((2, 3))), (4,))


def test_reshape_rejects_a_shape_that_is_not_ints() -> None:
    with pytest.raises(TypeError, match="a shape must be an int or a sequence of ints"):
        F.reshape(Variable(np.ones(4)), "ab")  # type: ignore[arg-type]  # deliberately wrong


def test_transpose_reverses_axes_by_default() -> None:
    x = normal(31, 2, 3, 4)
    check_function(F.transpose, lambda a: a.transpose(), [x])


@pytest.mark.parametrize("axes", [(1, 0, 2), (2, 0, 1), (0, 2, 1), (-1, 0, 1)])
def test_transpose_with_a_permutation(axes: tuple[int, ...]) -> None:
    x = normal(32, 2, 3, 4)
    check_function(lambda v: F.transpose(v, axes), lambda a: a.transpose(axes), [x])


@pytest.mark.parametrize("axes", [(0, 0, 1), (0, 1), (0, 1, 3)])
def test_transpose_rejects_axes_that_are_not_a_permutation(axes: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        F.transpose(Variable(np.ones((2, 3, 4))), axes)


def test_expand_dims() -> None:
    x = normal(33, 2, 3)
    for axis in (0, 1, 2, -1, -3):
        check_function(lambda v: F.expand_dims(v, axis), lambda a: np.expand_dims(a, axis), [x])


def test_expand_dims_out_of_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        F.expand_dims(Variable(np.ones((2, 3))), 3)


def test_flatten_keeps_the_first_axis() -> None:
    x = normal(34, 2, 3, 4)
    check_function(F.flatten, lambda a: a.reshape(2, 12), [x])


def test_flatten_of_a_0d_array_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="0-d"):
        F.flatten(Variable(np.array(1.0)))


@pytest.mark.parametrize(
    "index",
    [
        1,
        -1,
        (1, 2),
        slice(0, 2),
        (slice(None), 1),
        (Ellipsis, 0),
        np.array([0, 0, 2]),
        (np.array([0, 2, 2]), np.array([1, 1, 3])),
        np.array([True, False, True]),
    ],
    ids=["int", "negative", "pair", "slice", "column", "ellipsis", "repeats", "fancy-pair", "mask"],
)
def test_get_item_scatters_gradients_back_and_sums_repeats(index: object) -> None:
    x = normal(35, 3, 4)
    check_function(lambda v: F.get_item(v, index), lambda a: a[index], [x])


def test_get_item_accepts_a_variable_index() -> None:
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y = F.get_item(x, Variable(np.array([2, 2, 0])))
    np.testing.assert_array_equal(y.array, [3.0, 3.0, 1.0])
    y.grad = Variable(np.array([10.0, 20.0, 30.0]))
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [30.0, 0.0, 30.0])


@pytest.mark.parametrize(
    ("shape", "target"),
    [((3,), (2, 3)), ((2, 1), (2, 3)), ((1, 3), (4, 2, 3)), ((), (2, 2)), ((2, 1, 1), (2, 3, 4))],
    ids=str,
)
def test_broadcast_to_and_its_gradient(shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    x = normal(36, *shape)
    check_function(lambda v: F.broadcast_to(v, target), lambda a: np.broadcast_to(a, target), [x])


@pytest.mark.parametrize(
    ("shape", "target"),
    [((2, 3), (3,)), ((2, 3), (2, 1)), ((4, 2, 3), (1, 3)), ((2, 2), ()), ((2, 3, 4), (2, 1, 1))],
    ids=str,
)
def test_sum_to_and_its_gradient(shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    x = normal(37, *shape)
    lead = len(shape) - len(target)
    stretched = tuple(lead + i for i, d in enumerate(target) if d == 1 and shape[lead + i] != 1)

    def numpy_sum_to(a: F64) -> F64:
        return np.asarray(a.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(target))

    check_function(lambda v: F.sum_to(v, target), numpy_sum_to, [x])


def test_broadcast_to_and_sum_to_the_same_shape_return_the_input() -> None:
    x = Variable(np.ones((2, 3)))
    assert F.broadcast_to(x, (2, 3)) is x
    assert F.sum_to(x, (2, 3)) is x


@pytest.mark.parametrize(
    ("shape", "target"),
    [((2, 3), (3, 3)), ((2, 3), (3,)), ((2, 3), (6,)), ((2,), (2, 3)), ((2, 3), (-1, 3))],
    ids=str,
)
def test_broadcast_to_an_incompatible_shape_is_a_value_error(
    shape: tuple[int, ...], target: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="does not broadcast to shape"):
        F.broadcast_to(Variable(np.ones(shape)), target)


@pytest.mark.parametrize(
    ("shape", "target"),
    [((2, 3), (2,)), ((2, 3), (4,)), ((2, 3), (2, 1, 3)), ((2, 3), (3, 1)), ((2, 3), (2, -3))],
    ids=str,
)
def test_sum_to_an_incompatible_shape_is_a_value_error(
    shape: tuple[int, ...], target: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="does not broadcast to shape"):
        F.sum_to(Variable(np.ones(shape)), target)
