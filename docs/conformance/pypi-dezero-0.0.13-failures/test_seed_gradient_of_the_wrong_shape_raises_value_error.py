# tests/properties/test_bad_input.py::test_seed_gradient_of_the_wrong_shape_raises_value_error
# Failed: DID NOT RAISE ValueError
import numpy as np
import dezero
from dezero import Variable
import dezero.functions as F
v0 = Variable(np.array([0.12, 0.0, 0.05], dtype=np.float64))
v1 = F.tanh(v0)
y = v1
