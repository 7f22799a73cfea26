"""Each op a port declares, screened alone before random graphs use it, as the
survey screens a Python DeZero's ops (:mod:`strategies.survey.screening`): an op
that raises or answers wrongly alone is left out of random graphs, so that the
graph properties judge the engine, and its own property
(``test_request_op_alone_matches_complex_step``) reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from strategies.graphs.dags import single_op
from strategies.graphs.spec import GraphSpec, evaluate
from strategies.implementation.protocols import Array
from strategies.oracles.rounding import expected_gradients
from strategies.ports.driver import DriverFailure
from strategies.ports.protocol import WIRE_OPS, Answer, PortCapabilities, PortError, Request
from strategies.ports.runner import Runner

__all__ = ["EXAMPLES", "ScreenedRunner", "screen_op"]

EXAMPLES = 10  # single-op requests per op, the same ones every time

_SCREENING = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))


class _Wrong(Exception):
    pass


def screen_op(runner: Runner, op: str) -> str:
    """Why ``op`` fails alone on ``runner`` (its first wrong answer), or ``""``."""
    caps = runner.capabilities

    @_SCREENING
    @given(data=st.data())
    def alone(data: st.DataObject) -> None:
        spec = data.draw(single_op(WIRE_OPS[op], dtype="float64", broadcasting=caps.broadcast))
        if any(len(v.shape) > caps.max_rank for v in evaluate(spec)):
            return
        w = np.ones(evaluate(spec)[spec.output].shape)
        found = runner.run(Request(spec, seed=w))
        if isinstance(found, PortError):
            raise _Wrong(f"it raises alone: {found}")
        _judge(spec, found, w)

    try:
        alone()
    except _Wrong as exc:
        return " ".join(str(exc).split())  # one line: a panic message may hold several
    except DriverFailure as exc:
        return f"the driver failed on it alone ({exc.kind}: {exc.message})"
    return ""


def _judge(spec: GraphSpec, answer: Answer, w: Array) -> None:
    for value, expected in zip(answer.values, evaluate(spec)):
        if value.shape != expected.shape or not np.allclose(value, expected, rtol=1e-9, atol=1e-12):
            raise _Wrong("its value alone differs from NumPy's")
    for (expected, allowed), grad in zip(expected_gradients(spec, w), answer.leaf_grads(spec)):
        if grad is None or grad.shape != expected.shape or not np.all(np.abs(grad - expected) <= allowed):
            raise _Wrong("its gradient alone differs from the complex step")


@dataclass
class ScreenedRunner:
    """A runner whose declared ops are screened alone once, on first need."""

    runner: Runner
    excluded: frozenset[str] = frozenset()  # left out as asked (--exclude-ops), not screened
    _left_out: dict[str, str] | None = field(default=None, repr=False)

    @property
    def capabilities(self) -> PortCapabilities:
        return self.runner.capabilities

    def run(self, request: Request) -> Answer | PortError:
        return self.runner.run(request)

    @property
    def left_out(self) -> dict[str, str]:
        """The declared ops random graphs leave out, and why."""
        if self._left_out is None:
            reasons = {op: "left out as asked (--exclude-ops)" if op in self.excluded else screen_op(self.runner, op)
                       for op in self.capabilities.ops}
            self._left_out = {op: why for op, why in reasons.items() if why}
        return self._left_out
