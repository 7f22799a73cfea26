# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[max]
# ValueError: cannot reshape array of size 1 into shape (2,)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([0.0, 0.06], dtype=np.float64))
v1 = F.max(v0, axis=-1, keepdims=False)
y = v1
