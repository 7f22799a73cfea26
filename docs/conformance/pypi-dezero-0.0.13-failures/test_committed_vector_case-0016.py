"""Counterexample: tests/properties/test_vectors.py::test_committed_vector[case-0016]

AttributeError: 'NoneType' object has no attribute 'grad'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = None
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_vectors:test_committed_vector', {'case': {'schema': 'dezero-test-vectors/1', 'id': 'case-0016', 'graph': {'dtype': 'float64', 'steps': [{'leaf': {'shape': [1], 'values': [-0.58]}}, {'leaf': {'shape': [], 'values': [0.99]}}, {'leaf': {'shape': [2], 'values': [-0.08, -1.96]}}, {'op': 'mul', 'args': [2, 0], 'params': {}}, {'op': 'mul', 'args': [3, 1], 'params': {}}, {'op': 'add', 'args': [4, 0], 'params': {}}, {'op': 'fork', 'args': [5], 'params': {}}, {'op': 'sub_scalar', 'args': [2], 'params': {'c': 0.5}}, {'op': 'sub', 'args': [6, 4], 'params': {}}], 'output': 9, 'held': [8]}, 'script': "import numpy as np\nimport dezero\nfrom dezero import Variable\nfrom strategies.implementation.handle import Implementation\nfrom strategies.implementation.probes import probes_for\nP = probes_for(Implementation('dezero', dezero))\nv0 = Variable(np.array([-0.58], dtype=np.float64))\nv1 = Variable(np.array(0.99, dtype=np.float64))\nv2 = Variable(np.array([-0.08, -1.96], dtype=np.float64))\nv3 = v2 * v0\nv4 = v3 * v1\nv5 = v4 + v0\nv6, v7 = P.fork(v5)\nv8 = v2 - 0.5\nv9 = v6 - v4\ndel v3, v4, v5, v6, v7  # only the graph refers to these now\ny = v9", 'cotangent': {'shape': [2], 'values': [-1.0, -1.0]}, 'expected': {'output': {'shape': [2], 'values': [0.239288356096, -0.8279359333759999]}, 'grads': [{'shape': [1], 'values': [-0.010219232000000522]}, {'shape': [], 'values': [-0.007333055999999505]}, {'shape': [2], 'values': [-1.1875190975999999, 0.052174108799999744]}], 'hvp': {'direction': [{'shape': [1], 'values': [-1.5]}, {'shape': [], 'values': [2.0]}, {'shape': [2], 'values': [-0.5, 0.75]}], 'values': [{'shape': [1], 'values': [6.8973674407835075]}, {'shape': [], 'values': [-6.684032480685358]}, {'shape': [2], 'values': [-6.620091479603295, 3.9767121037526802]}]}}, 'tolerance': {'rtol': 1e-08, 'atol': 1e-11, 'hvp_rtol': 1e-06}}}, draws, seconds=10.0))
