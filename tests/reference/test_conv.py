"""conv2d, deconv2d, conv2d_simple, im2col, col2im, pooling, average_pooling:
forwards against the suite's NumPy references (``strategies.catalogue.ops_nn``),
first and second order gradients against float64 finite differences, errors at the
entry points."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dezero.functions as F
import dezero.functions_conv
from dezero import Variable
from dezero.functions.conv import get_conv_outsize, get_deconv_outsize
from strategies.catalogue.ops_nn import (
    Pair,
    average_pooling_reference,
    col2im_reference,
    conv2d_reference,
    deconv2d_reference,
    im2col_reference,
    pooling_reference,
)
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import central_differences
from tests.reference.gradcheck import check_first_order, check_second_order

# (N, C, H, W), (KH, KW), stride, pad: square and rectangular kernels, strides that
# leave pixels unused, asymmetric padding.
GEOMETRIES: list[tuple[tuple[int, int, int, int], Pair, Pair, Pair]] = [
    ((2, 3, 5, 6), (3, 2), (1, 1), (0, 0)),
    ((1, 2, 7, 5), (3, 3), (2, 1), (1, 2)),
    ((2, 1, 4, 4), (2, 2), (2, 2), (0, 0)),
    ((1, 2, 6, 7), (3, 2), (3, 2), (1, 1)),
]
IDS = [f"x{s}-k{k}-s{st}-p{p}" for s, k, st, p in GEOMETRIES]


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(map(ord, name)))


@pytest.mark.parametrize(("shape", "kernel", "stride", "pad"), GEOMETRIES, ids=IDS)
def test_forwards_match_the_loop_references(shape: tuple[int, int, int, int], kernel: Pair, stride: Pair, pad: Pair) -> None:
    rng = rng_for("forward")
    x = rng.standard_normal(shape)
    W = rng.standard_normal((4, shape[1]) + kernel)
    b = rng.standard_normal(4)
    expected = conv2d_reference(x, W, b, stride, pad)
    np.testing.assert_allclose(F.conv2d(x, W, b, stride, pad).array, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.conv2d_simple(x, W, b, stride, pad).array, expected, rtol=1e-12, atol=1e-12)
    no_bias = conv2d_reference(x, W, None, stride, pad)
    np.testing.assert_allclose(F.conv2d(x, W, None, stride, pad).array, no_bias, atol=1e-12)
    for to_matrix in (True, False):
        col = F.im2col(x, kernel, stride, pad, to_matrix=to_matrix).array
        np.testing.assert_array_equal(col, im2col_reference(x, kernel, stride, pad, to_matrix))
        back = F.col2im(col, shape, kernel, stride, pad, to_matrix=to_matrix).array
        np.testing.assert_allclose(back, col2im_reference(col, shape, kernel, stride, pad, to_matrix), atol=1e-12)
    np.testing.assert_array_equal(F.pooling(x, kernel, stride, pad).array, pooling_reference(x, kernel, stride, pad))
    np.testing.assert_allclose(
        F.average_pooling(x, kernel, stride, pad).array, average_pooling_reference(x, kernel, stride, pad), atol=1e-12
    )

    # deconv2d: input with the conv's output geometry, default and explicit outsize
    oh, ow = expected.shape[2:]
    xd = rng.standard_normal((shape[0], 4, oh, ow))
    Wd = rng.standard_normal((4, 3) + kernel)
    bd = rng.standard_normal(3)
    default = F.deconv2d(xd, Wd, bd, stride, pad)
    size = (get_deconv_outsize(oh, kernel[0], stride[0], pad[0]), get_deconv_outsize(ow, kernel[1], stride[1], pad[1]))
    assert default.shape == (shape[0], 3) + size
    np.testing.assert_allclose(default.array, deconv2d_reference(xd, Wd, bd, stride, pad, size), atol=1e-12)
    explicit = F.deconv2d(xd, Wd, bd, stride, pad, outsize=shape[2:])
    np.testing.assert_allclose(explicit.array, deconv2d_reference(xd, Wd, bd, stride, pad, shape[2:]), atol=1e-12)


def test_deconv2d_is_the_adjoint_of_conv2d() -> None:
    rng = rng_for("adjoint")
    x = rng.standard_normal((2, 3, 7, 6))
    W = rng.standard_normal((4, 3, 3, 2))
    y = F.conv2d(x, W, None, (2, 1), (1, 0))
    g = rng.standard_normal(y.shape)
    back = F.deconv2d(g, W, None, (2, 1), (1, 0), outsize=(7, 6))
    assert np.isclose(np.sum(y.array * g), np.sum(x * back.array), rtol=1e-12)


def test_int_and_pair_arguments_agree_and_lists_are_accepted() -> None:
    rng = rng_for("pairs")
    x = rng.standard_normal((1, 2, 6, 6))
    W = rng.standard_normal((3, 2, 3, 3))
    np.testing.assert_array_equal(F.conv2d(x, W, stride=2, pad=1).array, F.conv2d(x, W, stride=(2, 2), pad=[1, 1]).array)
    np.testing.assert_array_equal(F.pooling(x, 2, 2).array, F.pooling(x, (2, 2), (2, 2), (0, 0)).array)
    assert get_conv_outsize(6, 3, 2, 1) == 3
    assert dezero.functions_conv.conv2d is F.conv2d


def test_float32_stays_float32_through_forward_and_backward() -> None:
    rng = rng_for("float32")
    x = Variable(rng.standard_normal((2, 3, 6, 6)).astype(np.float32))
    W = Variable(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    b = Variable(np.zeros(4, dtype=np.float32))
    y = F.average_pooling(F.pooling(F.conv2d(x, W, b, 1, 1), 2, 2), 3, 1, 1)
    z = F.deconv2d(y, W, None, 2, 0)  # W (4, 3, 3, 3) maps 4 channels back to 3
    assert y.dtype == z.dtype == np.float32
    F.sum(z * rng.standard_normal(z.shape).astype(np.float32)).backward()
    for v in (x, W, b):
        assert v.grad is not None and v.grad.dtype == np.float32 and v.grad.shape == v.shape


# --------------------------------------------------------------------- gradients


def conv_cases() -> list[tuple[str, Any, list[tuple[int, ...]]]]:
    """(name, op on Variables, input shapes) for every differentiable function."""
    cases: list[tuple[str, Any, list[tuple[int, ...]]]] = []
    for shape, kernel, stride, pad in GEOMETRIES[:3]:
        n, c, h, w = shape
        tag = f"k{kernel}-s{stride}-p{pad}"
        weights = (3, c) + kernel
        oh, ow = get_conv_outsize(h, kernel[0], stride[0], pad[0]), get_conv_outsize(w, kernel[1], stride[1], pad[1])
        cases += [
            (f"conv2d-{tag}", lambda x, W, b, s=stride, p=pad: F.conv2d(x, W, b, s, p), [shape, weights, (3,)]),
            (f"conv2d_simple-{tag}", lambda x, W, b, s=stride, p=pad: F.conv2d_simple(x, W, b, s, p), [shape, weights, (3,)]),
            (
                f"deconv2d-{tag}",
                lambda x, W, b, s=stride, p=pad, o=(h, w): F.deconv2d(x, W, b, s, p, outsize=o),
                [(n, 3, oh, ow), weights, (c,)],
            ),
            (f"im2col-{tag}", lambda x, k=kernel, s=stride, p=pad: F.im2col(x, k, s, p), [shape]),
            (
                f"col2im-{tag}",
                lambda col, k=kernel, s=stride, p=pad, sh=shape: F.col2im(col, sh, k, s, p, to_matrix=False),
                [(n, c) + kernel + (oh, ow)],
            ),
            (f"average_pooling-{tag}", lambda x, k=kernel, s=stride, p=pad: F.average_pooling(x, k, s, p), [shape]),
        ]
        if pad[0] < kernel[0] and pad[1] < kernel[1]:
            cases.append((f"pooling-{tag}", lambda x, k=kernel, s=stride, p=pad: F.pooling(x, k, s, p), [shape]))
    return cases


CASES = conv_cases()


@pytest.mark.parametrize(("name", "op", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_first_order_gradients_match_finite_differences(name: str, op: Any, shapes: list[tuple[int, ...]]) -> None:
    rng = rng_for(name)
    check_first_order(op, [rng.standard_normal(s) for s in shapes], rng)


@pytest.mark.parametrize(("name", "op", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_second_order_gradients_match_finite_differences(name: str, op: Any, shapes: list[tuple[int, ...]]) -> None:
    """Differentiates the first gradient with respect to every input and the upstream
    gradient: for conv2d that runs the backward of Conv2DGradW (the gradient of the
    weights), where the book's code crashes."""
    rng = rng_for(name + "2")
    check_second_order(op, [rng.standard_normal(s) for s in shapes], rng)


def test_third_order_through_conv_weights() -> None:
    """d/dW of d/dx of (d/dW of a loss) : Conv2DGradW's backward is itself differentiable."""
    rng = rng_for("third")
    x = Variable(rng.standard_normal((1, 2, 5, 5)))
    W = Variable(rng.standard_normal((2, 2, 3, 3)))
    r = rng.standard_normal((1, 2, 2, 2))
    F.sum(F.conv2d(x, W, None, 2, 0) ** 2 * r).backward(create_graph=True)
    gW = W.grad
    assert gW is not None
    x.cleargrad()
    W.cleargrad()
    F.sum(gW * gW).backward(create_graph=True)
    gx = x.grad
    assert gx is not None
    W.cleargrad()
    q = rng.standard_normal(x.shape)
    F.sum(gx * q).backward()
    assert W.grad is not None and W.grad.shape == W.shape and np.isfinite(W.grad.array).all()

    def h(points: list[Array]) -> float:
        xv, Wv = Variable(x.array.copy()), Variable(points[0].copy())
        F.sum(F.conv2d(xv, Wv, None, 2, 0) ** 2 * r).backward(create_graph=True)
        g = Wv.grad
        assert g is not None
        xv.cleargrad()
        F.sum(g * g).backward()
        assert xv.grad is not None
        return float(np.sum(xv.grad.array * q))

    (numeric,) = central_differences(h, [W.array], 1e-5)
    np.testing.assert_allclose(W.grad.array, numeric, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------- pooling details


def test_max_pooling_padding_never_wins() -> None:
    """All-negative input with padding: the book pads with 0 and returns 0s here."""
    x = -1 - np.arange(16.0).reshape(1, 1, 4, 4)
    y = F.pooling(x, 3, 2, 1)
    np.testing.assert_array_equal(y.array, pooling_reference(x, (3, 3), (2, 2), (1, 1)))
    assert (y.array < 0).all()


def test_max_pooling_gives_a_tie_to_the_first_maximum() -> None:
    x = Variable(np.array([[[[1.0, 3.0], [3.0, 2.0]]]]))
    F.pooling(x, 2, 2).backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_overlapping_max_windows_add_their_gradients() -> None:
    x = Variable(np.array([[[[0.0, 5.0, 1.0, 2.0]]]]))
    y = F.pooling(x, (1, 2), 1)  # windows [0,5], [5,1], [1,2]: 5 wins twice
    y.grad = Variable(np.array([[[[2.0, 3.0, 7.0]]]]))
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [[[[0.0, 5.0, 0.0, 7.0]]]])


# --------------------------------------------------------------------- errors


X = np.zeros((1, 2, 5, 5))
W3 = np.zeros((3, 2, 3, 3))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.conv2d(np.zeros((2, 5, 5)), W3), ValueError, "4 dimensions"),
        (lambda: F.conv2d(X, np.zeros((3, 2, 3))), ValueError, "4 dimensions"),
        (lambda: F.conv2d(X, np.zeros((3, 4, 3, 3))), ValueError, "channels"),
        (lambda: F.conv2d(X, np.zeros((3, 2, 7, 3))), ValueError, "does not fit"),
        (lambda: F.conv2d(X, W3, np.zeros(2)), ValueError, "bias"),
        (lambda: F.conv2d(X, W3, stride=0), ValueError, "stride"),
        (lambda: F.conv2d(X, W3, pad=-1), ValueError, "pad"),
        (lambda: F.conv2d(X, W3, stride=1.5), TypeError, "stride"),  # type: ignore[arg-type]
        (lambda: F.conv2d(X, W3, stride=(1, 2, 3)), TypeError, "stride"),
        (lambda: F.conv2d(X, W3, pad=True), TypeError, "pad"),
        (lambda: F.deconv2d(X, W3), ValueError, "channels"),
        (lambda: F.deconv2d(np.zeros((1, 3, 2, 2)), W3, stride=2, outsize=(9, 9)), ValueError, "not consistent"),
        (lambda: F.pooling(X, 2, 1, 2), ValueError, "smaller than the kernel"),
        (lambda: F.pooling(X, 0), ValueError, "kernel_size"),
        (lambda: F.average_pooling(X, 6), ValueError, "does not fit"),
        (lambda: F.im2col(np.zeros((5, 5)), 2), ValueError, "4 dimensions"),
        (lambda: F.col2im(np.zeros((4, 9)), (1, 2, 3, 3), 2), ValueError, "do not match"),
        (lambda: F.col2im(np.zeros((4, 8)), (2, 3, 3), 2), ValueError, "image shape"),
    ],
)
def test_bad_arguments_raise_clear_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_deconv_outsize_accepts_every_consistent_size() -> None:
    """With kernel 3 and stride 2, both 7 and 8 map back to 3 under conv2d, so both
    are valid outsizes (7 is the default); the extra row or column gets no input."""
    rng = rng_for("outsize")
    x = rng.standard_normal((1, 2, 3, 3))
    W = rng.standard_normal((2, 1, 3, 3))
    assert F.deconv2d(x, W, stride=2).shape == (1, 1, 7, 7)
    y = F.deconv2d(x, W, stride=2, outsize=(8, 7))
    np.testing.assert_allclose(y.array, deconv2d_reference(x, W, None, (2, 2), (0, 0), (8, 7)), atol=1e-12)
    np.testing.assert_array_equal(y.array[:, :, 7], 0)
