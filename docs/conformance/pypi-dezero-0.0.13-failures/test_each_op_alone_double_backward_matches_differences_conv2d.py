"""Counterexample: tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[conv2d]

TypeError: <class 'weakref.ReferenceType'> is not supported

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v1 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v2 = Variable(np.array([0.0], dtype=np.float64))
#   v3 = F.conv2d(v0, v1, v2, stride=(1, 1), pad=(0, 0))
#   y = v3

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"leaf": {"shape": [1], "values": [0.0]}}, {"op": "conv2d", "args": [0, 1, 2], "params": {"stride": [1, 1], "pad": [0, 0]}}], "output": 3, "held": []})),
    ('cotangent w', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u0', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u1', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u2', np.array([0.25], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_higher_order:test_each_op_alone_double_backward_matches_differences', {'op_name': 'conv2d'}, draws, seconds=10.0))
