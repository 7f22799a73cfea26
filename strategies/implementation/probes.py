"""The suite's own Functions, built on the implementation's ``Function`` class.

``dezero.functions`` has no multi-output Function, and a learner's early package
may have no functions module at all; these probes fill both gaps. Their backward
uses arithmetic only, so it works whether the implementation hands backward plain
ndarrays (the book's steps 18-32) or Variables (later steps, differentiable again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strategies.implementation.handle import Implementation
from strategies.implementation.namespace import Convention, call
from strategies.implementation.protocols import Array

__all__ = ["Probes", "probes_for"]


class Probes:
    """``P.fork(x)`` returns ``[x * x, 3 * x]``: two outputs of one Function.
    ``P.double(x)`` returns ``x + x``: the smallest Function, for probing.

    Two helpers let a graph script stay one expression per value:
    ``P.in_test_mode(f, *args)`` calls ``f`` in test mode (``Config.train`` False),
    and ``P.with_params(layer, W=w, b=b)`` replaces a layer's parameters by the given
    Variables (fresh leaves of the graph) and returns the layer.
    """

    def __init__(self, impl: Implementation, convention: Convention = "args") -> None:
        base: type = impl.Function
        self.base = base
        self.impl = impl
        self.convention = convention
        in_list = convention == "list"

        class Fork(base):  # type: ignore[misc]  # a class chosen at run time
            def forward(self, *xs: Any) -> tuple[Array, Array]:
                x = _only(xs)
                return x * x, x + x + x

            def backward(self, g_square: Any, g_triple: Any) -> Any:
                _received(g_square, g_triple)
                x = _input(self, g_square)
                return g_square * (x + x) + (g_triple + g_triple + g_triple)

        class Double(base):  # type: ignore[misc]  # a class chosen at run time
            def forward(self, *xs: Any) -> Any:
                x = _only(xs)
                return (x + x,) if in_list else x + x

            def backward(self, gy: Any) -> Any:
                return gy + gy

        self._fork = Fork
        self._double = Double

    def fork(self, x: Any) -> Any:
        return call(self._fork(), [x], self.convention)

    def double(self, x: Any) -> Any:
        return call(self._double(), [x], self.convention)

    def in_test_mode(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.impl.using_config("train", False):
            return f(*args, **kwargs)

    @staticmethod
    def with_params(layer: Any, **params: Any) -> Any:
        """``layer`` with each named parameter attribute set to the given Variable;
        its ``forward`` then computes with them, so gradients reach them."""
        for name, value in params.items():
            setattr(layer, name, value)
        return layer


def _only(xs: tuple[Any, ...]) -> Any:
    """The one input array, given as ``forward(x)`` or, in the list convention, as
    ``forward([x])``."""
    return xs[0][0] if len(xs) == 1 and isinstance(xs[0], list) else xs[0]


def _input(func: Any, like: Any) -> Any:
    """The Function's input, as an array when the gradients are arrays."""
    x = func.inputs[0]
    return x.data if hasattr(like, "__array_interface__") else x


def probes_for(impl: Implementation) -> Probes:
    """The probes subclassing ``impl.Function`` in its calling convention, made once
    per implementation."""
    convention: Convention = "list" if impl.convention == "list" else "args"
    cached = impl.memo.get(f"probes {convention}")
    if not isinstance(cached, Probes) or cached.base is not impl.Function:
        cached = Probes(impl, convention)
        impl.memo[f"probes {convention}"] = cached
    return cached


def _received(*gys: Any) -> None:
    """The gradients the engine hands the fork probe, one per output, said plainly
    when one is missing (instead of a crash inside the probe's own arithmetic)."""
    missing = [f"output {k}" for k, g in enumerate(gys) if g is None]
    if missing:
        handed = ", ".join("None" if g is None else f"{type(g).__name__} of shape {getattr(g, 'shape', '?')}"
                           for g in gys)
        raise TypeError(
            f"the engine handed the suite's two-output Function P.fork ({handed}) for the gradients of its "
            f"outputs: None for {' and '.join(missing)}, which got no gradient. A Function with several outputs "
            "must be handed zeros of that output's shape there (or every backward must accept None)")
