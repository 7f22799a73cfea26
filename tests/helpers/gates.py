"""Not applicable: a property about one op, on an implementation that does not
offer that op in the form the catalogue calls it."""

from __future__ import annotations

import pytest

from strategies.capabilities import capabilities
from strategies.implementation import Implementation
from strategies.opspec import Op


def skip_unless_offered(impl: Implementation, op: Op) -> None:
    """Skip as not applicable, with the reason the survey found, unless ``impl``
    offers ``op``."""
    caps = capabilities(impl)
    if op not in caps.ops:
        pytest.skip(f"not applicable: {caps.not_applicable.get(op.name, 'the implementation does not offer it')}")


# The dtypes of the graph properties: float32 is checked where the book has it,
# from its layers on (their dtype argument, step 44); its earlier programs compute in
# float64 (and under NumPy 2 a Python number operand promotes float32 there).
DTYPES = [
    "float64",
    pytest.param("float32", marks=pytest.mark.requires(
        "layers", why="float32 enters the book with its layers' dtype (step 44); before, it computes in float64")),
]
