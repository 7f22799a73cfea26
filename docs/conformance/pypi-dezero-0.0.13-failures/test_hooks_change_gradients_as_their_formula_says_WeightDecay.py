"""Counterexample: tests/properties/test_training.py::test_hooks_change_gradients_as_their_formula_says[WeightDecay]

AssertionError: [WeightDecay then SGD, step 1] p3 after the update:

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('dtype', 'float64'),
    ('parameter shapes', [(3,), (), (), (3,)]),
    ('p0 in', 'a'),
    ('p0', np.array([0.0, 0.0, 0.01], dtype=np.float64)),
    ('p1 in', 'a'),
    ('p1', np.array(0.0, dtype=np.float64)),
    ('p2 in', 'a'),
    ('p2', np.array(0.0, dtype=np.float64)),
    ('p3 in', 'a'),
    ('p3', np.array([0.0, 0.0, 0.0], dtype=np.float64)),
    ('tied pairs', [(0, 3)]),
    ('lr', 0.1),
    ('rate', 0.1),
    ('steps', 1),
    ('used', [True, False, False, True]),
    ('step 0: coefficients of (0, 3)', np.array([0.0, 0.0, 0.0], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_training:test_hooks_change_gradients_as_their_formula_says', {'hook': 'WeightDecay'}, draws, seconds=10.0))
