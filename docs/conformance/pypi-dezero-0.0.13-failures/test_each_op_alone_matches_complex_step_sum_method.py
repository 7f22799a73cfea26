# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[sum_method]
# TypeError: '>=' not supported between instances of 'tuple' and 'int'
import numpy as np
import dezero
from dezero import Variable
v0 = Variable(np.array([0.0], dtype=np.float64))
v1 = v0.sum(axis=(0,), keepdims=False)
y = v1
