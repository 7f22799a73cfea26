"""dtypes: float32 stays float32 through every function, with Python numbers on
either side, and so do its gradients; integer constants work. (Gradients of integer
data: test_integer_backward.py.)"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

import dezero.functions as F
from dezero import Variable

Expression = Callable[[Variable], Variable]

LABELS = np.array([0, 2])

FLOAT32_EXPRESSIONS: list[tuple[str, Expression]] = [
    ("x + 1", lambda x: x + 1),
    ("1 + x", lambda x: 1 + x),
    ("x - 0.5", lambda x: x - 0.5),
    ("0.5 - x", lambda x: 0.5 - x),
    ("x * 2.5", lambda x: x * 2.5),
    ("2.5 * x", lambda x: 2.5 * x),
    ("x / 3.0", lambda x: x / 3.0),
    ("3.0 / x", lambda x: 3.0 / x),
    ("x ** 2", lambda x: x**2),
    ("x ** 1.5", lambda x: x**1.5),
    ("2 ** x", lambda x: 2**x),
    ("1.5 ** x", lambda x: 1.5**x),
    ("-x", lambda x: -x),
    ("x @ x.T", lambda x: x @ x.T),
    ("x[0]", lambda x: x[0]),
    ("reshape", lambda x: x.reshape(3, 2)),
    ("transpose", lambda x: x.T),
    ("expand_dims", lambda x: F.expand_dims(x, 0)),
    ("flatten", F.flatten),
    ("broadcast_to", lambda x: F.broadcast_to(x, (4, 2, 3))),
    ("sum_to", lambda x: F.sum_to(x, (3,))),
    ("sum", lambda x: x.sum(axis=0)),
    ("mean", F.mean),
    ("max", lambda x: x.max(axis=1)),
    ("min", F.min),
    ("sin", F.sin),
    ("cos", F.cos),
    ("tanh", F.tanh),
    ("exp", F.exp),
    ("log", F.log),
    ("sqrt", F.sqrt),
    ("square", F.square),
    ("abs", F.abs),
    ("sigmoid", F.sigmoid),
    ("relu", F.relu),
    ("leaky_relu", F.leaky_relu),
    ("clip", lambda x: F.clip(x, 0.2, 0.5)),
    ("softmax", F.softmax),
    ("log_softmax", F.log_softmax),
    ("linear", lambda x: F.linear(x, x.T, 0.5)),
    ("mean_squared_error", lambda x: F.mean_squared_error(x, x * 0.5)),
    ("softmax_cross_entropy", lambda x: F.softmax_cross_entropy(x, LABELS)),
    ("sigmoid_cross_entropy", lambda x: F.sigmoid_cross_entropy(x, np.ones_like(x.array))),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy(x, np.ones_like(x.array))),
    ("sigmoid_cross_entropy, int targets",
     lambda x: F.sigmoid_cross_entropy(x, np.ones((2, 3), dtype=np.int8))),  # fmt: skip
    ("dropout", lambda x: F.dropout(x, 0.3, rng=np.random.default_rng(0))),
    ("embed_id", lambda x: F.embed_id(np.array([1, 1, 0]), x)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize(("name", "expression"), FLOAT32_EXPRESSIONS, ids=[e[0] for e in FLOAT32_EXPRESSIONS])
def test_low_precision_floats_stay_low_precision(
    name: str, expression: Expression, dtype: type[np.floating[npt.NBitBase]]
) -> None:
    x = Variable(np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=dtype))
    y = expression(x)
    assert y.dtype == dtype
    y.backward()
    assert x.grad is not None
    assert x.grad.dtype == dtype


def test_float32_second_derivative_stays_float32() -> None:
    x = Variable(np.array([0.5, 1.5], dtype=np.float32))
    y = F.tanh(x) * 2.0
    y.backward(create_graph=True)
    gx = x.grad
    assert gx is not None and gx.dtype == np.float32
    x.cleargrad()
    gx.backward()
    assert x.grad is not None and x.grad.dtype == np.float32


def test_mixing_float32_with_a_float64_variable_follows_numpy() -> None:
    x32 = Variable(np.array([1.0], dtype=np.float32))
    x64 = Variable(np.array([2.0]))
    y = x32 * x64
    assert y.dtype == np.float64
    y.backward()
    assert x32.grad is not None and x32.grad.dtype == np.float32
    assert x64.grad is not None and x64.grad.dtype == np.float64
    assert x32.grad.array[0] == 2.0 and x64.grad.array[0] == 1.0


# ---------------------------------------------------------------- integers


INTEGER_CONSTANT_EXPRESSIONS: list[tuple[str, Expression, list[float]]] = [
    ("x * ints", lambda x: x * np.array([1, 2]), [1.0, 2.0]),
    ("ints * x", lambda x: np.array([1, 2]) * x, [1.0, 2.0]),
    ("x + ints", lambda x: x + np.array([1, 2]), [1.0, 1.0]),
    ("ints - x", lambda x: np.array([1, 2]) - x, [-1.0, -1.0]),
    ("x / ints", lambda x: x / np.array([1, 2]), [1.0, 0.5]),
    ("x ** ints", lambda x: x ** np.array([2, 3]), [2 * 1.0, 3 * 2.0**2]),
    ("x * 3", lambda x: x * 3, [3.0, 3.0]),
    ("x @ ints", lambda x: x @ np.array([[1, 0], [0, 2]]), [1.0, 2.0]),
    ("mse", lambda x: F.mean_squared_error(x, np.array([0, 0])), [1.0, 2.0]),
]


@pytest.mark.parametrize(
    ("name", "expression", "grad"),
    INTEGER_CONSTANT_EXPRESSIONS,
    ids=[e[0] for e in INTEGER_CONSTANT_EXPRESSIONS],
)
def test_integer_constants_work(name: str, expression: Expression, grad: list[float]) -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = expression(x)
    assert y.dtype == np.float64
    y.backward()
    assert x.grad is not None and x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.array, grad)
