"""Running backward on the implementation under test, whatever its grad convention."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.implementation.handle import Implementation
from strategies.graphs.spec import Built
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.survey.capabilities import capabilities

__all__ = ["backward", "cotangents", "double_backward", "grads", "set_seed"]


def cotangents(shape: tuple[int, ...]) -> st.SearchStrategy[Array]:
    """Random cotangents (upstream gradients) of ``shape``: signed, of varied size,
    never all ones, so that a backward that transposes or permutes wrongly shows."""
    magnitudes = st.integers(1, 8).map(lambda k: k / 4)
    signed = st.tuples(st.booleans(), magnitudes).map(lambda p: -p[1] if p[0] else p[1])
    return npst.arrays(np.float64, shape, elements=signed).map(_not_uniform)


def _not_uniform(w: Array) -> Array:
    if w.size and np.all(w == w.flat[0]):
        w = w.copy()
        w.flat[0] = -w.flat[0] if w.size > 1 else (0.75 if w.flat[0] == 1.0 else w.flat[0])
    return w


def set_seed(impl: Implementation, y: VariableLike, cotangent: Array) -> None:
    """Make ``cotangent`` the seed gradient of ``y``, as a Variable or an ndarray."""
    seed = np.asarray(cotangent, dtype=y.data.dtype)
    y.grad = impl.variable(seed) if capabilities(impl).grads_are_variables else seed


def backward(impl: Implementation, y: VariableLike, cotangent: Array, **kwargs: Any) -> None:
    set_seed(impl, y, cotangent)
    y.backward(**kwargs)


def grads(variables: Sequence[VariableLike]) -> list[Array | None]:
    return [grad_array(v.grad) for v in variables]


def double_backward(impl: Implementation, built: Built, seed: VariableLike, u: Sequence[Array]) -> list[Array]:
    """``H u`` by double backward: with ``seed`` (the cotangent ``w`` as a Variable)
    as the output's grad, each live leaf's first grad ``g_k`` (a Variable with a
    graph), seeded with ``u_k``, backpropagated into the leaves."""
    built.output.grad = seed
    built.output.backward(create_graph=True)
    first: list[VariableLike | None] = [leaf.grad for leaf in built.leaves]
    for leaf in built.leaves:
        leaf.grad = None  # (not cleargrad(): a method the implementation may name otherwise)
    for g, uk in zip(first, u):
        if g is not None and g.creator is not None:
            backward(impl, g, uk)
    return [np.zeros(uk.shape) if g is None else g for g, uk in zip(grads(built.leaves), u)]
