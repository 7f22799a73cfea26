"""The graphs, written once against an engine's op table (see engines.base).

Every workload is deterministic (fixed leaf values, seeded generators), so every
engine computes exactly the same function and the runner can check that they agree.
Values stay bounded (every DAG node ends in ``sin``, the chain contracts), so no
engine meets infinities.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Ops

# ------------------------------------------------------------------ scalar chain

CHAIN_LEAVES = (0.5, 0.9, 0.3)  # x, w, b


def chain(n: int) -> Callable[[Ops, Sequence[Any]], Any]:
    """``n`` op-nodes: y = x, then repeatedly y = sin(y); y = y * w; y = y + b."""

    def build(ops: Ops, leaves: Sequence[Any]) -> Any:
        sin = ops.sin
        x, w, b = leaves
        y = x
        for _ in range(n // 3):
            y = sin(y)
            y = y * w
            y = y + b
        for step in range(n % 3):  # the remainder, so that exactly n nodes are built
            y = sin(y) if step == 0 else y * w
        return y

    return build


# ------------------------------------------------------------------ fan-in

FAN_IN_LEAVES = (0.5,)


def fan_in(n: int) -> Callable[[Ops, Sequence[Any]], Any]:
    """``n`` branches sin(x * c_i) of one leaf, summed by a chain of ``n - 1`` adds.

    3n - 1 op-nodes. Backward meets all ``n`` branches pending at once, which is what
    makes a scheduler that re-sorts its queue on every insert quadratic.
    """
    scales = [1.0 + i / n for i in range(n)]

    def build(ops: Ops, leaves: Sequence[Any]) -> Any:
        sin = ops.sin
        (x,) = leaves
        total = sin(x * scales[0])
        for c in scales[1:]:
            total = total + sin(x * c)
        return total

    return build


def fan_in_nodes(n: int) -> int:
    return 3 * n - 1


# ------------------------------------------------------------------ random DAG

DAG_LEAVES = tuple(0.1 * (i + 1) for i in range(8))
DAG_SEED = 20240605
DAG_WINDOW = 16  # the first operand comes from the last few nodes: this gives depth


def dag_plan(n: int, seed: int = DAG_SEED) -> tuple[list[tuple[bool, int, int]], list[int]]:
    """A random DAG of ``n`` nodes over the leaves, with shared subexpressions.

    Node k is ``sin(a + b)`` or ``sin(a * b)`` (the bool says "mul"), ``a`` one of the
    last ``DAG_WINDOW`` values, ``b`` any earlier value (so subexpressions are shared
    far apart). Returns the nodes and the indices of the values no node consumed: the
    output sums those, so every node and every leaf reaches the output.
    """
    rng = random.Random(seed)
    count = len(DAG_LEAVES)
    unused = set(range(count))
    nodes: list[tuple[bool, int, int]] = []
    for _ in range(n):
        a = rng.randrange(max(0, count - DAG_WINDOW), count)
        b = rng.randrange(count)
        nodes.append((rng.random() < 0.5, a, b))
        unused.discard(a)
        unused.discard(b)
        unused.add(count)
        count += 1
    return nodes, sorted(unused)


def dag(n: int) -> Callable[[Ops, Sequence[Any]], Any]:
    nodes, outputs = dag_plan(n)

    def build(ops: Ops, leaves: Sequence[Any]) -> Any:
        sin = ops.sin
        values = list(leaves)
        for is_mul, a, b in nodes:
            values.append(sin(values[a] * values[b] if is_mul else values[a] + values[b]))
        total = values[outputs[0]]
        for i in outputs[1:]:
            total = total + values[i]
        return total

    return build


def dag_nodes(n: int) -> int:
    """Op-nodes in ``dag(n)``: two per DAG node, plus the adds of the final sum."""
    return 2 * n + len(dag_plan(n)[1]) - 1


# ------------------------------------------------------------------ MLP

MLP_WIDTH = 128
MLP_BATCH = 128
MLP_LAYERS = 3
MLP_SEED = 5


def mlp_data() -> tuple[Array, list[Array]]:
    """A (128, 128) input and three (128, 128) float64 weight matrices."""
    rng = np.random.default_rng(MLP_SEED)
    x = rng.standard_normal((MLP_BATCH, MLP_WIDTH))
    scale = 1.0 / np.sqrt(MLP_WIDTH)
    weights = [rng.standard_normal((MLP_WIDTH, MLP_WIDTH)) * scale for _ in range(MLP_LAYERS)]
    return x, weights


def mlp(ops: Ops, x: Any, weights: Sequence[Any]) -> Any:
    """h = tanh(h @ W) per layer, loss = sum of the last h; ``x`` is a constant."""
    h = x
    for W in weights:
        h = ops.tanh(ops.matmul(h, W))
    return ops.total(h)


def mlp_by_hand(x: Array, weights: Sequence[Array]) -> tuple[float, list[Array]]:
    """The same MLP's loss and weight gradients, forward and backward in plain NumPy."""
    hs = [x]
    for W in weights:
        hs.append(np.tanh(hs[-1] @ W))
    loss = float(hs[-1].sum())
    grads: list[Array] = []
    g = 1.0 - hs[-1] * hs[-1]  # d loss / d (pre-activation of the last layer)
    for layer in range(len(weights) - 1, -1, -1):
        grads.append(hs[layer].T @ g)
        if layer:
            g = (g @ weights[layer].T) * (1.0 - hs[layer] * hs[layer])
    grads.reverse()
    return loss, grads


HAND_WRITTEN: dict[ArrayBuild, Callable[[Array, Sequence[Array]], tuple[float, list[Array]]]] = {
    mlp: mlp_by_hand,
}
