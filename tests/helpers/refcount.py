"""Running code with only reference counting to free objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_disabled() -> Iterator[None]:
    """Collect what is pending, then keep Python's cyclic collector off inside."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
