"""Reductions: sum, average/mean, max, min, with None, int, negative and tuple axes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import F64, check_function, generator

AXES: list[None | int | tuple[int, ...]] = [None, 0, 1, 2, -1, -2, (0, 2), (-1, 0), (0, 1, 2), ()]


def _distinct(seed: int, *shape: int) -> F64:
    """Distinct values, so that max and min have no ties and are differentiable."""
    values = generator(seed).permutation(int(np.prod(shape))).astype(np.float64)
    return values.reshape(shape) * 0.37 - 1.0


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize(
    ("name", "dezero_f", "numpy_f"),
    [("sum", F.sum, np.sum), ("mean", F.mean, np.mean), ("average", F.average, np.mean),
     ("max", F.max, np.max), ("min", F.min, np.min)],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_reduction_over_axes(
    name: str,
    dezero_f: Callable[..., Variable],
    numpy_f: Callable[..., F64],
    axis: None | int | tuple[int, ...],
    keepdims: bool,
) -> None:
    x = _distinct(40, 2, 3, 4)
    check_function(
        lambda v: dezero_f(v, axis, keepdims),
        lambda a: numpy_f(a, axis=axis, keepdims=keepdims),
        [x],
    )


def test_variable_methods_sum_max_min() -> None:
    x = _distinct(41, 3, 4)
    check_function(lambda v: v.sum(axis=-1, keepdims=True), lambda a: a.sum(-1, keepdims=True), [x])
    check_function(lambda v: v.max(axis=(0, 1)), lambda a: a.max(axis=(0, 1)), [x])
    check_function(lambda v: v.min(axis=0), lambda a: a.min(axis=0), [x])
    check_function(lambda v: v.sum(), np.sum, [x])


def test_sum_accepts_a_list_of_axes() -> None:
    x = _distinct(42, 2, 3)
    check_function(lambda v: F.sum(v, [0, 1]), np.sum, [x])


def test_mean_divides_by_the_number_of_reduced_elements() -> None:
    x = Variable(np.arange(6.0).reshape(2, 3))
    y = F.mean(x, axis=1)
    np.testing.assert_array_equal(y.array, [1.0, 4.0])
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, np.full((2, 3), 1.0 / 3.0))


@pytest.mark.parametrize(("dezero_f", "name"), [(F.max, "max"), (F.min, "min")])
def test_tied_extremes_share_the_gradient_equally(dezero_f: Callable[..., Variable], name: str) -> None:
    extreme = 5.0 if name == "max" else -5.0
    x = Variable(np.array([[extreme, 1.0, extreme], [0.0, extreme, 2.0]]))
    y = dezero_f(x, axis=1)
    y.grad = Variable(np.array([6.0, 4.0]))
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [[3.0, 0.0, 3.0], [0.0, 4.0, 0.0]])


def test_max_over_all_axes_with_ties() -> None:
    x = Variable(np.array([1.0, 3.0, 3.0, 3.0]))
    F.max(x).backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, [0.0, 1 / 3, 1 / 3, 1 / 3])


@pytest.mark.parametrize("dezero_f", [F.sum, F.mean, F.max, F.min])
def test_axis_out_of_range_is_a_value_error(dezero_f: Callable[..., Variable]) -> None:
    x = Variable(np.ones((2, 3)))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        dezero_f(x, 2)
    with pytest.raises(ValueError, match="axis -3 is out of range"):
        dezero_f(x, -3)


@pytest.mark.parametrize("dezero_f", [F.sum, F.max, F.min])
def test_repeated_axis_is_a_value_error(dezero_f: Callable[..., Variable]) -> None:
    with pytest.raises(ValueError, match="repeated axis"):
        dezero_f(Variable(np.ones((2, 3))), (1, -1))


@pytest.mark.parametrize("axis", [1.0, "0", (0, 1.5), True])
def test_non_integer_axis_is_a_type_error(axis: object) -> None:
    with pytest.raises(TypeError, match="axis must be an int or a tuple of ints"):
        F.sum(Variable(np.ones((2, 3))), axis)  # type: ignore[arg-type]  # deliberately wrong


@pytest.mark.parametrize("dezero_f", [F.max, F.min, F.mean])
def test_reducing_an_empty_array_is_a_value_error(dezero_f: Callable[..., Variable]) -> None:
    with pytest.raises(ValueError, match="empty array"):
        dezero_f(Variable(np.zeros((0, 3))))


def test_sum_of_an_empty_array_is_zero() -> None:
    x = Variable(np.zeros((0, 3)))
    y = F.sum(x, axis=0)
    np.testing.assert_array_equal(y.array, [0.0, 0.0, 0.0])
    y.backward()
    assert x.grad is not None and x.grad.shape == (0, 3)
