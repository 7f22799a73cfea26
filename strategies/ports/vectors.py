"""Test vectors for ports of DeZero to other frameworks and languages.

A vector file is JSON Lines, one generated case per line, schema
``dezero-test-vectors/1`` (documented in ``docs/vectors.md``): the graph (steps of
catalogue ops, by name), the leaf values, a cotangent, and the expected output,
first-order gradients (complex step) and a Hessian-vector product (central
differences of complex-step gradients), with tolerances. A port computes the same
quantities and writes a results file; ``check`` compares the two.

    python -m strategies.ports.vectors export --count 30 --out cases.jsonl
    python -m strategies.ports.vectors run cases.jsonl --impl dezero --out results.jsonl
    python -m strategies.ports.vectors check cases.jsonl results.jsonl
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

from strategies.catalogue.ops import BY_NAME, CATALOGUE, Code
from strategies.graphs.dags import dags
from strategies.graphs.encoding import decode_array, decode_graph, encode_array, encode_graph
from strategies.graphs.spec import GraphSpec, build, evaluate
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import Array, grad_array
from strategies.oracles.numerics import TOLERANCES, hessian_vector, jacobians, vjp
from strategies.survey.backprop import set_seed
from strategies.survey.capabilities import capabilities

__all__ = [
    "HVP_RTOL", "HVP_STEP", "Mismatch", "SCHEMA", "case", "check", "decode_graph", "export", "main", "read",
    "run_python", "write",
]

SCHEMA = "dezero-test-vectors/1"
HVP_STEP = 1e-5
HVP_RTOL = 1e-6


# --------------------------------------------------------------------- expected values


def case(spec: GraphSpec, w: Array, u: Sequence[Array], index: int) -> dict[str, Any]:
    """One vector: the graph and everything a port should reproduce."""
    tol = TOLERANCES[spec.dtype]
    expected: dict[str, Any] = {
        "output": encode_array(evaluate(spec)[spec.output]),
        "grads": [
            encode_array(g) if leaf in spec.live else None
            for leaf, g in zip(spec.leaves, (vjp(jacobian, w)[0] for jacobian in jacobians(spec)))
        ],
    }
    twice = all(BY_NAME[op].twice for op in spec.ops()) and spec.dtype == "float64"
    if twice:
        expected["hvp"] = {"direction": [encode_array(x) for x in u], "values": [encode_array(h) for h in hessian_vector(spec, w, u, HVP_STEP)]}
    return {
        "schema": SCHEMA,
        "id": f"case-{index:04d}",
        "graph": encode_graph(spec),
        "script": spec.script(),
        "cotangent": encode_array(w),
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
        w = decode_array(c["cotangent"]).astype(spec.dtype)
        set_seed(impl, y, w)
        y.backward()
        grads = [grad_array(leaf.grad) for leaf in built.leaves]
        result: dict[str, Any] = {
            "id": c["id"],
            "output": encode_array(np.asarray(y.data)),
            "grads": [None if g is None else encode_array(g) for g in grads],
        }
        if "hvp" in c["expected"] and "higher_order" in capabilities(impl).levels:
            result["hvp"] = [encode_array(h) for h in _python_hvp(impl, spec, w, c["expected"]["hvp"]["direction"])]
        results.append(result)
    return results


def _python_hvp(impl: Implementation, spec: GraphSpec, w: Array, direction: list[dict[str, Any]]) -> list[Array]:
    built = build(spec, impl)
    set_seed(impl, built.output, w)
    built.output.backward(create_graph=True)
    first = [leaf.grad for leaf in built.leaves]
    for leaf in built.leaves:
        leaf.grad = None  # (not cleargrad(): a method the implementation may name otherwise)
    for g, u in zip(first, direction):
        if g is not None and g.creator is not None:
            set_seed(impl, g, decode_array(u))
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
        return [] if got is None or not np.any(decode_array(got)) else [Mismatch(cid, what, "expected no gradient")]
    if got is None:
        return [Mismatch(cid, what, "missing")]
    a, b = decode_array(got), decode_array(expected)
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
    parser = argparse.ArgumentParser(prog="python -m strategies.ports.vectors", description=__doc__.split("\n\n")[0])
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
