"""What a catalogue entry is: :class:`Op`, the inputs it sees while a graph is
drawn (:class:`Input`), the operand leaves it may ask for (:class:`FreshLeaf`), and
the types of its parameter draws. The entries themselves are in
:mod:`strategies.catalogue.ops` (and :mod:`strategies.catalogue.ops_nn` for images, normalization and
layers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from strategies.implementation.protocols import Array

__all__ = [
    "Code", "Draw", "FreshLeaf", "Inapplicable", "Input", "MARGIN", "Magnitudes", "Op", "Params",
    "one_output", "same_dtype",
]

# Parameters of one call: (name, value) pairs of Python literals (ints, floats,
# bools, None, strings and tuples of those), so a spec is hashable and its values
# render as source with repr().
Params: TypeAlias = tuple[tuple[str, Any], ...]
Draw: TypeAlias = Callable[[st.SearchStrategy[Any]], Any]
# Magnitudes per input or per output of a call, from its real input values and its
# parameters (Op.cancellation, Op.forward_terms).
Magnitudes: TypeAlias = Callable[[Sequence[Array], Mapping[str, Any]], tuple[Array, ...]]

# Values of an op's inputs stay this far from kinks, ties and domain edges, well
# beyond any finite-difference step the oracles take.
MARGIN = 0.05


@dataclass(frozen=True)
class Input:
    """What an op sees of one input while a graph is generated."""

    shape: tuple[int, ...]
    value: Array  # the float64 reference value
    dtype: str = "float64"  # the graph's dtype


@dataclass(frozen=True)
class FreshLeaf:
    """A new leaf an op asks for (a weight, a target): its shape and value range."""

    shape: tuple[int, ...]
    low: float = -1.0
    high: float = 1.0


class Inapplicable(Exception):
    """A parameter draw found no valid parameters for these inputs."""


def _no_params(draw: Draw, xs: Sequence[Input]) -> tuple[Params, tuple[FreshLeaf, ...]]:
    return (), ()


def _always(xs: Sequence[Input]) -> bool:
    return True


@dataclass(frozen=True, repr=False)
class Op:
    name: str
    arity: int  # inputs taken from the graph (fresh leaves come on top)
    template: str
    reference: Callable[[Sequence[Array], Mapping[str, Any]], tuple[Array, ...]]
    requires: tuple[str, ...]
    family: str
    n_outputs: int = 1
    smooth: bool = True
    twice: bool = True
    # Broadcasts inside (a bias added to every row): needs sum_to in backward.
    broadcasts: bool = False
    # The kind of constant operand the call takes ("a Python number", "a NumPy
    # array"), if any: a form the book's early stages do not accept yet.
    constant: str = ""
    applicable: Callable[[Sequence[Input]], bool] = _always
    draw_params: Callable[[Draw, Sequence[Input]], tuple[Params, tuple[FreshLeaf, ...]]] = field(
        default=_no_params
    )
    # Where leaves feeding this op alone are drawn (most ops: anywhere in [-2, 2]),
    # and how many dimensions they have; ``leaf_shapes``, when given, draws the
    # leaf's shape instead (images: four small sides). A positive ``distinct_leaf``
    # makes the leaf's values distinct, that far apart, centred on 0 (then
    # ``leaf_range`` does not apply): max pooling has no near-ties in a window,
    # batch norm a real variance in every channel.
    # The rounding model (strategies.oracles.rounding). ``cancellation``: for a rule whose
    # backward subtracts terms that can cancel (tanh's 1 - y*y, softmax's
    # gy - sum(y * gy)), for each input, the size of those terms per unit of upstream
    # gradient, element by element. ``forward_terms``: for an op whose forward
    # subtracts terms that can cancel, more than a sum or a product does (sigmoid
    # as 0.5 + 0.5 * tanh(x / 2), a loss as a difference of logarithms), for each
    # output, the size of those terms.
    cancellation: Magnitudes | None = None
    forward_terms: Magnitudes | None = None
    leaf_range: tuple[float, float] = (-2.0, 2.0)
    leaf_dims: tuple[int, int] = (0, 3)
    leaf_shapes: st.SearchStrategy[tuple[int, ...]] | None = None
    distinct_leaf: float = 0.0

    def __repr__(self) -> str:
        return f"BY_NAME[{self.name!r}]"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def source(self, args: Sequence[str], params: Params) -> str:
        """The call as Python source, with ``args`` as the input expressions."""
        return self.template.format(*args, **{k: _literal(v) for k, v in params})

    @property
    def aliases(self) -> frozenset[str]:
        """The module aliases the template uses: ``F`` (the functions module), ``L``
        (the layers module), ``P`` (the suite's probes, :mod:`strategies.implementation.probes`)."""
        return frozenset(re.findall(r"\b([FLP])\.", self.template))


def _literal(value: Any) -> str:
    return value if isinstance(value, Code) else repr(value)


class Code(str):
    """A parameter that is rendered as source text as it is (an index expression)."""

    __slots__ = ()


def one_output(f: Callable[..., npt.ArrayLike]) -> Callable[[Sequence[Array], Mapping[str, Any]], tuple[Array, ...]]:
    """Adapt ``f(*arrays, **params) -> array`` to the reference signature."""
    return lambda xs, p: (np.asarray(f(*xs, **p)),)


def same_dtype(x: Input) -> tuple[str, Code]:
    """A constant array's dtype parameter: the graph's, so NumPy does not promote."""
    return ("dtype", Code(f"np.{x.dtype}"))
