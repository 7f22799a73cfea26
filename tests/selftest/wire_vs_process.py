"""The same requests answered by a Python DeZero's driver over the wire and in this
process: the same values, gradients, second-order gradients, backward counts and
errors, bit for bit.

    python -m tests.selftest.wire_vs_process PATH [COUNT]

Exit 0 when every answer is the same (it prints "COUNT requests, the same answers"),
1 at the first difference.
"""

from __future__ import annotations

import sys

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies.graphs.dags import dags
from strategies.graphs.spec import evaluate
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import Array
from strategies.ports.answering import InProcess
from strategies.ports.driver import Driver
from strategies.ports.protocol import WIRE_OPS, Answer, PortError, Request
from strategies.survey.backprop import cotangents


def same_arrays(xs: list[Array | None] | None, ys: list[Array | None] | None) -> bool:
    if xs is None or ys is None:
        return xs is ys
    return len(xs) == len(ys) and all(
        (x is None and y is None)
        or (x is not None and y is not None and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True))
        for x, y in zip(xs, ys))


def same_answer(a: Answer | PortError, b: Answer | PortError) -> bool:
    if isinstance(a, PortError) or isinstance(b, PortError):
        return a == b
    return (same_arrays(list(a.values), list(b.values)) and same_arrays(a.grads, b.grads)
            and same_arrays(a.second, b.second) and a.backward_calls == b.backward_calls)


def requests_for(here: InProcess, count: int) -> list[Request]:
    """``count`` requests over every op ``here`` declares, derandomized; half ask
    for a second backward."""
    caps = here.capabilities
    found: list[Request] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        spec = data.draw(dags([WIRE_OPS[name] for name in caps.ops], broadcasting=caps.broadcast))
        w = data.draw(cotangents(evaluate(spec)[spec.output].shape))
        second = data.draw(st.booleans()) and caps.higher_order
        u = [np.ones(x.shape) for x in spec.leaf_arrays()] if second else None
        found.append(Request(spec, seed=w, create_graph=second, direction=u))

    draw()
    return found


def main(argv: list[str]) -> int:
    path, count = argv[0], int(argv[1]) if len(argv) > 1 else 150
    here = InProcess(Implementation.load(path))
    requests = requests_for(here, count)
    errors = 0
    with Driver(f"{sys.executable} -m strategies.ports.python_driver {path}") as driver:
        for request in requests:
            wire, local = driver.run(request), here.run(request)
            errors += isinstance(local, PortError)
            if not same_answer(wire, local):
                print(f"different answers to\n{request.spec.script()}\nover the wire: {wire}\nin process: {local}")
                return 1
    print(f"{len(requests)} requests, the same answers ({errors} of them errors of the implementation)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
