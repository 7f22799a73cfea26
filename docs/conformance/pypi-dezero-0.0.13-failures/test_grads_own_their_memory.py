# tests/properties/test_shapes_dtypes.py::test_grads_own_their_memory
# AssertionError: [grad storage] the grads of v0 and v1 share memory
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(0.0, dtype=np.float64))
v1 = Variable(np.array(0.0, dtype=np.float64))
v2 = v1 + v0
v3 = F.clip(v2, -0.5, -0.5)
v4 = 2 * v3
v5 = v4 - v2
v6 = F.sin(v5)
v7 = F.sin(v6)
v8 = F.sigmoid(v7)
v9 = v8 - v6
del v2, v3, v4, v5, v6, v7, v8  # only the graph refers to these now
y = v9
