"""Oracle 8: bad input gets the documented error (``docs/semantics.md``), and the
graph and Config are unchanged afterwards: the same backward still gives the
right gradients."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.graphs.spec import build
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import VariableLike
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents, grads, set_seed
from strategies.survey.capabilities import capabilities

from ..helpers.oracles import assert_vjp_matches

pytestmark = pytest.mark.requires("core")

not_arrays = st.one_of(
    st.floats(allow_nan=False),
    st.integers(),
    st.booleans(),
    st.lists(st.floats(allow_nan=False), max_size=3),
    st.tuples(st.integers()),
    st.text(max_size=3),
    st.sampled_from([np.float64(1.5), np.float32(2.0), np.int64(3)]),
)


@given(data=st.data())
def test_variable_rejects_data_that_is_not_an_ndarray(impl: Implementation, data: st.DataObject) -> None:
    value = data.draw(not_arrays, label="data")
    with pytest.raises(TypeError):
        impl.variable(value)  # the wrong type is the point


def _shapes_unlike(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    return npst.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4).filter(lambda s: s != shape)


# Each bad call: (what the implementation needs, a strategy of bad arguments for a
# Variable of a given shape, the call). NumPy itself accepts axis 0 and -1 on a 0-d
# array, and np.dot a 0-d operand, so those are not counted as bad.
BadCall = tuple[str, Callable[[tuple[int, ...]], st.SearchStrategy[Any]], Callable[[Implementation, VariableLike, Any], Any]]


def _is_permutation(axes: list[int], ndim: int) -> bool:
    """Whether NumPy accepts ``axes`` for ``transpose``: each in ``[-ndim, ndim)``,
    every axis once."""
    return len(axes) == ndim and all(-ndim <= a < ndim for a in axes) and sorted(a % ndim for a in axes) == list(
        range(ndim)
    )


def _not_permutations(ndim: int) -> st.SearchStrategy[list[int]]:
    """Axes ``transpose`` must refuse: often a permutation with one axis moved out of
    range by a multiple of ``ndim`` (valid if wrapped modulo ``ndim``), else any
    list that is not a permutation (repeats, wrong length, out of range)."""
    anything = st.lists(st.integers(-ndim - 2, ndim + 1), max_size=ndim + 1)
    if ndim == 0:
        return anything.filter(lambda axes: not _is_permutation(axes, ndim))
    wrapped = st.tuples(st.permutations(range(ndim)), st.integers(0, ndim - 1), st.sampled_from([ndim, -2 * ndim])).map(
        lambda p: [a + p[2] if i == p[1] else a for i, a in enumerate(p[0])]
    )
    return st.one_of(wrapped, anything.filter(lambda axes: not _is_permutation(axes, ndim)))


def _bad_axes(shape: tuple[int, ...]) -> st.SearchStrategy[int]:
    n = max(len(shape), 1)
    return st.one_of(st.integers(n, n + 3), st.integers(-n - 3, -n - 1))

BAD_CALLS: dict[str, BadCall] = {
    "reshape to another size": (
        "op:reshape",
        lambda shape: _shapes_unlike(shape).filter(lambda s: math.prod(s) != math.prod(shape)),
        lambda impl, x, s: impl.F.reshape(x, s),
    ),
    "broadcast_to an incompatible shape": (
        "op:broadcast_to",
        lambda shape: _shapes_unlike(shape).filter(lambda s: not _broadcasts(shape, s)),
        lambda impl, x, s: impl.F.broadcast_to(x, s),
    ),
    "sum_to an incompatible shape": (
        "op:sum_to",
        lambda shape: _shapes_unlike(shape).filter(lambda s: not _broadcasts(s, shape)),
        lambda impl, x, s: impl.F.sum_to(x, s),
    ),
    "sum over an axis out of range": (
        "op:sum",
        _bad_axes,
        lambda impl, x, axis: impl.F.sum(x, axis=axis),
    ),
    "max over an axis out of range": (
        "op:max",
        _bad_axes,
        lambda impl, x, axis: impl.F.max(x, axis=axis),
    ),
    "transpose with axes that are not a permutation": (
        "op:transpose",
        lambda shape: _not_permutations(len(shape)),
        lambda impl, x, axes: impl.F.transpose(x, tuple(axes)),
    ),
    "matmul with misaligned shapes": (
        "op:matmul",
        lambda shape: st.integers(1, 4).filter(lambda k: k != shape[-1]).map(lambda k: np.ones((k, 2)))
        if shape else st.nothing(),
        lambda impl, x, w: impl.F.matmul(x, w),
    ),
}


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    return len(shape) <= len(target) and all(a in (1, b) for a, b in zip(reversed(shape), reversed(target)))


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
@given(data=st.data())
def test_bad_arguments_raise_value_error_and_change_nothing(impl: Implementation, case: str, data: st.DataObject) -> None:
    requirement, bad_arguments, call = BAD_CALLS[case]
    missing = capabilities(impl).missing((requirement,), impl)
    if missing:  # a function, or the call form the case makes, the implementation never claimed
        pytest.skip(f"not applicable: the implementation lacks {', '.join(missing)}")
    spec = draw_graph(data, impl, max_nodes=5)
    built = build(spec, impl)
    y = built.output
    creator, state = y.creator, impl.config_state()
    bad = bad_arguments(y.data.shape)
    assume(not bad.is_empty)
    argument = data.draw(bad, label="bad argument")
    with pytest.raises(ValueError):
        call(impl, y, argument)
    assert y.creator is creator and impl.config_state() == state, f"[{case}] the graph or Config changed"
    w = data.draw(cotangents(y.data.shape), label="cotangent")
    backward(impl, y, w)
    assert_vjp_matches(f"gradients after {case}", spec, grads(built.leaves), w)


@given(data=st.data())
def test_seed_gradient_of_the_wrong_shape_raises_value_error(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, max_nodes=5)
    built = build(spec, impl)
    y = built.output
    shape = data.draw(_shapes_unlike(y.data.shape), label="seed shape")
    state = impl.config_state()
    set_seed(impl, y, np.ones(shape))
    with pytest.raises(ValueError):
        y.backward()
    assert impl.config_state() == state, "[bad seed] Config changed"
    assert all(g is None for g in grads(built.leaves)), "[bad seed] a leaf received a gradient"
    w = data.draw(cotangents(y.data.shape), label="cotangent")
    backward(impl, y, w)
    assert_vjp_matches("gradients after a bad seed", spec, grads(built.leaves), w)
