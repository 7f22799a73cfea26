"""Memory: gradients never share memory and are writable; graphs hold no
reference cycles (unless create_graph=True) and are freed by reference counting;
a 1,000,000-node chain backpropagates and is freed without recursion."""

from __future__ import annotations

import gc
import itertools
import weakref
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pytest

import dezero.functions as F
from dezero import Function, Variable
from tests.helpers.refcount import cyclic_gc_disabled


def _assert_grads_independent(variables: list[Variable]) -> None:
    grads = [v.grad for v in variables]
    for v, g in zip(variables, grads):
        assert g is not None, f"{v.name} has no grad"
        assert g.array.flags.writeable, f"{v.name}.grad is read-only"
    for (a, ga), (b, gb) in itertools.combinations(zip(variables, grads), 2):
        assert ga is not gb, f"{a.name} and {b.name} share one grad object"
        assert ga is not None and gb is not None
        assert not np.shares_memory(ga.array, gb.array), f"{a.name} and {b.name} share grad memory"


def test_add_gives_each_input_its_own_gradient() -> None:
    x0, x1 = Variable(np.ones(3), name="x0"), Variable(np.ones(3), name="x1")
    (x0 + x1).backward()
    _assert_grads_independent([x0, x1])
    assert x0.grad is not None and x1.grad is not None
    x0.grad.array[...] = 7.0  # an in-place update, as an optimizer hook would do
    np.testing.assert_array_equal(x1.grad.array, [1.0, 1.0, 1.0])


def test_gradients_with_create_graph_are_independent_too() -> None:
    x0, x1 = Variable(np.ones(3), name="x0"), Variable(np.ones(3), name="x1")
    y = x0 + x1
    y.name = "y"
    y.backward(retain_grad=True, create_graph=True)
    _assert_grads_independent([x0, x1, y])


def test_retained_gradients_and_leaf_gradients_are_independent() -> None:
    a, b = Variable(np.ones(3), name="a"), Variable(np.ones(3), name="b")
    s = a + b
    s.name = "s"
    t = s.reshape(3, 1)
    t.name = "t"
    r = F.sum_to(F.broadcast_to(t, (2, 3, 1)), (3, 1)) + a.reshape(3, 1)
    r.name = "r"
    r.backward(retain_grad=True)
    _assert_grads_independent([a, b, s, t, r])


def test_reshape_gradient_is_not_a_view_of_the_retained_output_gradient() -> None:
    x = Variable(np.ones((2, 3)), name="x")
    y = x.reshape(6)
    y.name = "y"
    y.grad = Variable(np.arange(6.0))
    y.backward(retain_grad=True)
    _assert_grads_independent([x, y])
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, np.arange(6.0).reshape(2, 3))


def test_a_seed_borrowed_from_another_variable_is_not_shared() -> None:
    h = Variable(np.ones(3), name="h")
    (h * 2.0).backward()
    x = Variable(np.ones(3), name="x")
    y = x + 1.0
    y.grad = h.grad
    y.backward()
    _assert_grads_independent([h, x])


def test_gradients_from_broadcasting_are_writable() -> None:
    builders: list[Callable[[Variable], Variable]] = [
        F.sum,
        lambda v: F.broadcast_to(v, (4, 3)),
        lambda v: F.broadcast_to(v[None], (2, 3))[0],
    ]
    for build in builders:
        x = Variable(np.ones(3), name="x")
        build(x).backward()
        assert x.grad is not None
        assert x.grad.array.flags.writeable
        x.grad.array[...] += 1.0


# ---------------------------------------------------------------- reference cycles


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    """Only reference counting frees objects inside the test."""
    with cyclic_gc_disabled():
        yield


class DoubleAndTotal(Function[list[Variable]]):
    """A two-output Function: (2 x, sum(x))."""

    def forward(self, x: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        return x * 2, np.asarray(x.sum())

    def backward(self, g_double: Variable, g_total: Variable) -> Variable:
        return g_double * 2.0 + g_total


def _build_and_backprop(create_graph: bool) -> list[weakref.ref[object]]:
    x = Variable(np.array([0.5, -1.0, 2.0]), name="x")
    W = Variable(np.ones((3, 2)) * 0.1, name="W")
    double, total = DoubleAndTotal()(x)
    h = F.tanh(F.linear(x.reshape(1, 3), W)) * total + F.max(double) + x[1:]
    loss = F.softmax_cross_entropy(h, np.array([1])) + F.sum(F.sigmoid(x) ** 2) / F.exp(x[0])
    loss.backward(retain_grad=True, create_graph=create_graph)
    tracked: list[object] = [x, W, double, total, h, loss, loss.creator, h.creator, x.grad, W.grad, h.grad]
    return [weakref.ref(obj) for obj in tracked]


@pytest.mark.usefixtures("gc_disabled")
def test_graph_and_gradients_are_freed_by_reference_counting_alone() -> None:
    refs = _build_and_backprop(create_graph=False)
    alive = [r() for r in refs if r() is not None]
    assert alive == []


@pytest.mark.usefixtures("gc_disabled")
def test_create_graph_leaves_a_cycle_through_the_gradient_that_gc_collects() -> None:
    """Documented exception: with create_graph=True, x.grad is computed from x, so
    x -> x.grad -> its creator -> ... -> x is a cycle. Reference counting cannot
    free it; the cyclic collector does (or clear the grads first)."""
    refs = _build_and_backprop(create_graph=True)
    assert any(r() is not None for r in refs)
    gc.collect()
    assert all(r() is None for r in refs)


@pytest.mark.usefixtures("gc_disabled")
def test_clearing_gradients_breaks_the_create_graph_cycle() -> None:
    x = Variable(np.array(1.5))
    y = F.sin(x) * x
    y.backward(create_graph=True)
    refs = [weakref.ref(o) for o in (x, y, x.grad)]
    x.cleargrad()
    del x, y
    assert all(r() is None for r in refs)


# ---------------------------------------------------------------- deep chains


class Step(Function[Variable]):
    """The cheapest possible node, so that a million of them stay fast."""

    def forward(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return x

    def backward(self, gy: Variable) -> Variable:
        return gy


def test_a_million_node_chain_backpropagates_and_is_freed_without_recursion() -> None:
    x = Variable(np.array(3.0))
    y = Step()(x)
    first_step = weakref.ref(y.creator) if y.creator else None
    for _ in range(999_999):
        y = Step()(y)
    assert y.generation == 1_000_000
    y.grad = Variable(np.array(2.0))
    y.backward()
    assert x.grad is not None and x.grad.array == 2.0
    del y
    assert first_step is not None and first_step() is None


def test_a_deep_chain_of_library_functions_backpropagates() -> None:
    x = Variable(np.array(1.0))
    y = x
    for _ in range(50_000):
        y = -(y + 0.5)  # alternating sign: after an even count, d y / d x = 1
    y.backward()
    assert x.grad is not None and x.grad.array == 1.0
