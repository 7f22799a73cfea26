"""Counterexample: tests/properties/test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[leaky_relu-float32]

TypeError: 'numpy.float32' object does not support item assignment

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(0.0, dtype=np.float32))
#   v1 = F.leaky_relu(v0, 0.2)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float32", "steps": [{"leaf": {"shape": [], "values": [0.0]}}, {"op": "leaky_relu", "args": [0], "params": {"slope": 0.2}}], "output": 1, "held": []})),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_kinks:test_each_op_at_its_kinks_lies_in_the_generalized_gradient', {'op_name': 'leaky_relu', 'dtype': 'float32'}, draws, seconds=10.0))
