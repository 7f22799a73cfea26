"""Shared helpers for the example-based tests of the reference core.

Expected gradients come from central finite differences of a NumPy reference
function, in float64, contracted with a random upstream gradient (never all ones,
so a transposed or mis-broadcast gradient cannot pass by symmetry).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dezero import Variable
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import central_differences

F64 = npt.NDArray[np.float64]
NumpyFunction = Callable[..., npt.ArrayLike]
DezeroFunction = Callable[..., Variable]


def generator(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def normal(seed: int, *shape: int) -> F64:
    """Standard-normal float64 data of ``shape`` from a Generator seeded with ``seed``."""
    return np.asarray(generator(seed).standard_normal(shape), dtype=np.float64)


def finite_difference_grads(
    f: NumpyFunction, inputs: Sequence[npt.ArrayLike], upstream: F64, eps: float = 1e-6
) -> list[F64]:
    """d sum(f(*inputs) * upstream) / d inputs[k] for every k, by central differences.

    Works on float64 copies, so the caller's arrays are left alone.
    """
    def contracted(points: list[Array]) -> float:
        return float(np.sum(np.asarray(f(*points), dtype=np.float64) * upstream))

    return central_differences(contracted, [np.asarray(x) for x in inputs], eps)


def backprop_grads(f: DezeroFunction, inputs: Sequence[npt.NDArray[np.floating]], upstream: F64) -> list[F64]:
    """The gradients that ``backward`` stores for ``f(*inputs)`` seeded with ``upstream``.

    Also asserts the invariant every test relies on: each gradient has its
    variable's exact shape and dtype.
    """
    variables = [Variable(np.array(x)) for x in inputs]
    y = f(*variables)
    y.grad = Variable(upstream.astype(y.dtype))
    y.backward()
    grads = []
    for v in variables:
        assert v.grad is not None, "an input received no gradient"
        assert v.grad.shape == v.shape, f"gradient shape {v.grad.shape} != {v.shape}"
        assert v.grad.dtype == v.dtype, f"gradient dtype {v.grad.dtype} != {v.dtype}"
        grads.append(np.asarray(v.grad.array, dtype=np.float64))
    return grads


def check_function(
    dezero_f: DezeroFunction,
    numpy_f: NumpyFunction,
    inputs: Sequence[F64],
    seed: int = 0,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """Forward equals ``numpy_f``; backward equals finite differences of ``numpy_f``
    under a random upstream gradient."""
    expected = np.asarray(numpy_f(*inputs), dtype=np.float64)
    y = dezero_f(*[Variable(x.copy()) for x in inputs])
    assert y.shape == expected.shape
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)

    upstream = normal(seed + 1000, *expected.shape)
    got = backprop_grads(dezero_f, inputs, upstream)
    want = finite_difference_grads(numpy_f, inputs, upstream)
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"gradient of input {k}")
