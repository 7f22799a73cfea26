"""Counterexample: tests/properties/test_loss_shapes.py::test_softmax_cross_entropy_with_labels_n_or_n_by_1

AssertionError: [softmax_cross_entropy labels] operands of shapes (1, 1) and (1, 1), read as row i with label i, divided by N: the gradient of the first operand has shape (1, 1, 1), the operand (1, 1)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('N', 1),
    ('C', 1),
    ('labels', [0]),
    ('labels of shape (N, 1)', True),
    ('scores', np.array([[0.0]], dtype=np.float64)),
    ('labels are a Variable', False),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_loss_shapes:test_softmax_cross_entropy_with_labels_n_or_n_by_1', {}, draws, seconds=10.0))
