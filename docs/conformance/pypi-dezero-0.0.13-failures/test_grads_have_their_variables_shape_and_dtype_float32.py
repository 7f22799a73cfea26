"""Counterexample: tests/properties/test_shapes_dtypes.py::test_grads_have_their_variables_shape_and_dtype[float32]

AssertionError: [dtype] grad of v0 has dtype float64, v0 has float32

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   v0 = Variable(np.array(0.0, dtype=np.float32))
#   v1 = F.sin(v0)
#   v2 = -v1
#   v3 = 2 * v1
#   v4 = F.mul(v2, v3)
#   v5 = F.broadcast_to(v4, (2,))
#   v6 = F.sin(v4)
#   v7 = v5 * v6
#   v8 = v7 - v4
#   del v1, v2, v3, v4, v5, v6, v7  # only the graph refers to these now
#   y = v8

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float32", "steps": [{"leaf": {"shape": [], "values": [0.0]}}, {"op": "sin", "args": [0], "params": {}}, {"op": "neg", "args": [1], "params": {}}, {"op": "rmul_scalar", "args": [1], "params": {"c": 2}}, {"op": "mul_function", "args": [2, 3], "params": {}}, {"op": "broadcast_to", "args": [4], "params": {"shape": [2]}}, {"op": "sin", "args": [4], "params": {}}, {"op": "mul", "args": [5, 6], "params": {}}, {"op": "sub", "args": [7, 4], "params": {}}], "output": 8, "held": []})),
    ('retain_grad', False),
    ('cotangent', np.array([-0.25, 0.25], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_shapes_dtypes:test_grads_have_their_variables_shape_and_dtype', {'dtype': 'float32'}, draws, seconds=10.0))
