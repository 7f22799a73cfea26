"""Oracle checks with failure messages that say which oracle failed and show the
backprop and numerical values side by side (Hypothesis prints the graph script)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from strategies.graphs.spec import GraphSpec, evaluate
from strategies.implementation.protocols import Array
from strategies.oracles.numerics import side_by_side
from strategies.oracles.rounding import expected_gradients


def assert_vjp_matches(oracle: str, spec: GraphSpec, got: Sequence[Array | None], cotangent: Array) -> None:
    """Each leaf's gradient equals ``J^T w`` from the complex-step Jacobian, within
    the rounding bound of each element."""
    reference_shape = evaluate(spec)[spec.output].shape
    if cotangent.shape != reference_shape:
        raise AssertionError(
            f"[{oracle}] the output has shape {cotangent.shape}, the NumPy reference {reference_shape}"
        )
    for leaf, (expected, allowed), grad in zip(spec.leaves, expected_gradients(spec, cotangent), got):
        if leaf not in spec.live:
            if grad is not None:
                raise AssertionError(
                    f"[{oracle}] leaf v{leaf} is not on a path to the output, yet received a gradient"
                )
            continue
        if grad is None:
            raise AssertionError(f"[{oracle}] leaf v{leaf} received no gradient (grad is None)")
        if grad.shape != expected.shape:
            raise AssertionError(
                f"[{oracle}] leaf v{leaf}: gradient of shape {grad.shape}, expected {expected.shape}"
            )
        if not np.all(np.abs(grad.astype(np.float64) - expected) <= allowed):
            raise AssertionError(
                f"[{oracle}] leaf v{leaf}: backprop gradient differs from the complex-step "
                f"gradient J^T w (w = the cotangent)\n" + side_by_side(grad, expected, allowed)
            )
