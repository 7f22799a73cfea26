"""Counterexample: tests/properties/test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[matmul_batch]

ValueError: shapes (1,1) and (1,2,1) not aligned: 1 (dim 1) != 2 (dim 1)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([0.0, 0.0], dtype=np.float64))
#   v1 = Variable(np.array([[[0.0], [0.0]]], dtype=np.float64))
#   v2 = F.matmul(v0, v1)
#   y = v2

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [2], "values": [0.0, 0.0]}}, {"leaf": {"shape": [1, 2, 1], "values": [0.0, 0.0]}}, {"op": "matmul_batch", "args": [0, 1], "params": {}}], "output": 2, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array([[0.25]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_non_mutation:test_each_op_alone_changes_nothing_it_was_given', {'op_name': 'matmul_batch'}, draws, seconds=10.0))
