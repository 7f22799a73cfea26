"""Counterexample: tests/properties/test_large_magnitudes.py::test_large_inputs_give_finite_accurate_values_and_gradients[sigmoid_cross_entropy]

AssertionError: [large magnitudes] float64 sigmoid_cross_entropy value: 1 of 1 elements off

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('dtype', 'float64'),
    ('shape', (1,)),
    ('logits', np.array([30.0], dtype=np.float64)),
    ('targets', np.array([0.0], dtype=np.float64)),
    ('cotangent', np.array(0.25, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_large_magnitudes:test_large_inputs_give_finite_accurate_values_and_gradients', {'name': 'sigmoid_cross_entropy'}, draws, seconds=10.0))
