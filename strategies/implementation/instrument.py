"""Watching the implementation's graph without editing the implementation: walking
its links, and recording which Functions run backward (and what they receive).

The classes of the watched Functions get a wrapper around ``backward`` for the
duration of a ``with`` block, then their own attribute back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from strategies.implementation.protocols import FunctionLike, VariableLike

__all__ = [
    "Call", "input_variables", "output_variables", "recording_calls", "upstream_functions",
    "wrapped_backward",
]

_MISSING = object()


@dataclass
class Call:
    """One call of a watched Function's ``backward``: what it got and returned."""

    function: FunctionLike
    gys: tuple[Any, ...]
    result: Any = None


@contextlib.contextmanager
def recording_calls(functions: Iterable[FunctionLike]) -> Iterator[list[Call]]:
    """Yield a list that fills, in call order, with a :class:`Call` for each watched
    Function whose ``backward`` is called inside the block (a backward calling its
    parent's via ``super()`` counts once)."""
    functions = list(functions)
    watched = {id(f) for f in functions}
    calls: list[Call] = []
    active: set[int] = set()

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def backward(self: Any, *gys: Any) -> Any:
            outermost = id(self) not in active
            call = Call(self, gys)
            if outermost and id(self) in watched:
                calls.append(call)
            active.add(id(self))
            try:
                call.result = original(self, *gys)
                return call.result
            finally:
                if outermost:
                    active.discard(id(self))

        return backward

    with wrapped_backward(functions, wrap):
        yield calls


@contextlib.contextmanager
def wrapped_backward(functions: Iterable[FunctionLike],
                     wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """Inside the block, the classes of ``functions`` have ``wrap(their backward)``
    as ``backward``; after it, their own attribute again (or none, when they
    inherited it)."""
    classes = {type(f) for f in functions}
    originals = {cls: getattr(cls, "backward") for cls in classes}
    own = {cls: cls.__dict__.get("backward", _MISSING) for cls in classes}
    for cls in classes:
        setattr(cls, "backward", wrap(originals[cls]))
    try:
        yield
    finally:
        for cls in classes:
            if own[cls] is _MISSING:
                delattr(cls, "backward")
            else:
                setattr(cls, "backward", own[cls])


def input_variables(func: FunctionLike) -> list[VariableLike]:
    """A Function's inputs: ``inputs``, or the one ``input`` of the book's steps 7-10."""
    inputs = getattr(func, "inputs", None)
    if inputs is not None:
        return list(inputs)
    single = getattr(func, "input", None)
    return [] if single is None else [single]


def output_variables(func: FunctionLike) -> list[VariableLike]:
    """A Function's live outputs, whether it holds them by weakref or directly (and
    as ``outputs``, or the one ``output`` of the book's steps 7-16)."""
    result = []
    outputs = getattr(func, "outputs", None)
    if outputs is None:
        outputs = [getattr(func, "output", None)]
    for ref in outputs:
        y = ref() if callable(ref) and not hasattr(ref, "data") else ref
        if y is not None:
            result.append(y)
    return result


def upstream_functions(roots: Iterable[VariableLike]) -> list[FunctionLike]:
    """Every Function reachable backwards (through creators and inputs) from ``roots``."""
    seen: dict[int, FunctionLike] = {}
    stack: list[Any] = [v.creator for v in roots if v.creator is not None]
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen[id(f)] = f
        stack.extend(x.creator for x in input_variables(f) if x.creator is not None)
    return list(seen.values())
