"""Counterexample: tests/properties/test_bad_input.py::test_bad_arguments_raise_value_error_and_change_nothing[sum_to an incompatible shape]

Failed: DID NOT RAISE ValueError

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([0.23], dtype=np.float64))
#   v1 = F.exp(v0)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1], "values": [0.23]}}, {"op": "exp", "args": [0], "params": {}}], "output": 1, "held": []})),
    ('bad argument', (2,)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_bad_input:test_bad_arguments_raise_value_error_and_change_nothing', {'case': 'sum_to an incompatible shape'}, draws, seconds=10.0))
