# tests/properties/test_bad_input.py::test_bad_arguments_raise_value_error_and_change_nothing[sum_to an incompatible shape]
# Failed: DID NOT RAISE ValueError
import numpy as np
import dezero
from dezero import Variable
v0 = Variable(np.array(1.02, dtype=np.float64))
v1 = 0.5 * v0
y = v1
