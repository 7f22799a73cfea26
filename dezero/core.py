"""Variables and Functions: the book's ``dezero/core.py``.

A :class:`Variable` holds an ndarray. Calling a :class:`Function` on Variables runs
its ``forward`` on their arrays and, in grad mode, links each output to the
Function (``output.creator``) and the Function to its inputs: the graph that
:meth:`Variable.backward` walks back (in :mod:`dezero.engine`).

The book's other names in this module: ``Config``, ``using_config``, ``no_grad``,
``test_mode`` (defined in :mod:`dezero._config`), the arithmetic Functions ``Add``
... ``Pow`` and ``add`` ... ``pow`` (in :mod:`dezero.functions.arithmetic`) and
``setup_variable``. Where this module differs from the book, ``docs/semantics.md``
says how and why.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeAlias, TypeVar, Union, overload

import numpy as np

from dezero._arrays import PYTHON_SCALARS, ShapeLike, array_module, is_array, shape_from_args
from dezero._arrays import Array as Array  # (re-exported: the package imports it from here)
from dezero._config import Config, backprop_enabled, no_grad, test_mode, using_config

Scalar: TypeAlias = Union[int, float, bool, np.generic]
# What a Function accepts as an input: a Variable, or data that becomes a constant.
Operand: TypeAlias = Union["Variable", Array, Scalar]
Axis: TypeAlias = Union[None, int, tuple[int, ...]]


def as_array(x: Array | Scalar, array_module: ModuleType = np) -> Array:
    """``x`` as an array: an array (NumPy's or CuPy's) as it is, anything else
    through ``array_module.asarray``."""
    if isinstance(x, np.ndarray) or is_array(x):
        return x
    result: Array = array_module.asarray(x)
    return result


def as_variable(obj: Operand) -> Variable:
    """``obj`` if it is a Variable, else a new Variable of ``as_array(obj)``."""
    if isinstance(obj, Variable):
        return obj
    return Variable(as_array(obj))


# --------------------------------------------------------------------------- Variable


class Variable:
    """An ndarray with a gradient and a link to the Function that created it.

    ``data`` is an ndarray (NumPy's, or CuPy's) or None; anything else (numbers,
    lists, NumPy scalars) is a ``TypeError``, as in the book, so that shapes never
    change silently.
    """

    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")
    __array_priority__ = 200  # above ndarray's: ``ndarray + variable`` calls ``__radd__``
    __array_ufunc__ = None  # NumPy ufuncs refuse Variables instead of building object arrays

    data: Array | None
    name: str | None
    grad: Variable | None
    creator: Function[Any] | None
    generation: int

    def __init__(self, data: Array | None, name: str | None = None) -> None:
        # (The type test first spares a call for the common case.)
        if data is not None and type(data) is not np.ndarray and not is_array(data):
            raise TypeError(
                f"Variable data must be a numpy.ndarray or None, got {type(data).__name__}; "
                "wrap numbers with numpy.array(...)"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Variable name must be a str or None, got {type(name).__name__}")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    @property
    def array(self) -> Array:
        """``data``, or a ``ValueError`` when it is None."""
        if self.data is None:
            raise ValueError(f"{self!r} holds no data")
        return self.data

    # The shape, ndim, size and dtype of ``data`` (``array``'s error when it is None).

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.data if self.data is not None else self.array).shape

    @property
    def ndim(self) -> int:
        return (self.data if self.data is not None else self.array).ndim

    @property
    def size(self) -> int:
        return (self.data if self.data is not None else self.array).size

    @property
    def dtype(self) -> np.dtype[Any]:
        return (self.data if self.data is not None else self.array).dtype

    def __len__(self) -> int:
        return len(self.array)

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * len("variable("))
        return f"variable({body})"

    def set_creator(self, func: Function[Any]) -> None:
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        self.grad = None

    def unchain(self) -> None:
        """Forget the creator: this Variable becomes a leaf."""
        self.creator = None

    def unchain_backward(self) -> None:
        """Cut every creator link upstream of this Variable (iteratively, any depth)."""
        stack = [self.creator] if self.creator is not None else []
        seen: set[int] = set()
        while stack:
            func = stack.pop()
            if id(func) in seen:
                continue
            seen.add(id(func))
            for x in func.inputs:
                if x.creator is not None:
                    stack.append(x.creator)
                    x.unchain()

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Add d(self)/d(leaf) · seed into every leaf's ``grad``: :func:`dezero.engine.backward`."""
        engine.backward(self, retain_grad, create_graph)

    def to_cpu(self) -> None:
        """Move ``data`` to host memory (a NumPy array)."""
        if self.data is not None:
            self.data = cuda.as_numpy(self.data)

    def to_gpu(self) -> None:
        """Move ``data`` to the GPU (a CuPy array); needs CuPy."""
        if self.data is not None:
            self.data = cuda.as_cupy(self.data)

    # -- methods and operators: Functions of dezero.functions

    def reshape(self, *shape: ShapeLike) -> Variable:
        return _F.reshape(self, shape_from_args(shape))

    def transpose(self, *axes: ShapeLike) -> Variable:
        if not axes or (len(axes) == 1 and axes[0] is None):
            return _F.transpose(self)
        return _F.transpose(self, shape_from_args(axes))

    @property
    def T(self) -> Variable:
        return _F.transpose(self)

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Variable:
        return _F.sum(self, axis, keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Variable:
        return _F.max(self, axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Variable:
        return _F.min(self, axis, keepdims)

    def matmul(self, other: Operand) -> Variable:
        return _F.matmul(self, other)

    dot = matmul

    def __add__(self, other: Operand) -> Variable:
        return _F.Add()(self, other)

    def __radd__(self, other: Operand) -> Variable:
        return _F.Add()(other, self)

    def __sub__(self, other: Operand) -> Variable:
        return _F.Sub()(self, other)

    def __rsub__(self, other: Operand) -> Variable:
        return _F.Sub()(other, self)

    def __mul__(self, other: Operand) -> Variable:
        return _F.Mul()(self, other)

    def __rmul__(self, other: Operand) -> Variable:
        return _F.Mul()(other, self)

    def __truediv__(self, other: Operand) -> Variable:
        return _F.Div()(self, other)

    def __rtruediv__(self, other: Operand) -> Variable:
        return _F.Div()(other, self)

    def __neg__(self) -> Variable:
        return _F.Neg()(self)

    def __pow__(self, other: Operand) -> Variable:
        return _F.pow(self, other)

    def __rpow__(self, other: Operand) -> Variable:
        return _F.pow(other, self)

    def __matmul__(self, other: Operand) -> Variable:
        return _F.matmul(self, other)

    def __rmatmul__(self, other: Operand) -> Variable:
        return _F.matmul(other, self)

    def __getitem__(self, slices: Any) -> Variable:
        return _F.get_item(self, slices)


class Parameter(Variable):
    """A Variable that a Layer owns and an Optimizer updates."""

    __slots__ = ()


class Constant(Variable):
    """Raw data given to a Function (``x * 2``, ``x + ndarray``), and every output of
    a Function whose inputs are all constants. The engine sends no gradient into a
    constant (``docs/semantics.md`` #9)."""

    __slots__ = ()


# --------------------------------------------------------------------------- Function


OutputT = TypeVar("OutputT", bound=Union[Variable, list[Variable]])
# A gradient in a backward written for both kinds (``array_backward``, below).
V = TypeVar("V", Variable, Array)


class Function(Generic[OutputT]):
    """One differentiable operation: ``forward(*arrays)`` returns an array or a tuple
    of them; ``backward(*grads)`` returns one gradient per input (``None``: that
    input gets none), or the gradient itself for a single input.

    Calling a ``Function[Variable]`` returns one Variable, a ``Function[list[Variable]]``
    a list, as in the book.

    In the book, backward gets Variables and computes with Functions, so that the
    gradient can itself be differentiated. A subclass that sets ``array_backward =
    True`` writes its backward once for two kinds of gradient (``V``): ndarrays in
    ``backward()``, computed without building a graph, and Variables in
    ``backward(create_graph=True)``. Such a backward reads its operands with
    :meth:`inputs_like` / :meth:`output_like`, calls other Functions with
    :meth:`apply`, and otherwise uses what ndarray and Variable share (operators,
    ``reshape``, ``transpose``, ``T``, ``sum``). Every Function of
    :mod:`dezero.functions` is written so.

    The engine reads two attributes the book does not have: ``weak_outputs``, the
    outputs held weakly (the book's ``outputs`` is them as a list), and, for several
    outputs, ``output_specs``, their shapes and dtypes (an output that was dropped
    still gets a zero gradient).
    """

    __slots__ = ("inputs", "weak_outputs", "output_specs", "generation", "__weakref__")

    array_backward: ClassVar[bool] = False

    inputs: list[Variable]
    # One weakref for one output (a list per node would cost time and memory).
    weak_outputs: weakref.ref[Variable] | tuple[weakref.ref[Variable], ...]
    output_specs: tuple[tuple[tuple[int, ...], np.dtype[Any]], ...]
    generation: int

    # (For the type checker only: one Variable or a list, as OutputT says.)
    @overload
    def __call__(self: Function[Variable], *inputs: Operand) -> Variable: ...
    @overload
    def __call__(self: Function[list[Variable]], *inputs: Operand) -> list[Variable]: ...
    @overload
    def __call__(self: Function[OutputT], *inputs: Operand) -> Variable | list[Variable]: ...

    def __call__(self, *inputs: Operand) -> Variable | list[Variable]:
        xs: list[Variable] = []
        arrays = []
        kind: type[Variable] = Constant  # the outputs of constants are constants
        generation = 0
        for x in inputs:  # one pass: the data, the kind and the generation
            if not isinstance(x, Variable):
                return self(*as_input_variables(inputs))
            xs.append(x)
            arrays.append(x.data)
            if x.__class__ is not Constant:
                kind = Variable
            if x.generation > generation:
                generation = x.generation
        ys = self.forward(*arrays)
        if isinstance(ys, tuple):
            outputs = [kind(as_array(y)) for y in ys]
        elif isinstance(ys, np.ndarray):
            outputs = [kind(ys)]
        elif isinstance(ys, np.generic):  # NumPy computes 0-d results as NumPy scalars
            outputs = [kind(np.asarray(ys))]
        else:
            outputs = [kind(as_array(ys))]  # a CuPy array
        if backprop_enabled():
            self.generation = generation
            for output in outputs:
                output.creator = self
                output.generation = generation + 1
            self.inputs = xs
            if len(outputs) == 1:
                self.weak_outputs = weakref.ref(outputs[0])
            else:
                self.weak_outputs = tuple(map(weakref.ref, outputs))
                self.output_specs = tuple((y.shape, y.dtype) for y in outputs)
        return outputs if len(outputs) > 1 else outputs[0]

    @property
    def outputs(self) -> list[weakref.ref[Variable]]:
        """The book's list of weak references to the outputs."""
        refs = self.weak_outputs
        return list(refs) if isinstance(refs, tuple) else [refs]

    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def needs_grad(self, index: int) -> bool:
        """Whether input ``index`` can receive a gradient anyone reads: a constant
        cannot, so a backward may return None for it and skip the work."""
        return self.inputs[index].__class__ is not Constant

    def inputs_like(self, gy: V) -> list[V]:
        """The inputs in the kind of ``gy``: the Variables, or their arrays (a 0-d
        array as its NumPy scalar: the same value and dtype, computed faster)."""
        if isinstance(gy, Variable):
            return self.inputs
        values = []
        for x in self.inputs:
            a: Any = x.data  # Any: a NumPy scalar stands in for a 0-d array
            values.append(a if a.ndim else a[()])
        return values

    def output_like(self, gy: V) -> V:
        """The (only) output in the kind of ``gy``, as :meth:`inputs_like`."""
        y = self.outputs[0]()
        assert y is not None  # an output on the path being differentiated is alive
        if isinstance(gy, Variable):
            return y
        a: Any = y.data
        value: V = a if a.ndim else a[()]
        return value

    def apply(self: Function[Variable], *values: V) -> V:
        """This Function on gradient values: a node of the graph on Variables (as
        calling it is), its bare ``forward`` on arrays."""
        for value in values:
            if isinstance(value, Variable):
                node: V = self(*values)
                return node
        result: V = self.forward(*values)
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} generation={getattr(self, 'generation', None)}>"


def as_input_variables(inputs: Sequence[Operand]) -> list[Variable]:
    """A Function's inputs as Variables: raw data becomes constants, and a Python
    number takes the dtype NumPy gives it next to the Variables' data (NumPy 2 keeps
    ``float32_array * 2.0`` float32, while a float64 0-d array would promote it)."""
    arrays = [x.data for x in inputs if isinstance(x, Variable) and x.data is not None]
    xp = np if not arrays or type(arrays[0]) is np.ndarray else array_module(arrays[0])
    variables: list[Variable] = []
    for x in inputs:
        if isinstance(x, Variable):
            variables.append(x)
        elif isinstance(x, PYTHON_SCALARS):
            variables.append(Constant(xp.asarray(x, dtype=_number_dtype(arrays, x))))
        elif is_array(x):
            variables.append(Constant(x))
        elif isinstance(x, np.generic):
            variables.append(Constant(xp.asarray(x)))
        else:
            raise TypeError(
                f"a Function input must be a Variable, a numpy array or a number, "
                f"got {type(x).__name__}"
            )
    return variables


def _number_dtype(arrays: list[Array], x: Scalar) -> np.dtype[Any] | None:
    """``numpy.result_type`` of the arrays and ``x`` (one floating-point array: its own)."""
    if len(arrays) == 1 and arrays[0].dtype.kind == "f":
        return arrays[0].dtype
    return np.result_type(*(a.dtype for a in arrays), x) if arrays else None


def setup_variable() -> None:
    """The book attaches the operators to Variable here; Variable defines them itself."""


# Variable's methods are Functions of dezero.functions, and the engine and
# dezero.cuda are built on the classes above: imported last, once those exist.
import dezero.functions as _F  # noqa: E402
from dezero import cuda, engine  # noqa: E402
from dezero.functions.arithmetic import (  # noqa: E402
    Add,
    Div,
    Mul,
    Neg,
    Pow,
    Sub,
    add,
    div,
    mul,
    neg,
    pow,
    rdiv,
    rsub,
    sub,
)

__all__ = [
    "Add", "Config", "Div", "Function", "Mul", "Neg", "Parameter", "Pow", "Sub", "Variable",
    "add", "as_array", "as_variable", "div", "mul", "neg", "no_grad", "pow", "rdiv", "rsub",
    "setup_variable", "sub", "test_mode", "using_config",
]  # fmt: skip
