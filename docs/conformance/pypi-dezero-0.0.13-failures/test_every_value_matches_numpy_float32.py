# tests/properties/test_forward.py::test_every_value_matches_numpy[float32]
# AssertionError: [forward] v3 has dtype float64 in a float32 graph
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(0.0, dtype=np.float32))
v1 = F.sin(v0)
v2 = F.clip(v1, 0.5, 0.5)
v3 = 2 * v2
v4 = v3 - v1
v5 = F.sin(v4)
v6 = F.sin(v5)
v7 = F.relu(v6)
v8 = v7 - v5
del v1, v2, v3, v4, v5, v6, v7  # only the graph refers to these now
y = v8
