# tests/properties/test_shapes_dtypes.py::test_grads_have_their_variables_shape_and_dtype[float32]
# AssertionError: [dtype] grad of v0 has dtype float64, v0 has float32
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(0.0, dtype=np.float32))
v1 = F.sin(v0)
v2 = -v1
v3 = v2 * v0
v4 = v3.T
v5 = F.sin(v4)
v6 = F.sin(v5)
v7 = -v6
v8 = v7 * 2
del v1, v2, v3, v4, v5, v6, v7  # only the graph refers to these now
y = v8
