"""Counterexample: tests/properties/test_loss_shapes.py::test_mean_squared_error_of_operands_that_broadcast

AssertionError: [mean_squared_error shapes] operands of shapes (1,) and (1, 1), read as paired, divided by the first operand's length 1: the gradient of the first operand has shape (1, 1), the operand (1,)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('x0 shape', (1,)),
    ('x1 shape', (1, 1)),
    ('x0', np.array([0.0], dtype=np.float64)),
    ('x1', np.array([[0.0]], dtype=np.float64)),
    ('x1 is a Variable', False),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_loss_shapes:test_mean_squared_error_of_operands_that_broadcast', {}, draws, seconds=10.0))
