# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[expand_dims]
# AssertionError: [expand_dims alone vs complex step] the output has shape (4, 1, 4), the NumPy reference (4, 4, 1)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=np.float64))
v1 = F.expand_dims(v0, -1)
y = v1
