"""Walking a built graph through the implementation's own links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strategies.protocols import FunctionLike, VariableLike


def output_variables(func: FunctionLike) -> list[VariableLike]:
    """A Function's live outputs, whether it holds them by weakref or directly."""
    result = []
    for ref in func.outputs:
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
        stack.extend(x.creator for x in f.inputs if x.creator is not None)
    return list(seen.values())
