"""Models: layers that stand for a whole network (``Model``), a chain of layers
(``Sequential``) and a multi-layer perceptron (``MLP``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Union

import numpy as np
import numpy.typing as npt

import dezero.functions as F
from dezero.core import Operand, Variable, as_variable
from dezero.layers import Layer, Linear
from dezero.utils import plot_dot_graph

Activation = Callable[[Variable], Variable]


class Model(Layer):
    """A Layer that is a whole network; adds :meth:`plot`."""

    def plot(self, *inputs: Operand, to_file: str = "model.png") -> str:
        """Run ``forward`` on ``inputs`` and draw its graph with Graphviz (see
        :func:`dezero.utils.plot_dot_graph`); returns the file's path."""
        y = self.forward(*inputs)
        return plot_dot_graph(y, verbose=True, to_file=to_file)


class Sequential(Model):
    """Apply ``layers`` in order. A layer may also be any function from Variable to
    Variable (``F.relu``); Layers among them are registered as ``l0``, ``l1``, ...
    by position, so their parameters belong to this model."""

    def __init__(self, *layers: Union[Layer, Activation]) -> None:
        super().__init__()
        self.layers: list[Union[Layer, Activation]] = []
        for i, layer in enumerate(layers):
            if isinstance(layer, Layer):
                setattr(self, f"l{i}", layer)
            elif not callable(layer):
                raise TypeError(f"Sequential takes Layers or functions, got {type(layer).__name__} at {i}")
            self.layers.append(layer)

    def forward(self, x: Operand) -> Variable:
        y = x
        for layer in self.layers:
            y = layer(y) if isinstance(layer, Layer) else layer(as_variable(y))
        return as_variable(y)


class MLP(Model):
    """Fully connected layers of sizes ``fc_output_sizes`` (input size inferred), with
    ``activation`` between them and none after the last."""

    def __init__(
        self,
        fc_output_sizes: Sequence[int],
        activation: Activation = F.sigmoid,
        *,
        dtype: npt.DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(fc_output_sizes, (int, str)) or len(fc_output_sizes) == 0:
            raise ValueError(f"MLP needs a non-empty sequence of layer sizes, got {fc_output_sizes!r}")
        self.activation = activation
        self.layers: list[Linear] = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = Linear(out_size, dtype=dtype, rng=rng)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Operand) -> Variable:
        y = x
        for layer in self.layers[:-1]:
            y = self.activation(layer(y))
        return self.layers[-1](y)

