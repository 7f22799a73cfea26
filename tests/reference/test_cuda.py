"""dezero.cuda and the dispatch of every op to the array module of its data.

No GPU here: a stand-in CuPy (``tests/reference/fake_cupy.py``) is installed as
``sys.modules["cupy"]``. Its arrays refuse NumPy's functions and NumPy operands, as
CuPy's do, so an op that calls NumPy on GPU data fails here; and its module records
the functions called through it. Each op is checked against the same op on NumPy
arrays: same values, and results and gradients that stay on the (fake) GPU.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
import dezero.optimizers as O
from dezero import DataLoader, Variable, cuda
from tests.reference.fake_cupy import FakeCupy, FakeGpuArray, on_device

Array = npt.NDArray[Any]


@pytest.fixture
def fake_cupy(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCupy]:
    module = FakeCupy()
    monkeypatch.setitem(sys.modules, "cupy", module)
    yield module


def normal(seed: int, *shape: int) -> Array:
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------- dezero.cuda


def test_gpu_enable_says_whether_cupy_is_installed() -> None:
    assert cuda.gpu_enable is (importlib.util.find_spec("cupy") is not None)


def test_without_cupy_everything_is_numpy() -> None:
    a = np.ones(2)
    assert cuda.get_array_module(a) is np
    assert cuda.get_array_module(Variable(a)) is np
    assert cuda.as_numpy(a) is a
    np.testing.assert_array_equal(cuda.as_numpy(3.0), np.array(3.0))


def test_as_cupy_without_cupy_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes ``import cupy`` fail
    with pytest.raises(RuntimeError, match="dezero.cuda needs CuPy"):
        cuda.as_cupy(np.ones(2))
    with pytest.raises(RuntimeError, match="dezero.cuda needs CuPy"):
        Variable(np.ones(2)).to_gpu()
    with pytest.raises(RuntimeError, match="dezero.cuda needs CuPy"):
        cuda.cupy  # noqa: B018  # the book's module attribute, imported on first use


def test_get_array_module_and_conversions(fake_cupy: FakeCupy) -> None:
    host = np.arange(3.0)
    gpu = cuda.as_cupy(host)
    assert type(gpu) is FakeGpuArray
    assert cuda.get_array_module(gpu) is fake_cupy
    assert cuda.get_array_module(Variable(gpu)) is fake_cupy
    assert cuda.get_array_module(host) is np
    assert cuda.cupy is fake_cupy and cuda.cp is fake_cupy
    back = cuda.as_numpy(Variable(gpu))
    assert type(back) is np.ndarray
    np.testing.assert_array_equal(back, host)


def test_variable_layer_and_dataloader_move_between_devices(fake_cupy: FakeCupy) -> None:
    x = Variable(np.ones(2))
    x.to_gpu()
    assert type(x.data) is FakeGpuArray
    x.to_cpu()
    assert type(x.data) is np.ndarray

    layer = L.Linear(3, in_size=2)
    layer.to_gpu()
    assert all(type(p.data) is FakeGpuArray for p in layer.params())
    layer.to_cpu()
    assert all(type(p.data) is np.ndarray for p in layer.params())

    data = [(np.array([i, i]), i) for i in range(4)]
    loader = DataLoader(data, 2, shuffle=False)  # a list of examples, as in the book
    loader.to_gpu()
    x_batch, t_batch = next(loader)
    assert type(x_batch) is FakeGpuArray and type(t_batch) is FakeGpuArray
    loader.to_cpu()
    x_batch, _ = next(loader)
    assert type(x_batch) is np.ndarray


def test_the_stand_in_refuses_numpy_as_cupy_does(fake_cupy: FakeCupy) -> None:
    gpu = on_device(np.ones(2))
    with pytest.raises(TypeError, match="numpy.tensordot was called on a fake GPU array"):
        np.tensordot(gpu, gpu, 1)
    with pytest.raises(TypeError, match="mixed with a NumPy array"):
        gpu + np.ones(2)
    assert type(gpu + 1.0) is FakeGpuArray and type(gpu.sum()) is FakeGpuArray


# ---------------------------------------------------------------- every op on the array module

Op = Callable[..., Variable]


def like(x: Variable, values: list[Any]) -> Array:
    """``values`` as an array on the device of ``x`` (labels, targets)."""
    result: Array = cuda.get_array_module(x).asarray(values)
    return result


# (name, op, input shapes, the name of a function the op must call through the array module)
OPS: list[tuple[str, Op, list[tuple[int, ...]], str]] = [
    ("sin", F.sin, [(2, 3)], "sin"),
    ("cos", F.cos, [(2, 3)], "cos"),
    ("tanh", F.tanh, [(2, 3)], "tanh"),
    ("exp", F.exp, [(2, 3)], "exp"),
    ("log", lambda x: F.log(x * x + 1.0), [(2, 3)], "log"),
    ("sqrt", lambda x: F.sqrt(x * x + 1.0), [(2, 3)], "sqrt"),
    ("square", F.square, [(2, 3)], "square"),
    ("abs", F.abs, [(2, 3)], "abs"),
    ("sigmoid", F.sigmoid, [(2, 3)], "tanh"),
    ("relu", F.relu, [(2, 3)], "maximum"),
    ("leaky_relu", F.leaky_relu, [(2, 3)], "where"),
    ("clip", lambda x: F.clip(x, -0.5, 0.5), [(2, 3)], "clip"),
    ("softmax", F.softmax, [(2, 3)], "exp"),
    ("log_softmax", F.log_softmax, [(2, 3)], "log"),
    ("matmul", F.matmul, [(2, 3), (3, 4)], "matmul"),
    ("linear", F.linear, [(2, 3), (3, 4), (4,)], "matmul"),
    ("get_item", lambda x: x[np.array([0, 0, 1])], [(2, 3)], "add.at"),
    ("broadcast_to", lambda x: F.broadcast_to(x, (2, 2, 3)), [(2, 3)], "broadcast_to"),
    ("sum_to", lambda x: F.sum_to(x, (1, 3)), [(2, 3)], "broadcast_to"),
    ("max", lambda x: F.max(x, axis=1), [(2, 3)], "broadcast_to"),
    ("mean_squared_error", F.mean_squared_error, [(2, 1), (2,)], "asarray"),
    ("sigmoid_cross_entropy", lambda x: F.sigmoid_cross_entropy(x, like(x, [[1], [0]])), [(2, 1)], "logaddexp"),
    ("softmax_cross_entropy", lambda x: F.softmax_cross_entropy(x, like(x, [2, 0])), [(2, 3)], "eye"),
    ("conv2d", lambda x, W: F.conv2d(x, W, stride=1, pad=1), [(2, 1, 4, 4), (2, 1, 3, 3)], "tensordot"),
    ("deconv2d", lambda x, W: F.deconv2d(x, W, stride=2), [(1, 2, 3, 3), (2, 1, 3, 3)], "tensordot"),
    ("pooling", lambda x: F.pooling(x, 2, stride=2, pad=1), [(1, 2, 4, 4)], "put_along_axis"),
    ("average_pooling", lambda x: F.average_pooling(x, 2, stride=2), [(1, 2, 4, 4)], "zeros"),
    ("im2col", lambda x: F.im2col(x, 2), [(1, 2, 3, 3)], "lib.stride_tricks.sliding_window_view"),
]


@pytest.mark.parametrize(("name", "op", "shapes", "dispatched"), OPS, ids=[o[0] for o in OPS])
def test_op_runs_on_the_array_module_of_its_data(
    fake_cupy: FakeCupy, name: str, op: Op, shapes: list[tuple[int, ...]], dispatched: str
) -> None:
    inputs = [normal(seed, *shape) for seed, shape in enumerate(shapes)]
    expected_y, expected_grads = _forward_backward(op, [Variable(a.copy()) for a in inputs])

    fake_cupy.calls.clear()
    xs = [Variable(on_device(a)) for a in inputs]
    y, grads = _forward_backward(op, xs)
    assert type(y.data) is FakeGpuArray
    assert all(type(g) is FakeGpuArray for g in grads)
    assert dispatched in fake_cupy.calls
    np.testing.assert_allclose(y.array.view(np.ndarray), expected_y.array, rtol=1e-12)
    for got, want in zip(grads, expected_grads):
        np.testing.assert_allclose(got.view(np.ndarray), want, rtol=1e-12, atol=1e-15)


def _forward_backward(op: Op, xs: list[Variable]) -> tuple[Variable, list[Any]]:
    y = op(*xs)
    F.sum(y * y).backward()
    grads = []
    for x in xs:
        assert x.grad is not None
        grads.append(x.grad.data)
    return y, grads


def test_dropout_on_the_gpu(fake_cupy: FakeCupy) -> None:
    x = Variable(on_device(np.ones((4, 5))))
    y = F.dropout(x, 0.5, rng=np.random.default_rng(0))
    assert type(y.data) is FakeGpuArray
    assert set(np.unique(y.array.view(np.ndarray))) <= {0.0, 2.0}


def test_batch_norm_on_the_gpu(fake_cupy: FakeCupy) -> None:
    x = normal(1, 4, 2)
    layer_cpu, layer_gpu = L.BatchNorm(), L.BatchNorm()
    expected = layer_cpu(x).array
    y = layer_gpu(on_device(x))
    assert type(y.data) is FakeGpuArray
    assert all(type(p.data) is FakeGpuArray for p in layer_gpu.params())
    np.testing.assert_allclose(y.array.view(np.ndarray), expected, rtol=1e-12)
    with dezero.test_mode():
        assert type(layer_gpu(on_device(x)).data) is FakeGpuArray


def test_double_backward_on_the_gpu(fake_cupy: FakeCupy) -> None:
    x = Variable(on_device(np.array([0.5, 1.0])))
    y = F.sum(F.sin(x) * x)
    y.backward(create_graph=True)
    gx = x.grad
    assert gx is not None and type(gx.data) is FakeGpuArray
    x.cleargrad()
    F.sum(gx).backward()  # d2/dx2 of x sin x = 2 cos x - x sin x
    assert x.grad is not None and type(x.grad.data) is FakeGpuArray
    a = np.array([0.5, 1.0])
    np.testing.assert_allclose(x.grad.array.view(np.ndarray), 2 * np.cos(a) - a * np.sin(a), rtol=1e-12)


def test_integer_data_on_the_gpu(fake_cupy: FakeCupy) -> None:
    x = Variable(on_device(np.array([1, 2])))
    (x * 0.5).backward()
    assert x.grad is not None and type(x.grad.data) is FakeGpuArray
    assert x.grad.dtype == np.float64


@pytest.mark.parametrize(
    "make_optimizer",
    [O.SGD, O.MomentumSGD, O.AdaGrad, O.AdaDelta, O.Adam],
    ids=lambda c: c.__name__,
)
def test_a_training_step_stays_on_the_gpu(fake_cupy: FakeCupy, make_optimizer: Callable[[], O.Optimizer]) -> None:
    model = L.Linear(1, in_size=2, rng=np.random.default_rng(0))
    model.to_gpu()
    optimizer = make_optimizer().setup(model)
    optimizer.add_hook(O.WeightDecay(1e-4))
    optimizer.add_hook(O.ClipGrad(10.0))
    x, t = on_device(normal(1, 4, 2)), on_device(normal(2, 4, 1))
    for _ in range(2):
        loss = F.mean_squared_error(F.sigmoid(model(x)), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    assert all(type(p.data) is FakeGpuArray for p in model.params())
    assert all(p.grad is not None and type(p.grad.data) is FakeGpuArray for p in model.params())


def test_a_lazily_drawn_weight_follows_its_input_to_the_gpu(fake_cupy: FakeCupy) -> None:
    layer = L.Linear(3)  # in_size from the first input
    layer.to_gpu()
    y = layer(on_device(normal(1, 2, 4)))
    assert type(layer.W.data) is FakeGpuArray and type(y.data) is FakeGpuArray
