"""Oracle 3: the backward schedule.

During one ``backward``: every Function upstream of the output runs its backward
exactly once, and only after every Function consuming its outputs has run;
Functions not on a path to the output (held dead branches) never run.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.graphs.spec import build
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import recording_calls, upstream_functions
from strategies.implementation.protocols import FunctionLike, VariableLike, grad_array
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents

pytestmark = pytest.mark.requires("core")


@pytest.mark.requires("generations", why="the book orders the backward pass by generation from step 16; "
                      "before, graphs where a value feeds two paths get wrong gradients (see the gradient properties)")
@given(data=st.data())
def test_each_function_runs_once_after_all_its_consumers(impl: Implementation, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, max_nodes=12)
    names: dict[int, str] = {}

    def name(i: int, v: VariableLike) -> None:
        if v.creator is not None:
            names.setdefault(id(v.creator), f"{type(v.creator).__name__} (creator of v{i})")

    built = build(spec, impl, on_value=name)
    y = built.output
    live = upstream_functions([y])
    everything = upstream_functions(built.values.values())
    w = data.draw(cotangents(y.data.shape), label="cotangent")

    with recording_calls(everything) as recorded:
        backward(impl, y, w)
    calls = [call.function for call in recorded]

    def label(f: FunctionLike) -> str:
        return names.get(id(f), type(f).__name__)

    runs = Counter(id(f) for f in calls)
    for f in live:
        assert runs[id(f)] == 1, f"[schedule] {label(f)} ran backward {runs[id(f)]} times, expected once"
    live_ids = {id(f) for f in live}
    for f in everything:
        if id(f) not in live_ids:
            assert runs[id(f)] == 0, f"[schedule] {label(f)} is not on a path to the output, yet ran backward"
    position = {id(f): i for i, f in reversed(list(enumerate(calls)))}
    for consumer in live:
        for x in consumer.inputs:
            producer = x.creator
            if producer is not None and id(producer) in live_ids:
                assert position[id(consumer)] < position[id(producer)], (
                    f"[schedule] {label(producer)} ran backward before {label(consumer)}, "
                    "which consumes its output"
                )


@pytest.mark.requires("memory")
@given(data=st.data())
def test_backward_without_a_graph_only_seeds(impl: Implementation, data: st.DataObject) -> None:
    """``backward()`` on a leaf, or on a value built under ``no_grad``, has nothing to
    propagate: its grad becomes the seed (ones), and no other value gets one."""
    spec = draw_graph(data, impl)
    with impl.no_grad():
        built = build(spec, impl)
    for name, v in (("a leaf", built.leaves[0]), ("an output built under no_grad", built.output)):
        v.backward()
        got = grad_array(v.grad)
        assert got is not None and got.shape == v.data.shape and np.all(got == 1), (
            f"[backward without a graph] on {name}: grad {got!r}, expected ones"
        )
    assert all(grad_array(leaf.grad) is None for leaf in built.leaves[1:]), (
        "[backward without a graph] another leaf received a gradient"
    )
