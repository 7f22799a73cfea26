"""The book's other forms of functions: the composed ``*_simple`` versions, the
``batch_nrom`` spelling, ``dezero.functions_conv``'s classes and array helpers with
the book's signatures, and ``concat`` (which SqueezeNet needs)."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
import dezero.functions_conv as FC
from dezero import Variable
from dezero.utils import gradient_check
from strategies.catalogue.ops_nn import col2im_reference, conv2d_reference, im2col_reference, pooling_reference
from tests.reference.helpers import normal
from strategies.implementation.protocols import Array


def softmax(x: Array, axis: int = 1) -> Array:
    e = np.exp(x)
    result: Array = e / e.sum(axis=axis, keepdims=True)
    return result


def test_simple_versions_compute_their_formulas() -> None:
    x, W, b = normal(300, 4, 3), normal(301, 3, 2), normal(302, 2)
    np.testing.assert_allclose(F.linear_simple(x, W, b).array, x @ W + b, rtol=1e-12)
    np.testing.assert_allclose(F.linear_simple(x, W).array, x @ W, rtol=1e-12)
    np.testing.assert_allclose(F.sigmoid_simple(x).array, 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(F.softmax_simple(x).array, softmax(x), rtol=1e-12)
    np.testing.assert_allclose(F.softmax_simple(x, axis=0).array, softmax(x, 0), rtol=1e-12)
    y = normal(303, 4, 3)
    assert float(F.mean_squared_error_simple(x, y).array) == pytest.approx(((x - y) ** 2).sum() / 4, rel=1e-12)
    t = np.array([2, 0, 1, 1])
    expected = -np.log(softmax(x)[np.arange(4), t]).mean()
    assert float(F.softmax_cross_entropy_simple(x, t).array) == pytest.approx(expected, rel=1e-12)


def test_simple_versions_agree_with_the_fused_ones_in_value_and_gradient() -> None:
    x, t = normal(304, 5, 4), np.array([0, 3, 1, 2, 3])
    for simple, fused in [
        (F.sigmoid_simple, F.sigmoid),
        (F.softmax_simple, F.softmax),
        (lambda v: F.softmax_cross_entropy_simple(v, t), lambda v: F.softmax_cross_entropy(v, t)),
    ]:
        a, b = Variable(x.copy()), Variable(x.copy())
        ya, yb = simple(a), fused(b)
        np.testing.assert_allclose(ya.array, yb.array, rtol=1e-10)
        F.sum(ya * normal(305, *ya.shape)).backward()
        F.sum(yb * normal(305, *yb.shape)).backward()
        assert a.grad is not None and b.grad is not None
        np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-8, atol=1e-12)
    assert gradient_check(lambda v, w: F.mean_squared_error_simple(v, w), (normal(306, 3, 2), normal(307, 3, 2)))


def test_the_simple_softmax_overflows_as_the_book_s_does() -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(F.softmax_simple(np.array([[1000.0, 0.0]])).array[0, 0])
    np.testing.assert_allclose(F.softmax(np.array([[1000.0, 0.0]])).array, [[1.0, 0.0]])


def test_the_simple_cross_entropy_clips_probabilities() -> None:
    """A probability that underflows to 0 is clipped to 1e-15: the loss is
    -log(1e-15), finite, where the exact value is 1000."""
    x = np.array([[1000.0, 0.0]])
    loss = F.softmax_cross_entropy_simple(x, np.array([1]))
    assert float(loss.array) == pytest.approx(-np.log(1e-15))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        F.softmax_cross_entropy_simple(x, np.array([[1]]))


def test_pooling_simple_is_max_pooling_with_zero_padding() -> None:
    x = normal(308, 2, 3, 5, 5)
    np.testing.assert_allclose(F.pooling_simple(x, 2, 2).array, pooling_reference(x, (2, 2), (2, 2), (0, 0)))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))  # zeros, as im2col pads
    np.testing.assert_allclose(F.pooling_simple(x, 3, 2, 1).array, pooling_reference(padded, (3, 3), (2, 2), (0, 0)))
    assert gradient_check(lambda v: F.pooling_simple(v, 3, 1, 1), normal(309, 1, 2, 4, 4))
    assert FC.pooling_simple is F.pooling_simple


def test_batch_nrom_is_the_book_s_spelling_of_batch_norm() -> None:
    assert F.batch_nrom is F.batch_norm
    assert "batch_nrom" in F.__all__


def test_the_array_helpers_take_the_book_s_arguments() -> None:
    x = normal(310, 2, 3, 5, 4)
    col = FC.im2col_array(x, (3, 2), (2, 1), (1, 0), to_matrix=False)
    np.testing.assert_array_equal(col, im2col_reference(x, (3, 2), (2, 1), (1, 0), False))
    matrix = FC.im2col_array(x, 3, 1, 1)
    np.testing.assert_array_equal(matrix, im2col_reference(x, (3, 3), (1, 1), (1, 1), True))
    back = FC.col2im_array(matrix, x.shape, 3, 1, 1)
    np.testing.assert_allclose(back, col2im_reference(matrix, (2, 3, 5, 4), (3, 3), (1, 1), (1, 1), True))
    np.testing.assert_allclose(FC.col2im_array(col, (2, 3, 5, 4), (3, 2), (2, 1), (1, 0), to_matrix=False),
                               col2im_reference(col, (2, 3, 5, 4), (3, 2), (2, 1), (1, 0), False))  # fmt: skip


def test_the_function_classes_are_the_ones_of_dezero_functions() -> None:
    for name in ("Conv2d", "Deconv2d", "Conv2DGradW", "Pooling", "Pooling2DGrad", "Pooling2DWithIndexes",
                 "AveragePooling", "Im2col", "Col2im"):  # fmt: skip
        assert getattr(FC, name) is getattr(F, name), name
    x, W = normal(311, 1, 2, 4, 4), normal(312, 3, 2, 3, 3)
    np.testing.assert_allclose(FC.Conv2d(1, 1)(x, W).array, conv2d_reference(x, W, None, (1, 1), (1, 1)), rtol=1e-12)
    np.testing.assert_allclose(FC.Pooling(2, 2)(x).array, pooling_reference(x, (2, 2), (2, 2), (0, 0)))


def test_gradient_nodes_also_take_the_book_s_forward_node() -> None:
    """The book builds Conv2DGradW from the Conv2d node and Pooling2DGrad /
    Pooling2DWithIndexes from the Pooling node; the same calls work here."""
    x, W, gy = normal(313, 1, 2, 5, 5), normal(314, 3, 2, 3, 3), normal(315, 1, 3, 3, 3)
    conv = FC.Conv2d(2, 1)
    conv(Variable(x), Variable(W))
    gW = FC.Conv2DGradW(conv)(Variable(x), Variable(gy))
    expected = np.einsum("nopq,ncijpq->ocij", gy, im2col_reference(x, (3, 3), (2, 2), (1, 1), False))
    np.testing.assert_allclose(gW.array, expected, rtol=1e-10)

    pool = FC.Pooling(2, 2)
    y = pool(Variable(x))
    g = normal(316, *y.shape)
    routed = FC.Pooling2DGrad(pool)(Variable(g))
    assert routed.shape == x.shape and float(routed.array.sum()) == pytest.approx(float(g.sum()))
    picked = FC.Pooling2DWithIndexes(pool)(Variable(x))
    np.testing.assert_array_equal(picked.array, y.array)
    with pytest.raises(TypeError, match="Pooling node"):
        FC.Pooling2DGrad((1, 2, 5, 5))


def test_concat_joins_along_an_axis_and_splits_the_gradient() -> None:
    a, b = normal(317, 2, 3, 2), normal(318, 2, 1, 2)
    np.testing.assert_array_equal(F.concat([a, b]).array, np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(F.concat([a, a], axis=-1).array, np.concatenate([a, a], axis=2))
    assert gradient_check(lambda u, v: F.concat([u, v]) * np.arange(8.0).reshape(1, 4, 2), (a, b))
    with pytest.raises(ValueError, match="differ off axis"):
        F.concat([a, normal(319, 3, 1, 2)])
    with pytest.raises(ValueError, match="at least one"):
        F.concat([])
