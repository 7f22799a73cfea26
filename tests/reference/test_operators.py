"""The operators of Variable (+ - * / ** unary -, @, []) and the arithmetic functions
of dezero.functions, with Python numbers and ndarrays on either side."""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from tests.reference.helpers import F64, check_function, normal

BinaryOp = Callable[[object, object], object]

BROADCAST_PAIRS = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 1), (1, 3)),
    ((4, 1, 3), (2, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 3), (1, 1)),
]

OPS: list[tuple[str, BinaryOp]] = [
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("truediv", operator.truediv),
]


def _away_from_zero(x: F64) -> F64:
    return np.asarray(x + np.where(x >= 0, 0.5, -0.5))


@pytest.mark.parametrize(("name", "op"), OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize(("shape0", "shape1"), BROADCAST_PAIRS, ids=str)
def test_binary_operator_broadcasts_and_undoes_broadcasting_in_backward(
    name: str, op: BinaryOp, shape0: tuple[int, ...], shape1: tuple[int, ...]
) -> None:
    a, b = normal(10, *shape0), _away_from_zero(normal(11, *shape1))
    check_function(op, op, [a, b])  # type: ignore[arg-type]  # operator.* are untyped callables


def test_power_with_constant_exponent() -> None:
    x = np.abs(normal(12, 2, 3)) + 0.5
    for c in (3, 2.5, -1.5, 0):
        check_function(lambda v: v**c, lambda a: a**c, [x])


def test_power_with_variable_base_and_exponent() -> None:
    base = np.abs(normal(13, 2, 3)) + 0.5
    exponent = normal(14, 3)
    check_function(lambda b, e: b**e, lambda b, e: b**e, [base, exponent])


def test_rpow_number_to_the_variable() -> None:
    x = normal(15, 4)
    check_function(lambda v: 2**v, lambda a: 2.0**a, [x])
    check_function(lambda v: 1.5**v, lambda a: 1.5**a, [x])


def test_negation() -> None:
    check_function(operator.neg, operator.neg, [normal(16, 2, 3)])


@pytest.mark.parametrize(
    ("expression", "value", "grad"),
    [
        (lambda x: x + 2, 5.0, 1.0),
        (lambda x: 2 + x, 5.0, 1.0),
        (lambda x: x - 2, 1.0, 1.0),
        (lambda x: 2 - x, -1.0, -1.0),
        (lambda x: x * 2, 6.0, 2.0),
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: x / 2, 1.5, 0.5),
        (lambda x: 6 / x, 2.0, -6.0 / 9.0),
        (lambda x: x**2, 9.0, 6.0),
        (lambda x: 2**x, 8.0, 8.0 * np.log(2.0)),
        (lambda x: -x, -3.0, -1.0),
    ],
    ids=["x+2", "2+x", "x-2", "2-x", "x*2", "2*x", "x/2", "6/x", "x**2", "2**x", "-x"],
)
def test_python_number_on_either_side(
    expression: Callable[[Variable], Variable], value: float, grad: float
) -> None:
    x = Variable(np.array(3.0))
    y = expression(x)
    assert isinstance(y, Variable)
    assert y.array == pytest.approx(value)
    y.backward()
    assert x.grad is not None
    assert x.grad.array == pytest.approx(grad)


ALL_BINARY: list[tuple[str, BinaryOp]] = OPS + [("pow", operator.pow), ("matmul", operator.matmul)]


@pytest.mark.parametrize(("name", "op"), ALL_BINARY, ids=[o[0] for o in ALL_BINARY])
def test_ndarray_on_either_side_gives_a_variable(name: str, op: BinaryOp) -> None:
    array = np.array([[1.0, 2.0], [3.0, 0.5]])
    data = np.array([[0.5, 1.5], [2.0, 1.0]])
    for left, right in ((array, Variable(data)), (Variable(data), array)):
        result = op(left, right)
        assert isinstance(result, Variable), f"{type(left).__name__} {name} {type(right).__name__}"
        left_data = left if isinstance(left, np.ndarray) else data
        right_data = right if isinstance(right, np.ndarray) else data
        expected = op(left_data, right_data)
        np.testing.assert_allclose(result.array, np.asarray(expected))


def test_ndarray_on_the_left_gets_its_gradient_through_the_variable() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = np.array([3.0, 4.0]) * x - np.array([1.0, 1.0]) / x
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.array, [3.0 + 1.0, 4.0 + 1.0 / 4.0])


def test_matmul_operator_and_rmatmul() -> None:
    a, b = normal(17, 2, 3), normal(18, 3, 4)
    check_function(operator.matmul, operator.matmul, [a, b])
    W = Variable(b.copy())
    y = a @ W  # ndarray @ Variable goes to Variable.__rmatmul__
    assert isinstance(y, Variable)
    np.testing.assert_allclose(y.array, a @ b)
    y.grad = Variable(normal(19, 2, 4))
    y.backward()
    assert W.grad is not None
    np.testing.assert_allclose(W.grad.array, a.T @ normal(19, 2, 4))


def test_getitem_operator() -> None:
    x = normal(20, 3, 4)
    check_function(lambda v: v[1], lambda a: a[1], [x])
    check_function(lambda v: v[:, 1:3], lambda a: a[:, 1:3], [x])
    check_function(lambda v: v[1, 2], lambda a: a[1, 2], [x])


def test_operands_of_other_types_are_rejected() -> None:
    x = Variable(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="got list"):
        x + [1.0, 2.0]  # type: ignore[operator]  # deliberately wrong operand type
    with pytest.raises(TypeError, match="got str"):
        x * "a"  # type: ignore[operator]  # deliberately wrong operand type


def test_numpy_ufuncs_refuse_variables_instead_of_building_object_arrays() -> None:
    with pytest.raises(TypeError):
        np.sin(Variable(np.array([1.0])))  # type: ignore[call-overload]  # deliberately wrong


# -------------------------------------------------------------------- function forms


def test_arithmetic_functions_match_the_operators() -> None:
    a, b = normal(21, 2, 3), _away_from_zero(normal(22, 3))
    check_function(F.add, np.add, [a, b])
    check_function(F.sub, np.subtract, [a, b])
    check_function(F.mul, np.multiply, [a, b])
    check_function(F.div, np.divide, [a, b])
    check_function(F.neg, np.negative, [a])
    check_function(lambda v: F.pow(v, 3), lambda x: x**3, [a])


def test_reflected_functions_swap_their_operands() -> None:
    a, b = normal(23, 2, 3), _away_from_zero(normal(24, 2, 3))
    check_function(F.rsub, lambda x0, x1: x1 - x0, [a, b])
    check_function(F.rdiv, lambda x0, x1: x1 / x0, [b, a])


def test_pow_with_an_array_exponent_differentiates_the_exponent_too() -> None:
    base = np.abs(normal(25, 3)) + 0.5
    check_function(lambda b, e: F.pow(b, e), np.power, [base, normal(26, 3)])
