"""Counterexample: tests/properties/test_shapes_dtypes.py::test_grads_own_their_memory

AssertionError: [grad storage] the grads of v0 and v1 share memory

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(0.0, dtype=np.float64))
#   v1 = Variable(np.array(0.0, dtype=np.float64))
#   v2 = Variable(np.array(0.0, dtype=np.float64))
#   v3 = v2 + v0
#   v4 = v3 + v1
#   v5 = F.sub(v4, v2)
#   v6 = F.sum(v5)
#   v7 = F.add(v6, v4)
#   v8 = F.sin(v7)
#   v9 = F.tanh(v8)
#   v10 = v9 - v7
#   del v3, v4, v5, v6, v7, v8, v9  # only the graph refers to these now
#   y = v10

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [], "values": [0.0]}}, {"leaf": {"shape": [], "values": [0.0]}}, {"leaf": {"shape": [], "values": [0.0]}}, {"op": "add", "args": [2, 0], "params": {}}, {"op": "add", "args": [3, 1], "params": {}}, {"op": "sub_function", "args": [4, 2], "params": {}}, {"op": "sum_all", "args": [5], "params": {}}, {"op": "add_function", "args": [6, 4], "params": {}}, {"op": "sin", "args": [7], "params": {}}, {"op": "tanh", "args": [8], "params": {}}, {"op": "sub", "args": [9, 7], "params": {}}], "output": 10, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_shapes_dtypes:test_grads_own_their_memory', {}, draws, seconds=10.0))
