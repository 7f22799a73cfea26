"""Counterexample: tests/properties/test_threads.py::test_no_grad_in_one_thread_leaves_other_threads_building_graphs

AssertionError: [grad mode per thread] while thread A was inside no_grad(), thread B built the graph without creators for P.double(output), v1 (outside no_grad they have one): no_grad() in one thread turned off graph building in another. The grad mode is shared by every thread (as the book's Config

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(1.48, dtype=np.float64))
#   v1 = F.cos(v0)
#   y = v1

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [], "values": [1.48]}}, {"op": "cos", "args": [0], "params": {}}], "output": 1, "held": []})),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_threads:test_no_grad_in_one_thread_leaves_other_threads_building_graphs', {}, draws, seconds=10.0))
