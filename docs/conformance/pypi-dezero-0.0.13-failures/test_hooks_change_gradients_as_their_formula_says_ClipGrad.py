"""Counterexample: tests/properties/test_training.py::test_hooks_change_gradients_as_their_formula_says[ClipGrad]

AssertionError: [ClipGrad then SGD, step 1] p1 after the update:

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('dtype', 'float64'),
    ('parameter shapes', [(3,), (2,), (2,), (), ()]),
    ('p0 in', 'a'),
    ('p0', np.array([0.0, 0.0, 0.0], dtype=np.float64)),
    ('p1 in', 'a'),
    ('p1', np.array([0.0, 0.0], dtype=np.float64)),
    ('p2 in', 'a'),
    ('p2', np.array([0.0, 0.0], dtype=np.float64)),
    ('p3 in', 'a'),
    ('p3', np.array(0.0, dtype=np.float64)),
    ('p4 in', 'a'),
    ('p4', np.array(0.0, dtype=np.float64)),
    ('tied pairs', [(1, 2)]),
    ('lr', 0.1),
    ('max_norm', 0.1),
    ('steps', 1),
    ('used', [False, True, True, False, False]),
    ('step 0: coefficients of (1, 2)', np.array([0.0, 0.08], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_training:test_hooks_change_gradients_as_their_formula_says', {'hook': 'ClipGrad'}, draws, seconds=10.0))
