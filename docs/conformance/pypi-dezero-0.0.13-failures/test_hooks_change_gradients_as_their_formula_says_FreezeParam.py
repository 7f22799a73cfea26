"""Counterexample: tests/properties/test_training.py::test_hooks_change_gradients_as_their_formula_says[FreezeParam]

AttributeError: 'NoneType' object has no attribute 'data'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('dtype', 'float64'),
    ('parameter shapes', [()]),
    ('p0 in', 'a'),
    ('p0', np.array(0.0, dtype=np.float64)),
    ('lr', 0.1),
    ('frozen layers', []),
    ('frozen', [0]),
    ('then WeightDecay', False),
    ('steps', 1),
    ('used', [True]),
    ('step 0: coefficients of (0,)', np.array(0.0, dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_training:test_hooks_change_gradients_as_their_formula_says', {'hook': 'FreezeParam'}, draws, seconds=10.0))
