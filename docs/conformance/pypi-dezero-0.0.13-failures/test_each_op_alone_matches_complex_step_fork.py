# tests/properties/test_gradients.py::test_each_op_alone_matches_complex_step[fork]
# TypeError: unsupported operand type(s) for +: 'NoneType' and 'NoneType'
import numpy as np
import dezero
from dezero import Variable
from strategies.implementation import Implementation
from strategies.probes import probes_for
P = probes_for(Implementation('dezero', dezero))
v0 = Variable(np.array(0.0, dtype=np.float64))
v1, v2 = P.fork(v0)
y = v1
