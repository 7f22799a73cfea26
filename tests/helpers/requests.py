"""What the request properties share: graphs drawn from what a port declared, the
port's answer or a failure that says the port raised, and the culprit found by
asking the port for each op alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st

from strategies.graphs.dags import dags, single_op
from strategies.graphs.spec import GraphSpec, Leaf, Node, evaluate
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import value_vjp
from strategies.oracles.rounding import expected_gradients
from strategies.ports.protocol import WIRE_OPS, Answer, PortError, Request
from strategies.ports.runner import Runner
from strategies.ports.screening import ScreenedRunner
from strategies.reports.drawing import LastGraph


class LastRequest:
    """The request most recently sent in this process (the failing one, once
    Hypothesis replays a failure), saved for replay by the report."""

    request: Request | None = None


def port_graph(data: st.DataObject, runner: Runner, *, op: str | None = None, dtype: str = "float64",
               **dags_options: Any) -> GraphSpec:
    """A graph of the declared ops (or ``op`` alone), dtype and broadcasting, no value
    of more dimensions than ``max_rank``; random graphs leave out the ops a
    :class:`ScreenedRunner` found failing alone."""
    caps = runner.capabilities
    if dtype not in caps.dtypes:
        pytest.skip(f"not applicable: the port does not declare {dtype}")
    if op is not None:
        if not caps.offers(op):
            pytest.skip(f"not applicable: the port does not declare `{op}`")
        strategy = single_op(WIRE_OPS[op], dtype=dtype, broadcasting=caps.broadcast)
    else:
        left_out = runner.left_out if isinstance(runner, ScreenedRunner) else {}
        ops = [WIRE_OPS[name] for name in caps.ops if name not in left_out]
        if not ops:
            pytest.skip("not applicable: no op the port declares works alone (see the per-op property)")
        strategy = dags(ops, dtype=dtype, broadcasting=caps.broadcast, **dags_options)
    spec = data.draw(strategy, label="graph")
    assume(all(len(v.shape) <= caps.max_rank for v in evaluate(spec)))
    LastGraph.spec = spec
    return spec


def answered(runner: Runner, request: Request, oracle: str) -> Answer:
    """The port's answer; a port that raised fails the property with its error."""
    LastRequest.request = request
    found = runner.run(request)
    if isinstance(found, PortError):
        raise AssertionError(f"[{oracle}] the port raised {found}, where NumPy computes a value")
    return found


def request_json(request: Request) -> str:
    return json.dumps(request.to_json(1), allow_nan=False)


def assert_dtypes(oracle: str, spec: GraphSpec, arrays: Sequence[Array | None], what: str) -> None:
    for k, a in enumerate(arrays):
        if a is not None and a.dtype.name != spec.dtype:
            raise AssertionError(f"[{oracle}] {what}[{k}] is {a.dtype.name} in a {spec.dtype} graph")


def culprit(runner: Runner, spec: GraphSpec, answer_values: Sequence[Array], cotangent: Array) -> str:
    """Each node of ``spec`` alone, on the values the port computed for its inputs,
    with the upstream gradient the node gets in the whole graph: the first that the
    port gets wrong alone, or the engine when all are right alone."""
    for i, step in enumerate(spec.steps):
        if isinstance(step, Leaf) or i not in spec.live:
            continue
        inputs = [np.asarray(answer_values[a], dtype=np.float64) for a in step.args]
        alone = GraphSpec(
            tuple([*(Leaf(x.shape, tuple(float(v) for v in x.ravel())) for x in inputs),
                   Node(step.op, tuple(range(len(inputs))), step.params)]),
            len(inputs), spec.dtype, frozenset())
        upstream, _ = value_vjp(spec, cotangent, i)
        found = runner.run(Request(alone, seed=upstream))
        if isinstance(found, PortError):
            return f"culprit: `{step.op}` (v{i}) raises alone on its inputs: {found}"
        for k, ((expected, allowed), grad) in enumerate(zip(expected_gradients(alone, upstream),
                                                            found.leaf_grads(alone))):
            if grad is None or grad.shape != expected.shape or not np.all(
                np.abs(grad.astype(np.float64) - expected) <= allowed
            ):
                return (f"culprit: `{step.op}` (v{i} = {step.op}({', '.join(f'v{a}' for a in step.args)})) "
                        f"is wrong alone on the port's own input values: input {k}'s gradient "
                        f"{'is missing' if grad is None else 'differs'}")
    return ("culprit: every op is right alone on its inputs, so the engine combines them wrongly "
            "(the order of the backward pass, or how gradients of a value used twice add up)")
