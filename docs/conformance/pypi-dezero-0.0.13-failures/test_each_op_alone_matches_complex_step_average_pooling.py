# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[average_pooling]
# IndexError: index 1 is out of bounds for axis 3 with size 1
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]], dtype=np.float64))
v1 = F.average_pooling(v0, (1, 2), stride=(1, 3), pad=(0, 0))
y = v1
