# tests/properties/test_shapes_dtypes.py::test_grads_own_their_memory
# AssertionError: [grad storage] the grads of v0 and v1 share memory
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(0.0, dtype=np.float64))
v1 = Variable(np.array(0.0, dtype=np.float64))
v2 = Variable(np.array(0.0, dtype=np.float64))
v3 = v2 + v0
v4 = v3 + v1
v5 = v4 * v2
v6 = v5.T
v7 = F.sin(v6)
v8 = F.sin(v7)
v9 = -v8
v10 = v9 - v7
del v3, v4, v5, v6, v7, v8, v9  # only the graph refers to these now
y = v10
