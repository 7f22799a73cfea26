"""The book's first stage of DeZero (steps 23-32): gradients are plain ndarrays.

A smaller :mod:`dezero.core`: ``Variable.grad`` is an ndarray (not
a Variable), ``backward`` has no ``create_graph`` (no higher-order derivatives),
and the only Functions are the arithmetic operators. Steps 28 and 29 of the book
import ``Variable`` from here. Its Variables do not mix with those of
:mod:`dezero.core`, nor with :mod:`dezero.functions` (as in the book).

The fixes of the full core that apply at this stage are kept (``docs/semantics.md``):
backward runs each Function once, from the highest generation down, without
re-sorting (on the full core's :class:`~dezero.engine.Schedule`); a binary
operator's gradients are summed back to each operand's shape when the operands
broadcast; every gradient has its variable's shape; integer data gets float64
gradients; each pass sums into private buffers, so a retained or stale ``grad``
never leaks into another pass and no two variables share a gradient array.
``Config``, ``using_config`` and ``no_grad`` are those of the full core.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeAlias, Union

import numpy as np
import numpy.typing as npt

from dezero._arrays import gradient_dtype, gradients_per_input, sum_to
from dezero._config import Config, no_grad, using_config
from dezero.engine import Schedule, waiting_already

Array: TypeAlias = npt.NDArray[Any]
Operand: TypeAlias = Union["Variable", Array, int, float, np.generic]

__all__ = [
    "Add", "Config", "Div", "Function", "Mul", "Neg", "Pow", "Sub", "Variable", "add",
    "as_array", "as_variable", "div", "mul", "neg", "no_grad", "pow", "rdiv", "rsub",
    "setup_variable", "sub", "using_config",
]  # fmt: skip


class Variable:
    """An ndarray with a gradient (an ndarray too) and a link to its creator."""

    # Higher than ndarray's, so ``ndarray + variable`` calls ``Variable.__radd__``.
    __array_priority__ = 200
    # NumPy ufuncs on a Variable raise a clear TypeError instead of building object arrays.
    __array_ufunc__ = None

    def __init__(self, data: Array | None, name: str | None = None) -> None:
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(
                f"Variable data must be a numpy.ndarray or None, got {type(data).__name__}; "
                "wrap numbers with numpy.array(...)"
            )
        self.data = data
        self.name = name
        self.grad: Array | None = None
        self.creator: Function | None = None
        self.generation = 0

    @property
    def array(self) -> Array:
        """``data``, or a clear error when it is None."""
        if self.data is None:
            raise ValueError(f"{self!r} holds no data")
        return self.data

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def size(self) -> int:
        return self.array.size

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.array.dtype

    def __len__(self) -> int:
        return len(self.array)

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * len("variable("))
        return f"variable({body})"

    def set_creator(self, func: Function) -> None:
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        self.grad = None

    def backward(self, retain_grad: bool = False) -> None:
        """Add d(self)/d(leaf) · seed into every leaf's ``grad``; the seed is
        ``self.grad`` when set (of ``self.shape``), else ones. With ``retain_grad``
        the intermediate variables keep their gradients too."""
        seed = _seed(self)
        pending: dict[Variable, Array] = {self: seed}  # this pass's gradients
        reached: list[Variable] = []  # the variables that got one, in order
        if self.creator is not None:
            schedule = Schedule(self.creator)
            for func in schedule:
                gys = [_output_grad(pending, ref(), spec) for ref, spec in zip(func.outputs, func.output_specs)]
                gxs = gradients_per_input(func, func.backward(*gys), len(func.inputs))
                for x, gx in zip(func.inputs, gxs):
                    gx = _conform(func, x, gx)
                    if x in pending:
                        pending[x] = pending[x] + gx
                        continue
                    pending[x] = gx
                    reached.append(x)
                    if x.creator is not None and not waiting_already(x.creator, x, pending):
                        schedule.add(x.creator)

        # Store: leaves always, intermediates with retain_grad; each its own array.
        for var in [self] + reached:
            if var.creator is not None and not retain_grad:
                var.grad = None
            else:
                grad = np.array(pending[var], dtype=gradient_dtype(var.dtype))  # a copy
                var.grad = grad if var.grad is None or var is self else var.grad + grad

    # -- operators (the book attaches them in setup_variable)

    def __add__(self, other: Operand) -> Variable:
        return add(self, other)

    def __radd__(self, other: Operand) -> Variable:
        return add(other, self)

    def __sub__(self, other: Operand) -> Variable:
        return sub(self, other)

    def __rsub__(self, other: Operand) -> Variable:
        return rsub(self, other)

    def __mul__(self, other: Operand) -> Variable:
        return mul(self, other)

    def __rmul__(self, other: Operand) -> Variable:
        return mul(other, self)

    def __truediv__(self, other: Operand) -> Variable:
        return div(self, other)

    def __rtruediv__(self, other: Operand) -> Variable:
        return rdiv(self, other)

    def __neg__(self) -> Variable:
        return neg(self)

    def __pow__(self, c: int | float) -> Variable:
        return pow(self, c)


def _seed(root: Variable) -> Array:
    dtype = gradient_dtype(root.dtype)
    if root.grad is None:
        return np.ones(root.shape, dtype=dtype)
    seed = np.asarray(root.grad)
    if seed.shape != root.shape:
        raise ValueError(
            f"the seed gradient has shape {seed.shape}, but the output has shape {root.shape}"
        )
    return seed.astype(dtype, copy=False)


def _output_grad(pending: dict[Variable, Array], y: Variable | None, spec: tuple[tuple[int, ...], np.dtype[Any]]) -> Array:
    """The gradient of output ``y`` in this pass: zeros when it got none (unused, or
    dropped: ``y`` is None)."""
    if y is not None and y in pending:
        return pending[y]
    shape, dtype = spec
    return np.zeros(shape, dtype=gradient_dtype(dtype))


def _conform(func: Function, x: Variable, gx: Any) -> Array:
    """``gx`` as an ndarray of ``x``'s shape and gradient dtype, or a clear error."""
    grad: Array = np.asarray(gx)
    if grad.shape != x.shape:
        raise RuntimeError(
            f"{type(func).__name__}.backward returned a gradient of shape {grad.shape} "
            f"for an input of shape {x.shape}"
        )
    return grad.astype(gradient_dtype(x.dtype), copy=False)


def as_array(x: Any) -> Array:
    """``x`` as an ndarray (NumPy scalars and Python numbers become 0-d arrays)."""
    result: Array = x if isinstance(x, np.ndarray) else np.asarray(x)
    return result


def as_variable(obj: Operand) -> Variable:
    """``obj`` if it is a Variable, else a new Variable of ``as_array(obj)``."""
    return obj if isinstance(obj, Variable) else Variable(as_array(obj))


class Function:
    """One differentiable operation on ndarrays: ``forward(*arrays)`` returns an
    array or a tuple of them; ``backward(*grads)`` returns one gradient (an
    ndarray) per input."""

    def __call__(self, *operands: Operand) -> Any:
        """One Variable for a single output, a list for several (as in the book)."""
        inputs = _as_inputs(operands)
        ys = self.forward(*[x.data for x in inputs])
        outputs = [Variable(as_array(y)) for y in (ys if isinstance(ys, tuple) else (ys,))]
        if Config.enable_backprop:
            self.generation = max(x.generation for x in inputs)
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
            # Zeros stand for the gradient of an output that is unused or dropped.
            self.output_specs = [(y.shape, y.dtype) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")


def _as_inputs(operands: tuple[Operand, ...]) -> list[Variable]:
    """Variables as they are; a Python number takes the dtype NumPy gives it next to
    the Variables' data (so float32 stays float32); other data becomes a Variable."""
    arrays = [x.array for x in operands if isinstance(x, Variable)]
    inputs = []
    for x in operands:
        if isinstance(x, Variable):
            inputs.append(x)
        elif isinstance(x, (int, float)) and arrays:
            inputs.append(Variable(np.asarray(x, dtype=np.result_type(*(a.dtype for a in arrays), x))))
        else:
            inputs.append(as_variable(x))
    return inputs


class Add(Function):
    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 + x1

    def backward(self, gy: Array) -> tuple[Array, Array]:
        x0, x1 = self.inputs
        return sum_to(gy, x0.shape), sum_to(gy, x1.shape)


def add(x0: Operand, x1: Operand) -> Variable:
    result: Variable = Add()(x0, x1)
    return result


class Mul(Function):
    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 * x1

    def backward(self, gy: Array) -> tuple[Array, Array]:
        x0, x1 = self.inputs[0].array, self.inputs[1].array
        return sum_to(gy * x1, x0.shape), sum_to(gy * x0, x1.shape)


def mul(x0: Operand, x1: Operand) -> Variable:
    result: Variable = Mul()(x0, x1)
    return result


class Neg(Function):
    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, gy: Array) -> Array:
        return -gy


def neg(x: Operand) -> Variable:
    result: Variable = Neg()(x)
    return result


class Sub(Function):
    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 - x1

    def backward(self, gy: Array) -> tuple[Array, Array]:
        x0, x1 = self.inputs
        return sum_to(gy, x0.shape), sum_to(-gy, x1.shape)


def sub(x0: Operand, x1: Operand) -> Variable:
    result: Variable = Sub()(x0, x1)
    return result


def rsub(x0: Operand, x1: Operand) -> Variable:
    """``x1 - x0`` (the reflected form of ``sub``)."""
    result: Variable = Sub()(x1, x0)
    return result


class Div(Function):
    def forward(self, x0: Array, x1: Array) -> Array:
        return x0 / x1

    def backward(self, gy: Array) -> tuple[Array, Array]:
        x0, x1 = self.inputs[0].array, self.inputs[1].array
        return sum_to(gy / x1, x0.shape), sum_to(gy * (-x0 / (x1 * x1)), x1.shape)


def div(x0: Operand, x1: Operand) -> Variable:
    result: Variable = Div()(x0, x1)
    return result


def rdiv(x0: Operand, x1: Operand) -> Variable:
    """``x1 / x0`` (the reflected form of ``div``)."""
    result: Variable = Div()(x1, x0)
    return result


class Pow(Function):
    """``x ** c`` for a constant number ``c``."""

    def __init__(self, c: int | float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        y: Array = x**self.c
        return y

    def backward(self, gy: Array) -> Array:
        x = self.inputs[0].array
        gx: Array = gy * (self.c * x ** (self.c - 1))
        return gx


def pow(x: Operand, c: int | float) -> Variable:
    result: Variable = Pow(c)(x)
    return result


def setup_variable() -> None:
    """Kept for compatibility: the book attaches the operators to Variable here; in
    this module Variable defines them itself, so there is nothing to do."""
