# tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[pooling]
# AssertionError: [higher order, pooling alone] d(u . grad)/dw differs from J u (complex step)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
v1 = F.pooling(v0, (1, 2), stride=(1, 1), pad=(0, 1))
y = v1
