"""The names op templates use (``F.sin(x)``, ``L.Linear(...)``, ``P.fork(x)``), found
wherever the implementation's stage of the book keeps them.

The final DeZero has ``dezero.functions``; a package of the middle stages keeps
``add`` and ``mul`` in ``dezero.core``; the book's single-file steps define helper
functions (``square``, ``add``) next to their Function classes, and the earliest
steps only the classes (``Square()(x)``). :class:`Functions` looks a name up in
that order. Early Functions also take their inputs as one list and return a list
(the book's step 11): :func:`call` calls a Function either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, TypeAlias

from strategies.implementation.handle import Implementation, ImplementationError

__all__ = ["Convention", "Functions", "call", "class_name"]

# How Function instances take their inputs: ``f(x0, x1)`` or ``f([x0, x1])``.
Convention: TypeAlias = Literal["args", "list"]


def call(function: Any, inputs: Sequence[Any], convention: Convention) -> Any:
    """Call a Function instance on ``inputs``: its output, or a list of outputs."""
    if convention == "args":
        return function(*inputs)
    outputs = function(list(inputs))
    return outputs[0] if isinstance(outputs, (list, tuple)) and len(outputs) == 1 else outputs


def class_name(function_name: str) -> str:
    """The book's class for a function: ``square`` -> ``Square``."""
    return "".join(part.capitalize() for part in function_name.split("_"))


class Functions:
    """The ``F`` of op templates: ``F.name`` is the implementation's function
    ``name`` from its functions module, its package (or a program file), or its
    ``core`` module; else a call of its Function class ``Name``."""

    def __init__(self, impl: Implementation, convention: Convention | None = None) -> None:
        self._impl = impl
        self._convention: Convention = convention or ("list" if impl.convention == "list" else "args")

    def _candidates(self, name: str) -> Iterator[object]:
        """What ``name`` is in each place, in order of preference."""
        for module_name in ("functions", "", "core"):
            if not module_name:
                if self._impl.has(name):
                    yield self._impl.attr(name)
                continue
            try:
                module = self._impl.submodule(module_name)
            except ImplementationError:
                continue
            yield getattr(module, name, None)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        for found in self._candidates(name):
            if callable(found) and not isinstance(found, type):
                return found  # a function of the implementation
        cls = self._function_class(class_name(name))
        if cls is not None:
            convention = self._convention
            return lambda *inputs: call(cls(), inputs, convention)
        raise AttributeError(f"{self._impl.name} has no function {name!r} (nor a Function class {class_name(name)!r})")

    def _function_class(self, name: str) -> type | None:
        if not (self._impl.has("Function") and self._impl.has(name)):
            return None
        found = self._impl.attr(name)
        base = self._impl.Function
        return found if isinstance(found, type) and issubclass(found, base) and found is not base else None

    def __repr__(self) -> str:
        return f"Functions({self._impl.name!r})"
