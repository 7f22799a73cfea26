"""Not applicable: a property about one op (or one named class or function), on an
implementation that does not offer it in the form the property calls it."""

from __future__ import annotations

from typing import Any

import pytest

from strategies.catalogue.opspec import Op
from strategies.implementation.handle import Implementation, ImplementationError
from strategies.survey.capabilities import capabilities


def skip_unless_offered(impl: Implementation, op: Op) -> None:
    """Skip as not applicable, with the reason the survey found, unless ``impl``
    offers ``op``."""
    caps = capabilities(impl)
    if op not in caps.ops:
        pytest.skip(f"not applicable: {caps.not_applicable.get(op.name, 'the implementation does not offer it')}")


def offered_name(impl: Implementation, module: str, name: str) -> Any:
    """``impl.<module>.<name>`` (``"dataloaders", "SeqDataLoader"``), else the same name
    on the package; skip as not applicable when the implementation has neither."""
    try:
        found = getattr(impl.submodule(module), name, None)
    except ImplementationError:
        found = None
    if found is None and impl.has(name):
        found = impl.attr(name)
    if found is None:
        pytest.skip(f"not applicable: the implementation has no {module}.{name}")
    return found


# The dtypes of the graph properties: float32 is checked where the book has it,
# from its layers on (their dtype argument, step 44); its earlier programs compute in
# float64 (and under NumPy 2 a Python number operand promotes float32 there).
DTYPES = [
    "float64",
    pytest.param("float32", marks=pytest.mark.requires(
        "layers", why="float32 enters the book with its layers' dtype (step 44); before, it computes in float64")),
]
