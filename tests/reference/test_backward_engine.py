"""The reverse-mode engine: schedule, seeds, multi-output zeros, retain_grad,
accumulation across calls, and higher-order graphs."""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import dezero.functions as F
from dezero import Function, Variable, no_grad
from dezero.core import V
from tests.reference.helpers import F64, finite_difference_grads, generator, normal


class Scaled(Function[Variable]):
    """y = sum_i coefficient_i * x_i; every backward call is appended to ``calls``."""

    def __init__(self, coefficients: Sequence[float], calls: list[Scaled]) -> None:
        self.coefficients = coefficients
        self.calls = calls

    def forward(self, *xs: F64) -> F64:
        return np.asarray(sum(c * x for c, x in zip(self.coefficients, xs)))

    def backward(self, gy: Variable) -> tuple[Variable, ...]:
        self.calls.append(self)
        return tuple(gy * c for c in self.coefficients)


# ---------------------------------------------------------------- exactly once, in order


def test_diamond_runs_each_backward_once() -> None:
    calls: list[Scaled] = []
    x = Variable(np.array([1.0, 2.0]))
    a = Scaled([2.0], calls)(x)
    b = Scaled([3.0], calls)(a)
    c = Scaled([5.0], calls)(a)
    y = Scaled([1.0, 1.0], calls)(b, c)
    y.backward()
    assert len(calls) == 4
    assert len({id(f) for f in calls}) == 4
    assert calls[-1] is a.creator  # after both of its consumers
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [2.0 * (3.0 + 5.0)] * 2)


def test_wide_fan_in_runs_each_backward_once() -> None:
    branches = 1000
    calls: list[Scaled] = []
    x = Variable(np.array(1.0))
    shared = Scaled([2.0], calls)(x)
    outputs = [Scaled([float(k)], calls)(shared) for k in range(branches)]
    y = Scaled([1.0] * branches, calls)(*outputs)
    y.backward()
    assert len(calls) == branches + 2
    assert len({id(f) for f in calls}) == branches + 2
    assert calls[-1] is shared.creator
    assert x.grad is not None
    assert x.grad.array == 2.0 * sum(range(branches))


def _random_dag(seed: int, leaves: int, nodes: int) -> list[tuple[list[int], list[float]]]:
    """Each node: indices of earlier values it combines, and their coefficients."""
    rng = generator(seed)
    dag = []
    for k in range(nodes):
        available = leaves + k
        arity = int(rng.integers(1, 4))
        inputs = [int(i) for i in rng.integers(0, available, arity)]
        inputs[0] = available - 1  # chain the nodes so that the last depends on many
        dag.append((inputs, [float(c) for c in rng.uniform(-2, 2, arity)]))
    return dag


def _evaluate_with_numpy(dag: list[tuple[list[int], list[float]]], *leaves: F64) -> F64:
    values = list(leaves)
    for inputs, coefficients in dag:
        values.append(np.asarray(sum(c * values[i] for c, i in zip(coefficients, inputs))))
    return values[-1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_dag_runs_each_function_once_after_all_its_consumers(seed: int) -> None:
    dag = _random_dag(seed, leaves=3, nodes=40)
    leaf_data = [normal(seed * 10 + k, 2) for k in range(3)]
    calls: list[Scaled] = []
    values = [Variable(d.copy()) for d in leaf_data]
    for inputs, coefficients in dag:
        values.append(Scaled(coefficients, calls)(*[values[i] for i in inputs]))
    root = values[-1]
    upstream = normal(seed + 99, 2)
    root.grad = Variable(upstream)
    root.backward()

    ancestors: set[int] = set()
    stack = [root.creator]
    while stack:
        func = stack.pop()
        if func is None or id(func) in ancestors:
            continue
        ancestors.add(id(func))
        stack.extend(x.creator for x in func.inputs)
    assert sorted(id(f) for f in calls) == sorted(ancestors)  # each ancestor exactly once

    position = {id(f): k for k, f in enumerate(calls)}
    for func in calls:
        for x in func.inputs:
            if x.creator is not None:
                assert position[id(x.creator)] > position[id(func)]

    expected = finite_difference_grads(lambda *a: _evaluate_with_numpy(dag, *a), leaf_data, upstream)
    for leaf, want in zip(values[:3], expected):
        got = np.zeros(2) if leaf.grad is None else leaf.grad.array
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_the_same_variable_twice_in_one_function() -> None:
    x = Variable(np.array(3.0))
    (x + x).backward()
    assert x.grad is not None and x.grad.array == 2.0
    x.cleargrad()
    (x * x).backward()
    assert x.grad is not None and x.grad.array == 6.0


# ---------------------------------------------------------------- seeds


def test_backward_on_a_leaf_seeds_ones_and_returns() -> None:
    x = Variable(np.zeros((2, 3), dtype=np.float32))
    x.backward()
    assert x.grad is not None
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, np.ones((2, 3)))


def test_backward_on_an_output_built_under_no_grad_seeds_ones_and_returns() -> None:
    x = Variable(np.array([1.0, 2.0]))
    with no_grad():
        y = x * 3.0
    y.backward()
    assert x.grad is None
    assert y.grad is not None
    np.testing.assert_array_equal(y.grad.array, [1.0, 1.0])


def test_a_user_seed_scales_the_gradient() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = x * 3.0
    y.grad = Variable(np.array([10.0, -1.0]))
    y.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [30.0, -3.0])


@pytest.mark.parametrize("seed_shape", [(3,), (1, 2), (2, 1), ()], ids=str)
def test_a_seed_of_the_wrong_shape_is_a_value_error(seed_shape: tuple[int, ...]) -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = x * 3.0
    y.grad = Variable(np.ones(seed_shape))
    message = f"the seed gradient has shape {seed_shape}, but the output has shape (2,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        y.backward()


def test_a_seed_of_the_wrong_shape_on_a_leaf_is_a_value_error() -> None:
    x = Variable(np.array([1.0, 2.0]))
    x.grad = Variable(np.ones(3))
    with pytest.raises(ValueError, match="the seed gradient has shape"):
        x.backward()


def test_a_seed_that_is_not_a_variable_is_a_type_error() -> None:
    y = Variable(np.array([1.0, 2.0])) * 3.0
    y.grad = np.ones(2)  # type: ignore[assignment]  # deliberately wrong
    with pytest.raises(TypeError, match="the seed gradient must be a Variable, got ndarray"):
        y.backward()


def test_an_integer_seed_is_cast_to_the_output_dtype() -> None:
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    y = x * 3.0
    y.grad = Variable(np.array([1, 2]))
    y.backward()
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [3.0, 6.0])


def test_a_seed_that_is_not_numeric_is_a_type_error() -> None:
    y = Variable(np.array([1.0, 2.0])) * 3.0
    y.grad = Variable(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="the seed gradient must be numeric, got <U1"):
        y.backward()


def test_a_seed_of_another_float_dtype_is_cast_to_the_output_dtype() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = x * 3.0
    y.grad = Variable(np.array([1.0, 2.0], dtype=np.float32))
    y.backward()
    assert x.grad is not None
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.array, [3.0, 6.0])


# ---------------------------------------------------------------- multi-output Functions


class DoubleAndTotal(Function[list[Variable]]):
    """Two outputs of different shapes: (2 x, sum(x)); records the grads it receives."""

    received: list[tuple[Variable, Variable]]

    def forward(self, x: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        return x * 2, np.asarray(x.sum())

    def backward(self, g_double: Variable, g_total: Variable) -> Variable:
        self.received = getattr(self, "received", []) + [(g_double, g_total)]
        return g_double * 2.0 + g_total


def test_an_output_that_got_no_gradient_receives_zeros() -> None:
    func = DoubleAndTotal()
    x = Variable(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    double, total = func(x)
    (total * 5.0).backward()
    (g_double, g_total), = func.received
    assert g_double.shape == (3,) and g_double.dtype == np.float32
    np.testing.assert_array_equal(g_double.array, [0.0, 0.0, 0.0])
    assert g_total.array == 5.0
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [5.0, 5.0, 5.0])
    assert double.grad is None


def test_an_output_that_was_freed_receives_zeros_of_its_shape_and_dtype() -> None:
    func = DoubleAndTotal()
    x = Variable(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    double, total = func(x)
    del total
    gc.collect()
    assert func.outputs[1]() is None
    double.grad = Variable(np.array([1.0, 10.0, 100.0], dtype=np.float32))
    double.backward()
    (g_double, g_total), = func.received
    assert g_total.shape == () and g_total.dtype == np.float32
    assert g_total.array == 0.0
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [2.0, 20.0, 200.0])


def test_both_outputs_of_a_multi_output_function_feeding_one_root() -> None:
    func = DoubleAndTotal()
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    double, total = func(x)
    y = F.sum(double * np.array([1.0, 3.0], dtype=np.float32)) + total * 7.0
    y.backward()
    assert len(func.received) == 1
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.array, [2.0 + 7.0, 6.0 + 7.0])


# ---------------------------------------------------------------- retain_grad and accumulation


def test_without_retain_grad_only_leaves_keep_gradients() -> None:
    x = Variable(np.array(2.0))
    h = x * x
    y = h * 3.0
    y.backward()
    assert h.grad is None
    assert y.grad is None
    assert x.grad is not None and x.grad.array == 12.0


def test_retain_grad_keeps_intermediate_and_root_gradients() -> None:
    x = Variable(np.array(2.0))
    h = x * x
    y = h * 3.0
    y.backward(retain_grad=True)
    assert y.grad is not None and y.grad.array == 1.0
    assert h.grad is not None and h.grad.array == 3.0
    assert x.grad is not None and x.grad.array == 12.0


def test_backward_twice_accumulates_into_leaves() -> None:
    x = Variable(np.array([1.0, -2.0]))
    y = F.sin(x) * x
    y.backward()
    y.backward()
    expected_once = np.cos(x.array) * x.array + np.sin(x.array)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, 2 * expected_once)


def test_a_stale_retained_gradient_does_not_leak_into_a_later_backward() -> None:
    x = Variable(np.array(2.0))
    h = x * x
    y = h * 3.0
    y.backward(retain_grad=True)  # leaves h.grad == 3
    x.cleargrad()
    y.backward()
    assert x.grad is not None and x.grad.array == 12.0  # 3 * 2x, not (3 + 3) * 2x

    x.cleargrad()
    z = h * 5.0  # another root through h, whose grad is still set
    z.backward()
    assert x.grad is not None and x.grad.array == 20.0


def test_retained_gradients_accumulate_like_leaf_gradients() -> None:
    x = Variable(np.array(2.0))
    h = x * x
    y = h * 3.0
    y.backward(retain_grad=True)
    y.backward(retain_grad=True)
    assert h.grad is not None and h.grad.array == 6.0
    assert x.grad is not None and x.grad.array == 24.0


# ---------------------------------------------------------------- create_graph


def test_without_create_graph_gradients_have_no_creator() -> None:
    x = Variable(np.array(2.0))
    (x**3).backward()
    assert x.grad is not None and x.grad.creator is None


def test_create_graph_gives_a_differentiable_gradient() -> None:
    x = Variable(np.array(2.0))
    y = x**3
    y.backward(create_graph=True)
    gx = x.grad
    assert gx is not None and gx.creator is not None
    assert gx.array == 12.0  # 3 x^2
    x.cleargrad()
    gx.backward()
    assert x.grad is not None and x.grad.array == 12.0  # 6 x


def test_create_graph_third_derivative_of_sin() -> None:
    x = Variable(np.array(0.7))
    y = F.sin(x)
    derivatives = []
    for _ in range(3):
        x.cleargrad()
        y.backward(create_graph=True)
        assert x.grad is not None
        y = x.grad
        derivatives.append(float(y.array))
    np.testing.assert_allclose(derivatives, [np.cos(0.7), -np.sin(0.7), -np.cos(0.7)])


def test_backward_restores_grad_mode() -> None:
    x = Variable(np.array(1.0))
    (x * 2.0).backward(create_graph=False)
    assert (x * 2.0).creator is not None
    with no_grad():
        (x * 2.0).backward(create_graph=True)
        assert (x * 2.0).creator is None


# ---------------------------------------------------------------- backward on arrays (array_backward)


class Cube(Function[Variable]):
    """x ** 3, its backward written once for arrays and Variables; records what it gets."""

    __slots__ = ("received",)
    array_backward = True

    def __init__(self) -> None:
        self.received: list[type] = []

    def forward(self, x: F64) -> F64:
        return x**3

    def backward(self, gy: V) -> V:
        self.received.append(type(gy))
        (x,) = self.inputs_like(gy)
        gx: V = gy * 3 * x * x
        return gx


def test_an_array_backward_gets_arrays_without_create_graph_and_variables_with_it() -> None:
    x = Variable(np.array([1.0, 2.0]))
    f = Cube()
    y = f(x)
    y.backward()
    plain = x.grad
    x.cleargrad()
    y.backward(create_graph=True)
    differentiable = x.grad
    assert f.received == [np.ndarray, Variable]
    assert plain is not None and plain.creator is None
    assert differentiable is not None and differentiable.creator is not None
    np.testing.assert_array_equal(plain.array, [3.0, 12.0])
    np.testing.assert_array_equal(differentiable.array, [3.0, 12.0])


def test_book_style_backward_gets_variables_in_both_modes() -> None:
    func = DoubleAndTotal()
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    double, total = func(x)
    total.backward()
    total.backward(create_graph=True)
    assert all(isinstance(g, Variable) for pair in func.received for g in pair)


def test_built_in_functions_take_arrays_in_backward() -> None:
    builtins = [getattr(F, name) for name in F.__all__ if name[0].isupper()]
    assert builtins and all(cls.array_backward for cls in builtins)


def test_an_array_backward_that_returns_a_variable_is_a_type_error() -> None:
    class Leaky(Cube):
        __slots__ = ()

        def backward(self, gy: V) -> V:
            return Variable(np.asarray(gy))  # type: ignore[return-value]  # the error under test

    with pytest.raises(TypeError, match="Leaky.backward was given arrays and must return arrays"):
        Leaky()(Variable(np.ones(2))).backward()


def test_zero_dimensional_inputs_reach_an_array_backward_as_numpy_scalars() -> None:
    class Seeing(Cube):
        __slots__ = ("seen",)
        seen: list[Any]

        def backward(self, gy: V) -> V:
            self.seen = self.inputs_like(gy)
            return super().backward(gy)

    x = Variable(np.array(2.0, dtype=np.float32))
    f = Seeing()
    f(x).backward()
    assert type(f.seen[0]) is np.float32
    assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.array == 12.0


def test_apply_calls_forward_on_arrays_and_the_function_on_variables() -> None:
    a = np.array([0.5, 1.0])
    assert isinstance(F.Sin().apply(a), np.ndarray)
    np.testing.assert_array_equal(F.Sin().apply(a), np.sin(a))
    v = F.Sin().apply(Variable(a))
    assert isinstance(v, Variable) and isinstance(v.creator, F.Sin)
