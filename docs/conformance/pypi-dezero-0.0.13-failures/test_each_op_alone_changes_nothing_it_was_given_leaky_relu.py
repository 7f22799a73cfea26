"""Counterexample: tests/properties/test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[leaky_relu]

TypeError: 'numpy.float64' object does not support item assignment

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(0.06, dtype=np.float64))
#   v1 = F.leaky_relu(v0, 0.2)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [], "values": [0.06]}}, {"op": "leaky_relu", "args": [0], "params": {"slope": 0.2}}], "output": 1, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_non_mutation:test_each_op_alone_changes_nothing_it_was_given', {'op_name': 'leaky_relu'}, draws, seconds=10.0))
