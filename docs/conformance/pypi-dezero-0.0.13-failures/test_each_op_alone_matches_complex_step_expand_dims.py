"""Counterexample: tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[expand_dims]

AssertionError: [expand_dims alone vs complex step] the output has shape (1, 2), the NumPy reference (2, 1)

Culprit: Reshape.forward (v1 = F.expand_dims(v0, -1)): value has shape (1, 2), expected (2, 1)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([0.0, 0.0], dtype=np.float64))
#   v1 = F.expand_dims(v0, -1)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [2], "values": [0.0, 0.0]}}, {"op": "expand_dims", "args": [0], "params": {"axis": -1}}], "output": 1, "held": []})),
    ('cotangent', np.array([[-0.25, 0.25]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_gradients:test_each_op_alone_matches_complex_step', {'op_name': 'expand_dims'}, draws, seconds=10.0))
