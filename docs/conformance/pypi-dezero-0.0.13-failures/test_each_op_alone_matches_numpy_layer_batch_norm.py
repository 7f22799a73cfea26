# tests/properties/test_forward.py::test_each_op_alone_matches_numpy[layer_batch_norm]
# AssertionError: 
import numpy as np
import dezero
from dezero import Variable
import dezero.layers as L
from strategies.implementation import Implementation
from strategies.probes import probes_for
P = probes_for(Implementation('dezero', dezero))
v0 = Variable(np.array([[[-0.15, 0.15]]], dtype=np.float64))
v1 = Variable(np.array([0.0], dtype=np.float64))
v2 = Variable(np.array([0.0], dtype=np.float64))
v3 = P.with_params(L.BatchNorm(), gamma=v1, beta=v2)(v0)
y = v3
