"""Oracle 4: lifetimes. Graphs are freed by reference counting alone, Function
outputs are weak references, ``retain_grad`` keeps exactly what it says, and
``no_grad`` builds no graph and keeps nothing alive."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.graphs.spec import build
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import upstream_functions
from strategies.implementation.protocols import VariableLike, grad_array
from strategies.oracles.numerics import side_by_side, value_vjp
from strategies.oracles.rounding import rounding_bounds, tolerance
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents

from ..helpers.refcount import cyclic_gc_disabled


@pytest.mark.requires("memory")
@given(data=st.data())
def test_dropping_the_output_frees_the_graph(impl: Implementation, data: st.DataObject) -> None:
    """With the cyclic GC off, dropping the user's references frees every
    intermediate Variable and every Function."""
    spec = draw_graph(data, impl)
    run_backward = data.draw(st.booleans(), label="run backward first")
    refs: dict[str, weakref.ref[Any]] = {}

    def watch(i: int, v: VariableLike) -> None:
        refs[f"v{i}"] = weakref.ref(v)
        if v.creator is not None:
            refs[f"{type(v.creator).__name__} (creator of v{i})"] = weakref.ref(v.creator)

    with cyclic_gc_disabled():
        built = build(spec, impl, on_value=watch)
        if run_backward:
            w = data.draw(cotangents(built.output.data.shape), label="cotangent")
            backward(impl, built.output, w)
        del built
        alive = [name for name, ref in refs.items() if ref() is not None]
    assert not alive, f"[lifetime] still alive after dropping every reference: {', '.join(alive)}"


@pytest.mark.requires("memory")
@given(data=st.data())
def test_function_outputs_are_weak_references(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, max_nodes=4)
    built = build(spec, impl)
    for f in upstream_functions([built.output]):
        for ref in f.outputs:
            assert isinstance(ref, weakref.ref), (
                f"[lifetime] {type(f).__name__}.outputs holds {type(ref).__name__}, not weakref.ref"
            )


@pytest.mark.requires("memory")
@given(data=st.data())
def test_retain_grad_false_keeps_only_leaf_grads(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    built = build(spec, impl, keep_all=True)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w, retain_grad=False)
    leaves = set(spec.leaves)
    for i, v in built.values.items():
        if i in leaves:
            assert (v.grad is not None) == (i in spec.live), f"[retain_grad=False] leaf v{i}: grad {v.grad!r}"
        else:
            assert v.grad is None, f"[retain_grad=False] intermediate v{i} kept a grad"


@pytest.mark.requires("memory")
@given(data=st.data())
def test_retain_grad_true_keeps_correct_intermediate_grads(impl: Implementation, data: st.DataObject) -> None:
    """Each retained grad is d(w . y)/d(v) for that intermediate ``v``, checked by the
    complex step on ``v`` itself."""
    spec = draw_graph(data, impl, max_nodes=6)
    built = build(spec, impl, keep_all=True)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    backward(impl, built.output, w, retain_grad=True)
    bounds = rounding_bounds(spec, w)
    for i, v in sorted(built.values.items()):
        if i in spec.leaves or i == spec.output:
            continue
        got = grad_array(v.grad)
        if i not in spec.live:
            assert got is None or not np.any(got), f"[retain_grad=True] v{i} is off the path, yet has grad {got}"
            continue
        assert got is not None, f"[retain_grad=True] intermediate v{i} has no grad"
        expected, _ = value_vjp(spec, w, i)
        allowed = tolerance(bounds[i], spec.dtype)
        assert got.shape == expected.shape and np.all(np.abs(got - expected) <= allowed), (
            f"[retain_grad=True] v{i}: retained grad differs from d(w.y)/dv{i}\n"
            + side_by_side(got, expected, allowed)
        )


@pytest.mark.requires("memory")
@given(data=st.data())
def test_no_grad_builds_no_graph_and_keeps_nothing(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl)
    refs: dict[int, weakref.ref[Any]] = {}
    with cyclic_gc_disabled():
        with impl.no_grad():
            built = build(spec, impl, on_value=lambda i, v: refs.__setitem__(i, weakref.ref(v)))
        for i, v in built.values.items():
            assert v.creator is None, f"[no_grad] v{i} has a creator, built under no_grad"
        # (An op may return its input itself, as reshape to the same shape does.)
        kept = {id(v) for v in built.values.values()}
        alive = [f"v{i}" for i, ref in refs.items() if ref() is not None and id(ref()) not in kept]
        assert not alive, f"[no_grad] values nobody holds are still alive: {', '.join(alive)}"
