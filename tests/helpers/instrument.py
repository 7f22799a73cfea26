"""Recording which Functions run backward, without editing the implementation.

The classes of the watched Functions get a wrapper around ``backward`` for the
duration of a ``with`` block, then their own attribute back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from strategies.protocols import FunctionLike

_MISSING = object()


@contextlib.contextmanager
def recording_backward(functions: Iterable[FunctionLike]) -> Iterator[list[FunctionLike]]:
    """Yield a list that fills, in call order, with each watched Function whose
    ``backward`` is called inside the block (a backward calling its parent's via
    ``super()`` counts once)."""
    watched = {id(f) for f in functions}
    classes = {type(f) for f in functions}
    calls: list[FunctionLike] = []
    active: set[int] = set()
    originals = {cls: getattr(cls, "backward") for cls in classes}
    own = {cls: cls.__dict__.get("backward", _MISSING) for cls in classes}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def backward(self: Any, *gys: Any) -> Any:
            outermost = id(self) not in active
            if outermost and id(self) in watched:
                calls.append(self)
            active.add(id(self))
            try:
                return original(self, *gys)
            finally:
                if outermost:
                    active.discard(id(self))

        return backward

    for cls in classes:
        setattr(cls, "backward", wrap(originals[cls]))
    try:
        yield calls
    finally:
        for cls in classes:
            if own[cls] is _MISSING:
                delattr(cls, "backward")
            else:
                setattr(cls, "backward", own[cls])
