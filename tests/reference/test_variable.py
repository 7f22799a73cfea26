"""Variable and Parameter: construction, attributes, array properties, repr, the graph
methods, and the methods that build graph nodes; as_array and as_variable."""

from __future__ import annotations

import types

import numpy as np
import pytest

import dezero.functions as F
from dezero import Function, Parameter, Variable, as_array, as_variable
from tests.reference.helpers import check_function, normal


@pytest.mark.parametrize(
    ("data", "type_name"),
    [(1.0, "float"), ([1.0, 2.0], "list"), (np.float64(1.0), "float64"), (3, "int"),
     ((1, 2), "tuple"), ("abc", "str"), (np.int32(1), "int32")],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_data_that_is_not_an_ndarray_is_a_type_error_naming_its_type(data: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=f"must be a numpy.ndarray or None, got {type_name};"):
        Variable(data)  # type: ignore[arg-type]  # deliberately wrong


def test_name_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="name must be a str or None, got int"):
        Variable(np.ones(1), name=3)  # type: ignore[arg-type]  # deliberately wrong


def test_new_variable_attributes() -> None:
    data = np.array([1.0, 2.0])
    x = Variable(data, name="x")
    assert x.data is data  # kept, not copied
    assert x.name == "x"
    assert x.grad is None
    assert x.creator is None
    assert x.generation == 0
    assert Variable(data).name is None


def test_variable_of_none() -> None:
    x = Variable(None)
    assert x.data is None
    assert repr(x) == "variable(None)"
    with pytest.raises(ValueError, match="holds no data"):
        x.shape


def test_array_properties() -> None:
    x = Variable(np.zeros((2, 3, 4), dtype=np.float32))
    assert x.shape == (2, 3, 4)
    assert x.ndim == 3
    assert x.size == 24
    assert x.dtype == np.float32
    assert len(x) == 2


def test_len_of_a_0d_variable_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        len(Variable(np.array(1.0)))


def test_repr() -> None:
    assert repr(Variable(np.array([1.0, 2.0]))) == "variable([1. 2.])"
    assert repr(Variable(np.array(3.5))) == "variable(3.5)"
    assert repr(Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))) == (
        "variable([[1. 2.]\n"
        "          [3. 4.]])"
    )
    assert repr(Variable(np.arange(8).reshape(2, 2, 2))) == (
        "variable([[[0 1]\n"
        "           [2 3]]\n"
        "         \n"  # as in the book, every continuation line is indented, even a blank one
        "          [[4 5]\n"
        "           [6 7]]])"
    )


def test_set_creator_takes_the_generation_after_the_functions() -> None:
    func: Function[Variable] = Function()
    func.generation = 4
    x = Variable(np.ones(1))
    x.set_creator(func)
    assert x.creator is func
    assert x.generation == 5


def test_cleargrad() -> None:
    x = Variable(np.ones(2))
    (x * 3.0).backward()
    assert x.grad is not None
    x.cleargrad()
    assert x.grad is None


def test_unchain_makes_the_variable_a_leaf() -> None:
    x = Variable(np.ones(2))
    h = x * 2.0
    y = h * 3.0
    h.unchain()
    assert h.creator is None
    y.backward()
    assert x.grad is None
    assert h.grad is not None
    np.testing.assert_array_equal(h.grad.array, [3.0, 3.0])


def test_unchain_backward_cuts_every_link_upstream_but_keeps_its_own() -> None:
    x = Variable(np.ones(2))
    a = x * 2.0
    b = F.sin(a) + a
    y = b * b
    y.unchain_backward()
    assert y.creator is not None
    assert a.creator is None and b.creator is None
    y.backward()
    assert x.grad is None and a.grad is None
    assert b.grad is not None
    np.testing.assert_allclose(b.grad.array, 2 * b.array)


def test_unchain_backward_on_a_deep_chain_does_not_recurse() -> None:
    x = Variable(np.array(1.0))
    y = x
    for _ in range(20_000):
        y = y + 1.0
    y.unchain_backward()
    y.backward()
    assert x.grad is None


@pytest.mark.parametrize("call", ["args", "tuple", "list"])
def test_reshape_method_takes_dims_or_a_sequence(call: str) -> None:
    x = normal(100, 2, 6)
    if call == "args":
        check_function(lambda v: v.reshape(3, 4), lambda a: a.reshape(3, 4), [x])
    elif call == "tuple":
        check_function(lambda v: v.reshape((3, 4)), lambda a: a.reshape(3, 4), [x])
    else:
        check_function(lambda v: v.reshape([4, 3]), lambda a: a.reshape(4, 3), [x])


def test_transpose_method_forms() -> None:
    x = normal(101, 2, 3, 4)
    check_function(lambda v: v.transpose(), lambda a: a.transpose(), [x])
    check_function(lambda v: v.transpose(None), lambda a: a.transpose(), [x])
    check_function(lambda v: v.transpose(1, 0, 2), lambda a: a.transpose(1, 0, 2), [x])
    check_function(lambda v: v.transpose((2, 0, 1)), lambda a: a.transpose(2, 0, 1), [x])
    check_function(lambda v: v.T, lambda a: a.T, [x])


def test_transpose_method_of_a_matrix() -> None:
    x = normal(102, 2, 3)
    check_function(lambda v: v.transpose(1, 0), lambda a: a.T, [x])
    check_function(lambda v: v.transpose((1, 0)), lambda a: a.T, [x])


def test_parameter_is_a_variable_and_takes_part_in_graphs() -> None:
    W = Parameter(np.array([[1.0, 2.0]]), name="W")
    assert isinstance(W, Variable)
    assert W.name == "W"
    y = (W * 3.0).sum()
    assert type(y) is Variable
    y.backward()
    assert W.grad is not None
    np.testing.assert_array_equal(W.grad.array, [[3.0, 3.0]])


def test_parameter_validates_data_like_variable() -> None:
    with pytest.raises(TypeError, match="got float"):
        Parameter(1.0)  # type: ignore[arg-type]  # deliberately wrong


# ---------------------------------------------------------------- as_array / as_variable


def test_as_array_returns_an_ndarray_unchanged() -> None:
    a = np.ones(3)
    assert as_array(a) is a


@pytest.mark.parametrize("value", [2.5, 3, np.float32(1.5), np.int64(7)])
def test_as_array_makes_numbers_0d_arrays(value: float | np.generic) -> None:
    a = as_array(value)
    assert isinstance(a, np.ndarray)
    assert a.shape == ()
    assert a == value
    assert a.dtype == np.asarray(value).dtype


def test_as_array_makes_a_number_with_the_array_module_it_is_given() -> None:
    # The book's signature: as_array(x, array_module=np); an array is returned as is.
    calls: list[object] = []

    def asarray(x: object) -> np.ndarray:
        calls.append(x)
        return np.full((), 7.0)

    module = types.ModuleType("stand_in")
    module.asarray = asarray  # type: ignore[attr-defined]  # a module built for the test
    assert as_array(2.5, module) == 7.0 and calls == [2.5]
    a = np.ones(2)
    assert as_array(a, module) is a and calls == [2.5]


def test_as_variable() -> None:
    x = Variable(np.ones(2))
    assert as_variable(x) is x
    data = np.ones(3)
    v = as_variable(data)
    assert type(v) is Variable
    assert v.data is data
    s = as_variable(2.0)
    assert s.shape == () and s.array == 2.0
