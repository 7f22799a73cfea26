"""Counterexample: tests/properties/test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[sum]

TypeError: '>=' not supported between instances of 'tuple' and 'int'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array([0.0], dtype=np.float64))
#   v1 = F.sum(v0, axis=(0,), keepdims=False)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1], "values": [0.0]}}, {"op": "sum", "args": [0], "params": {"axis": [0], "keepdims": false}}], "output": 1, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_non_mutation:test_each_op_alone_changes_nothing_it_was_given', {'op_name': 'sum'}, draws, seconds=10.0))
