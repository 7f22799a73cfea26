"""Oracle 4, stateful: building nodes, dropping references, backward, cleargrad and
no_grad blocks, interleaved at random, with the cyclic GC off. After every step:

- nothing is alive that the user's references cannot reach through creators and
  inputs (graphs are freed by reference counting alone);
- every live Function holds its outputs by weak reference;
- values made under no_grad have no creator.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from strategies.catalogue.ops import Inapplicable, Input, Op
from strategies.graphs.spec import apply
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import upstream_functions
from strategies.implementation.protocols import VariableLike
from strategies.survey.backprop import backward, cotangents
from strategies.survey.capabilities import capabilities


class GraphLifetime(RuleBasedStateMachine):
    impl: Implementation  # set on the subclass made for each implementation

    def __init__(self) -> None:
        super().__init__()
        self.gc_was_enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        caps = capabilities(self.impl)
        self.ops: list[Op] = [op for op in caps.graph_ops if op.arity == 1 and op.n_outputs == 1]
        self.held: list[VariableLike] = []
        self.made: list[tuple[str, weakref.ref[Any]]] = []
        self.without_graph: list[weakref.ref[Any]] = []

    def teardown(self) -> None:
        if self.gc_was_enabled:
            gc.enable()

    def _pick(self, data: st.DataObject) -> VariableLike:
        # An index, not the Variable: Hypothesis keeps what it draws for its report,
        # which would keep the Variable alive.
        return self.held[data.draw(st.integers(0, len(self.held) - 1))]

    def _track(self, v: VariableLike) -> None:
        self.made.append((f"variable {v.data.shape}", weakref.ref(v)))
        if v.creator is not None:
            self.made.append((type(v.creator).__name__, weakref.ref(v.creator)))

    @rule(data=st.data())
    def new_leaf(self, data: st.DataObject) -> None:
        x = self.impl.variable(data.draw(cotangents(data.draw(st.sampled_from([(), (2,), (2, 3)])))))
        self.held.append(x)
        self._track(x)

    def _apply(self, data: st.DataObject) -> VariableLike | None:
        x = self._pick(data)
        inputs = [Input(x.data.shape, np.asarray(x.data, dtype=np.float64))]
        ops = [op for op in self.ops if op.applicable(inputs)]
        if not ops:
            return None
        op = data.draw(st.sampled_from(ops))
        try:
            params, fresh = op.draw_params(data.draw, inputs)
        except Inapplicable:
            return None
        extra = [self.impl.variable(np.full(leaf.shape, (leaf.low + leaf.high) / 2 + 0.25)) for leaf in fresh]
        for leaf in extra:
            self._track(leaf)
        (y,) = apply(self.impl, op, [x, *extra], params)
        if not np.all(np.isfinite(y.data)) or np.max(np.abs(y.data), initial=0) > 1e3:
            return None
        return y

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def build_node(self, data: st.DataObject) -> None:
        y = self._apply(data)
        if y is not None:
            self.held.append(y)
            self._track(y)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def build_under_no_grad(self, data: st.DataObject) -> None:
        with self.impl.no_grad():
            y = self._apply(data)
        if y is not None:
            self.held.append(y)
            self._track(y)
            self.without_graph.append(weakref.ref(y))

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def drop_reference(self, data: st.DataObject) -> None:
        self.held.pop(data.draw(st.integers(0, len(self.held) - 1)))

    # backward from a node (backward from a leaf, where the book crashes, is a property of its own:
    # test_schedule.py::test_backward_without_a_graph_only_seeds)
    @precondition(lambda self: any(v.creator is not None for v in self.held))
    @rule(data=st.data(), retain_grad=st.booleans())
    def run_backward(self, data: st.DataObject, retain_grad: bool) -> None:
        nodes = [v for v in self.held if v.creator is not None]
        y = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        backward(self.impl, y, data.draw(cotangents(y.data.shape)), retain_grad=retain_grad)
        upstream = upstream_functions([y])
        reached = {id(x) for f in upstream for x in f.inputs}
        for v in self.held:
            if id(v) in reached and v.creator is None:
                assert v.grad is not None, "[stateful] a leaf upstream of the output got no grad"
            if not retain_grad and v.creator is not None and any(v.creator is f for f in upstream):
                assert v.grad is None, "[stateful] retain_grad=False left an intermediate grad"

    @precondition(lambda self: self.held and self.impl.has("Variable.cleargrad"))
    @rule(data=st.data())
    def clear_grad(self, data: st.DataObject) -> None:
        v = self._pick(data)
        v.cleargrad()
        assert v.grad is None, "[cleargrad] grad is not None after cleargrad()"

    @invariant()
    def nothing_outlives_its_references(self) -> None:
        reachable = {id(v) for v in self.held}
        for f in upstream_functions(self.held):
            reachable.add(id(f))
            reachable.update(id(x) for x in f.inputs)
        leaked = [name for name, ref in self.made if ref() is not None and id(ref()) not in reachable]
        assert not leaked, f"[stateful lifetime] alive but unreachable from the user's references: {leaked}"

    @invariant()
    def outputs_are_weak(self) -> None:
        for f in upstream_functions(self.held):
            assert all(isinstance(ref, weakref.ref) for ref in f.outputs), "[stateful] strong Function.outputs"

    @invariant()
    def no_grad_values_have_no_creator(self) -> None:
        for ref in self.without_graph:
            v = ref()
            assert v is None or v.creator is None, "[stateful] a value made under no_grad has a creator"


@pytest.mark.requires("memory")
def test_graph_lifetime_state_machine(impl: Implementation) -> None:
    machine = type("GraphLifetimeOf" + impl.name.title(), (GraphLifetime,), {"impl": impl})
    run_state_machine_as_test(machine)
