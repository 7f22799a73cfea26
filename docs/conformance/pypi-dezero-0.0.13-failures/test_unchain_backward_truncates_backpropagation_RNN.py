"""Counterexample: tests/properties/test_recurrent.py::test_unchain_backward_truncates_backpropagation[RNN]

AssertionError: [recurrent parameter shapes] RNN(1, in_size=2) made h2h.W of shape (2, 1); its recurrence needs (1, 1) (h2h maps the hidden state, of size hidden_size, whatever in_size is: the second step multiplies h by it)

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('batch size', 1),
    ('in_size', 2),
    ('hidden_size', 1),
    ('parameters (flat)', np.array([0.0, 0.0, 0.0, 0.0], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_recurrent:test_unchain_backward_truncates_backpropagation', {'kind': 'RNN'}, draws, seconds=10.0))
