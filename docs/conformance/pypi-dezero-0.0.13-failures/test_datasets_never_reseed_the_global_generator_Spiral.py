"""Counterexample: tests/properties/test_dropout_data.py::test_datasets_never_reseed_the_global_generator[Spiral]

AssertionError: [datasets leave the global generator alone] Spiral(train=False), made once after np.random.seed(0) and once after np.random.seed(1), left NumPy's global generator in the same state both times: it re-seeds it, so every random number the program draws after it repeats from run to run w

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('train', False),
    ('states before (as seeds)', [0, 1]),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_dropout_data:test_datasets_never_reseed_the_global_generator', {'name': 'Spiral'}, draws, seconds=10.0))
