"""Layer: parameter discovery and order, cleargrads, save/load; Linear, EmbedID, RNN,
LSTM, Conv2d, Deconv2d against NumPy references."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Layer, Parameter, Variable
from dezero.models import MLP
from strategies.catalogue.ops_nn import conv2d_reference, deconv2d_reference
from strategies.oracles import recurrent
from strategies.oracles.numerics import central_differences
from tests.reference.gradcheck import EPS
from tests.reference.rng_check import global_draws_like, global_generator_untouched

ROOT = Path(__file__).resolve().parents[2]


class Block(Layer):
    def __init__(self) -> None:
        super().__init__()
        self.zeta = Parameter(np.zeros(1), name="zeta")
        self.inner = L.Linear(2, in_size=3)
        self.alpha = Parameter(np.ones(2), name="alpha")


# --------------------------------------------------------------------- discovery


def test_parameters_come_in_assignment_order_depth_first() -> None:
    block = Block()
    assert [name for name, _ in block.named_params()] == ["zeta", "inner/W", "inner/b", "alpha"]
    assert list(block.params()) == [block.zeta, block.inner.W, block.inner.b, block.alpha]


def test_rebinding_or_deleting_an_attribute_unregisters_it() -> None:
    block = Block()
    block.zeta = None  # type: ignore[assignment]
    del block.alpha
    block.extra = Parameter(np.zeros(3))
    assert [name for name, _ in block.named_params()] == ["inner/W", "inner/b", "extra"]


def test_a_shared_parameter_or_layer_is_listed_once() -> None:
    shared = L.Linear(2, in_size=2)
    block = Layer()
    block.first = shared
    block.second = shared
    block.tied = shared.W
    assert [name for name, _ in block.named_params()] == ["first/W", "first/b"]


def test_attributes_set_before_super_init_are_registered() -> None:
    class Early(Layer):
        def __init__(self) -> None:
            self.p = Parameter(np.zeros(1))
            super().__init__()

    assert [name for name, _ in Early().named_params()] == ["p"]


ORDER_SCRIPT = """
import dezero.layers as L
from dezero.models import MLP
class Net(MLP):
    def __init__(self):
        super().__init__((3, 2))
        self.rnn = L.LSTM(4, in_size=2)
        self.bn = L.BatchNorm()
print(",".join(name for name, _ in Net().named_params()))
"""


def test_parameter_order_is_the_same_under_every_hash_seed() -> None:
    """The book keeps names in a set: str hashing, and so the order, changes per run."""
    orders = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", ORDER_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        orders.add(out.stdout.strip())
    assert len(orders) == 1
    names = orders.pop().split(",")
    assert names[:4] == ["l0/W", "l0/b", "l1/W", "l1/b"]
    assert names[4:6] == ["rnn/x2f/W", "rnn/x2f/b"]
    assert names[-4:] == ["bn/avg_mean", "bn/avg_var", "bn/gamma", "bn/beta"]


def test_cleargrads_clears_every_gradient() -> None:
    model = MLP((4, 2), rng=np.random.default_rng(0))
    F.sum(model(np.ones((3, 5), dtype=np.float32))).backward()
    assert all(p.grad is not None for p in model.params())
    model.cleargrads()
    assert all(p.grad is None for p in model.params())


def test_forward_must_return_a_variable() -> None:
    class Bad(Layer):
        def forward(self, *inputs: Any) -> Variable:
            return inputs[0]  # type: ignore[no-any-return]

    with pytest.raises(TypeError, match="must return a Variable"):
        Bad()(np.ones(2))
    with pytest.raises(NotImplementedError):
        Layer()(np.ones(2))


# --------------------------------------------------------------------- save / load


def trained_model(seed: int) -> MLP:
    model = MLP((5, 4, 3), rng=np.random.default_rng(seed))
    model(np.ones((2, 6), dtype=np.float32))
    return model


def test_save_and_load_round_trip_exactly(tmp_path: Path) -> None:
    model = trained_model(1)
    model.layers[1].b = Parameter(np.random.default_rng(2).standard_normal(4).astype(np.float32), name="b")
    model.save_weights(tmp_path / "weights.npz")
    fresh = MLP((5, 4, 3))  # lazy: no weights yet
    fresh.load_weights(tmp_path / "weights.npz")
    for (name_a, a), (name_b, b) in zip(model.named_params(), fresh.named_params()):
        assert name_a == name_b
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a.array, b.array)
    x = np.random.default_rng(3).standard_normal((4, 6)).astype(np.float32)
    np.testing.assert_array_equal(model(x).array, fresh(x).array)


def test_the_file_holds_plain_npy_members_and_loads_without_pickle(tmp_path: Path) -> None:
    trained_model(1).save_weights(tmp_path / "w.npz")
    with zipfile.ZipFile(tmp_path / "w.npz") as archive:
        assert sorted(archive.namelist()) == sorted(f"l{i}/{p}.npy" for i in range(3) for p in "Wb")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as data:
        assert data["l0/W"].shape == (6, 5)


def test_an_object_array_in_the_file_is_refused(tmp_path: Path) -> None:
    model = trained_model(1)
    arrays: dict[str, Any] = {name: p.array for name, p in model.named_params()}
    arrays["l0/W"] = np.array([object()] * 30, dtype=object).reshape(6, 5)
    np.savez(tmp_path / "evil.npz", **arrays)
    before = model.layers[0].W.array.copy()
    with pytest.raises(ValueError, match="allow_pickle"):
        model.load_weights(tmp_path / "evil.npz")
    np.testing.assert_array_equal(model.layers[0].W.array, before)


def test_the_npz_suffix_is_added_on_save_and_load(tmp_path: Path) -> None:
    model = trained_model(1)
    model.save_weights(tmp_path / "plain")
    assert (tmp_path / "plain.npz").exists()
    other = trained_model(2)
    other.load_weights(str(tmp_path / "plain"))
    np.testing.assert_array_equal(other.layers[2].W.array, model.layers[2].W.array)
    (tmp_path / "plain.npz").rename(tmp_path / "renamed.weights")  # an existing file is read as named
    third = trained_model(3)
    third.load_weights(tmp_path / "renamed.weights")
    np.testing.assert_array_equal(third.layers[0].W.array, model.layers[0].W.array)


def test_a_failed_save_leaves_no_file(tmp_path: Path) -> None:
    block = Block()
    block.alpha.data = np.array([object()], dtype=object)
    with pytest.raises(ValueError):
        block.save_weights(tmp_path / "broken.npz")
    assert list(tmp_path.iterdir()) == []


def test_mismatched_files_are_refused_without_changing_anything(tmp_path: Path) -> None:
    trained_model(1).save_weights(tmp_path / "three.npz")
    two = MLP((5, 3), rng=np.random.default_rng(0))
    two(np.ones((1, 6), dtype=np.float32))
    before = [p.array.copy() for p in two.params()]
    with pytest.raises(ValueError, match=r"unexpected \['l2/W', 'l2/b'\]"):
        two.load_weights(tmp_path / "three.npz")
    wider = MLP((7, 4, 3), rng=np.random.default_rng(0))
    wider(np.ones((1, 6), dtype=np.float32))
    with pytest.raises(ValueError, match="l0/W"):
        wider.load_weights(tmp_path / "three.npz")
    bigger = MLP((5, 4, 3, 2), rng=np.random.default_rng(0))
    bigger(np.ones((1, 6), dtype=np.float32))
    with pytest.raises(ValueError, match=r"missing \['l3/W', 'l3/b'\]"):
        bigger.load_weights(tmp_path / "three.npz")
    assert all(np.array_equal(a, p.array) for a, p in zip(before, two.params()))


# --------------------------------------------------------------------- Linear


def test_linear_is_lazy_keeps_float32_and_matches_numpy() -> None:
    layer = L.Linear(3, rng=np.random.default_rng(0))
    assert layer.W.data is None and layer.b is not None and layer.b.dtype == np.float32
    x = Variable(np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32))
    y = layer(x)
    assert layer.W.shape == (5, 3) and layer.in_size == 5
    assert layer.W.dtype == y.dtype == np.float32
    np.testing.assert_allclose(y.array, x.array @ layer.W.array + layer.b.array, rtol=1e-6)
    F.sum(y * np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)).backward()
    assert layer.W.grad is not None and layer.W.grad.dtype == np.float32
    assert x.grad is not None and x.grad.dtype == np.float32


def test_linear_options() -> None:
    rng = np.random.default_rng(3)
    layer = L.Linear(2, nobias=True, dtype=np.float64, in_size=3, rng=rng)
    assert layer.b is None and layer.W.dtype == np.float64
    assert [name for name, _ in layer.named_params()] == ["W"]
    scale = np.std(L.Linear(200, in_size=400, rng=rng).W.array)
    assert abs(scale - np.sqrt(1 / 400)) < 0.002  # weights ~ N(0, 1 / in_size)
    y = layer(np.ones((2, 5, 3)))  # matmul over the last axis
    assert y.shape == (2, 5, 2)


def test_the_same_seed_gives_the_same_weights_and_rng_leaves_the_global_generator_alone() -> None:
    with global_generator_untouched():
        a = L.Linear(4, in_size=3, rng=np.random.default_rng(7))
        b = L.Linear(4, in_size=3, rng=np.random.default_rng(7))
        L.LSTM(3, in_size=2, rng=np.random.default_rng(7))
        L.RNN(3, in_size=2, rng=np.random.default_rng(7))
        L.EmbedID(3, 2, rng=np.random.default_rng(7))
        L.Conv2d(2, 3, in_channels=1, rng=np.random.default_rng(7))
        L.Deconv2d(2, 3, in_channels=1, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.W.array, b.W.array)


def test_without_rng_weights_are_the_book_s_draws_from_the_global_generator() -> None:
    """The book's weights: ``np.random.randn(in, out)`` cast to the dtype, times
    ``sqrt(1 / in)`` (here rounded back to float32)."""
    np.random.seed(0)
    expected = (np.random.randn(2, 3).astype(np.float32) * np.sqrt(1 / 2)).astype(np.float32)
    np.random.seed(0)
    layer = L.Linear(3, in_size=2)
    assert layer.W.dtype == np.float32
    np.testing.assert_array_equal(layer.W.array, expected)
    np.random.seed(0)
    expected_filters = np.random.randn(4, 2, 3, 3) * np.sqrt(1 / 18)
    np.random.seed(0)
    conv = L.Conv2d(4, 3, dtype=np.float64)
    conv(np.zeros((1, 2, 5, 5)))
    np.testing.assert_array_equal(conv.W.array, expected_filters)


@pytest.mark.parametrize(
    ("build", "book_draws"),
    [
        (lambda: L.Linear(4, in_size=3), lambda: np.random.randn(3, 4)),
        (lambda: L.Linear(4), lambda: None),  # drawn at the first call
        (lambda: L.EmbedID(3, 2), lambda: np.random.randn(3, 2)),
        (lambda: L.Conv2d(2, 3, in_channels=1), lambda: np.random.randn(2, 1, 3, 3)),
        (lambda: L.Deconv2d(2, 3, in_channels=1), lambda: np.random.randn(1, 2, 3, 3)),
        (lambda: L.RNN(3), lambda: None),
        (lambda: L.RNN(3, in_size=3), lambda: [np.random.randn(3, 3) for _ in range(2)]),
        (lambda: L.LSTM(3, in_size=2),
         lambda: ([np.random.randn(2, 3) for _ in range(4)], [np.random.randn(3, 3) for _ in range(4)])),
        (lambda: L.LSTM(3), lambda: [np.random.randn(3, 3) for _ in range(4)]),  # the h2* layers
    ],
)  # fmt: skip
def test_construction_draws_what_the_book_draws(build: Callable[[], Layer], book_draws: Callable[[], object]) -> None:
    with global_draws_like(book_draws):
        build()


def test_lazy_layers_draw_at_the_first_call_as_in_the_book() -> None:
    rnn = L.RNN(3)
    with global_draws_like(lambda: np.random.randn(2, 3)):  # x2h at the first step
        rnn(np.ones((1, 2)))
    with global_draws_like(lambda: np.random.randn(3, 3)):  # h2h at the second
        rnn(np.ones((1, 2)))
    with global_generator_untouched():
        rnn(np.ones((1, 2)))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: L.Linear(0), ValueError, "out_size"),
        (lambda: L.Linear(2.5), TypeError, "out_size"),  # type: ignore[arg-type]
        (lambda: L.Linear(2, in_size=0), ValueError, "in_size"),
        (lambda: L.Linear(2, dtype=np.int32), TypeError, "floating-point"),
        (lambda: L.Linear(2, rng=0), TypeError, "Generator"),  # type: ignore[arg-type]
        (lambda: L.Linear(2, in_size=3)(np.ones((2, 4))), ValueError, "last axis has size 4"),
        (lambda: L.Linear(2)(np.array(1.0)), ValueError, "0-d"),
        (lambda: L.EmbedID(3, 2)(np.array([0, 3])), ValueError, r"\[0, 3\)"),
        (lambda: L.Conv2d(2, 3)(np.ones((3, 5, 5))), ValueError, "N, C, H, W"),
        (lambda: L.Conv2d(2, 0), ValueError, "kernel_size"),
    ],
)
def test_bad_layer_arguments_raise_clear_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------- EmbedID


def test_embed_id_looks_up_rows_and_adds_gradients_of_repeated_ids() -> None:
    rng = np.random.default_rng(4)
    layer = L.EmbedID(5, 3, rng=rng)
    ids = np.array([[1, 4], [1, 0]])
    y = layer(ids)
    np.testing.assert_array_equal(y.array, layer.W.array[ids])
    g = rng.standard_normal(y.shape)
    F.sum(y * g).backward()
    expected = np.zeros((5, 3))
    np.add.at(expected, ids, g)
    assert layer.W.grad is not None
    np.testing.assert_allclose(layer.W.grad.array, expected)


# --------------------------------------------------------------------- recurrent


def test_rnn_with_in_size_different_from_hidden_size_matches_the_reference() -> None:
    """The book builds h2h with in_size inputs and fails at the second step."""
    rng = np.random.default_rng(5)
    rnn = L.RNN(4, in_size=3, rng=rng)
    assert rnn.h2h.W.shape == (4, 4) and rnn.x2h.b is not None
    xs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    params = {"x2h.W": rnn.x2h.W.array, "x2h.b": rnn.x2h.b.array, "h2h.W": rnn.h2h.W.array}
    h_ref = c_ref = np.zeros((2, 4))
    for x in xs:
        h = rnn(x)
        h_ref, c_ref = recurrent.step("RNN", params, x, h_ref, c_ref)
        np.testing.assert_allclose(h.array, h_ref, rtol=1e-5, atol=1e-6)
    assert h.dtype == np.float32
    rnn.reset_state()
    assert rnn.h is None
    np.testing.assert_allclose(rnn(xs[0]).array, np.tanh(xs[0] @ rnn.x2h.W.array + rnn.x2h.b.array), rtol=1e-5)


def test_rnn_lazy_input_size() -> None:
    rnn = L.RNN(3)
    rnn(np.ones((1, 5), dtype=np.float32))
    rnn(np.ones((1, 5), dtype=np.float32))
    assert rnn.x2h.W.shape == (5, 3) and rnn.h2h.W.shape == (3, 3)


def test_backprop_through_time_matches_finite_differences() -> None:
    rng = np.random.default_rng(6)
    xs = [rng.standard_normal((2, 3)) for _ in range(3)]
    weight = rng.standard_normal((2, 2))
    rnn = L.RNN(2, in_size=3, rng=rng)
    params = list(rnn.params())
    for p in params:
        p.data = p.array.astype(np.float64)

    def loss(arrays: list[np.ndarray[Any, Any]]) -> float:
        for p, a in zip(params, arrays):
            p.data = a
        rnn.reset_state()
        for x in xs:
            h = rnn(x)
        return float(np.sum(h.array * weight))

    start = [p.array.copy() for p in params]
    numeric = central_differences(loss, start, EPS)
    for p, a in zip(params, start):
        p.data = a.copy()
    rnn.reset_state()
    for x in xs:
        h = rnn(x)
    F.sum(h * weight).backward()
    for p, expected in zip(params, numeric):
        assert p.grad is not None
        np.testing.assert_allclose(p.grad.array, expected, rtol=1e-6, atol=1e-8)


def test_lstm_matches_the_reference_over_three_steps() -> None:
    rng = np.random.default_rng(7)
    lstm = L.LSTM(4, in_size=3, rng=rng)
    params = {}
    for name in recurrent.parameter_shapes("LSTM", 3, 4):
        sub, attr = name.split(".")
        params[name] = getattr(getattr(lstm, sub), attr).array
    h_ref = c_ref = np.zeros((2, 4))
    for _ in range(3):
        x = rng.standard_normal((2, 3)).astype(np.float32)
        h = lstm(x)
        h_ref, c_ref = recurrent.step("LSTM", params, x, h_ref, c_ref)
        np.testing.assert_allclose(h.array, h_ref, rtol=1e-5, atol=1e-6)
        assert lstm.c is not None
        np.testing.assert_allclose(lstm.c.array, c_ref, rtol=1e-5, atol=1e-6)
    F.sum(h).backward()
    assert all(p.grad is not None for p in lstm.params())
    lstm.reset_state()
    assert lstm.h is None and lstm.c is None


# --------------------------------------------------------------------- convolution layers


def test_conv2d_and_deconv2d_layers_are_lazy_and_match_the_reference() -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    conv = L.Conv2d(4, (3, 2), stride=(2, 1), pad=1, rng=rng)
    y = conv(x)
    assert conv.W.shape == (4, 3, 3, 2) and conv.W.dtype == y.dtype == np.float32
    assert conv.b is not None
    expected = conv2d_reference(x, conv.W.array, conv.b.array, (2, 1), (1, 1))
    np.testing.assert_allclose(y.array, expected, rtol=1e-5, atol=1e-5)
    deconv = L.Deconv2d(3, (3, 2), stride=(2, 1), pad=1, nobias=True, rng=rng)
    z = deconv(y)
    assert deconv.W.shape == (4, 3, 3, 2) and deconv.b is None
    size = (z.shape[2], z.shape[3])
    expected = deconv2d_reference(y.array, deconv.W.array, None, (2, 1), (1, 1), size)
    np.testing.assert_allclose(z.array, expected, rtol=1e-5, atol=1e-5)
