"""The driver protocol, ``dezero-driver/1``: the messages between the checker and a
port's driver, and their exact JSON form (``docs/driver-protocol.md`` is the
specification a porter reads; this module is what the checker sends and accepts).

A request to run a graph is a :class:`Request`; the driver's reply is read into an
:class:`Answer` or, when the port raised, a :class:`PortError`. Anything else the
driver prints is a :class:`ProtocolError` that says which field was wrong and why.
Arrays carry their dtype, shape and row-major data; float64 values round-trip bit
for bit (shortest decimal form), non-finite values are the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategies.catalogue.ops import CATALOGUE, Op
from strategies.graphs.spec import GraphSpec, Leaf
from strategies.implementation.protocols import Array

__all__ = [
    "Answer", "DTYPES", "PROTOCOL", "PortCapabilities", "PortError", "ProtocolError", "Request", "WIRE_OPS",
    "crosses_the_wire", "decode_array", "encode_array", "parse_answer", "parse_handshake", "start_message",
]

PROTOCOL = 1
DTYPES = ("float64", "float32")
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def crosses_the_wire(op: Op) -> bool:
    """Whether a port can be asked for ``op``: its parameters are plain JSON (not
    Python source such as an index expression or a NumPy dtype), and it is a
    function of its inputs (not a layer object or one of the suite's probes)."""
    return not any(part in op.template for part in ("P.", "L.", "{index}", "{dtype}"))


# The ops a driver may declare, by the catalogue's names, in the catalogue's order.
WIRE_OPS: dict[str, Op] = {op.name: op for op in CATALOGUE if crosses_the_wire(op)}


class ProtocolError(Exception):
    """The driver sent something the protocol does not allow; the message names the
    field (``answer.grads[2].data``) and says what was expected."""


# --------------------------------------------------------------------- numbers


def _number(x: float) -> float | str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def encode_array(a: Array, dtype: str) -> dict[str, Any]:
    """``{"dtype", "shape", "data"}``; ``a`` is first cast to ``dtype``."""
    values = np.asarray(a).astype(dtype)
    return {"dtype": dtype, "shape": list(values.shape), "data": [_number(float(x)) for x in values.ravel()]}


def decode_array(d: object, where: str) -> Array:
    """The array a message holds, of its stated dtype; :class:`ProtocolError` naming
    ``where`` when it is malformed."""
    if not isinstance(d, dict):
        raise ProtocolError(f"{where}: expected an array object {{dtype, shape, data}}, got {_short(d)}")
    dtype, shape, data = d.get("dtype"), d.get("shape"), d.get("data")
    if dtype not in DTYPES:
        raise ProtocolError(f"{where}.dtype: expected one of {list(DTYPES)}, got {_short(dtype)}")
    if not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise ProtocolError(f"{where}.shape: expected a list of sizes (non-negative integers), got {_short(shape)}")
    if not isinstance(data, list):
        raise ProtocolError(f"{where}.data: expected a list of numbers, got {_short(data)}")
    size = math.prod(shape)
    if len(data) != size:
        raise ProtocolError(f"{where}.data: {len(data)} numbers, but shape {shape} holds {size}")
    numbers: list[float] = []
    for k, x in enumerate(data):
        if isinstance(x, str) and x in _NON_FINITE:
            numbers.append(_NON_FINITE[x])
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            numbers.append(float(x))
        else:
            raise ProtocolError(f"{where}.data[{k}]: expected a number or one of {list(_NON_FINITE)}, got {_short(x)}")
    values = np.array(numbers, dtype=np.float64)
    if dtype == "float32" and not np.array_equal(values.astype(np.float32).astype(np.float64), values, equal_nan=True):
        bad = int(np.argmax(values.astype(np.float32).astype(np.float64) != values))
        raise ProtocolError(f"{where}.data[{bad}]: {numbers[bad]!r} is not a float32 value (dtype says float32)")
    return values.astype(dtype).reshape(tuple(shape))


def _short(x: object) -> str:
    text = json.dumps(x) if not isinstance(x, float) or math.isfinite(x) else repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------- handshake


def start_message() -> dict[str, Any]:
    return {"cmd": "start", "protocol": PROTOCOL}


@dataclass(frozen=True)
class PortCapabilities:
    """What a driver declared in its handshake."""

    name: str
    version: str
    language: str
    ops: tuple[str, ...]
    dtypes: tuple[str, ...] = ("float64",)
    max_rank: int = 2
    broadcast: bool = False
    higher_order: bool = False
    retain_grad: bool = False
    backward_calls: bool = False

    def offers(self, op: str) -> bool:
        return op in self.ops

    def to_json(self) -> dict[str, Any]:
        return {"protocol": PROTOCOL, "name": self.name, "version": self.version, "language": self.language,
                "ops": list(self.ops), "dtypes": list(self.dtypes), "max_rank": self.max_rank,
                "broadcast": self.broadcast, "higher_order": self.higher_order, "retain_grad": self.retain_grad,
                "backward_calls": self.backward_calls}

    def describe(self) -> str:
        flags = [flag for flag in ("broadcast", "higher_order", "retain_grad", "backward_calls") if getattr(self, flag)]
        return (f"{self.name} {self.version} ({self.language}): {len(self.ops)} ops, {'/'.join(self.dtypes)}, "
                f"rank <= {self.max_rank}" + (f", {', '.join(flags)}" if flags else ""))


def parse_handshake(message: object) -> PortCapabilities:
    if not isinstance(message, dict):
        raise ProtocolError(f"handshake: expected an object, got {_short(message)}")
    if message.get("protocol") != PROTOCOL:
        raise ProtocolError(f"handshake.protocol: this checker speaks protocol {PROTOCOL}, the driver "
                            f"answered {_short(message.get('protocol'))}")
    for key in ("name", "version", "language"):
        if not isinstance(message.get(key), str):
            raise ProtocolError(f"handshake.{key}: expected a string, got {_short(message.get(key))}")
    ops = message.get("ops")
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise ProtocolError(f"handshake.ops: expected a list of op names, got {_short(ops)}")
    unknown = [op for op in ops if op not in WIRE_OPS]
    if unknown:
        raise ProtocolError(f"handshake.ops: {unknown} are not ops of protocol {PROTOCOL} (see the op table in "
                            "docs/driver-protocol.md)")
    dtypes = message.get("dtypes", ["float64"])
    if not isinstance(dtypes, list) or not dtypes or not set(dtypes) <= set(DTYPES):
        raise ProtocolError(f"handshake.dtypes: expected a non-empty list of {list(DTYPES)}, got {_short(dtypes)}")
    max_rank = message.get("max_rank", 2)
    if not isinstance(max_rank, int) or isinstance(max_rank, bool) or max_rank < 0:
        raise ProtocolError(f"handshake.max_rank: expected a non-negative integer, got {_short(max_rank)}")
    flags: dict[str, bool] = {}
    for flag in ("broadcast", "higher_order", "retain_grad", "backward_calls"):
        value = message.get(flag, False)
        if not isinstance(value, bool):
            raise ProtocolError(f"handshake.{flag}: expected true or false, got {_short(value)}")
        flags[flag] = value
    return PortCapabilities(message["name"], message["version"], message["language"], tuple(ops),
                            tuple(dtypes), max_rank, **flags)


# --------------------------------------------------------------------- run


@dataclass(frozen=True)
class Request:
    """Build ``spec`` on the port, then (if ``seed`` is given) run backward from its
    output with that seed gradient, building a graph of the backward pass with
    ``create_graph``; with ``direction`` (one array per leaf, needs
    ``create_graph``), differentiate ``sum_k sum(g_k * u_k)`` of the leaves' first
    gradients ``g_k`` again (``H u``)."""

    spec: GraphSpec
    seed: Array | None = None
    create_graph: bool = False
    retain_grad: bool = False
    direction: Sequence[Array] | None = None
    leaves: Sequence[Array] | None = None  # replaces the spec's leaf values

    def leaf_values(self) -> list[Array]:
        return [np.asarray(x).astype(self.spec.dtype) for x in (self.leaves or self.spec.leaf_arrays())]

    def to_json(self, seq: int) -> dict[str, Any]:
        dtype = self.spec.dtype
        given = iter(self.leaf_values())
        steps: list[dict[str, Any]] = []
        for step in self.spec.steps:
            if isinstance(step, Leaf):
                steps.append({"leaf": encode_array(next(given), dtype)})
            else:
                steps.append({"op": step.op, "args": list(step.args),
                              "params": {k: _json_param(v) for k, v in step.params}})
        message: dict[str, Any] = {"cmd": "run", "seq": seq,
                                   "graph": {"dtype": dtype, "steps": steps, "output": self.spec.output}}
        if self.seed is not None:
            message["backward"] = {"seed": encode_array(self.seed, dtype), "create_graph": self.create_graph,
                                   "retain_grad": self.retain_grad}
        if self.direction is not None:
            message["second"] = {"direction": [encode_array(u, dtype) for u in self.direction]}
        return message


def _json_param(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_param(v) for v in value]
    return value


@dataclass(frozen=True)
class PortError:
    """The port raised (an exception, a panic, an error value) while running a
    request: its own report, kept apart from a wrong answer."""

    type: str
    message: str
    phase: str  # "forward", "backward" or "second"

    def __str__(self) -> str:
        return f"{self.type}: {self.message} (in {self.phase})"


@dataclass(frozen=True)
class Answer:
    """What the port computed: every value of the graph by id, the gradient each
    value holds after backward (None: no gradient), the leaves' gradients after the
    second backward, how many times each node's backward ran."""

    values: list[Array]
    grads: list[Array | None] = field(default_factory=list)
    second: list[Array | None] | None = None
    backward_calls: list[int | None] | None = None

    def leaf_grads(self, spec: GraphSpec) -> list[Array | None]:
        return [self.grads[i] for i in spec.leaves]


def parse_answer(message: object, request: Request, seq: int) -> Answer | PortError:
    """The driver's reply to ``request`` (sent as ``seq``), checked field by field."""
    if not isinstance(message, dict):
        raise ProtocolError(f"answer: expected an object, got {_short(message)}")
    if message.get("seq") != seq:
        raise ProtocolError(f"answer.seq: expected {seq} (the request's), got {_short(message.get('seq'))}")
    if "unsupported" in message:
        raise ProtocolError(f"answer.unsupported: the driver cannot run a request its handshake allows: "
                            f"{message['unsupported']}")
    if "error" in message:
        error = message["error"]
        if not isinstance(error, dict) or not all(isinstance(error.get(k), str) for k in ("type", "message", "phase")):
            raise ProtocolError(f"answer.error: expected {{type, message, phase}} strings, got {_short(error)}")
        if error["phase"] not in ("forward", "backward", "second"):
            raise ProtocolError(f"answer.error.phase: expected forward, backward or second, got {_short(error['phase'])}")
        return PortError(error["type"], error["message"], error["phase"])
    n = len(request.spec.steps)
    values = _array_list(message, "values", n, nullable=False)
    first_order = request.seed is not None and request.direction is None
    grads = _array_list(message, "grads", n, nullable=True) if first_order else []
    second = None
    if request.direction is not None:
        second = _array_list(message, "second", len(request.spec.leaves), nullable=True)
    calls = message.get("backward_calls")
    if calls is not None:
        if not isinstance(calls, list) or len(calls) != n or not all(
            c is None or (isinstance(c, int) and not isinstance(c, bool) and c >= 0) for c in calls
        ):
            raise ProtocolError(f"answer.backward_calls: expected {n} counts (null for leaves), got {_short(calls)}")
    return Answer([v for v in values if v is not None], grads, second, calls)


def _array_list(message: dict[str, Any], key: str, n: int, nullable: bool) -> list[Array | None]:
    items = message.get(key)
    if not isinstance(items, list) or len(items) != n:
        raise ProtocolError(f"answer.{key}: expected a list of {n} arrays{' (or null)' if nullable else ''}, "
                            f"got {_short(items)}")
    result: list[Array | None] = []
    for k, item in enumerate(items):
        if item is None and nullable:
            result.append(None)
        else:
            result.append(decode_array(item, f"answer.{key}[{k}]"))
    return result
