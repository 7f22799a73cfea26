# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[leaky_relu]
# TypeError: 'numpy.float64' object does not support item assignment
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(0.06, dtype=np.float64))
v1 = F.leaky_relu(v0, 0.2)
y = v1
