"""Counterexample: tests/properties/test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[average_pooling]

IndexError: index 1 is out of bounds for axis 2 with size 1

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([[[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]], dtype=np.float64))
#   v1 = F.average_pooling(v0, (2, 1), stride=(2, 2), pad=(0, 0))
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [2, 2, 3, 2], "values": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]}}, {"op": "average_pooling", "args": [0], "params": {"kernel_size": [2, 1], "stride": [2, 2], "pad": [0, 0]}}], "output": 1, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array([[[[-0.25]], [[0.25]]], [[[0.25]], [[0.25]]]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_non_mutation:test_each_op_alone_changes_nothing_it_was_given', {'op_name': 'average_pooling'}, draws, seconds=10.0))
