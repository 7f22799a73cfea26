"""Counterexample: tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[matmul_batch]

AssertionError: [matmul_batch alone vs complex step] leaf v0: gradient of shape (1, 1, 1), expected (1,)

Culprit: MatMul.backward (v2 = F.matmul(v0, v1)): gradient of input 0 has shape (1, 1, 1), expected (1,)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([0.0], dtype=np.float64))
#   v1 = Variable(np.array([[[0.0]]], dtype=np.float64))
#   v2 = F.matmul(v0, v1)
#   y = v2

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1], "values": [0.0]}}, {"leaf": {"shape": [1, 1, 1], "values": [0.0]}}, {"op": "matmul_batch", "args": [0, 1], "params": {}}], "output": 2, "held": []})),
    ('cotangent', np.array([[0.25]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_gradients:test_each_op_alone_matches_complex_step', {'op_name': 'matmul_batch'}, draws, seconds=10.0))
