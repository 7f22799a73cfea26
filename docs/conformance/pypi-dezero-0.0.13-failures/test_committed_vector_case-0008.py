"""Counterexample: tests/properties/test_vectors.py::test_committed_vector[case-0008]

AttributeError: 'NoneType' object has no attribute 'grad'

Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).
It checks the implementation that was under test: /tmp/pypi-dezero
"""

import numpy as np

from strategies.catalogue.ops import BY_NAME
from strategies.ports.vectors import decode_graph
from strategies.reports.reproduce import replay

draws = None
raise SystemExit(replay('/tmp/pypi-dezero', 'tests.properties.test_vectors:test_committed_vector', {'case': {'schema': 'dezero-test-vectors/1', 'id': 'case-0008', 'graph': {'dtype': 'float64', 'steps': [{'leaf': {'shape': [3, 2, 2], 'values': [-1.68, 1.05, 1.69, -0.39, 0.6, -1.66, -0.77, 1.35, -0.61, 1.0, 1.0, 1.0]}}, {'op': 'fork', 'args': [0], 'params': {}}, {'leaf': {'shape': [1], 'values': [-0.49]}}, {'op': 'sub', 'args': [2, 3], 'params': {}}, {'op': 'fork', 'args': [4], 'params': {}}, {'op': 'rdiv_scalar', 'args': [5], 'params': {'c': 2}}, {'op': 'sum_to', 'args': [7], 'params': {'shape': []}}, {'op': 'rdiv_scalar', 'args': [8], 'params': {'c': 0.5}}, {'op': 'relu', 'args': [9], 'params': {}}], 'output': 10, 'held': []}, 'script': "import numpy as np\nimport dezero\nfrom dezero import Variable\nimport dezero.functions as F\nfrom strategies.implementation.handle import Implementation\nfrom strategies.implementation.probes import probes_for\nP = probes_for(Implementation('dezero', dezero))\nv0 = Variable(np.array([[[-1.68, 1.05], [1.69, -0.39]], [[0.6, -1.66], [-0.77, 1.35]], [[-0.61, 1.0], [1.0, 1.0]]], dtype=np.float64))\nv1, v2 = P.fork(v0)\nv3 = Variable(np.array([-0.49], dtype=np.float64))\nv4 = v2 - v3\nv5, v6 = P.fork(v4)\nv7 = 2 / v5\nv8 = F.sum_to(v7, ())\nv9 = 0.5 / v8\nv10 = F.relu(v9)\ndel v1, v2, v4, v5, v6, v7, v8, v9  # only the graph refers to these now\ny = v10", 'cotangent': {'shape': [], 'values': [0.25]}, 'expected': {'output': {'shape': [], 'values': [0.06733677893709425]}, 'grads': [{'shape': [3, 2, 2], 'values': [-0.00028881632425598763, 0.0005640943833124755, 0.00015828200818029863, -0.08652252565177403, 0.002265423907519492, -0.0003005501184149901, -0.004512755066499804, 0.000290729008951832, -0.011306847412139538, 0.0006399995159970901, 0.0006399995159970901, 0.0006399995159970901]}, {'shape': [1], 'values': [0.03257765557237632]}], 'hvp': {'direction': [{'shape': [3, 2, 2], 'values': [-0.5, 0.25, 0.25, -0.5, 1.25, 1.25, -0.5, 2.0, -1.5, -0.5, 0.25, -0.5]}, {'shape': [1], 'values': [1.25]}], 'values': [{'shape': [3, 2, 2], 'values': [-0.003116337856653517, 0.007341862354306787, 0.00203756502572416, -0.04074064790110521, 0.021132126326551745, -0.004289931898206049, -0.03641907704125813, 0.0027515913141517782, 0.003051874809291421, 0.00957894784689591, 0.00834112642480859, 0.00957894784689591]}, {'shape': [1], 'values': [0.006917317582968984]}]}}, 'tolerance': {'rtol': 1e-08, 'atol': 1e-11, 'hvp_rtol': 1e-06}}}, draws, seconds=10.0))
