"""Counterexample: tests/properties/test_training.py::test_parameter_order_is_the_same_under_every_hash_seed

AssertionError: [parameter order] model 0: params() order differs between this interpreter and one with PYTHONHASHSEED=1:

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('models', [[['W', None], ['b', None], ['gamma', None]]]),
    ('hash seeds', [1, 2]),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_training:test_parameter_order_is_the_same_under_every_hash_seed', {}, draws, seconds=10.0))
