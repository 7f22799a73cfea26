"""Counterexample: tests/properties/test_forward.py::test_every_value_matches_numpy[float32]

AssertionError: [forward] v8 has dtype float64 in a float32 graph

Culprit: Add.forward (v8 = v7 + 2): value has dtype float64, from inputs of dtype float32

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(0.0, dtype=np.float32))
#   v1 = F.sin(v0)
#   v2 = -v1
#   v3 = F.sub(v2, v0)
#   v4 = F.sum(v3)
#   v5 = F.add(v4, v2)
#   v6 = F.sin(v5)
#   v7 = F.tanh(v6)
#   v8 = v7 + 2
#   del v1, v2, v3, v4, v5, v6, v7  # only the graph refers to these now
#   y = v8

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float32", "steps": [{"leaf": {"shape": [], "values": [0.0]}}, {"op": "sin", "args": [0], "params": {}}, {"op": "neg", "args": [1], "params": {}}, {"op": "sub_function", "args": [2, 0], "params": {}}, {"op": "sum_all", "args": [3], "params": {}}, {"op": "add_function", "args": [4, 2], "params": {}}, {"op": "sin", "args": [5], "params": {}}, {"op": "tanh", "args": [6], "params": {}}, {"op": "add_scalar", "args": [7], "params": {"c": 2}}], "output": 8, "held": []})),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_forward:test_every_value_matches_numpy', {'dtype': 'float32'}, draws, seconds=10.0))
