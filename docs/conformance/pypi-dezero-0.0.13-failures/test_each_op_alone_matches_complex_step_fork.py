"""Counterexample: tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[fork]

TypeError: unsupported operand type(s) for +: 'NoneType' and 'NoneType'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   P = probes_for(Implementation('dezero', dezero))
#   v0 = Variable(np.array(0.0, dtype=np.float64))
#   v1, v2 = P.fork(v0)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [], "values": [0.0]}}, {"op": "fork", "args": [0], "params": {}}], "output": 1, "held": [2]})),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_gradients:test_each_op_alone_matches_complex_step', {'op_name': 'fork'}, draws, seconds=10.0))
