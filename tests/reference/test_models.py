"""Model, Sequential, MLP."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import Model, Variable
from dezero.core import Operand
from dezero.models import MLP, Sequential
from strategies.implementation.protocols import Array


def sigmoid(x: Array) -> Array:
    y: Array = 1 / (1 + np.exp(-x))
    return y


def test_mlp_is_the_composition_of_its_linear_layers() -> None:
    rng = np.random.default_rng(0)
    model = MLP((4, 3, 2), rng=rng)
    x = rng.standard_normal((5, 6)).astype(np.float32)
    y = model(x)
    h = x
    for i, layer in enumerate(model.layers):
        assert layer.b is not None
        h = h @ layer.W.array + layer.b.array
        if i < 2:
            h = sigmoid(h)
    np.testing.assert_allclose(y.array, h, rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32
    assert [name for name, _ in model.named_params()] == ["l0/W", "l0/b", "l1/W", "l1/b", "l2/W", "l2/b"]


def test_mlp_activation_and_dtype() -> None:
    model = MLP((3, 2), activation=F.relu, dtype=np.float64, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((4, 5))
    y = model(x)
    l0, l1 = model.layers
    assert l0.b is not None and l1.b is not None
    expected = np.maximum(x @ l0.W.array + l0.b.array, 0) @ l1.W.array + l1.b.array
    np.testing.assert_allclose(y.array, expected, rtol=1e-12)
    assert all(p.dtype == np.float64 for p in model.params())


def test_sequential_registers_layers_and_applies_functions_in_order() -> None:
    rng = np.random.default_rng(3)
    first, last = L.Linear(4, rng=rng), L.Linear(2, rng=rng)
    model = Sequential(first, F.tanh, last)
    x = rng.standard_normal((3, 5)).astype(np.float32)
    y = model(x)
    np.testing.assert_allclose(y.array, last(F.tanh(first(x))).array, rtol=1e-6)
    assert [name for name, _ in model.named_params()] == ["l0/W", "l0/b", "l2/W", "l2/b"]
    with pytest.raises(TypeError, match="Layers or functions"):
        Sequential(first, 3)  # type: ignore[arg-type]


def test_a_user_model_trains_its_sublayers() -> None:
    class TwoLayer(Model):
        def __init__(self) -> None:
            super().__init__()
            self.l1 = L.Linear(8, rng=np.random.default_rng(4))
            self.l2 = L.Linear(1, rng=np.random.default_rng(5))

        def forward(self, x: Operand) -> Variable:
            return self.l2(F.sigmoid(self.l1(x)))

    model = TwoLayer()
    x = np.linspace(0, 1, 20, dtype=np.float32).reshape(-1, 1)
    t = np.sin(2 * np.pi * x)
    losses = []
    for _ in range(200):
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        for p in model.params():
            assert p.grad is not None
            p.data = p.array - 0.2 * p.grad.array
        losses.append(float(loss.array))
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("sizes", [(), 3, "ab"])
def test_mlp_needs_a_sequence_of_sizes(sizes: object) -> None:
    with pytest.raises(ValueError, match="sequence of layer sizes"):
        MLP(sizes)  # type: ignore[arg-type]


def test_plot_needs_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = MLP((2,), rng=np.random.default_rng(6))
    x = np.ones((1, 3), dtype=np.float32)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Graphviz"):
        model.plot(x, to_file=str(tmp_path / "model.png"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_plot_draws_the_graph(tmp_path: Path) -> None:
    model = MLP((2,), rng=np.random.default_rng(6))
    path = model.plot(np.ones((1, 3), dtype=np.float32), to_file=str(tmp_path / "model.png"))
    assert Path(path).stat().st_size > 0


def test_exported_names() -> None:
    assert dezero.Layer is L.Layer and dezero.Model is Model
    assert dezero.DataLoader.__module__ == "dezero.dataloaders"
    assert dezero.SeqDataLoader.__module__ == "dezero.dataloaders"
    assert dezero.Dataset.__module__ == "dezero.datasets"
    for module in ("layers", "models", "optimizers", "datasets", "dataloaders", "transforms", "functions_conv"):
        assert hasattr(dezero, module)
