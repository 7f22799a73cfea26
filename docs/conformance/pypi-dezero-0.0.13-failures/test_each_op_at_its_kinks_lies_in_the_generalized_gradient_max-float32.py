"""Counterexample: tests/properties/test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[max-float32]

AssertionError: [max at its kinks] output element 0 (cotangent np.float64(0.25)) picks from inputs [0, 1] = [-1.0, -1.0]: its tied extremes [0, 1] get [0.25, 0.25], which should be shares of np.float64(0.25) (non-negative weights summing to 1), but sum to 0.5

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([-1.0, -1.0], dtype=np.float32))
#   v1 = F.max(v0, axis=None, keepdims=False)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float32", "steps": [{"leaf": {"shape": [2], "values": [-1.0, -1.0]}}, {"op": "max", "args": [0], "params": {"axis": null, "keepdims": false}}], "output": 1, "held": []})),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_kinks:test_each_op_at_its_kinks_lies_in_the_generalized_gradient', {'op_name': 'max', 'dtype': 'float32'}, draws, seconds=10.0))
