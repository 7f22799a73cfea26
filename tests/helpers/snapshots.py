"""Copies of arrays taken before the implementation runs, to see what it changed.

:func:`watching_upstream_gradients` copies the upstream gradients handed to each
watched Function's ``backward`` as the call starts, and compares them when it
returns; the copies stay available, so that a change made later in the sweep (by
another consumer of the same gradient object, or by the engine) shows as well.
The classes of the watched Functions get a wrapper around ``backward`` for the
duration of a ``with`` block, then their own attribute back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategies.implementation.instrument import wrapped_backward
from strategies.implementation.protocols import Array, FunctionLike, grad_array


def copy_of(value: object) -> Array | None:
    """A copy of an array, or of a Variable's data; None for None or anything that
    holds no array."""
    try:
        array = grad_array(value)
    except TypeError:
        return None
    return None if array is None else np.array(array, copy=True)


def unchanged(before: Array, after: Array | None) -> bool:
    """The same shape, dtype and values (NaN equal to NaN)."""
    return (
        after is not None
        and before.shape == after.shape
        and before.dtype == after.dtype
        and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    )


def describe_change(before: Array, after: Array | None) -> str:
    """What differs, in one line: the shape or dtype, else the first changed element."""
    if after is None:
        return "it no longer holds an array"
    if before.shape != after.shape or before.dtype != after.dtype:
        return f"{before.dtype}{list(before.shape)} became {after.dtype}{list(after.shape)}"
    same = before == after
    if before.dtype.kind in "fc":
        same |= np.isnan(before) & np.isnan(after)
    differs = ~same
    index = tuple(int(i) for i in np.argwhere(differs)[0]) if before.ndim else ()
    return (
        f"{int(np.count_nonzero(differs))} of {before.size} elements changed, "
        f"e.g. at {index}: {before[index]!r} became {after[index]!r}"
    )


@dataclass
class Handed:
    """One upstream gradient handed to a ``backward``: the Function, which of its
    outputs the gradient belongs to, the object itself and a copy of its values."""

    function: FunctionLike
    position: int
    gradient: object
    copy: Array


@dataclass
class Watch:
    """What a watched sweep handed to backward, and what the calls changed."""

    handed: list[Handed] = field(default_factory=list)
    # One line per upstream gradient a backward changed before returning.
    changed_by_the_call: list[str] = field(default_factory=list)

    def changed_since(self) -> list[str]:
        """The upstream gradients that differ now from their values when handed over."""
        return [
            f"the gradient of output {h.position} handed to {type(h.function).__name__}.backward: "
            + describe_change(h.copy, copy_of(h.gradient))
            for h in self.handed
            if not unchanged(h.copy, copy_of(h.gradient))
        ]


@contextlib.contextmanager
def watching_upstream_gradients(functions: Iterable[FunctionLike]) -> Iterator[Watch]:
    """Yield a :class:`Watch` that records every upstream gradient handed to the
    ``backward`` of the watched Functions inside the block (a backward calling its
    parent's via ``super()`` counts once)."""
    functions = list(functions)
    watched = {id(f) for f in functions}
    watch = Watch()
    active: set[int] = set()

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def backward(self: Any, *gys: Any) -> Any:
            if id(self) not in watched or id(self) in active:
                return original(self, *gys)
            handed = []
            for position, gy in enumerate(gys):
                copy = copy_of(gy)
                if copy is not None:
                    handed.append(Handed(self, position, gy, copy))
            watch.handed.extend(handed)
            active.add(id(self))
            try:
                return original(self, *gys)
            finally:
                active.discard(id(self))
                for h in handed:
                    after = copy_of(h.gradient)
                    if not unchanged(h.copy, after):
                        watch.changed_by_the_call.append(
                            f"{type(self).__name__}.backward changed the upstream gradient of its output "
                            f"{h.position} in place: {describe_change(h.copy, after)}"
                        )

        return backward

    with wrapped_backward(functions, wrap):
        yield watch
