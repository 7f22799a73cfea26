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
