# tests/properties/test_higher_order.py::test_each_op_alone_double_backward_matches_differences[average_pooling]
# IndexError: index 1 is out of bounds for axis 2 with size 1
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[0.0]]]], dtype=np.float64))
v1 = F.average_pooling(v0, (2, 1), stride=(2, 1), pad=(1, 0))
y = v1
