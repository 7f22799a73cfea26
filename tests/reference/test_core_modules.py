"""``dezero.core`` and ``dezero.core_simple`` offer the public names of the book's
modules of the same name, with the book's parameters; ``dezero.is_simple_core``.

The lists of names and parameters are facts read from the book's package (they
are written out here, so the test needs nothing outside this repository).
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

import numpy as np
import pytest

import dezero
import dezero.core
import dezero.core_simple as simple
import dezero.functions as F

# name -> the parameter names of the book's function (None: a class, or not called)
CORE_NAMES: dict[str, tuple[str, ...] | None] = {
    "Config": None, "Variable": None, "Parameter": None, "Function": None,
    "Add": None, "Mul": None, "Neg": None, "Sub": None, "Div": None, "Pow": None,
    "using_config": ("name", "value"), "no_grad": (), "test_mode": (),
    "as_variable": ("obj",), "as_array": ("x", "array_module"),
    "add": ("x0", "x1"), "mul": ("x0", "x1"), "neg": ("x",), "sub": ("x0", "x1"),
    "rsub": ("x0", "x1"), "div": ("x0", "x1"), "rdiv": ("x0", "x1"), "pow": ("x", "c"),
    "setup_variable": (),
}  # fmt: skip
CORE_SIMPLE_NAMES = {name: params for name, params in CORE_NAMES.items() if name not in ("Parameter", "test_mode")}
CORE_SIMPLE_NAMES["as_array"] = ("x",)

VARIABLE_METHODS: dict[str, tuple[str, ...]] = {
    "set_creator": ("func",), "unchain": (), "cleargrad": (),
    "backward": ("retain_grad", "create_graph"), "unchain_backward": (),
    "reshape": ("shape",), "transpose": ("axes",), "sum": ("axis", "keepdims"),
    "to_cpu": (), "to_gpu": (),
}  # fmt: skip


def parameter_names(f: Any) -> tuple[str, ...]:
    return tuple(p for p in inspect.signature(f).parameters if p != "self")


@pytest.mark.parametrize(("module", "names"), [(dezero.core, CORE_NAMES), (simple, CORE_SIMPLE_NAMES)])
def test_every_book_name_is_there_with_the_book_parameters(module: Any, names: dict[str, Any]) -> None:
    for name, params in names.items():
        value = getattr(module, name)
        if params is not None:
            assert parameter_names(value) == params, name
        assert name in module.__all__


def test_variable_methods_of_the_book() -> None:
    for name, params in VARIABLE_METHODS.items():
        assert parameter_names(getattr(dezero.core.Variable, name)) == params, name
    for prop in ("shape", "ndim", "size", "dtype", "T"):
        assert isinstance(getattr(dezero.core.Variable, prop), property)
    assert parameter_names(simple.Variable.backward) == ("retain_grad",)


def test_core_reexports_the_package_objects() -> None:
    # One Config, one Variable, one set of arithmetic Functions: the same objects.
    assert dezero.core.Config is dezero.Config
    assert dezero.core.Variable is dezero.Variable
    assert dezero.core.Add is F.Add and dezero.core.pow is F.pow
    assert dezero.core.setup_variable is dezero.setup_variable


def test_core_arithmetic_functions_compute_and_differentiate() -> None:
    core = dezero.core
    x = core.Variable(np.array(3.0))
    y = core.add(core.mul(x, x), core.rsub(x, 1.0))  # x^2 + (1 - x)
    y = core.div(y, 2.0)  # (x^2 - x + 1) / 2 = 3.5
    y.backward()
    assert y.array == 3.5
    assert x.grad is not None and x.grad.array == 2.5  # (2x - 1) / 2
    assert core.rdiv(core.Variable(np.array(4.0)), 2.0).array == 0.5  # 2 / 4
    assert core.pow(core.Variable(np.array(2.0)), 3).array == 8.0
    assert core.neg(core.Variable(np.array(2.0))).array == -2.0


# ---------------------------------------------------------------- is_simple_core


def test_is_simple_core_is_false_as_in_the_book() -> None:
    # Steps 28 and 29 read it and import dezero.core_simple when it is False.
    assert dezero.is_simple_core is False
    assert dezero.Variable is dezero.core.Variable


# ---------------------------------------------------------------- core_simple


def test_core_simple_gradients_are_ndarrays() -> None:
    x = simple.Variable(np.array(2.0))
    y = x**4 - 2 * x**2  # step 29's function: y' = 4x^3 - 4x = 24 at 2
    y.backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 24.0
    assert y.grad is None  # an intermediate keeps no gradient without retain_grad


def test_core_simple_rosenbrock_step_as_in_step_28() -> None:
    x0, x1 = simple.Variable(np.array(0.0)), simple.Variable(np.array(2.0))
    y = 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2
    y.backward()
    # d/dx0 = -400 x0 (x1 - x0^2) + 2 (x0 - 1) = -2; d/dx1 = 200 (x1 - x0^2) = 400
    assert x0.data is not None and x0.grad is not None and x1.grad is not None
    assert x0.grad == -2.0 and x1.grad == 400.0
    x0.data -= 0.001 * x0.grad
    assert x0.array == 0.002


def test_core_simple_operators_with_arrays_and_numbers_on_either_side() -> None:
    x = simple.Variable(np.array([1.0, 2.0], dtype=np.float32))
    y = np.array([1.0, 1.0], dtype=np.float32) + 3.0 / x - x * 2.0 - (1.0 - x)
    assert isinstance(y, simple.Variable) and y.dtype == np.float32
    y.backward()
    # d/dx of 1 + 3/x - 2x - 1 + x = -3/x^2 - 1
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [-4.0, -1.75])


def test_core_simple_undoes_broadcasting_in_backward() -> None:
    x0 = simple.Variable(np.array([1.0, 2.0, 3.0]))
    x1 = simple.Variable(np.array([10.0]))
    (x0 * x1 + x1).backward()
    np.testing.assert_array_equal(x0.grad, [10.0, 10.0, 10.0])
    np.testing.assert_array_equal(x1.grad, [9.0])  # sum(x0) + 3 ones


def test_core_simple_integer_data_gets_float64_gradients() -> None:
    x = simple.Variable(np.array([1, 2]))
    (x * 0.5).backward()
    assert x.grad is not None and x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [0.5, 0.5])


def test_core_simple_runs_each_function_once_in_generation_order() -> None:
    x = simple.Variable(np.array(2.0))
    a = x**2
    y = a + a  # a's creator waits for both uses: dy/dx = 2 * 2x = 8
    y.backward()
    assert x.grad == 8.0


def test_core_simple_passes_accumulate_and_grads_are_not_shared() -> None:
    x0, x1 = simple.Variable(np.array([1.0])), simple.Variable(np.array([2.0]))
    y = x0 + x1
    y.backward()
    y.backward()
    assert x0.grad is not None and x1.grad is not None
    np.testing.assert_array_equal(x0.grad, [2.0])
    x0.grad += 1  # an in-place update of one gradient leaves the other alone
    np.testing.assert_array_equal(x1.grad, [2.0])


def test_core_simple_retain_grad_and_seed() -> None:
    x = simple.Variable(np.array([1.0, 2.0]))
    y = x * 3.0
    y.grad = np.array([1.0, 10.0])
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(x.grad, [3.0, 30.0])
    np.testing.assert_array_equal(y.grad, [1.0, 10.0])
    y.grad = np.ones(3)
    with pytest.raises(ValueError, match="the seed gradient has shape"):
        y.backward()


def test_core_simple_no_grad_and_weak_outputs() -> None:
    x = simple.Variable(np.array(1.0))
    with simple.no_grad():
        assert (x * 2.0).creator is None
    y = x * 2.0
    assert y.creator is not None
    ref = y.creator.outputs[0]
    assert isinstance(ref, weakref.ref) and ref() is y


def test_core_simple_variables_are_not_core_variables() -> None:
    assert not issubclass(simple.Variable, dezero.Variable)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        simple.Variable(1.0)  # type: ignore[arg-type]  # deliberately wrong
