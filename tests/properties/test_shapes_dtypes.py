"""Oracle 7: every gradient has its variable's shape and dtype (across broadcasting,
reductions, matmul and float32 graphs), its own memory, and can be written to."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.graphs.spec import build
from strategies.implementation.handle import Implementation
from strategies.implementation.protocols import grad_array
from strategies.reports.drawing import draw_graph
from strategies.survey.backprop import backward, cotangents
from strategies.survey.capabilities import capabilities

from ..helpers.gates import DTYPES

pytestmark = pytest.mark.requires("core")


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_grads_have_their_variables_shape_and_dtype(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, dtype=dtype)
    retain_grad = "memory" in capabilities(impl).levels and data.draw(st.booleans(), label="retain_grad")
    built = build(spec, impl, keep_all=True)
    w = data.draw(cotangents(built.output.data.shape), label="cotangent")
    kwargs = {"retain_grad": True} if retain_grad else {}
    backward(impl, built.output, w, **kwargs)
    for i, v in sorted(built.values.items()):
        g = grad_array(v.grad)
        if g is None:
            continue
        assert g.shape == v.data.shape, f"[shape] grad of v{i} has shape {g.shape}, v{i} has {v.data.shape}"
        assert g.dtype == v.data.dtype, f"[dtype] grad of v{i} has dtype {g.dtype}, v{i} has {v.data.dtype}"


@pytest.mark.requires("memory", "layers", why="a grad is updated in place only from the optimizer hooks of the "
                      "book's step 46 on; before, sharing one array is harmless")
@given(data=st.data())
def test_grads_own_their_memory(impl: Implementation, data: st.DataObject) -> None:
    """No two variables' grads share memory, and each can be updated in place (as
    an optimizer hook does), so one update never corrupts another grad. With
    ``retain_grad=True`` this covers intermediate grads too."""
    spec = draw_graph(data, impl)
    retain_grad = data.draw(st.booleans(), label="retain_grad")
    built = build(spec, impl, keep_all=True)
    kwargs = {"retain_grad": True} if retain_grad else {}
    backward(impl, built.output, data.draw(cotangents(built.output.data.shape), label="cotangent"), **kwargs)
    held = [(i, grad_array(v.grad)) for i, v in sorted(built.values.items())]
    present = [(i, g) for i, g in held if g is not None]
    for n, (i, g) in enumerate(present):
        assert g.flags.writeable, f"[grad storage] the grad of v{i} is read-only"
        for j, h in present[n + 1 :]:
            assert not np.shares_memory(g, h), f"[grad storage] the grads of v{i} and v{j} share memory"
