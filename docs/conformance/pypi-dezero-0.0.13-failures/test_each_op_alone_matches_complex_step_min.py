# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[min]
# ValueError: cannot reshape array of size 2 into shape (2,3)
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([[0.0, 0.06, -0.06], [-0.06, 0.0, 0.06]], dtype=np.float64))
v1 = F.min(v0, axis=-1, keepdims=False)
y = v1
