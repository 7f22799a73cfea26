# tests/properties/test_schedule.py::test_backward_without_a_graph_only_seeds
# AttributeError: 'NoneType' object has no attribute 'generation'
import numpy as np
import dezero
from dezero import Variable
v0 = Variable(np.array(0.06, dtype=np.float64))
v1 = 2 + v0
y = v1
