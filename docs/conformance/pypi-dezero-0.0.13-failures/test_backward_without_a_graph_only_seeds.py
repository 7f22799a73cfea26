"""Counterexample: tests/properties/test_schedule.py::test_backward_without_a_graph_only_seeds

AttributeError: 'NoneType' object has no attribute 'generation'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(-1.99, dtype=np.float64))
#   v1 = F.sin(v0)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [], "values": [-1.99]}}, {"op": "sin", "args": [0], "params": {}}], "output": 1, "held": []})),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_schedule:test_backward_without_a_graph_only_seeds', {}, draws, seconds=10.0))
