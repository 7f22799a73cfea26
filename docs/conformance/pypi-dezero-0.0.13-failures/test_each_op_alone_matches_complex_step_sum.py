# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[sum]
# TypeError: '>=' not supported between instances of 'tuple' and 'int'
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([0.0], dtype=np.float64))
v1 = F.sum(v0, axis=(0,), keepdims=False)
y = v1
