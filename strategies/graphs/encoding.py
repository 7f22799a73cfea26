"""The JSON form of a graph spec and of float arrays.

One encoding serves every place a graph leaves the process: the test vectors for
ports (:mod:`strategies.ports.vectors`), the reproduction scripts
(:mod:`strategies.reports.reproduce`), which paste it into Python source, and the
driver protocol for ports. Floats go through ``json`` as Python floats, so float64
values round-trip exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from strategies.catalogue.ops import BY_NAME, Code
from strategies.graphs.spec import GraphSpec, Leaf, Node
from strategies.implementation.protocols import Array

__all__ = ["decode_array", "decode_graph", "decode_param", "encode_array", "encode_graph", "encode_param"]


def encode_param(value: Any) -> Any:
    if isinstance(value, Code):
        return {"code": str(value)}
    if isinstance(value, tuple):
        return [encode_param(v) for v in value]
    return value


def decode_param(value: Any) -> Any:
    if isinstance(value, dict):
        return Code(value["code"])
    if isinstance(value, list):
        return tuple(decode_param(v) for v in value)
    return value


def encode_array(a: Array) -> dict[str, Any]:
    return {"shape": list(a.shape), "values": np.asarray(a, dtype=np.float64).ravel().tolist()}


def decode_array(d: dict[str, Any]) -> Array:
    return np.array(d["values"], dtype=np.float64).reshape(tuple(d["shape"]))


def encode_graph(spec: GraphSpec) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for step in spec.steps:
        if isinstance(step, Leaf):
            steps.append({"leaf": {"shape": list(step.shape), "values": list(step.values)}})
        else:
            params = {k: encode_param(v) for k, v in step.params}
            steps.append({"op": step.op, "args": list(step.args), "params": params})
    return {"dtype": spec.dtype, "steps": steps, "output": spec.output, "held": sorted(spec.held)}


def decode_graph(d: dict[str, Any]) -> GraphSpec:
    steps: list[Leaf | Node] = []
    for s in d["steps"]:
        if "leaf" in s:
            steps.append(Leaf(tuple(s["leaf"]["shape"]), tuple(s["leaf"]["values"])))
        else:
            if s["op"] not in BY_NAME:
                raise ValueError(f"unknown op {s['op']!r} (this schema knows {sorted(BY_NAME)})")
            params = tuple((k, decode_param(v)) for k, v in s["params"].items())
            steps.append(Node(s["op"], tuple(s["args"]), params))
    return GraphSpec(tuple(steps), d["output"], d["dtype"], frozenset(d["held"]))
