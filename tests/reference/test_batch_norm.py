"""batch_norm (function) and BatchNorm (layer): forward against the suite's NumPy
reference (``strategies.catalogue.ops_nn``) and running averages against NumPy,
gradients and double backward against finite differences in training and test
mode, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import Variable, test_mode, using_config
from strategies.catalogue.ops_nn import batch_norm_reference
from strategies.implementation.protocols import Array
from tests.reference.gradcheck import check_first_order, check_second_order

SHAPES = [(5, 3), (4, 2, 3, 2), (3, 2, 4)]


def running_stats(x: Array, mean: Array, var: Array, decay: float) -> tuple[Array, Array]:
    """The running averages after one training-mode batch_norm on ``x``: the
    unbiased variance (divide by count - 1) enters the running variance."""
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.size // x.shape[1]
    new_mean = decay * mean + (1 - decay) * x.mean(axis=axes)
    new_var = decay * var + (1 - decay) * x.var(axis=axes, ddof=1 if count > 1 else 0)
    return new_mean, new_var


def stats(rng: np.random.Generator, channels: int) -> tuple[Array, Array]:
    return rng.standard_normal(channels), rng.random(channels) + 0.5


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_forward_and_running_averages_match_the_reference(shape: tuple[int, ...], train: bool) -> None:
    rng = np.random.default_rng(len(shape) + train)
    x = rng.standard_normal(shape) * 3 + 1
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    mean, var = stats(rng, shape[1])
    running_mean, running_var = mean.copy(), var.copy()
    with using_config("train", train):
        y = F.batch_norm(x, gamma, beta, running_mean, running_var, decay=0.8, eps=1e-3)
    # mean and var None: the reference normalizes with the batch's own statistics
    expected = batch_norm_reference(x, gamma, beta, None if train else mean, None if train else var, 1e-3)
    np.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)
    if train:
        expected_mean, expected_var = running_stats(x, mean, var, 0.8)
        np.testing.assert_allclose(running_mean, expected_mean, rtol=1e-12)
        np.testing.assert_allclose(running_var, expected_var, rtol=1e-12)
    else:
        np.testing.assert_array_equal(running_mean, mean)
        np.testing.assert_array_equal(running_var, var)


def batch_norm_op(mean: Array, var: Array, train: bool) -> Callable[..., Variable]:
    """batch_norm as a function of (x, gamma, beta) that does not leak running-average
    updates from one call into the next (finite differences call it many times)."""

    def op(x: Variable, gamma: Variable, beta: Variable) -> Variable:
        with using_config("train", train):
            return F.batch_norm(x, gamma, beta, mean.copy(), var.copy(), eps=1e-3)

    return op


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_first_order_gradients_match_finite_differences(shape: tuple[int, ...], train: bool) -> None:
    """In test mode too: the book's backward crashes there."""
    rng = np.random.default_rng(10 + len(shape) + train)
    arrays = [rng.standard_normal(shape), rng.standard_normal(shape[1]), rng.standard_normal(shape[1])]
    check_first_order(batch_norm_op(*stats(rng, shape[1]), train), arrays, rng, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_double_backward_matches_finite_differences_of_the_first_gradient(shape: tuple[int, ...], train: bool) -> None:
    """The book's training-mode backward treats 1/std as a constant of x, so its
    second derivative misses terms; here it must match finite differences."""
    rng = np.random.default_rng(20 + len(shape) + train)
    arrays = [rng.standard_normal(shape), rng.standard_normal(shape[1]), rng.standard_normal(shape[1])]
    check_second_order(batch_norm_op(*stats(rng, shape[1]), train), arrays, rng, rtol=1e-5, atol=1e-6)


def test_test_mode_backward_uses_the_statistics_of_its_forward() -> None:
    """The running averages change in place on the next training step; a test-mode
    graph built before must still differentiate with the values it used."""
    rng = np.random.default_rng(3)
    mean, var = stats(rng, 2)
    x = Variable(rng.standard_normal((4, 2)))
    gamma = Variable(rng.standard_normal(2))
    with test_mode():
        y = F.batch_norm(x, gamma, np.zeros(2), mean, var)
    expected = np.broadcast_to(gamma.array / np.sqrt(var + 2e-5), (4, 2)).copy()
    F.batch_norm(rng.standard_normal((4, 2)) * 10, gamma, np.zeros(2), mean, var)  # moves mean, var
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-12)


def test_float32_stays_float32_even_with_float64_running_averages() -> None:
    rng = np.random.default_rng(4)
    x = Variable(rng.standard_normal((6, 3)).astype(np.float32))
    gamma = Variable(np.ones(3, dtype=np.float32))
    beta = Variable(np.zeros(3, dtype=np.float32))
    for train in (True, False):
        with using_config("train", train):
            y = F.batch_norm(x, gamma, beta, np.zeros(3), np.ones(3))
        assert y.dtype == np.float32
        F.sum(y * rng.standard_normal(y.shape).astype(np.float32)).backward()
        for v in (x, gamma, beta):
            assert v.grad is not None and v.grad.dtype == np.float32
            v.cleargrad()


def test_the_layer_creates_its_parameters_at_the_first_call() -> None:
    rng = np.random.default_rng(5)
    layer = L.BatchNorm()
    assert [p.data for p in layer.params()] == [None] * 4
    x = rng.standard_normal((8, 3, 2, 2)).astype(np.float32)
    y = layer(x)
    names = [name for name, _ in layer.named_params()]
    assert names == ["avg_mean", "avg_var", "gamma", "beta"]
    assert all(p.dtype == np.float32 and p.shape == (3,) for p in layer.params())
    np.testing.assert_allclose(y.array, batch_norm_reference(x, np.ones(3), np.zeros(3), None, None, 2e-5), atol=1e-5)
    expected_mean, expected_var = running_stats(x, np.zeros(3), np.ones(3), 0.9)
    np.testing.assert_allclose(layer.avg_mean.array, expected_mean, rtol=1e-5)
    np.testing.assert_allclose(layer.avg_var.array, expected_var, rtol=1e-5)

    y.backward()
    assert layer.avg_mean.grad is None and layer.avg_var.grad is None
    assert layer.gamma.grad is not None and layer.beta.grad is not None

    with test_mode():
        y_test = layer(x)
    np.testing.assert_allclose(
        y_test.array,
        batch_norm_reference(x, np.ones(3), np.zeros(3), layer.avg_mean.array, layer.avg_var.array, 2e-5),
        atol=1e-5,
    )


def test_the_layer_saves_its_running_averages(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    layer = L.BatchNorm()
    layer(rng.standard_normal((8, 3)))
    layer.save_weights(tmp_path / "bn.npz")
    other = L.BatchNorm()
    other.load_weights(tmp_path / "bn.npz")
    for a, b in zip(layer.params(), other.params()):
        np.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.batch_norm(np.zeros(3), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3)), ValueError, r"\(N, C, ...\)"),
        (lambda: F.batch_norm(np.zeros((2, 3)), np.ones(2), np.zeros(3), np.zeros(3), np.ones(3)), ValueError, "gamma"),
        (lambda: F.batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), np.zeros(4), np.ones(3)), ValueError, "mean"),
        (lambda: F.batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), np.zeros(3, int), np.ones(3)), TypeError, "mean"),
        (
            lambda: F.batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.broadcast_to(1.0, (3,))),
            ValueError,
            "writeable",
        ),
        (lambda: F.batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), decay=2), ValueError, "decay"),
        (lambda: F.batch_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), eps=0), ValueError, "eps"),
        (lambda: L.BatchNorm()(np.zeros((2, 3), dtype=int)), TypeError, "floating-point"),
        (lambda: L.BatchNorm()(np.zeros(3)), ValueError, r"\(N, C, ...\)"),
    ],
)
def test_bad_arguments_raise_clear_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_running_averages_may_be_variables() -> None:
    mean, var = Variable(np.zeros(2)), Variable(np.ones(2))
    F.batch_norm(np.array([[1.0, 2.0], [3.0, 6.0]]), np.ones(2), np.zeros(2), mean, var)
    np.testing.assert_allclose(mean.array, [0.2, 0.4])
    assert dezero.Config.train
