"""Function: calling convention, graph links (strong inputs, weak outputs),
generations, grad mode, and the errors for a malformed subclass."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import numpy.typing as npt
import pytest

from dezero import Function, Variable, no_grad

F64 = npt.NDArray[np.float64]


class Double(Function[Variable]):
    def forward(self, x: F64) -> F64:
        return x * 2

    def backward(self, gy: Variable) -> Variable:
        return gy * 2.0


class SumAndProduct(Function[list[Variable]]):
    """Two outputs from two inputs: (x0 + x1, x0 * x1)."""

    def forward(self, x0: F64, x1: F64) -> tuple[F64, F64]:
        return x0 + x1, x0 * x1

    def backward(self, g_sum: Variable, g_product: Variable) -> tuple[Variable, Variable]:
        x0, x1 = self.inputs
        return g_sum + g_product * x1, g_sum + g_product * x0


def test_one_output_is_returned_as_a_variable() -> None:
    y = Double()(Variable(np.array([1.0, 2.0])))
    assert type(y) is Variable
    np.testing.assert_array_equal(y.array, [2.0, 4.0])


def test_several_outputs_are_returned_as_a_list() -> None:
    outputs = SumAndProduct()(Variable(np.array(2.0)), Variable(np.array(5.0)))
    assert isinstance(outputs, list) and len(outputs) == 2
    s, p = outputs
    assert s.array == 7.0 and p.array == 10.0


def test_inputs_are_held_strongly() -> None:
    x = Variable(np.ones(2))
    func = Double()
    y = func(x)
    x_ref = weakref.ref(x)
    del x
    gc.collect()
    assert x_ref() is not None
    assert func.inputs == [x_ref()]
    assert y.creator is func


def test_outputs_are_weak_references() -> None:
    func = Double()
    y = func(Variable(np.ones(2)))
    assert len(func.outputs) == 1
    assert isinstance(func.outputs[0], weakref.ref)
    assert func.outputs[0]() is y
    del y
    gc.collect()
    assert func.outputs[0]() is None


def test_outputs_is_a_list_of_weakrefs_also_for_several_outputs() -> None:
    func = SumAndProduct()
    s, p = func(Variable(np.array(2.0)), Variable(np.array(5.0)))
    assert isinstance(func.outputs, list)
    assert [ref() for ref in func.outputs] == [s, p]


def test_built_in_functions_have_no_instance_dict() -> None:
    import dezero.functions as F

    for name in F.__all__:
        cls = getattr(F, name)
        if isinstance(cls, type) and issubclass(cls, Function):
            assert "__dict__" not in dir(cls), f"{name} instances carry a __dict__ (no __slots__)"


def test_generation_is_the_highest_input_generation_and_outputs_one_more() -> None:
    x = Variable(np.array(1.0))  # generation 0
    deep = Double()(Double()(Double()(x)))  # generation 3
    func = SumAndProduct()
    outputs = func(x, deep)
    assert deep.generation == 3
    assert func.generation == 3
    assert [y.generation for y in outputs] == [4, 4]


def test_raw_inputs_become_variables_holding_their_data() -> None:
    func = SumAndProduct()
    data = np.array([1.0, 2.0])
    s, _ = func(data, 3.0)
    assert all(isinstance(x, Variable) for x in func.inputs)
    np.testing.assert_array_equal(func.inputs[0].array, data)
    assert func.inputs[1].array == 3.0
    np.testing.assert_array_equal(s.array, [4.0, 5.0])


def test_forward_returning_a_numpy_scalar_gives_ndarray_data() -> None:
    class Total(Function[Variable]):
        def forward(self, x: F64) -> np.float64:
            total: np.float64 = x.sum()  # a NumPy scalar, not a 0-d array
            return total

    y = Total()(Variable(np.array([1.0, 2.0])))
    assert isinstance(y.data, np.ndarray)
    assert y.shape == () and y.array == 3.0


def test_no_grad_builds_no_graph() -> None:
    func = Double()
    x = Variable(np.ones(2))
    with no_grad():
        y = func(x)
    assert y.creator is None
    assert y.generation == 0
    assert not hasattr(func, "inputs")
    assert not hasattr(func, "outputs")


def test_an_input_of_another_type_is_a_type_error() -> None:
    message = "a Function input must be a Variable, a numpy array or a number, got list"
    with pytest.raises(TypeError, match=message):
        Double()([1.0, 2.0])  # type: ignore[call-overload]  # deliberately wrong


def test_base_class_forward_and_backward_are_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="Function.forward is not implemented"):
        Function()(Variable(np.ones(1)))

    class ForwardOnly(Function[Variable]):
        def forward(self, x: F64) -> F64:
            return x

    y = ForwardOnly()(Variable(np.ones(1)))
    with pytest.raises(NotImplementedError, match="ForwardOnly.backward is not implemented"):
        y.backward()


def test_repr_names_the_class_and_generation() -> None:
    func = Double()
    func(Variable(np.ones(1)))
    assert repr(func) == "<Double generation=0>"
    assert repr(Double()) == "<Double generation=None>"


# ---------------------------------------------------------------- malformed backward


class BackwardReturns(Function[Variable]):
    """Identity on two inputs' sum whose backward returns whatever it was given."""

    def __init__(self, result: object) -> None:
        self.result = result

    def forward(self, x0: F64, x1: F64) -> F64:
        return x0 + x1

    def backward(self, gy: Variable) -> object:
        return self.result


def _backward_through(result: object) -> tuple[Variable, Variable]:
    x0, x1 = Variable(np.ones(2)), Variable(np.ones(2))
    BackwardReturns(result)(x0, x1).backward()
    return x0, x1


def test_backward_returning_the_wrong_number_of_gradients_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="BackwardReturns.backward returned 1 gradients for 2 inputs"):
        _backward_through(Variable(np.ones(2)))


def test_backward_returning_a_wrong_shape_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3,\) for input 1 of shape \(2,\)"):
        _backward_through((Variable(np.ones(2)), Variable(np.ones(3))))


def test_backward_returning_an_array_instead_of_a_variable_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must return Variables \\(or None\\), got ndarray for input 0"):
        _backward_through((np.ones(2), Variable(np.ones(2))))


def test_backward_returning_none_leaves_that_input_without_gradient() -> None:
    x0, x1 = _backward_through((None, Variable(np.full(2, 5.0))))
    assert x0.grad is None
    assert x1.grad is not None
    np.testing.assert_array_equal(x1.grad.array, [5.0, 5.0])
