"""Oracle 2: forward values equal the catalogue's independent NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.catalogue.ops import BY_NAME
from strategies.catalogue.ops_nn import NN_OPS
from strategies.graphs.spec import Built, GraphSpec, build, evaluate
from strategies.implementation.handle import Implementation
from strategies.oracles.numerics import side_by_side
from strategies.reports.drawing import draw_graph

from ..helpers.gates import DTYPES, skip_unless_offered

pytestmark = pytest.mark.requires("forward")

RTOL = {"float64": 1e-9, "float32": 1e-4}


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_every_value_matches_numpy(impl: Implementation, dtype: str, data: st.DataObject) -> None:
    spec = draw_graph(data, impl, dtype=dtype)
    _assert_values_match(spec, build(spec, impl, keep_all=True))


@pytest.mark.parametrize("op_name", [op.name for op in NN_OPS])
@given(data=st.data())
def test_each_op_alone_matches_numpy(impl: Implementation, op_name: str, data: st.DataObject) -> None:
    """Each op on images, normalization and layers alone (random DAGs rarely hold
    four-dimensional values), float64 and float32, over its whole parameter range."""
    op = BY_NAME[op_name]
    skip_unless_offered(impl, op)
    dtype = data.draw(st.sampled_from(["float64", "float32"]), label="dtype")
    spec = draw_graph(data, impl, op=op, dtype=dtype)
    _assert_values_match(spec, build(spec, impl, keep_all=True))


def _assert_values_match(spec: GraphSpec, built: Built) -> None:
    expected = evaluate(spec)
    dtype = spec.dtype
    for i, variable in sorted(built.values.items()):
        got = np.asarray(variable.data)
        want = expected[i]
        assert got.shape == want.shape, f"[forward] v{i} has shape {got.shape}, expected {want.shape}"
        assert got.dtype == spec.dtype, f"[forward] v{i} has dtype {got.dtype} in a {spec.dtype} graph"
        scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
        allowed = RTOL[dtype] * (np.abs(want) + scale)
        assert np.all(np.abs(got - want) <= allowed), (
            f"[forward] v{i} differs from the NumPy reference\n" + side_by_side(got, want, allowed)
        )
