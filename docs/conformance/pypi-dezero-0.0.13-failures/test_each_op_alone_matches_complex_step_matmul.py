# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[matmul]
# AssertionError: [matmul alone vs complex step] leaf v0: gradient of shape (), expected (1, 1)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[0.0]], dtype=np.float64))
v1 = Variable(np.array([0.0], dtype=np.float64))
v2 = F.matmul(v0, v1)
y = v2
