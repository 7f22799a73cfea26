"""Test vectors for ports of DeZero to other frameworks and languages.

A vector file is JSON Lines, one generated case per line, schema
``dezero-test-vectors/1`` (documented in ``docs/vectors.md``): the graph (steps of
catalogue ops, by name), the leaf values, a cotangent, and the expected output,
first-order gradients (complex step) and a Hessian-vector product (central
differences of complex-step gradients), with tolerances. A port computes the same
quantities and writes a results file; ``check`` compares the two.

    python -m strategies.vectors export --count 30 --out cases.jsonl
    python -m strategies.vectors run cases.jsonl --impl dezero --out results.jsonl
    python -m strategies.vectors check cases.jsonl results.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from strategies.backprop import set_seed
from strategies.capabilities import capabilities
from strategies.dags import dags
from strategies.graph import GraphSpec, Leaf, Node, build, evaluate
from strategies.implementation import Implementation
from strategies.numerics import TOLERANCES, jacobians, vjp
from strategies.ops import BY_NAME, CATALOGUE, Code
from strategies.protocols import Array, grad_array

SCHEMA = "dezero-test-vectors/1"
HVP_STEP = 1e-5
HVP_RTOL = 1e-6


# --------------------------------------------------------------------- encoding


def _encode_param(value: Any) -> Any:
    if isinstance(value, Code):
        return {"code": str(value)}
    if isinstance(value, tuple):
        return [_encode_param(v) for v in value]
    return value


def _decode_param(value: Any) -> Any:
    if isinstance(value, dict):
        return Code(value["code"])
    if isinstance(value, list):
        return tuple(_decode_param(v) for v in value)
    return value


def _array(a: Array) -> dict[str, Any]:
    return {"shape": list(a.shape), "values": np.asarray(a, dtype=np.float64).ravel().tolist()}


def _from_json(d: dict[str, Any]) -> Array:
    return np.array(d["values"], dtype=np.float64).reshape(tuple(d["shape"]))


def encode_graph(spec: GraphSpec) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for step in spec.steps:
        if isinstance(step, Leaf):
            steps.append({"leaf": {"shape": list(step.shape), "values": list(step.values)}})
        else:
            params = {k: _encode_param(v) for k, v in step.params}
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
            params = tuple((k, _decode_param(v)) for k, v in s["params"].items())
            steps.append(Node(s["op"], tuple(s["args"]), params))
    return GraphSpec(tuple(steps), d["output"], d["dtype"], frozenset(d["held"]))


# --------------------------------------------------------------------- expected values


def _complex_step_grads(spec: GraphSpec, w: Array) -> list[Array]:
    return [vjp(jac, w)[0] for jac in jacobians(spec)]


def _hvp(spec: GraphSpec, w: Array, u: Sequence[Array]) -> list[Array]:
    """``H u`` of ``s(x) = w . f(x)``: central differences of exact gradients."""

    def shifted(sign: float) -> GraphSpec:
        steps: list[Leaf | Node] = []
        k = 0
        for step in spec.steps:
            if isinstance(step, Leaf):
                values = np.array(step.values) + sign * HVP_STEP * u[k].ravel()
                steps.append(Leaf(step.shape, tuple(values.tolist())))
                k += 1
            else:
                steps.append(step)
        return GraphSpec(tuple(steps), spec.output, "float64", spec.held)

    plus, minus = _complex_step_grads(shifted(1.0), w), _complex_step_grads(shifted(-1.0), w)
    return [(p - m) / (2 * HVP_STEP) for p, m in zip(plus, minus)]


def case(spec: GraphSpec, w: Array, u: Sequence[Array], index: int) -> dict[str, Any]:
    """One vector: the graph and everything a port should reproduce."""
    tol = TOLERANCES[spec.dtype]
    expected: dict[str, Any] = {
        "output": _array(evaluate(spec)[spec.output]),
        "grads": [
            _array(g) if leaf in spec.live else None for leaf, g in zip(spec.leaves, _complex_step_grads(spec, w))
        ],
    }
    twice = all(BY_NAME[op].twice for op in spec.ops()) and spec.dtype == "float64"
    if twice:
        expected["hvp"] = {"direction": [_array(x) for x in u], "values": [_array(h) for h in _hvp(spec, w, u)]}
    return {
        "schema": SCHEMA,
        "id": f"case-{index:04d}",
        "graph": encode_graph(spec),
        "script": spec.script(),
        "cotangent": _array(w),
        "expected": expected,
        "tolerance": {"rtol": tol.rtol, "atol": tol.atol, "hvp_rtol": HVP_RTOL},
    }


def export(count: int, dtype: str = "float64", max_nodes: int = 6) -> list[dict[str, Any]]:
    """``count`` cases, the same every time (derandomized generation)."""
    cases: list[dict[str, Any]] = []
    signed = st.sampled_from([-1.5, -1.0, -0.5, 0.25, 0.75, 1.25, 2.0])

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        if len(cases) >= count:
            return
        spec = data.draw(dags(CATALOGUE, max_nodes=max_nodes, dtype=dtype))
        y = evaluate(spec)[spec.output]
        w = np.array(data.draw(st.lists(signed, min_size=y.size, max_size=y.size))).reshape(y.shape)
        u = [np.array(data.draw(st.lists(signed, min_size=x.size, max_size=x.size))).reshape(x.shape)
             for x in spec.leaf_arrays()]
        cases.append(case(spec, w, u, len(cases)))

    collect()
    return cases


# --------------------------------------------------------------------- running and checking


def run_python(cases: Iterable[dict[str, Any]], impl: Implementation) -> list[dict[str, Any]]:
    """What a port would do, done with a Python implementation: the results file."""
    results = []
    for c in cases:
        spec = decode_graph(c["graph"])
        built = build(spec, impl)
        y = built.output
        w = _from_json(c["cotangent"]).astype(spec.dtype)
        set_seed(impl, y, w)
        y.backward()
        grads = [grad_array(leaf.grad) for leaf in built.leaves]
        result: dict[str, Any] = {
            "id": c["id"],
            "output": _array(np.asarray(y.data)),
            "grads": [None if g is None else _array(g) for g in grads],
        }
        if "hvp" in c["expected"] and "higher_order" in capabilities(impl).levels:
            result["hvp"] = [_array(h) for h in _python_hvp(impl, spec, w, c["expected"]["hvp"]["direction"])]
        results.append(result)
    return results


def _python_hvp(impl: Implementation, spec: GraphSpec, w: Array, direction: list[dict[str, Any]]) -> list[Array]:
    built = build(spec, impl)
    set_seed(impl, built.output, w)
    built.output.backward(create_graph=True)
    first = [leaf.grad for leaf in built.leaves]
    for leaf in built.leaves:
        leaf.cleargrad()
    for g, u in zip(first, direction):
        if g is not None and g.creator is not None:
            set_seed(impl, g, _from_json(u))
            g.backward()
    return [
        np.zeros(x.shape) if g is None else g
        for g, x in zip((grad_array(leaf.grad) for leaf in built.leaves), spec.leaf_arrays())
    ]


@dataclass(frozen=True)
class Mismatch:
    case: str
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.case}: {self.what}: {self.detail}"


def _compare(what: str, got: Any, expected: Any, rtol: float, atol: float, cid: str) -> list[Mismatch]:
    if expected is None:
        return [] if got is None or not np.any(_from_json(got)) else [Mismatch(cid, what, "expected no gradient")]
    if got is None:
        return [Mismatch(cid, what, "missing")]
    a, b = _from_json(got), _from_json(expected)
    if a.shape != b.shape:
        return [Mismatch(cid, what, f"shape {a.shape}, expected {b.shape}")]
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    allowed = rtol * np.abs(b) + atol * scale
    error = np.abs(a - b) - allowed
    if np.any(error > 0):
        worst = int(np.argmax(error))
        return [Mismatch(cid, what, f"element {worst}: {a.ravel()[worst]!r}, expected {b.ravel()[worst]!r} "
                                    f"(allowed difference {np.ravel(allowed)[worst]:.3g}: rtol {rtol:g}, atol {atol:g})")]
    return []


def check(cases: Iterable[dict[str, Any]], results: Iterable[dict[str, Any]]) -> list[Mismatch]:
    """Every mismatch between a port's results and the vectors."""
    by_id = {r["id"]: r for r in results}
    mismatches: list[Mismatch] = []
    for c in cases:
        r = by_id.get(c["id"])
        if r is None:
            mismatches.append(Mismatch(c["id"], "case", "no result"))
            continue
        exp, tol = c["expected"], c["tolerance"]
        mismatches += _compare("output", r.get("output"), exp["output"], tol["rtol"], tol["atol"], c["id"])
        for k, (g, e) in enumerate(zip(r.get("grads", []), exp["grads"])):
            mismatches += _compare(f"grad of leaf {k}", g, e, tol["rtol"], tol["atol"], c["id"])
        if "hvp" in exp and "hvp" in r:  # second order only where the port has it
            for k, (h, e) in enumerate(zip(r.get("hvp", []), exp["hvp"]["values"])):
                mismatches += _compare(f"hvp of leaf {k}", h, e, tol["hvp_rtol"], tol["hvp_rtol"], c["id"])
    return mismatches


def read(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write(path: str, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m strategies.vectors", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="generate cases")
    ex.add_argument("--count", type=int, default=30)
    ex.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ex.add_argument("--max-nodes", type=int, default=6)
    ex.add_argument("--out", required=True)
    rn = sub.add_parser("run", help="run a Python implementation on cases, writing results")
    rn.add_argument("cases")
    rn.add_argument("--impl", default="dezero")
    rn.add_argument("--out", required=True)
    ck = sub.add_parser("check", help="compare results with cases; exit 1 on any mismatch")
    ck.add_argument("cases")
    ck.add_argument("results")
    args = parser.parse_args(argv)
    if args.command == "export":
        write(args.out, export(args.count, args.dtype, args.max_nodes))
    elif args.command == "run":
        write(args.out, run_python(read(args.cases), Implementation.load(args.impl)))
    else:
        mismatches = check(read(args.cases), read(args.results))
        for m in mismatches:
            print(m)
        print(f"{len(mismatches)} mismatches")
        return 1 if mismatches else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
