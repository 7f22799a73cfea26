"""Counterexample: tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[average_pooling]

IndexError: index 1 is out of bounds for axis 3 with size 1

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v1 = F.average_pooling(v0, (1, 2), stride=(1, 2), pad=(0, 1))
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"op": "average_pooling", "args": [0], "params": {"kernel_size": [1, 2], "stride": [1, 2], "pad": [0, 1]}}], "output": 1, "held": []})),
    ('cotangent w', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u0', np.array([[[[0.25]]]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_higher_order:test_each_op_alone_double_backward_matches_differences', {'op_name': 'average_pooling'}, draws, seconds=10.0))
