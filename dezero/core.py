"""Variables and Functions: the book's ``dezero/core.py``.

A :class:`Variable` wraps an ndarray. Calling a :class:`Function` on Variables
computes ``forward`` on their arrays and, in grad mode, links the outputs back to
the Function (``output.creator``) and the Function to its inputs, building the
graph that :meth:`Variable.backward` walks in reverse. The walk itself is
:mod:`dezero.engine`.

As in the book, this module also offers ``Config``, ``using_config``, ``no_grad``
and ``test_mode`` (from :mod:`dezero._config`), the arithmetic Functions ``Add``,
``Mul``, ``Neg``, ``Sub``, ``Div``, ``Pow`` with ``add``, ``mul``, ... (from
:mod:`dezero.functions.arithmetic`) and ``setup_variable``.

Where this differs from the book's DeZero, the docstring says so and
``docs/semantics.md`` explains why.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from types import ModuleType
from typing import Any, ClassVar, Generic, SupportsIndex, TypeAlias, TypeVar, Union, cast

import numpy as np
import numpy.typing as npt

from dezero._arrays import array_module, is_array, is_index
from dezero._config import Config, backprop_enabled, no_grad, test_mode, using_config

# The dtype of an array is a run-time property here (float16/32/64 data, integer
# labels and indices), so arrays are typed with an open dtype.
Array: TypeAlias = npt.NDArray[Any]
Scalar: TypeAlias = Union[int, float, bool, np.generic]
# What a Function accepts as an input: a Variable, or data that becomes a constant.
Operand: TypeAlias = Union["Variable", Array, Scalar]
ShapeLike: TypeAlias = Union[SupportsIndex, Sequence[SupportsIndex]]
Axis: TypeAlias = Union[None, int, tuple[int, ...]]

_PYTHON_SCALARS = (int, float, bool)


def as_array(x: Array | Scalar, array_module: ModuleType = np) -> Array:
    """Return ``x`` as an array: arrays (NumPy's or CuPy's) as they are, anything
    else (NumPy scalars, Python numbers) through ``array_module.asarray``."""
    if isinstance(x, np.ndarray):
        return x
    if not isinstance(x, np.generic) and is_array(x):
        return x  # type: ignore[return-value]  # a CuPy array stands for an ndarray
    result: Array = array_module.asarray(x)
    return result


def as_variable(obj: Operand) -> Variable:
    """Return ``obj`` if it is a Variable, else wrap ``as_array(obj)`` in a new Variable."""
    if isinstance(obj, Variable):
        return obj
    return Variable(as_array(obj))


# --------------------------------------------------------------------------- Variable


class Variable:
    """An ndarray with a gradient and a link to the Function that created it.

    ``data`` must be an ndarray (NumPy's, or CuPy's when CuPy is in use) or None:
    Python numbers, lists and NumPy scalars are rejected with ``TypeError`` (as in
    the book), so shapes never change silently.
    """

    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")
    # Higher than ndarray's, so ``ndarray + variable`` calls ``Variable.__radd__``.
    __array_priority__ = 200
    # NumPy ufuncs on a Variable raise a clear TypeError instead of building object arrays.
    __array_ufunc__ = None

    data: Array | None
    name: str | None
    grad: Variable | None
    creator: Function[Any] | None
    generation: int

    def __init__(self, data: Array | None, name: str | None = None) -> None:
        # (A CuPy array is typed as an ndarray, so mypy takes is_array for unreachable.)
        if data is not None and not isinstance(data, np.ndarray) and not is_array(data):  # type: ignore[unreachable]
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

    # -- array-like properties

    @property
    def array(self) -> Array:
        """``data``, or a clear error when it is None."""
        if self.data is None:
            raise ValueError(f"{self!r} holds no data")
        return self.data

    # These read ``data`` directly (the engine reads them often) and fall back on
    # ``array`` for its error when there is none.

    @property
    def shape(self) -> tuple[int, ...]:
        try:
            return self.data.shape  # type: ignore[union-attr]
        except AttributeError:
            return self.array.shape

    @property
    def ndim(self) -> int:
        try:
            return self.data.ndim  # type: ignore[union-attr]
        except AttributeError:
            return self.array.ndim

    @property
    def size(self) -> int:
        try:
            return self.data.size  # type: ignore[union-attr]
        except AttributeError:
            return self.array.size

    @property
    def dtype(self) -> np.dtype[Any]:
        try:
            return self.data.dtype  # type: ignore[union-attr]
        except AttributeError:
            return self.array.dtype

    def __len__(self) -> int:
        return len(self.array)

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        body = str(self.data).replace("\n", "\n" + " " * len("variable("))
        return f"variable({body})"

    # -- graph

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
        """Accumulate d(self)/d(leaf) · seed into every leaf's ``grad``.

        The seed is ``self.grad`` when set (it must have ``self.shape``), else ones.
        Integer data gets float64 gradients. :mod:`dezero.engine` explains the two
        modes (``create_graph`` off or on), the schedule and the guarantees.
        """
        engine.backward(self, retain_grad, create_graph)

    # -- devices (dezero.cuda)

    def to_cpu(self) -> None:
        """Move ``data`` to host memory (a NumPy array)."""
        if self.data is not None:
            self.data = cuda.as_numpy(self.data)

    def to_gpu(self) -> None:
        """Move ``data`` to the GPU (a CuPy array); needs CuPy."""
        if self.data is not None:
            self.data = cuda.as_cupy(self.data)

    # -- methods that build graph nodes (defined in dezero.functions)

    def reshape(self, *shape: ShapeLike) -> Variable:
        return _F.reshape(self, _shape_from_args(shape))

    def transpose(self, *axes: ShapeLike) -> Variable:
        if not axes or (len(axes) == 1 and axes[0] is None):
            return _F.transpose(self)
        return _F.transpose(self, _shape_from_args(axes))

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

    # -- operators

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


def _shape_from_args(args: tuple[ShapeLike, ...]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape ``(2, 3)``."""
    if len(args) == 1 and not is_index(args[0]):
        return tuple(int(i) for i in cast(Sequence[SupportsIndex], args[0]))
    return tuple(int(i) for i in args)  # type: ignore[arg-type]  # here each arg is an index


class Parameter(Variable):
    """A Variable that a Layer owns and an Optimizer updates."""

    __slots__ = ()


class _Constant(Variable):
    """Raw data passed to a Function (``x * 2``, ``x + ndarray``), wrapped as a Variable,
    and every output of a Function whose inputs are all constants.

    The engine sends no gradient into a constant, so integer constants are fine, also
    inside backward graphs (``create_graph=True`` computes ``-x1`` or ``W.T`` of a
    constant there, which stay constants).
    """

    __slots__ = ()


# --------------------------------------------------------------------------- Function


OutputT = TypeVar("OutputT", bound=Union["Variable", list["Variable"]])
# A gradient in a backward written for both kinds (``Function.array_backward``):
# an ndarray in ``backward()``, a Variable in ``backward(create_graph=True)``.
V = TypeVar("V", "Variable", Array)


class Function(Generic[OutputT]):
    """One differentiable operation.

    ``Function[Variable]`` returns one Variable when called, ``Function[list[Variable]]``
    a list (one per output), as in the book.

    Subclasses implement ``forward(*arrays) -> array | tuple of arrays`` on ndarrays and
    ``backward(*grads) -> grad | tuple of (grad | None)``. ``None`` in backward's result
    means "this input receives no gradient" (integer labels, say).

    In the book's style, backward gets Variables and builds its result from other
    Functions, so that the gradient is itself differentiable. A subclass may instead
    set ``array_backward = True`` and write its backward once for two kinds of
    gradient: ndarrays (``backward()``: a plain gradient, computed without creating a
    Variable or a node) and Variables (``backward(create_graph=True)``: a gradient with
    a graph of its own). Such a backward reads its operands with
    :meth:`inputs_like` / :meth:`output_like`, calls other Functions with
    :meth:`apply`, and otherwise uses operators and the methods ndarray and Variable
    share (``reshape``, ``transpose``, ``T``, ``sum(axis=..., keepdims=...)``). Every
    Function of ``dezero.functions`` is written so.
    """

    __slots__ = ("inputs", "_outputs", "generation", "_output_specs", "__weakref__")

    # True when backward also takes and returns plain ndarrays (see above).
    array_backward: ClassVar[bool] = False

    inputs: list[Variable]
    # A weak reference to the output, or a tuple of them for several (see ``outputs``).
    _outputs: weakref.ref[Variable] | tuple[weakref.ref[Variable], ...]
    generation: int
    # Shapes and dtypes of the outputs, kept for multi-output Functions only: an
    # output that was dropped (dead weakref) still needs a zero gradient.
    _output_specs: tuple[tuple[tuple[int, ...], np.dtype[Any]], ...]

    def __call__(self, *inputs: Operand) -> OutputT:
        """Apply the Function: one Variable for a single output, a list for several."""
        arrays = []
        kind: type[Variable] = _Constant  # the outputs of constants are constants
        generation = 0
        for x in inputs:
            if not isinstance(x, Variable):  # raw data: wrap it as constants, then call again
                return self(*_as_input_variables(inputs))
            arrays.append(x.data)
            if x.__class__ is not _Constant:
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
            self.inputs = list(inputs)  # type: ignore[arg-type]  # all Variables, checked above
            if len(outputs) == 1:
                self._outputs = weakref.ref(outputs[0])
            else:
                self._outputs = tuple(map(weakref.ref, outputs))
                self._output_specs = tuple((y.shape, y.dtype) for y in outputs)
        # (typing.cast would cost a call per node)
        return outputs if len(outputs) > 1 else outputs[0]  # type: ignore[return-value]

    @property
    def outputs(self) -> list[weakref.ref[Variable]]:
        """Weak references to the outputs, as in the book (held without the list
        when there is one output: a list per node costs time and memory)."""
        refs = self._outputs
        return list(refs) if isinstance(refs, tuple) else [refs]

    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def needs_grad(self, index: int) -> bool:
        """Whether input ``index`` can receive a gradient anyone reads.

        Constants (raw data passed to the Function) cannot, so a backward may skip an
        expensive term for them and return None instead.
        """
        return self.inputs[index].__class__ is not _Constant

    def inputs_like(self, gy: V) -> list[V]:
        """The inputs in the form of the gradient ``gy``: the Variables themselves when
        it is a Variable, their arrays when it is an array (a 0-d array as its NumPy
        scalar, which computes the same, faster)."""
        if isinstance(gy, Variable):
            return self.inputs
        return [_value(x.data) for x in self.inputs]

    def output_like(self, gy: V) -> V:
        """The (only) output in the form of ``gy``, as :meth:`inputs_like`."""
        y = self._outputs()  # type: ignore[operator]  # one output: one weakref
        assert y is not None  # an output on the path being differentiated is alive
        if isinstance(gy, Variable):
            return y
        value: V = _value(y.data)
        return value

    def apply(self, *values: V) -> V:
        """This Function on gradient values: a node of the graph when they are
        Variables (as calling it does), its bare ``forward`` when they are arrays."""
        for value in values:
            if isinstance(value, Variable):
                return self(*values)  # type: ignore[return-value]
        return self.forward(*values)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} generation={getattr(self, 'generation', None)}>"


def _value(a: Any) -> Any:
    """An input's array for a backward on arrays: a 0-d array as the NumPy scalar it
    holds (the same value and dtype; NumPy computes with scalars several times faster)."""
    return a if a.ndim else a[()]


def _as_input_variables(inputs: tuple[Operand, ...]) -> list[Variable]:
    """Wrap raw inputs as constants; Python numbers take the dtype of the Variables.

    NumPy 2 treats a Python number as "weak" in ``float32_array * 2.0`` and keeps
    float32; as a 0-d float64 array it would promote. So the number is converted with
    the result type NumPy itself would use.
    """
    arrays = [x.data for x in inputs if isinstance(x, Variable) and x.data is not None]
    if len(arrays) == len(inputs):
        return list(inputs)  # type: ignore[arg-type]  # all Variables
    # A number joins the arrays' device (the common case, NumPy, without a call).
    xp = np if not arrays or type(arrays[0]) is np.ndarray else array_module(arrays[0])
    variables: list[Variable] = []
    for x in inputs:
        if isinstance(x, Variable):
            variables.append(x)
        elif isinstance(x, _PYTHON_SCALARS):
            variables.append(_Constant(xp.asarray(x, dtype=_number_dtype(arrays, x))))
        elif isinstance(x, np.ndarray) or is_array(x):
            variables.append(_Constant(x))  # type: ignore[arg-type]  # an array, checked
        elif isinstance(x, np.generic):
            variables.append(_Constant(xp.asarray(x)))
        else:
            raise TypeError(
                f"a Function input must be a Variable, a numpy array or a number, "
                f"got {type(x).__name__}"
            )
    return variables


def _number_dtype(arrays: list[Array], x: Scalar) -> np.dtype[Any] | None:
    """The dtype of ``array op x`` for a Python number ``x``: ``numpy.result_type``,
    short-cut for the common case of one floating-point array (its own dtype)."""
    if len(arrays) == 1 and arrays[0].dtype.kind == "f":
        return arrays[0].dtype
    return np.result_type(*(a.dtype for a in arrays), x) if arrays else None


def setup_variable() -> None:
    """Kept for compatibility: the book attaches the operators to Variable here; in
    this reference Variable defines them itself, so there is nothing to do."""


# Variable's methods are written with dezero.functions, and the engine and
# dezero.cuda are built on the classes above: importing them last, once those
# classes exist, resolves the cycles. The book defines its arithmetic Functions in
# this module; here they live in dezero.functions.arithmetic and are re-exported.
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


