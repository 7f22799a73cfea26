# tests/properties/test_forward.py::test_each_op_alone_matches_numpy[pooling]
# AssertionError: [forward] v1 differs from the NumPy reference
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[-0.4], [-0.3], [-0.2]], [[-0.1], [0.0], [0.1]], [[0.2], [0.3], [0.4]]]], dtype=np.float64))
v1 = F.pooling(v0, (2, 1), stride=(1, 1), pad=(1, 0))
y = v1
