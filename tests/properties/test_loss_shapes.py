"""Loss shape rules: a loss of operands whose shapes differ is refused clearly, or
computed with gradients consistent with the value computed.

Two designs are valid, and both pass: refusing shapes that differ with a
``ValueError`` or ``TypeError``, or computing a value. A value must be one of the
readings of the call, worked out here from NumPy:

- *broadcast*: the loss's terms on the operands broadcast against each other, as
  the book computes ``mean_squared_error`` (any broadcast) and the targets of
  ``sigmoid_cross_entropy`` and ``binary_cross_entropy`` of the input's number of
  axes;
- *paired*: the second operand reshaped to the first's shape, element by element
  (same sizes only), as the book pairs a target with another number of axes;

each summed and divided by a batch size: the length of the first axis of an
operand or of the terms (the book divides by ``len(x)``, ``len(t)`` or
``len(x0 - x1)``, depending on the loss). Its gradients must then have their
operands' shapes and equal the complex-step derivative of that reading (for one
of the readings that give the value). A target that is not differentiated (a
gradient of None) is accepted; an input must get its gradient.

What fails: a wrong-shaped gradient (the book's ``mean_squared_error`` returns the
broadcast shape; its ``softmax_cross_entropy`` with labels of shape ``(N, 1)``
returns ``(N, N, C)``), a gradient that does not match the value, and a target
with another number of axes silently compared with every input element (labels
``(N, 1)`` against ``(N,)`` scores all ``N * N`` pairs). Same-shaped operands, and
labels of shape ``(N,)``, must give a value: refusing them is no design.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.catalogue.ops import BY_NAME
from strategies.implementation.handle import Implementation
from strategies.implementation.namespace import Functions
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.oracles.numerics import STEP
from strategies.survey.backprop import backward, cotangents

from ..helpers.gates import skip_unless_offered

pytestmark = pytest.mark.requires("nn")

MAX_DIMS = 3
MAX_SIDE = 3
# float64 throughout: a wrong reading differs by a sizeable fraction of the value.
RTOL = 1e-9

Terms = Callable[[Array, Array], Array]


@dataclass(frozen=True)
class Reading:
    """One way to read the call: how the operands are paired, the divisor, the value."""

    name: str
    value: Callable[[Array, Array], Array]  # complex-capable: (first, second) -> 0-d


@dataclass(frozen=True)
class Operand:
    """An operand as the call receives it: the values, and whether it is a Variable
    (else an ndarray) whose gradient is required (else it may be None)."""

    values: Array
    as_variable: bool
    gradient_required: bool


def _length(shape: tuple[int, ...]) -> int:
    """``len`` of an array of ``shape`` as a batch size: 1 for a 0-d array."""
    return shape[0] if shape else 1


def _mean_of(terms: Terms, n: int) -> Callable[[Array, Array], Array]:
    """The sum of ``terms`` divided by ``n``."""
    return lambda a, b: np.asarray(np.sum(terms(a, b)) / n)


def broadcast_shape(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape two operands broadcast to, or None if they do not."""
    try:
        return np.broadcast_shapes(first, second)
    except ValueError:
        return None


def readings(terms: Terms, first: tuple[int, ...], second: tuple[int, ...], broadcast: bool) -> list[Reading]:
    """The readings of a loss of operands of shapes ``first`` and ``second``: paired
    when their sizes agree, broadcast when they broadcast and ``broadcast`` says the
    loss may, each over every divisor the book's losses use."""
    ways: list[tuple[str, tuple[int, ...], Terms]] = []
    if math.prod(first) == math.prod(second):
        ways.append(("paired", first, lambda a, b: terms(a, b.reshape(a.shape))))
    both = broadcast_shape(first, second)
    if broadcast and both is not None:
        ways.append(("broadcast", both, terms))
    result = []
    for how, term_shape, pairwise_terms in ways:
        divisors: dict[int, str] = {}
        for n, whose in ((_length(first), "the first operand's"), (_length(second), "the second operand's"),
                         (_length(term_shape), "the terms'")):
            divisors.setdefault(n, whose)
        for n, whose in sorted(divisors.items()):
            result.append(Reading(f"{how}, divided by {whose} length {n}", _mean_of(pairwise_terms, n)))
    return result


# --------------------------------------------------------------------- shapes and values


def _with_units(core: Sequence[int], ndim: int, places: Sequence[int]) -> tuple[int, ...]:
    shape = [1] * ndim
    for place, n in zip(sorted(places), core):
        shape[place] = n
    return tuple(shape)


def unit_variants(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes with the same sides other than 1, in the same order, and 1s added or
    removed: (3,) gives (3, 1), (1, 3), (1, 3, 1), ... (one element per element)."""
    core = [n for n in shape if n != 1]

    def placed(ndim: int) -> st.SearchStrategy[tuple[int, ...]]:
        places = st.lists(st.integers(0, max(ndim - 1, 0)), min_size=len(core), max_size=len(core), unique=True)
        return places.map(lambda p: _with_units(core, ndim, p))

    return st.integers(len(core), MAX_DIMS).flatmap(placed)


def _shapes() -> st.SearchStrategy[tuple[int, ...]]:
    return npst.array_shapes(min_dims=1, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE)


def _values(shape: tuple[int, ...], low: float, high: float) -> st.SearchStrategy[Array]:
    cents = st.integers(round(low * 100), round(high * 100)).map(lambda c: c / 100)
    return npst.arrays(np.float64, shape, elements=cents)


def _variable_or_none(impl: Implementation, operand: Operand) -> VariableLike | None:
    return impl.variable(operand.values.copy()) if operand.as_variable else None


# --------------------------------------------------------------------- the oracle


def assert_refused_or_consistent(
    impl: Implementation,
    oracle: str,
    call: Callable[..., VariableLike],
    operands: Sequence[Operand],
    candidates: Sequence[Reading],
    may_refuse: bool,
    data: st.DataObject,
) -> None:
    """Call the loss; a ``ValueError``/``TypeError`` passes when ``may_refuse``, else
    the value must be one of ``candidates`` and the gradients that reading's."""
    variables = [_variable_or_none(impl, o) for o in operands]
    given = [o.values.copy() if v is None else v for o, v in zip(operands, variables)]
    if may_refuse:
        try:
            y = call(*given)
        except (ValueError, TypeError):
            return
    else:
        y = call(*given)
    got = np.asarray(y.data)
    if got.size != 1:
        raise AssertionError(f"[{oracle}] the loss has shape {got.shape}, not a single value")
    first, second = (o.values for o in operands)
    values = [complex(r.value(first.astype(np.complex128), second.astype(np.complex128))).real for r in candidates]
    matching = [r for r, v in zip(candidates, values) if abs(float(got.flat[0]) - v) <= RTOL * (1 + abs(v))]
    if not matching:
        listed = "; ".join(f"{r.name}: {v!r}" for r, v in zip(candidates, values))
        raise AssertionError(
            f"[{oracle}] the loss of shapes {first.shape} and {second.shape} is {float(got.flat[0])!r}, "
            f"which is none of its readings ({listed})"
        )
    w = data.draw(cotangents(got.shape), label="cotangent")
    backward(impl, y, w)
    gradients = [None if v is None else grad_array(v.grad) for v in variables]
    problems = [_gradient_problems(r, operands, gradients, float(w.flat[0])) for r in matching]
    if all(problems):
        raise AssertionError(f"[{oracle}] operands of shapes {first.shape} and {second.shape}, read as "
                             f"{matching[0].name}: {problems[0]}")


def _gradient_problems(
    reading: Reading, operands: Sequence[Operand], gradients: Sequence[Array | None], w: float
) -> str:
    """What is wrong with the gradients under ``reading`` ('' when nothing)."""
    arrays = [o.values.astype(np.complex128) for o in operands]
    for k, (operand, g) in enumerate(zip(operands, gradients)):
        if not operand.as_variable:
            continue
        name = ("first", "second")[k]
        if g is None:
            if operand.gradient_required:
                return f"the {name} operand received no gradient"
            continue
        if g.shape != operand.values.shape:
            return f"the gradient of the {name} operand has shape {g.shape}, the operand {operand.values.shape}"
        expected = np.zeros(operand.values.shape)
        for index in np.ndindex(*operand.values.shape):
            bumped = list(arrays)
            bumped[k] = arrays[k].copy()
            bumped[k][index] += 1j * STEP
            expected[index] = w * np.imag(reading.value(*bumped)) / STEP
        allowed = RTOL * (1 + np.abs(expected) + np.max(np.abs(expected), initial=0.0))
        if not np.all(np.abs(g - expected) <= allowed):
            return (f"the gradient of the {name} operand is {np.array2string(g, precision=6)}, "
                    f"the derivative of this reading {np.array2string(expected, precision=6)}")
    return ""


# --------------------------------------------------------------------- the losses


def _squared(a: Array, b: Array) -> Array:
    return np.asarray((a - b) ** 2)


def _logistic(x: Array, t: Array) -> Array:
    """``softplus(x) - t x``, the logistic loss of logits (moderate x only)."""
    return np.asarray(np.log(1 + np.exp(x)) - t * x)


def _binary(p: Array, t: Array) -> Array:
    return np.asarray(-(t * np.log(p) + (1 - t) * np.log(1 - p)))


@pytest.mark.requires("F.mean_squared_error")
@given(data=st.data())
def test_mean_squared_error_of_operands_that_broadcast(impl: Implementation, data: st.DataObject) -> None:
    """Any two shapes that broadcast, or pair element by element."""
    skip_unless_offered(impl, BY_NAME["mean_squared_error"])
    first = data.draw(_shapes(), label="x0 shape")
    second = data.draw(
        st.one_of(st.just(first), unit_variants(first),
                  npst.broadcastable_shapes(first, min_dims=0, max_dims=MAX_DIMS, max_side=MAX_SIDE)),
        label="x1 shape",
    )
    operands = [
        Operand(data.draw(_values(first, -2, 2), label="x0"), True, True),
        Operand(data.draw(_values(second, -2, 2), label="x1"), data.draw(st.booleans(), label="x1 is a Variable"),
                True),
    ]
    assert_refused_or_consistent(
        impl, "mean_squared_error shapes", Functions(impl).mean_squared_error, operands,
        readings(_squared, first, second, broadcast=True), may_refuse=first != second, data=data,
    )


TARGET_LOSSES: dict[str, tuple[Terms, tuple[float, float]]] = {
    "sigmoid_cross_entropy": (_logistic, (-2.0, 2.0)),
    "binary_cross_entropy": (_binary, (0.15, 0.85)),
}


@pytest.mark.parametrize("loss", sorted(TARGET_LOSSES))
@given(data=st.data())
def test_targets_of_each_shape(impl: Implementation, loss: str, data: st.DataObject) -> None:
    """Targets of the input's shape, with 1s added or removed (another number of
    axes: the book pairs them), or broadcasting with the same number of axes."""
    skip_unless_offered(impl, BY_NAME[loss])
    terms, (low, high) = TARGET_LOSSES[loss]
    first = data.draw(_shapes(), label="input shape")
    second = data.draw(
        st.one_of(st.just(first), unit_variants(first),
                  npst.broadcastable_shapes(first, min_dims=len(first), max_dims=len(first), max_side=MAX_SIDE)),
        label="target shape",
    )
    target = data.draw(_values(second, 0, 1), label="target")
    operands = [
        Operand(data.draw(_values(first, low, high), label="input"), True, True),
        Operand(target, data.draw(st.booleans(), label="target is a Variable"), False),
    ]
    # The book broadcasts a target of the input's number of axes; any target that
    # broadcasts to the input's own shape is compared with one input element each.
    broadcast = len(second) == len(first) or broadcast_shape(first, second) == first
    assert_refused_or_consistent(
        impl, f"{loss} shapes", getattr(Functions(impl), loss), operands,
        readings(terms, first, second, broadcast=broadcast), may_refuse=first != second, data=data,
    )


def _mean_cross_entropy(labels: Sequence[int]) -> Callable[[Array, Array], Array]:
    """``mean_i -log softmax(x)[i, labels[i]]`` (the second argument is unused)."""
    rows = np.arange(len(labels))

    def value(x: Array, _: Array) -> Array:
        shift = np.max(np.real(x), axis=1, keepdims=True)
        log_z = shift + np.log(np.sum(np.exp(x - shift), axis=1, keepdims=True))
        return np.asarray(-np.sum((x - log_z)[rows, list(labels)]) / len(labels))

    return value


@pytest.mark.requires("F.softmax_cross_entropy")
@given(data=st.data())
def test_softmax_cross_entropy_with_labels_n_or_n_by_1(impl: Implementation, data: st.DataObject) -> None:
    """Scores (N, C) and integer labels of shape (N,) (must work) or (N, 1) (may be
    refused), as an array or a Variable: the loss pairs row i with label i."""
    skip_unless_offered(impl, BY_NAME["softmax_cross_entropy"])
    n, classes = data.draw(st.integers(1, 4), label="N"), data.draw(st.integers(1, 4), label="C")
    labels = data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n), label="labels")
    column = data.draw(st.booleans(), label="labels of shape (N, 1)")
    label_array = np.array(labels, dtype=np.int64).reshape((n, 1) if column else (n,))
    operands = [
        Operand(data.draw(_values((n, classes), -2, 2), label="scores"), True, True),
        Operand(label_array, data.draw(st.booleans(), label="labels are a Variable"), False),
    ]
    pairs = Reading("row i with label i, divided by N", _mean_cross_entropy(labels))
    assert_refused_or_consistent(
        impl, "softmax_cross_entropy labels", Functions(impl).softmax_cross_entropy, operands, [pairs],
        may_refuse=column, data=data,
    )
