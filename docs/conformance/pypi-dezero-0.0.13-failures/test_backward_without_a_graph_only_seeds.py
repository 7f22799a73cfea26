# tests/properties/test_schedule.py::test_backward_without_a_graph_only_seeds
# AttributeError: 'NoneType' object has no attribute 'generation'
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array(-1.7, dtype=np.float64))
v1 = F.clip(v0, -2.2, -2.2)
y = v1
