"""Differential check of the JavaScript port fixture (tests/fixtures/ports/js) against
the Python driver on the reference DeZero: the same random requests to both drivers,
their answers compared value by value.

    python -m tests.selftest.compare_js_port [N] [--bug NAME] [--dtype float32] [--seed S] [--nodes M]

Prints how many graphs agreed (first order, second order) and the first disagreements.
Needs ``node`` on the PATH. Not a pytest module (it starts two drivers and takes a
minute); the ports' property family is the real test.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME
from strategies.graphs.dags import dags
from strategies.graphs.spec import evaluate
from strategies.ports.driver import Driver
from strategies.ports.protocol import Answer, PortError, Request

ROOT = Path(__file__).resolve().parents[2]
JS_DRIVER = f"node {ROOT / 'tests/fixtures/ports/js/driver.js'}"
PY_DRIVER = f"{sys.executable} -m strategies.ports.python_driver dezero"


def close(a: object, b: object, rtol: float, atol: float) -> str | None:
    """Why two answer fields differ, or None."""
    if a is None or b is None:
        # The Python driver's second order gives zeros where the port gives no gradient.
        other = b if a is None else a
        if other is None or (isinstance(other, np.ndarray) and not np.any(other)):
            return None
        return f"one is None: {a!r} vs {b!r}"
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return f"shapes {a.shape} vs {b.shape}"
    if a.dtype != b.dtype:
        return f"dtypes {a.dtype} vs {b.dtype}"
    if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        return f"values {a.ravel()[:6]} vs {b.ravel()[:6]}"
    return None


def compare(js: Answer | PortError, py: Answer | PortError, rtol: float, atol: float) -> list[str]:
    if isinstance(js, PortError) or isinstance(py, PortError):
        if isinstance(js, PortError) and isinstance(py, PortError):
            return []
        return [f"error on one side: js={js} py={py}"]
    problems = []
    for key in ("values", "grads", "second"):
        mine, theirs = getattr(js, key), getattr(py, key)
        if (mine is None) != (theirs is None):
            problems.append(f"{key}: present on one side only")
            continue
        for i, (a, b) in enumerate(zip(mine or [], theirs or [])):
            why = close(a, b, rtol, atol)
            if why:
                problems.append(f"{key}[{i}]: {why}")
        for i, a in enumerate(mine or []):
            if key != "second" and a is not None and a.dtype.name != js.values[0].dtype.name:
                problems.append(f"{key}[{i}]: dtype {a.dtype.name}")
    if js.backward_calls != py.backward_calls and js.grads:
        problems.append(f"backward_calls {js.backward_calls} vs {py.backward_calls}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--bug", default="")
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=8, help="max_nodes of the graphs")
    args = parser.parse_args()
    if args.bug:
        os.environ["DEZERO_JS_BUG"] = args.bug
    js_driver, py_driver = Driver(JS_DRIVER, cwd=str(ROOT)), Driver(PY_DRIVER, cwd=str(ROOT), time_limit=120)
    caps = js_driver.start()
    py_driver.start()
    ops = [BY_NAME[name] for name in caps.ops]
    rtol, atol = (1e-9, 1e-12) if args.dtype == "float64" else (2e-4, 1e-5)
    rng = random.Random(args.seed)
    counts = {"first": 0, "first_ok": 0, "second": 0, "second_ok": 0, "errors_both": 0}
    failures: list[str] = []
    used: Counter[str] = Counter()

    @settings(max_examples=args.n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @seed(args.seed)
    @given(spec=dags(ops=ops, max_nodes=args.nodes, broadcasting=True, dtype=args.dtype), data=st.data())
    def one(spec, data):  # type: ignore[no-untyped-def]
        out = evaluate(spec)[spec.output]
        seed = np.asarray(data.draw(st.lists(st.integers(-20, 20), min_size=out.size, max_size=out.size)),
                          dtype=args.dtype).reshape(out.shape) / 10
        second = rng.random() < 0.5
        if second:
            leaves = spec.leaf_arrays()
            direction = [np.asarray([rng.choice([-1.0, 0.5, 1.0, 2.0]) for _ in range(x.size)],
                                    dtype=args.dtype).reshape(x.shape) for x in leaves]
            request = Request(spec, seed=seed.astype(args.dtype), create_graph=True, direction=direction)
        else:
            request = Request(spec, seed=seed.astype(args.dtype), create_graph=rng.random() < 0.3,
                              retain_grad=rng.random() < 0.5)
        kind = "second" if second else "first"
        used.update(node.op for node, _ in spec.nodes())
        counts[kind] += 1
        js, py = js_driver.run(request), py_driver.run(request)
        if isinstance(js, PortError) and isinstance(py, PortError):
            counts["errors_both"] += 1
        problems = compare(js, py, rtol, atol)
        if problems:
            failures.append(f"--- {kind} {request.to_json(0)}\n  " + "\n  ".join(problems[:5]))
        else:
            counts[f"{kind}_ok"] += 1

    try:
        one()
    finally:
        js_driver.close()
        py_driver.close()
    print(f"dtype {args.dtype}, bug {args.bug or 'none'}: first order {counts['first_ok']}/{counts['first']} agree, "
          f"second order {counts['second_ok']}/{counts['second']} agree ({counts['errors_both']} errors on both sides)")
    print(f"{sum(used.values())} op nodes; by op: {dict(used.most_common())}")
    for f in failures[: args.show]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
