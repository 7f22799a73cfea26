"""The driver side of the protocol for any Python DeZero: the handshake it declares
and the answer it gives to a request, computed on an :class:`Implementation` in this
process. The Python driver (:mod:`strategies.ports.python_driver`) sends these over
the wire; :class:`InProcess` hands them to the checker directly.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np

from strategies.graphs.spec import GraphSpec, Leaf, Node, build
from strategies.implementation.handle import Implementation
from strategies.implementation.instrument import recording_calls, upstream_functions
from strategies.implementation.protocols import Array, grad_array
from strategies.ports.protocol import (
    DTYPES, PROTOCOL, WIRE_OPS, Answer, PortCapabilities, PortError, ProtocolError, Request, decode_array, encode_array, parse_answer,
    parse_handshake,
)
from strategies.survey.backprop import backward, double_backward
from strategies.survey.capabilities import backward_parameters, survey

__all__ = ["InProcess", "answer", "decode_request", "handshake"]


def handshake(impl: Implementation, name: str) -> dict[str, Any]:
    """What a Python DeZero declares: the wire ops it has by name, and its levels as
    flags (found by the survey's probes; ops are not screened alone, as a porter
    declares what the port has, not what works)."""
    caps = survey(impl, screen_ops=False)
    offered = [op.name for op in caps.ops if op.name in WIRE_OPS]
    retain = "retain_grad" in backward_parameters(impl)
    return {"protocol": PROTOCOL, "name": name, "version": str(impl.attr("__version__")) if impl.has("__version__") else "unknown",
            "language": "Python", "ops": offered,
            "dtypes": ["float64", "float32"] if "layers" in caps.levels else ["float64"], "max_rank": 4,
            "broadcast": caps.broadcasting, "higher_order": "higher_order" in caps.levels,
            "retain_grad": retain, "backward_calls": "generations" in caps.levels}


def decode_request(message: dict[str, Any]) -> Request:
    """A ``run`` message as a :class:`Request` (the inverse of ``Request.to_json``)."""
    graph = message["graph"]
    dtype = graph["dtype"]
    steps: list[Leaf | Node] = []
    leaves: list[Array] = []
    for k, step in enumerate(graph["steps"]):
        if "leaf" in step:
            x = decode_array(step["leaf"], f"request.graph.steps[{k}].leaf")
            leaves.append(x)
            steps.append(Leaf(tuple(x.shape), tuple(float(v) for v in x.ravel())))
        else:
            if step["op"] not in WIRE_OPS:
                raise ProtocolError(f"request.graph.steps[{k}].op: {step['op']!r} is not an op of the protocol")
            params = tuple((key, _python_param(v)) for key, v in step["params"].items())
            steps.append(Node(step["op"], tuple(step["args"]), params))
    spec = GraphSpec(tuple(steps), graph["output"], dtype, frozenset())
    back = message.get("backward")
    second = message.get("second")
    return Request(
        spec,
        seed=None if back is None else decode_array(back["seed"], "request.backward.seed"),
        create_graph=bool(back and back.get("create_graph")),
        retain_grad=bool(back and back.get("retain_grad")),
        direction=None if second is None else [decode_array(u, "request.second.direction") for u in second["direction"]],
        leaves=leaves,
    )


def _python_param(value: Any) -> Any:
    return tuple(_python_param(v) for v in value) if isinstance(value, list) else value


def _encoded(x: Array | None) -> dict[str, Any] | None:
    """``x`` in its own dtype (a float32 graph computed in float64 shows), or as
    float64 when that is not a protocol dtype."""
    if x is None:
        return None
    dtype = np.asarray(x).dtype.name
    return encode_array(x, dtype if dtype in DTYPES else "float64")


def answer(impl: Implementation, request: Request, seq: int) -> dict[str, Any]:
    """Run ``request`` on ``impl``: the answer message, or an error message when the
    implementation raised."""
    spec, phase = request.spec, "forward"
    try:
        built = build(spec, impl, keep_all=True, leaves=request.leaf_values())
        variables = [built.values[i] for i in range(len(spec.steps))]
        result: dict[str, Any] = {"seq": seq, "values": [_encoded(np.asarray(v.data)) for v in variables]}
        if request.seed is None:
            return result
        phase = "backward"
        names = {id(v.creator): i for i, v in enumerate(variables) if v.creator is not None}
        if request.direction is not None:
            seed = impl.variable(np.asarray(request.seed, dtype=spec.dtype))
            phase = "second"
            second = double_backward(impl, built, seed, request.direction)
            result["second"] = [_encoded(h) for h in second]
            return result
        flags = {k: True for k in ("create_graph", "retain_grad") if getattr(request, k)}
        with recording_calls(upstream_functions(variables)) as calls:
            backward(impl, built.output, request.seed, **flags)
        runs = Counter(names.get(id(call.function)) for call in calls)
        result["grads"] = [_encoded(grad_array(v.grad)) for v in variables]
        result["backward_calls"] = [None if isinstance(step, Leaf) else runs.get(i, 0)
                                    for i, step in enumerate(spec.steps)]
        return result
    except Exception as exc:  # the implementation's own error: a finding, not ours
        return {"seq": seq, "error": {"type": type(exc).__name__, "message": str(exc), "phase": phase}}


class InProcess:
    """The checker's side of the protocol, answered by a Python DeZero in this
    process: every message still goes through its JSON form, so the in-process and
    the over-the-wire runs judge exactly the same answers."""

    def __init__(self, impl: Implementation, name: str = "in process") -> None:
        self.impl = impl
        self._capabilities = parse_handshake(_round_trip(handshake(impl, name)))
        self.seq = 0

    @property
    def capabilities(self) -> PortCapabilities:
        return self._capabilities

    def run(self, request: Request) -> Answer | PortError:
        self.seq += 1
        return parse_answer(_round_trip(answer(self.impl, request, self.seq)), request, self.seq)


def _round_trip(message: dict[str, Any]) -> Any:
    return json.loads(json.dumps(message, allow_nan=False))
