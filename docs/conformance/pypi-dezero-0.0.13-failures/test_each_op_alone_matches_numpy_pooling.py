"""Counterexample: tests/properties/test_forward.py::test_each_op_alone_matches_numpy[pooling]

AssertionError: [forward] v1 differs from the NumPy reference

Culprit: Pooling.forward (v1 = F.pooling(v0, (1, 2), stride=(1, 2), pad=(0, 1))): value is [0.  , 0.05], expected [-0.05,  0.05] (shape (1, 1, 1, 2))

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([[[[-0.05, 0.05]]]], dtype=np.float64))
#   v1 = F.pooling(v0, (1, 2), stride=(1, 2), pad=(0, 1))
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('dtype', 'float64'),
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 1, 2], "values": [-0.05, 0.05]}}, {"op": "pooling", "args": [0], "params": {"kernel_size": [1, 2], "stride": [1, 2], "pad": [0, 1]}}], "output": 1, "held": []})),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_forward:test_each_op_alone_matches_numpy', {'op_name': 'pooling'}, draws, seconds=10.0))
