"""Counterexample: tests/properties/test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[layer_batch_norm]

AssertionError at /tmp/pypi-dezero/dezero/functions.py:533: assert x.ndim == 2 or x.ndim == 4

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   P = probes_for(Implementation('dezero', dezero))
#   v0 = Variable(np.array([[[-0.15, 0.15]]], dtype=np.float64))
#   v1 = Variable(np.array([0.0], dtype=np.float64))
#   v2 = Variable(np.array([0.0], dtype=np.float64))
#   v3 = P.with_params(L.BatchNorm(), gamma=v1, beta=v2)(v0)
#   y = v3

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 2], "values": [-0.15, 0.15]}}, {"leaf": {"shape": [1], "values": [0.0]}}, {"leaf": {"shape": [1], "values": [0.0]}}, {"op": "layer_batch_norm", "args": [0, 1, 2], "params": {}}], "output": 3, "held": []})),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_non_mutation:test_each_op_alone_changes_nothing_it_was_given', {'op_name': 'layer_batch_norm'}, draws, seconds=10.0))
