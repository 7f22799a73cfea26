"""The recurrence of the book's recurrent layers, ``RNN`` and ``LSTM``, in NumPy.

Parameters are keyed by the book's layout: each gate ``g`` has the sub-layers
``x2g`` (input to gate: ``W`` of shape (in, hidden) and ``b`` of shape (hidden,))
and ``h2g`` (hidden state to gate: ``W`` of shape (hidden, hidden), no bias), so a
key is ``"x2g.W"``, ``"x2g.b"`` or ``"h2g.W"``. The RNN has the one gate ``h``:

    h' = tanh(x Wx + b + h Wh)

The LSTM has the forget, input and output gates ``f``, ``i``, ``o`` (sigmoids) and
the candidate ``u`` (a tanh):

    c' = f c + i u,   h' = o tanh(c')

A sequence starts from a zero state, which gives the same values as the book's
skipping ``h Wh`` (and ``f c``) at the first step. Every operation is analytic, so
complex arrays go through (for complex-step derivatives), and every array may
carry leading axes that broadcast (a batch of bumped copies of the parameters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from strategies.implementation.protocols import Array

__all__ = ["GATES", "parameter_shapes", "run", "step"]

# The gates of each layer, by the letter its sub-layers are named with.
GATES = {"RNN": ("h",), "LSTM": ("f", "i", "o", "u")}


def parameter_shapes(kind: str, in_size: int, hidden: int) -> dict[str, tuple[int, ...]]:
    """The parameters of ``kind`` (``"RNN"`` or ``"LSTM"``) by key, with their shapes."""
    shapes: dict[str, tuple[int, ...]] = {}
    for g in GATES[kind]:
        shapes[f"x2{g}.W"] = (in_size, hidden)
        shapes[f"x2{g}.b"] = (hidden,)
        shapes[f"h2{g}.W"] = (hidden, hidden)
    return shapes


def _sigmoid(z: Array) -> Array:
    return np.asarray(1 / (1 + np.exp(-z)))


def _affine(params: Mapping[str, Array], gate: str, x: Array, h: Array) -> Array:
    """``x Wx + b + h Wh`` for one gate (``b`` broadcast over the batch axis)."""
    z: Array = x @ params[f"x2{gate}.W"] + params[f"x2{gate}.b"][..., None, :] + h @ params[f"h2{gate}.W"]
    return z


def step(kind: str, params: Mapping[str, Array], x: Array, h: Array, c: Array) -> tuple[Array, Array]:
    """One step from the state ``(h, c)`` on the input ``x`` (batch, in): the new state.
    An RNN has no cell: its ``c`` comes back as given."""
    if kind == "RNN":
        return np.tanh(_affine(params, "h", x, h)), c
    f, i, o = (_sigmoid(_affine(params, g, x, h)) for g in "fio")
    u = np.tanh(_affine(params, "u", x, h))
    c = f * c + i * u
    return o * np.tanh(c), c


def run(kind: str, params: Mapping[str, Array], xs: Sequence[Array], h: Array, c: Array) -> list[tuple[Array, Array]]:
    """The state ``(h_t, c_t)`` after each input ``x_t`` of ``xs``, from ``(h, c)``."""
    states = []
    for x in xs:
        h, c = step(kind, params, x, h, c)
        states.append((h, c))
    return states
