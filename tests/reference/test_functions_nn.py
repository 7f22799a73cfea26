"""Neural-network functions: softmax family, losses, accuracy, dropout, embed_id."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

import dezero.functions as F
from dezero import Variable, test_mode
from tests.reference.helpers import F64, check_function, generator, normal

Labels = npt.NDArray[np.int64]


def _log_softmax(x: F64, axis: int) -> F64:
    shifted = x - x.max(axis=axis, keepdims=True)
    return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax(axis: int) -> None:
    check_function(
        lambda v: F.softmax(v, axis), lambda a: np.exp(_log_softmax(a, axis)), [normal(70, 3, 4)]
    )


def test_softmax_default_axis_is_1() -> None:
    check_function(F.softmax, lambda a: np.exp(_log_softmax(a, 1)), [normal(71, 2, 3, 4)])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_log_softmax(axis: int) -> None:
    check_function(lambda v: F.log_softmax(v, axis), lambda a: _log_softmax(a, axis), [normal(72, 3, 4)])


def test_softmax_family_is_stable_for_large_scores() -> None:
    x = Variable(np.array([[1000.0, 1000.0, -1000.0]]))
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(F.softmax(x).array, [[0.5, 0.5, 0.0]])
        np.testing.assert_allclose(F.log_softmax(x).array, [[-np.log(2), -np.log(2), -2000 - np.log(2)]])


# ---------------------------------------------------------------- mean_squared_error


@pytest.mark.parametrize("shape", [(4,), (4, 3), (2, 3, 2), ()], ids=str)
def test_mean_squared_error_sums_features_and_averages_the_batch(shape: tuple[int, ...]) -> None:
    batch = shape[0] if shape else 1

    def numpy_mse(a: F64, b: F64) -> F64:
        return np.asarray(np.sum((a - b) ** 2) / batch)

    check_function(F.mean_squared_error, numpy_mse, [normal(73, *shape), normal(74, *shape)])


def test_mean_squared_error_against_an_integer_target() -> None:
    x = Variable(np.array([1.5, 1.0]))
    loss = F.mean_squared_error(x, np.array([1, 2]))
    assert loss.array == pytest.approx((0.25 + 1.0) / 2)
    loss.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, [0.5, -1.0])  # 2 (x - t) / N


# ---------------------------------------------------------------- softmax_cross_entropy


@pytest.mark.parametrize("label_shape", ["(N,)", "(N, 1)"])
def test_softmax_cross_entropy(label_shape: str) -> None:
    labels: Labels = np.array([2, 0, 3, 3, 1])
    t = labels if label_shape == "(N,)" else labels.reshape(-1, 1)

    def numpy_sce(x: F64) -> F64:
        return np.asarray(-_log_softmax(x, 1)[np.arange(5), labels].mean())

    check_function(lambda v: F.softmax_cross_entropy(v, t), numpy_sce, [normal(75, 5, 4)])


def test_softmax_cross_entropy_accepts_a_label_variable_and_gives_it_no_gradient() -> None:
    x = Variable(normal(76, 2, 3))
    t = Variable(np.array([1, 2]))
    F.softmax_cross_entropy(x, t).backward()
    assert t.grad is None
    assert x.grad is not None and x.grad.shape == (2, 3)


@pytest.mark.parametrize(
    ("x_shape", "t_shape", "message"),
    [
        ((2, 3), (3,), r"labels of shape \(3,\) do not match scores of shape \(2, 3\)"),
        ((2, 3), (2, 2), r"labels of shape \(2, 2\)"),
        ((2, 3), (1, 2), r"expected \(2,\) or \(2, 1\)"),
        ((6,), (6,), r"needs scores of shape \(N, C\)"),
        ((2, 3, 1), (2,), r"needs scores of shape \(N, C\)"),
    ],
)
def test_softmax_cross_entropy_rejects_shapes_that_make_no_sense(
    x_shape: tuple[int, ...], t_shape: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        F.softmax_cross_entropy(Variable(np.ones(x_shape)), np.zeros(t_shape, dtype=np.int64))


def test_softmax_cross_entropy_rejects_float_labels() -> None:
    with pytest.raises(TypeError, match="labels must be integers"):
        F.softmax_cross_entropy(Variable(np.ones((2, 3))), np.array([0.0, 1.0]))


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_softmax_cross_entropy_rejects_labels_out_of_range(labels: list[int]) -> None:
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        F.softmax_cross_entropy(Variable(np.ones((2, 3))), np.array(labels))


# ---------------------------------------------------------------- sigmoid / binary CE


def _softplus(x: F64) -> F64:
    return np.asarray(np.log1p(np.exp(x)))


def test_sigmoid_cross_entropy_differentiates_logits_and_float_targets() -> None:
    def numpy_sigmoid_ce(x: F64, t: F64) -> F64:
        return np.asarray(np.sum(_softplus(x) - t * x) / len(x))

    targets = generator(77).random((4, 3))
    check_function(F.sigmoid_cross_entropy, numpy_sigmoid_ce, [normal(78, 4, 3), targets])


def test_sigmoid_cross_entropy_with_integer_targets() -> None:
    logits = normal(79, 4)
    labels: Labels = np.array([0, 1, 1, 0])

    def numpy_sigmoid_ce(x: F64) -> F64:
        return np.asarray(np.sum(_softplus(x) - labels * x) / 4)

    check_function(lambda v: F.sigmoid_cross_entropy(v, labels), numpy_sigmoid_ce, [logits])


def test_sigmoid_cross_entropy_does_not_overflow() -> None:
    with np.errstate(over="raise"):
        loss = F.sigmoid_cross_entropy(Variable(np.array([1000.0, -1000.0])), np.array([0.0, 1.0]))
    assert loss.array == pytest.approx(1000.0)


def _numpy_bce(p: F64, t: F64) -> F64:
    return np.asarray(-np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / len(p))


def test_binary_cross_entropy_differentiates_probabilities_and_float_targets() -> None:
    p = generator(80).uniform(0.1, 0.9, (4, 2))
    t = generator(81).random((4, 2))
    check_function(F.binary_cross_entropy, _numpy_bce, [p, t])


def test_binary_cross_entropy_with_integer_labels() -> None:
    labels: Labels = np.array([0, 1, 1])
    p = generator(82).uniform(0.1, 0.9, 3)
    check_function(
        lambda v: F.binary_cross_entropy(v, labels), lambda a: _numpy_bce(a, labels.astype(float)), [p]
    )


def test_binary_cross_entropy_at_a_confidently_wrong_probability_is_infinite() -> None:
    with np.errstate(divide="ignore"):
        loss = F.binary_cross_entropy(Variable(np.array([0.0])), np.array([1.0]))
    assert loss.array == np.inf


@pytest.mark.parametrize("p", [-0.1, 1.1])
def test_binary_cross_entropy_rejects_probabilities_outside_0_1(p: float) -> None:
    with pytest.raises(ValueError, match=r"probabilities p in \[0, 1\]"):
        F.binary_cross_entropy(Variable(np.array([0.5, p])), np.array([0.0, 1.0]))


# ---------------------------------------------------------------- accuracy


def test_accuracy_is_the_fraction_of_correct_argmaxes_and_has_no_graph() -> None:
    scores = Variable(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]))
    result = F.accuracy(scores, np.array([1, 0, 0, 1]))
    assert result.array == 0.5
    assert result.creator is None
    assert F.accuracy(scores, np.array([[1], [0], [1], [0]])).array == 1.0


@pytest.mark.parametrize(("scores_shape", "labels_shape"), [((4,), (4,)), ((4, 2), (3,)), ((4, 2), (4, 2))])
def test_accuracy_rejects_mismatched_shapes(
    scores_shape: tuple[int, ...], labels_shape: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match="accuracy needs scores"):
        F.accuracy(np.ones(scores_shape), np.zeros(labels_shape, dtype=np.int64))


# ---------------------------------------------------------------- dropout


def test_dropout_in_training_keeps_and_rescales_with_the_given_generator() -> None:
    ratio = 0.4
    data = normal(83, 50, 40)
    expected_keep = generator(84).random(data.shape) >= ratio
    x = Variable(data.copy())
    y = F.dropout(x, ratio, rng=generator(84))
    np.testing.assert_allclose(y.array, np.where(expected_keep, data / (1 - ratio), 0.0))
    upstream = normal(85, 50, 40)
    y.grad = Variable(upstream)
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, np.where(expected_keep, upstream / (1 - ratio), 0.0))


def test_dropout_ratio_zero_is_the_identity_in_training() -> None:
    data = normal(86, 3, 3)
    np.testing.assert_array_equal(F.dropout(Variable(data), 0.0).array, data)


def test_dropout_in_test_mode_returns_its_input() -> None:
    x = Variable(normal(87, 3, 3))
    with test_mode():
        assert F.dropout(x, 0.9) is x


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5])
def test_dropout_ratio_out_of_range_is_a_value_error(ratio: float) -> None:
    with pytest.raises(ValueError, match=r"dropout_ratio must lie in \[0, 1\)"):
        F.dropout(Variable(np.ones(3)), ratio)


def test_dropout_keeps_float32() -> None:
    y = F.dropout(Variable(np.ones(4, dtype=np.float32)), 0.5, rng=generator(88))
    assert y.dtype == np.float32


# ---------------------------------------------------------------- embed_id


def test_embed_id_selects_rows_and_scatter_adds_repeated_ids() -> None:
    ids = np.array([[2, 0], [2, 2]])
    check_function(lambda W: F.embed_id(ids, W), lambda W: W[ids], [normal(89, 4, 3)])


def test_embed_id_accepts_an_id_variable() -> None:
    W = Variable(normal(90, 4, 3))
    y = F.embed_id(Variable(np.array([3, 1])), W)
    np.testing.assert_array_equal(y.array, W.array[[3, 1]])


def test_embed_id_rejects_float_ids() -> None:
    with pytest.raises(TypeError, match="embed_id needs integer ids, got dtype float64"):
        F.embed_id(np.array([0.0, 1.0]), Variable(np.ones((2, 3))))
