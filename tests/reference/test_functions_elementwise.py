"""Elementwise functions of one variable: forward against NumPy, gradient against
finite differences, and the documented values at kinks."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import (
    F64,
    DezeroFunction,
    NumpyFunction,
    check_function,
    normal,
)


def _sigmoid(x: F64) -> F64:
    return 1 / (1 + np.exp(-x))


def _leaky_relu(x: F64) -> F64:
    return np.where(x > 0, x, 0.3 * x)


def _shifted_away_from_zero(x: F64) -> F64:
    """Kinked functions are checked away from their kink at 0."""
    return x + np.sign(x) * 0.1


SMOOTH: list[tuple[str, DezeroFunction, NumpyFunction]] = [
    ("sin", F.sin, np.sin),
    ("cos", F.cos, np.cos),
    ("tanh", F.tanh, np.tanh),
    ("exp", F.exp, np.exp),
    ("square", F.square, np.square),
    ("sigmoid", F.sigmoid, _sigmoid),
]


@pytest.mark.parametrize(("name", "dezero_f", "numpy_f"), SMOOTH, ids=[s[0] for s in SMOOTH])
def test_smooth_function_matches_numpy_and_finite_differences(
    name: str, dezero_f: DezeroFunction, numpy_f: NumpyFunction
) -> None:
    check_function(dezero_f, numpy_f, [normal(1, 3, 4)])


@pytest.mark.parametrize(
    ("dezero_f", "numpy_f"), [(F.log, np.log), (F.sqrt, np.sqrt)], ids=["log", "sqrt"]
)
def test_function_of_positive_input(dezero_f: DezeroFunction, numpy_f: NumpyFunction) -> None:
    x = np.abs(normal(2, 2, 3)) + 0.5
    check_function(dezero_f, numpy_f, [x])


KINKED: list[tuple[str, DezeroFunction, NumpyFunction]] = [
    ("abs", F.abs, np.abs),
    ("relu", F.relu, lambda x: np.maximum(x, 0.0)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.3), _leaky_relu),
    ("clip", lambda x: F.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7)),
]


@pytest.mark.parametrize(("name", "dezero_f", "numpy_f"), KINKED, ids=[k[0] for k in KINKED])
def test_kinked_function_away_from_kinks(
    name: str, dezero_f: DezeroFunction, numpy_f: NumpyFunction
) -> None:
    x = _shifted_away_from_zero(normal(3, 4, 5))
    if name == "clip":  # keep clear of the clip bounds as well
        x = x[(np.abs(x + 0.5) > 0.01) & (np.abs(x - 0.7) > 0.01)]
    check_function(dezero_f, numpy_f, [x])


def test_leaky_relu_default_slope_is_0_2() -> None:
    x = Variable(np.array([-2.0, 3.0]))
    y = F.leaky_relu(x)
    np.testing.assert_array_equal(y.array, [-0.4, 3.0])


def _grad_at(dezero_f: DezeroFunction, points: list[float]) -> F64:
    x = Variable(np.array(points))
    y = dezero_f(x)
    y.backward()
    assert x.grad is not None
    return np.asarray(x.grad.array, dtype=np.float64)


def test_gradients_at_kinks_follow_the_documented_convention() -> None:
    np.testing.assert_array_equal(_grad_at(F.abs, [0.0, -1.0, 2.0]), [0.0, -1.0, 1.0])
    np.testing.assert_array_equal(_grad_at(F.relu, [0.0, -1.0, 2.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(
        _grad_at(lambda x: F.leaky_relu(x, 0.25), [0.0, -1.0, 2.0]), [0.25, 0.25, 1.0]
    )
    # clip: 1 on the closed interval [x_min, x_max], 0 outside
    np.testing.assert_array_equal(
        _grad_at(lambda x: F.clip(x, -1.0, 1.0), [-1.0, 1.0, -1.5, 1.5, 0.0]), [1, 1, 0, 0, 1]
    )


def test_sigmoid_does_not_overflow_for_large_inputs() -> None:
    with np.errstate(over="raise"):
        y = F.sigmoid(Variable(np.array([-1000.0, 0.0, 1000.0])))
    np.testing.assert_array_equal(y.array, [0.0, 0.5, 1.0])


def test_clip_rejects_min_above_max() -> None:
    with pytest.raises(ValueError, match="x_min <= x_max"):
        F.clip(Variable(np.array([1.0])), 2.0, 1.0)


@pytest.mark.parametrize("name", ["sin", "cos", "tanh", "exp", "log", "sqrt", "square", "sigmoid"])
def test_smooth_functions_accept_raw_arrays_and_return_variables(name: str) -> None:
    dezero_f: DezeroFunction = getattr(F, name)
    y = dezero_f(np.array([0.5, 1.5]))
    assert isinstance(y, Variable)
    assert y.shape == (2,)
