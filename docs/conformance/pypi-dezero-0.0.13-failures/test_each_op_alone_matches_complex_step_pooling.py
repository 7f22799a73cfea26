# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[pooling]
# AssertionError: [pooling alone vs complex step] leaf v0: backprop gradient differs from the complex-step gradient J^T w (w = the cotangent)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
v1 = F.pooling(v0, (1, 2), stride=(1, 1), pad=(0, 1))
y = v1
