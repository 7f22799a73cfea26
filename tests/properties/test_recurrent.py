"""Oracle: recurrent layers against their recurrence in NumPy, and ``SeqDataLoader``
against the book's batches.

``RNN`` and ``LSTM`` (the implementation's layers module) get drawn parameters and
run over a drawn sequence, with ``in_size`` different from ``hidden_size`` as often
as not. The values must follow the recurrence in NumPy from a zero state
(:mod:`strategies.oracles.recurrent`: ``h = tanh(x Wx + b + h Wh)``; the LSTM's
forget, input and output gates are sigmoids, its candidate a tanh, ``c = f c + i u``,
``h = o tanh(c)``). The gradients
of the unrolled sequence with respect to every input and parameter must match the
complex step of that recurrence (exact to rounding: every step is analytic).
``reset_state`` between two sequences must make the second start from zero, and
``unchain_backward`` on a loss must cut the graph there: the next segment's
gradients are those of the recurrence started from the cut state as a constant, and
the inputs before the cut receive nothing more (truncated backpropagation through
time, as the book's step 59 trains).

Starting "from zero" and "skipping the hidden-to-hidden term at the first step" (the
book) give the same values, so both designs pass. The parameters are set the way
the suite sets any layer's (``P.with_params``), by the book's layout: sub-layers
``x2h``, ``h2h`` (RNN) and ``x2f``, ``x2i``, ``x2o``, ``x2u``, ``h2f``, ... (LSTM), each
a ``Linear`` with ``W`` of shape (in, out); a weight the layer made itself must have
the shape its recurrence needs. A layer of another layout is not applicable.

``SeqDataLoader``: batch ``k`` of an epoch holds, in row ``i``, item
``(i * (len // batch_size) + k) % len`` of the dataset, for ``ceil(len /
batch_size)`` batches; the next epoch repeats them (the book's dataloaders.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies.implementation.handle import Implementation, ImplementationError
from strategies.implementation.probes import Probes
from strategies.implementation.protocols import Array, VariableLike, grad_array
from strategies.oracles.numerics import STEP, side_by_side
from strategies.oracles.recurrent import GATES, parameter_shapes, run
from strategies.survey.backprop import backward

from ..helpers.gates import offered_name
from ..helpers.loaders import Items, one_epoch

pytestmark = pytest.mark.requires("operators", "layers")

LAYERS = [pytest.param(name, marks=pytest.mark.requires(f"L.{name}")) for name in GATES]

# float64 throughout; backprop's rounding in these small graphs is ~1e-15 of the
# magnitudes involved, a wrong rule at least ~1e-3.
RTOL, ATOL = 1e-8, 1e-11


# --------------------------------------------------------------------- the recurrence's derivatives


def _bumped(a: Array) -> Array:
    """``a`` once per element, that element shifted by ``i STEP``: shape ``(a.size,) + a.shape``."""
    return a[None].astype(np.complex128) + 1j * STEP * np.eye(a.size).reshape((a.size, *a.shape))


class Segment:
    """One segment of a sequence: parameters, inputs ``x0, x1, ...``, cotangents
    ``w0, w1, ...`` and the starting state ``(h0, c0)`` (constants)."""

    def __init__(self, kind: str, params: dict[str, Array], xs: list[Array], ws: list[Array],
                 h0: Array, c0: Array) -> None:
        self.kind, self.params, self.xs, self.ws, self.h0, self.c0 = kind, params, xs, ws, h0, c0

    def arrays(self) -> dict[str, Array]:
        return {**self.params, **{f"x{t}": x for t, x in enumerate(self.xs)}}

    def _run(self, arrays: dict[str, Array]) -> tuple[list[Array], Array, Array]:
        """The hidden states over the inputs, and the last state ``(h, c)``, of the
        recurrence on ``arrays`` (each with a leading axis of bumps)."""
        p = {name: arrays[name] for name in self.params}
        xs = [arrays[f"x{t}"] for t in range(len(self.xs))]
        start = (self.h0[None], self.c0[None])
        states = run(self.kind, p, xs, *start)
        h, c = states[-1] if states else start
        return [h for h, _ in states], h, c

    def values(self) -> tuple[list[Array], Array, Array]:
        """The hidden states, and the last state ``(h, c)``."""
        hs, h, c = self._run({name: a[None] for name, a in self.arrays().items()})
        return [v[0] for v in hs], h[0], c[0]

    def gradient(self, name: str) -> tuple[Array, Array]:
        """``d(sum_t w_t . h_t) / d(name)`` by the complex step, and the magnitude
        sum ``|J|^T |w|`` of its terms (for the tolerance)."""
        arrays = {n: a[None] for n, a in self.arrays().items()}
        target = self.arrays()[name]
        arrays[name] = _bumped(target)
        columns = [np.imag(h) / STEP for h in self._run(arrays)[0]]
        grad = sum(np.sum(w * col, axis=(1, 2)) for w, col in zip(self.ws, columns))
        magnitude = sum(np.sum(np.abs(w) * np.abs(col), axis=(1, 2)) for w, col in zip(self.ws, columns))
        return np.reshape(grad, target.shape), np.reshape(magnitude, target.shape)


# --------------------------------------------------------------------- the layer under test


def _layers(impl: Implementation) -> Any:
    try:
        return impl.submodule("layers")
    except ImplementationError as exc:
        pytest.skip(f"not applicable: {exc}")


def make_layer(impl: Implementation, kind: str, in_size: int, hidden: int, params: dict[str, Array],
               sized: bool = True) -> tuple[Any, dict[str, VariableLike]]:
    """``L.<kind>(hidden, in_size=in_size)`` (``in_size=None`` unless ``sized``: the
    layer then sizes its weights at the first call) with its parameters replaced by
    Variables of ``params``; those Variables by name."""
    with impl.seeded(0):  # the layer may draw its own weights: make that repeatable
        layer = getattr(_layers(impl), kind)(hidden, in_size=in_size if sized else None)
    variables: dict[str, VariableLike] = {}
    for name, value in params.items():
        sub_name, attr = name.split(".")
        sub = getattr(layer, sub_name, None)
        if sub is None or not hasattr(sub, attr):
            pytest.skip(f"not applicable: {kind} has no {name} (the suite sets a recurrent layer's parameters "
                        f"by the book's layout: {', '.join(params)})")
        own = getattr(getattr(sub, attr), "data", None)
        if own is not None and np.shape(own) != value.shape:
            raise AssertionError(
                f"[recurrent parameter shapes] {kind}({hidden}, in_size={in_size}) made {name} of shape "
                f"{np.shape(own)}; its recurrence needs {value.shape}"
                + (" (h2h maps the hidden state, of size hidden_size, whatever in_size is: the second step "
                   "multiplies h by it)" if attr == "W"
                   and sub_name.startswith("h2") else "")
            )
        variables[name] = impl.variable(value)
        Probes.with_params(sub, **{attr: variables[name]})
    for g in GATES[kind]:  # the book's h2* have no bias; one the layer has is set to zero
        sub = getattr(layer, f"h2{g}")
        if getattr(sub, "b", None) is not None:
            Probes.with_params(sub, b=impl.variable(np.zeros(hidden)))
    return layer, variables


def run_segment(impl: Implementation, layer: Any, xs: list[Array], ws: list[Array]) -> tuple[list[VariableLike], list[VariableLike], Any]:
    """Feed ``xs`` (as Variables) to ``layer`` one step at a time; the inputs, the
    outputs and ``sum_t h_t * w_t`` (a Variable of shape (N, hidden))."""
    inputs = [impl.variable(x) for x in xs]
    outputs = [layer(x) for x in inputs]
    total = outputs[0] * ws[0]
    for h, w in zip(outputs[1:], ws[1:]):
        total = total + h * w
    return inputs, outputs, total


# --------------------------------------------------------------------- checks


def check_values(oracle: str, outputs: Sequence[VariableLike], expected: Sequence[Array], where: str) -> None:
    for t, (got, want) in enumerate(zip(outputs, expected)):
        got_data = np.asarray(got.data)
        if got_data.shape != want.shape or not np.allclose(got_data, want, rtol=1e-12, atol=1e-12):
            raise AssertionError(
                f"[{oracle}] {where}, step {t}: h differs from the recurrence in NumPy"
                + (f" (shape {got_data.shape}, expected {want.shape})" if got_data.shape != want.shape
                   else "\n" + side_by_side(got_data, want, np.full(want.shape, 1e-12)))
            )


def check_gradients(oracle: str, segment: Segment, variables: dict[str, VariableLike], where: str) -> None:
    for name, variable in variables.items():
        expected, magnitude = segment.gradient(name)
        got = grad_array(variable.grad)
        if got is None:
            if not np.any(magnitude):  # off every path to the outputs (the first step's forget gate): allowed
                continue
            raise AssertionError(f"[{oracle}] {where}: {name} received no gradient")
        allowed = RTOL * magnitude + ATOL
        if got.shape != expected.shape or not np.all(np.abs(got - expected) <= allowed):
            raise AssertionError(
                f"[{oracle}] {where}: the gradient of sum_t w_t . h_t with respect to {name} differs from the "
                f"complex step of the recurrence"
                + (f" (shape {got.shape}, expected {expected.shape})" if got.shape != expected.shape
                   else "\n" + side_by_side(got, expected, allowed))
            )


# --------------------------------------------------------------------- drawing


def _multiples(count: int, bound: int, denominator: int, nonzero: bool = False) -> st.SearchStrategy[Array]:
    """``count`` float64 multiples of ``1 / denominator`` in ``[-bound, bound] / denominator``
    (never 0 if ``nonzero``), drawn as one list: one draw per array would cost more
    than the whole check."""
    ints = st.integers(-bound, bound - 1).map(lambda k: k if k < 0 else k + 1) if nonzero else st.integers(-bound, bound)
    return st.lists(ints, min_size=count, max_size=count).map(lambda ks: np.array(ks, dtype=np.float64) / denominator)


def _split(flat: Array, shapes: Sequence[tuple[int, ...]]) -> list[Array]:
    """``flat`` cut into consecutive arrays of ``shapes``."""
    sizes = [math.prod(shape) for shape in shapes]
    ends = np.cumsum(sizes)
    return [flat[end - size:end].reshape(shape) for end, size, shape in zip(ends, sizes, shapes)]


def draw_sizes(data: st.DataObject) -> tuple[int, int, int]:
    batch = data.draw(st.integers(1, 2), label="batch size")
    in_size = data.draw(st.integers(1, 4), label="in_size")
    hidden = data.draw(st.integers(1, 3), label="hidden_size")
    return batch, in_size, hidden


def draw_params(data: st.DataObject, kind: str, in_size: int, hidden: int) -> dict[str, Array]:
    shapes = parameter_shapes(kind, in_size, hidden)
    flat = data.draw(_multiples(sum(math.prod(s) for s in shapes.values()), 8, 8), label="parameters (flat)")
    return dict(zip(shapes, _split(flat, list(shapes.values()))))


def draw_sequence(data: st.DataObject, steps: int, batch: int, in_size: int, hidden: int, label: str) -> tuple[list[Array], list[Array]]:
    """Inputs ``x_t`` (batch, in_size) and cotangents ``w_t`` (batch, hidden), nonzero
    multiples of 1/4 as the suite's cotangents are."""
    xs = _split(data.draw(_multiples(steps * batch * in_size, 8, 4), label=f"{label}: inputs (flat)"),
                [(batch, in_size)] * steps)
    ws = _split(data.draw(_multiples(steps * batch * hidden, 8, 4, nonzero=True), label=f"{label}: cotangents (flat)"),
                [(batch, hidden)] * steps)
    return xs, ws


# --------------------------------------------------------------------- properties


@pytest.mark.parametrize("kind", LAYERS)
@given(data=st.data())
def test_unrolled_sequence_matches_the_recurrence(impl: Implementation, data: st.DataObject, kind: str) -> None:
    """A first sequence, ``reset_state()``, then a second sequence: its values and the
    gradients of ``sum_t w_t . h_t`` match the recurrence from a zero state."""
    batch, in_size, hidden = draw_sizes(data)
    params = draw_params(data, kind, in_size, hidden)
    sized = data.draw(st.booleans(), label="in_size given")
    layer, variables = make_layer(impl, kind, in_size, hidden, params, sized)
    first = data.draw(st.integers(0, 2), label="steps before reset_state")
    if first:
        run_segment(impl, layer, *draw_sequence(data, first, batch, in_size, hidden, "before reset"))
        layer.reset_state()
    xs, ws = draw_sequence(data, data.draw(st.integers(1, 4), label="steps"), batch, in_size, hidden, "sequence")
    inputs, outputs, total = run_segment(impl, layer, xs, ws)
    zero = np.zeros((batch, hidden))
    segment = Segment(kind, params, xs, ws, zero, zero)
    where = f"{kind}({hidden}, in_size={in_size if sized else None})" + (f" after {first} steps and reset_state()" if first else "")
    check_values("recurrent forward", outputs, segment.values()[0], where)
    backward(impl, total, np.ones((batch, hidden)))
    check_gradients("recurrent gradients", segment,
                    {**variables, **{f"x{t}": x for t, x in enumerate(inputs)}}, where)


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.requires("Variable.unchain_backward")
@given(data=st.data())
def test_unchain_backward_truncates_backpropagation(impl: Implementation, data: st.DataObject, kind: str) -> None:
    """Segment 1, ``backward``, ``unchain_backward`` on its loss, parameters' grads
    cleared; segment 2, ``backward``: segment 2's gradients are those of the
    recurrence started from segment 1's last state as a constant, and segment 1's
    inputs keep the gradients they had."""
    batch, in_size, hidden = draw_sizes(data)
    params = draw_params(data, kind, in_size, hidden)
    layer, variables = make_layer(impl, kind, in_size, hidden, params)
    zero = np.zeros((batch, hidden))
    xs1, ws1 = draw_sequence(data, data.draw(st.integers(1, 3), label="steps of segment 1"), batch, in_size, hidden,
                             "segment 1")
    inputs1, _, total1 = run_segment(impl, layer, xs1, ws1)
    backward(impl, total1, np.ones((batch, hidden)))
    kept = [np.array(grad_array(x.grad), copy=True) for x in inputs1]
    total1.unchain_backward()
    for variable in variables.values():
        variable.grad = None  # (not cleargrad(): a method the implementation may name otherwise)
    _, h, c = Segment(kind, params, xs1, ws1, zero, zero).values()
    xs2, ws2 = draw_sequence(data, data.draw(st.integers(1, 3), label="steps of segment 2"), batch, in_size, hidden,
                             "segment 2")
    inputs2, outputs2, total2 = run_segment(impl, layer, xs2, ws2)
    backward(impl, total2, np.ones((batch, hidden)))
    segment2 = Segment(kind, params, xs2, ws2, h, c)
    where = f"{kind}({hidden}, in_size={in_size}), segment 2 after unchain_backward"
    check_values("truncated backprop", outputs2, segment2.values()[0], where)
    for t, (x, before) in enumerate(zip(inputs1, kept)):
        after = grad_array(x.grad)
        assert after is not None and np.array_equal(after, before), (
            f"[truncated backprop] {where}: segment 1's input x{t} had gradient\n{before}\nbefore segment 2's "
            f"backward and\n{after}\nafter it: backward went through the cut that unchain_backward made"
        )
    check_gradients("truncated backprop", segment2, {**variables, **{f"x{t}": x for t, x in enumerate(inputs2)}},
                    where)


@given(data=st.data())
def test_seq_data_loader_batches_walk_the_sequence(impl: Implementation, data: st.DataObject) -> None:
    loader_class = offered_name(impl, "dataloaders", "SeqDataLoader")
    n = data.draw(st.integers(1, 12), label="dataset length")
    batch_size = data.draw(st.integers(1, n), label="batch_size")
    items = Items(n)
    loader = loader_class(items, batch_size)
    count, jump = math.ceil(n / batch_size), n // batch_size
    for e in range(2):
        batches = one_epoch(loader, count)
        assert len(batches) == count, (
            f"[SeqDataLoader batches] epoch {e} of {n} items in batches of {batch_size}: {len(batches)} batches"
            f"{' or more' if len(batches) > count else ''}, the book gives ceil({n} / {batch_size}) = {count}"
        )
        for k, (x, t) in enumerate(batches):
            rows = [(i * jump + k) % n for i in range(batch_size)]
            want_x, want_t = items.batch(rows)
            assert x.shape == want_x.shape and t.shape == want_t.shape and np.array_equal(x, want_x) \
                and np.array_equal(t, want_t), (
                    f"[SeqDataLoader batches] epoch {e}, batch {k} of {n} items in batches of {batch_size}: "
                    f"labels {t.tolist()}, the book's are {want_t.tolist()} (row i holds item "
                    f"(i * {jump} + {k}) % {n}); examples\n{x}\nexpected\n{want_x}"
            )
