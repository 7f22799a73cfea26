"""Counterexample: tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[pooling]

AssertionError: [pooling alone vs complex step] leaf v0: backprop gradient differs from the complex-step gradient J^T w (w = the cotangent)

Culprit: Pooling.backward (v1 = F.pooling(v0, (1, 2), stride=(1, 1), pad=(0, 1))): gradient of input 0 is [0.25], expected [0.] (shape (1, 1, 1, 1))

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v1 = F.pooling(v0, (1, 2), stride=(1, 1), pad=(0, 1))
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"op": "pooling", "args": [0], "params": {"kernel_size": [1, 2], "stride": [1, 1], "pad": [0, 1]}}], "output": 1, "held": []})),
    ('cotangent', np.array([[[[-0.25, 0.25]]]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_gradients:test_each_op_alone_matches_complex_step', {'op_name': 'pooling'}, draws, seconds=10.0))
