"""Each op alone, on a few small examples, before any property runs.

Two questions, answered per catalogue op:

- Does the implementation accept this *form* of the call? ``F.sum(x, axis=(0, 1),
  keepdims=True)`` on a ``sum`` without ``keepdims``, or ``x + 2`` before the book's
  step 21 accepts numbers, is a form it never claimed: *unsupported*, and the
  properties of that op are not applicable.
- Does the op work alone? If its values or gradients are wrong, it raises, or it
  hangs, it is *broken*: its own properties run (and fail), but random graphs leave
  it out, so that one broken rule does not fail every graph property and hide what
  the engine does.

A call is a form the implementation lacks when Python refuses the call itself (a
``TypeError`` raised by the call expression, not inside the implementation's code:
an unexpected keyword, too many arguments, no ``__add__`` for a number), or when an
op with a constant operand fails in any way.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from strategies.catalogue.opspec import Op
from strategies.graphs.dags import single_op
from strategies.graphs.spec import GraphSpec, Node, build, evaluate
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import grad_array
from strategies.implementation.timeouts import TimedOut, time_limit
from strategies.oracles.numerics import jacobians, vjp
from strategies.oracles.rounding import rounding_bounds, tolerance

__all__ = ["EXAMPLES", "Mismatch", "SECONDS", "Status", "Verdict", "check_alone", "screen", "screen_twice"]

EXAMPLES = 20
SECONDS = 5.0  # per example

Status = Literal["ok", "unsupported", "broken"]


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", " ".join(self.reason.split()))  # one line, for the report


class Mismatch(Exception):
    """The op's value or gradient differs from the reference."""


class _BackwardFailed(Exception):
    """Backward raised (the forward worked)."""


_SUITE_FILES = ("<graph spec>", str(Path(__file__).with_name("namespace.py")))


def _refused_by_the_call(exc: BaseException) -> bool:
    """A TypeError raised by the call expression itself (or by the suite's adapter
    that makes it), not from inside the implementation."""
    if not isinstance(exc, TypeError) or exc.__traceback__ is None:
        return False
    innermost = traceback.extract_tb(exc.__traceback__)[-1]
    return innermost.filename in _SUITE_FILES


def _problem(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:300]


def check_alone(impl: Implementation, spec: GraphSpec, differentiate: bool, grads_are_variables: bool) -> None:
    """Forward (and backward) of one op alone against the reference: raises when
    they differ (beyond rounding) or when the implementation raises."""
    built = build(spec, impl)
    expected = evaluate(spec)[spec.output]
    got = np.asarray(built.output.data, dtype=np.float64)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        raise Mismatch(f"forward gives {np.array2string(got, threshold=6)}, "
                        f"expected {np.array2string(expected, threshold=6)}")
    if not differentiate:
        return
    w = np.linspace(-1.0, 1.25, expected.size).reshape(expected.shape) if expected.size else expected
    seed = np.asarray(w, dtype=built.output.data.dtype)
    built.output.grad = impl.variable(seed) if grads_are_variables else seed
    try:
        built.output.backward()
    except (Exception, SystemExit) as exc:
        if isinstance(exc, SystemExit):
            raise
        raise _BackwardFailed(_problem(exc)) from exc
    bounds = rounding_bounds(spec, w)
    for k, jacobian in enumerate(jacobians(spec)):
        leaf = spec.leaves[k]
        want, _ = vjp(jacobian, w)
        g = grad_array(built.leaves[k].grad)
        if leaf not in spec.live:
            continue
        allowed = 1e-6 * bounds[leaf] + tolerance(bounds[leaf], "float64")  # rule bugs only
        if g is None or g.shape != want.shape or not np.all(np.abs(g - want) <= allowed):
            shown = None if g is None else np.array2string(g, threshold=6)
            raise Mismatch(f"the gradient of leaf v{leaf} is {shown}, expected {np.array2string(want, threshold=6)}")


def _twice(impl: Implementation, spec: GraphSpec) -> None:
    """Backward with ``create_graph=True``, then backward from each leaf's gradient."""
    built = build(spec, impl)
    built.output.backward(create_graph=True)
    grads = [leaf.grad for leaf in built.leaves]
    for leaf in built.leaves:
        leaf.grad = None  # (not cleargrad(): a method the implementation may name otherwise)
    for g in grads:
        if g is not None and getattr(g, "creator", None) is not None:
            g.backward()


def _first_verdict(op: Op, broadcasting: bool, examples: int, judge: Callable[[GraphSpec, str], Verdict | None]) -> Verdict:
    """Run ``judge(spec, call)`` on derandomized examples of ``op`` alone (``call``:
    the op's call as source) until it returns a verdict; "ok" if it never does."""
    verdicts: list[Verdict] = []

    # Half the examples on leaves of two dimensions or more: derandomized examples
    # start from the simplest shapes, where many axis and index bugs do not show.
    simple, rich = single_op(op, broadcasting=broadcasting), single_op(op, broadcasting=broadcasting, min_dims=2)

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(st.one_of(simple, rich))
    def one(spec: GraphSpec) -> None:
        if verdicts:
            return
        node = spec.steps[-1]
        assert isinstance(node, Node)  # single_op's last step is the op
        verdict = judge(spec, op.source([f"v{a}" for a in node.args], node.params))
        if verdict is not None:
            verdicts.append(verdict)

    try:
        one()
    except Exception:  # noqa: BLE001  (no example could be drawn: nothing learned)
        pass
    return verdicts[0] if verdicts else Verdict("ok")


def screen_twice(impl: Implementation, op: Op, *, broadcasting: bool) -> Verdict:
    """Whether ``op``'s double backward runs alone (values are the higher-order
    properties' to judge): broken when it raises or hangs."""

    def judge(spec: GraphSpec, call: str) -> Verdict | None:
        try:
            with np.errstate(all="ignore"), time_limit(SECONDS, call):
                _twice(impl, spec)
        except (Exception, SystemExit, TimedOut) as exc:  # noqa: BLE001  (the verdict)
            return Verdict("broken", f"alone its double backward raises: {call}: {_problem(exc)}")
        return None

    return _first_verdict(op, broadcasting, EXAMPLES // 4, judge)


def screen(impl: Implementation, op: Op, *, differentiate: bool, grads_are_variables: bool,
           broadcasting: bool) -> Verdict:
    """The verdict on ``op`` from :data:`EXAMPLES` derandomized examples (with
    backward too when ``differentiate``, seeding it with a Variable when
    ``grads_are_variables``)."""

    def judge(spec: GraphSpec, call: str) -> Verdict | None:
        try:
            with np.errstate(all="ignore"), time_limit(SECONDS, call):
                check_alone(impl, spec, differentiate, grads_are_variables)
        except Mismatch as exc:
            return Verdict("broken", f"alone it computes wrong values: {call}: {exc}")
        except _BackwardFailed as exc:
            return Verdict("broken", f"alone its backward raises: {call}: {exc}")
        except TimedOut as exc:
            return Verdict("broken", f"alone it hangs: {exc}")
        except SystemExit as exc:
            return Verdict("broken", f"alone it calls sys.exit({exc.code!r}): {call}")
        except Exception as exc:  # noqa: BLE001  (whatever the implementation raises is the verdict)
            if not (_refused_by_the_call(exc) or op.constant or op.family == "probe"):
                return Verdict("broken", f"alone it raises: {call}: {_problem(exc)}")
            what = f" ({op.constant} as an operand)" if op.constant else ""
            if op.family == "probe":
                what = " (a Function of two outputs: the book's Functions return several from step 11)"
            return Verdict("unsupported", f"`{call}`{what} is not supported: {_problem(exc)}")
        return None

    return _first_verdict(op, broadcasting, EXAMPLES, judge)
