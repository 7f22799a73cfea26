# tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[conv2d]
# TypeError: <class 'weakref.ReferenceType'> is not supported
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
v1 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
v2 = Variable(np.array([0.0], dtype=np.float64))
v3 = F.conv2d(v0, v1, v2, stride=(1, 1), pad=(0, 0))
y = v3
