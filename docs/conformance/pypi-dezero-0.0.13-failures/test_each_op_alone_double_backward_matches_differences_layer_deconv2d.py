"""Counterexample: tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[layer_deconv2d]

TypeError: <class 'weakref.ReferenceType'> is not supported

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

# The graph, as DeZero code (F: the implementation's functions; P: the suite's own Functions):
#   P = probes_for(Implementation('dezero', dezero))
#   v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v1 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
#   v2 = P.with_params(L.Deconv2d(1, (1, 1), stride=(1, 1), pad=(0, 0), nobias=True), W=v1)(v0)
#   y = v2

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = [
    ('graph', decode_graph({"dtype": "float64", "steps": [{"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"leaf": {"shape": [1, 1, 1, 1], "values": [0.0]}}, {"op": "layer_deconv2d", "args": [0, 1], "params": {"out_channels": 1, "kernel_size": [1, 1], "stride": [1, 1], "pad": [0, 0]}}], "output": 2, "held": []})),
    ('cotangent w', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u0', np.array([[[[0.25]]]], dtype=np.float64)),
    ('direction u1', np.array([[[[0.25]]]], dtype=np.float64)),
]
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_higher_order:test_each_op_alone_double_backward_matches_differences', {'op_name': 'layer_deconv2d'}, draws, seconds=10.0))
