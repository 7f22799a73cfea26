"""The reverse-mode engine: what :meth:`Variable.backward` runs.

:func:`backward` is the book's loop: take the waiting Function of the highest
generation, give it the gradients of its outputs, add what its backward returns to
the gradients of its inputs, and queue their creators. Four named pieces make it
differ from the book (``docs/semantics.md`` #1-#8, #12, #14):

- :class:`Schedule` keeps the waiting Functions in one list per generation; the
  book re-sorts one list on every insert, which is quadratic on wide graphs.
- A sweep sums its gradients in a dict of its own and adds them to ``.grad`` at
  the end, so a stale ``grad`` on an intermediate never leaks into it, and two
  sweeps accumulate exactly twice one sweep.
- The mode, :class:`GraphMode` or :class:`ArrayMode`, is the seam between the loop
  and what a gradient is. ``backward(create_graph=True)`` runs in graph mode, the
  book's: every gradient is a Variable and every backward is recorded, so the
  gradients can be differentiated again. ``backward()`` runs in array mode, the
  fast path: every gradient is an ndarray (a 0-d one may be a NumPy scalar), and a
  Function with ``array_backward = True`` (all of :mod:`dezero.functions`) computes
  ``gy * cos(x)`` as two NumPy calls, creating no Variable and no node. Either way
  every gradient a backward returns is checked against its input: its kind, its
  shape, and its dtype (:func:`~dezero._arrays.gradient_dtype`: float64 for
  integer data).
- :func:`unshare_grads` gives every stored gradient memory of its own.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Container, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

import numpy as np

from dezero._arrays import Array, array_module, gradient_dtype, gradients_per_input, is_array
from dezero._config import using_config
from dezero.core import Constant, Function, Variable, as_array
from dezero.functions.arithmetic import astype, copy

# A gradient during a sweep: a Variable in graph mode, an ndarray or a NumPy scalar
# in array mode. The loop handles both alike, so it is typed as neither.
Gradient: TypeAlias = Any


def backward(root: Variable, retain_grad: bool = False, create_graph: bool = False) -> None:
    """Add d(root)/d(leaf) · seed into the ``grad`` of every leaf upstream of ``root``.

    The seed is ``root.grad`` when set (of ``root``'s shape), else ones. With
    ``retain_grad`` the intermediate Variables keep their gradients too.
    """
    seed = seed_gradient(root)
    root.grad = seed  # during the sweep too, so that no leaf shares the seed's memory
    if root.creator is None:  # a leaf, or built under no_grad: nothing to propagate
        return
    mode = GRAPH_MODE if create_graph else ARRAY_MODE
    grads: dict[Variable, Gradient] = {root: mode.gradient(seed)}  # this sweep's gradients
    leaves: list[Variable] = []
    retained: list[Variable] = []
    schedule = Schedule(root.creator)
    with using_config("enable_backprop", create_graph):
        for func in schedule:
            gys: list[Gradient] = []  # its outputs' gradients
            refs = func.weak_outputs
            for ref in refs if isinstance(refs, tuple) else (refs,):
                y = ref()  # None: an output that was dropped
                gy = grads.pop(y, None) if y is not None else None
                if y is not None and y is not root:  # the root keeps the seed
                    if not retain_grad:
                        y.grad = None
                    elif gy is not None:
                        y.grad = accumulate(y.grad, mode.variable(gy))
                        retained.append(y)
                gys.append(gy if gy is not None else mode.zeros(func, len(gys), y))  # (output len(gys))

            gxs = mode.backward(func, gys)
            for i, x in enumerate(func.inputs):
                gx = gxs[i]
                if gx is None or x.__class__ is Constant:  # no gradient, or one nobody reads
                    continue
                data = x.data
                if not (  # (a dtype is one object: "is" passes the common case fast)
                    isinstance(gx, mode.kind) and data is not None
                    and gx.shape == data.shape and gx.dtype is data.dtype
                ):  # fmt: skip
                    gx = mode.conform(func, i, x, gx)  # checks, casts, or explains
                if x in grads:
                    grads[x] = grads[x] + gx
                    continue
                grads[x] = gx
                creator = x.creator
                if creator is None:
                    leaves.append(x)
                elif not (isinstance(creator.weak_outputs, tuple) and waiting_already(creator, x, grads)):
                    schedule.add(creator)

        for leaf in leaves:
            leaf.grad = accumulate(leaf.grad, mode.variable(grads[leaf]))
    unshare_grads([root] + retained + leaves, create_graph)
    if not retain_grad:
        root.grad = None


def seed_gradient(root: Variable) -> Variable:
    """``root.grad`` checked and cast to the gradient dtype, or ones."""
    data = root.array
    dtype = gradient_dtype(data.dtype)
    seed = root.grad
    if seed is None:
        return Variable(array_module(data).ones(data.shape, dtype=dtype))
    if not isinstance(seed, Variable):
        raise TypeError(f"the seed gradient must be a Variable, got {type(seed).__name__}")
    if seed.shape != data.shape:
        raise ValueError(
            f"the seed gradient has shape {seed.shape}, but the output has shape {data.shape}"
        )
    if seed.dtype != dtype:
        if seed.dtype.kind not in "biuf":
            raise TypeError(f"the seed gradient must be numeric, got {seed.dtype}")
        return Variable(seed.array.astype(dtype))
    return seed


def accumulate(old: Variable | None, new: Variable) -> Variable:
    return new if old is None else old + new


# --------------------------------------------------------------------------- schedule


class Node(Protocol):
    """A Function, of :mod:`dezero.core` or of :mod:`dezero.core_simple`."""

    generation: int

    @property
    def outputs(self) -> list[weakref.ref[Any]]: ...


NodeT = TypeVar("NodeT", bound=Node)


class Schedule(Generic[NodeT]):
    """The Functions waiting for their backward, in the order they run: the highest
    generation first, and within a generation, the order they were added in. A
    Function's generation is below that of every Function consuming its outputs,
    so it runs after all of them. ``dezero.core_simple`` uses it too.

    Add a Function once: when the first of its outputs gets a gradient
    (:func:`waiting_already` tells the later ones).
    """

    def __init__(self, first: NodeT) -> None:
        self.waiting = {first.generation: [first]}  # per generation, in the order added
        self.generations = [-first.generation]  # the keys of waiting, in a heap (highest first)

    def add(self, func: NodeT) -> None:
        generation = func.generation
        if generation in self.waiting:
            self.waiting[generation].append(func)
        else:
            self.waiting[generation] = [func]
            heapq.heappush(self.generations, -generation)

    def __iter__(self) -> Iterator[NodeT]:
        waiting, generations = self.waiting, self.generations
        while generations:
            yield from waiting.pop(-heapq.heappop(generations))


def waiting_already(func: Node, output: object, grads: Container[object]) -> bool:
    """Whether ``func``, whose ``output`` just got its first gradient, is waiting
    already: so when another of its outputs got one before. (It cannot have run yet:
    it runs after every consumer of ``output``.)"""
    return any(ref() in grads for ref in func.outputs if ref() is not output)


# --------------------------------------------------------------------------- modes


class GraphMode:
    """The book's backward, ``backward(create_graph=True)``: every gradient is a
    Variable, and every backward runs with ``enable_backprop`` on, so it is recorded.

    With :class:`ArrayMode`, the seam between :func:`backward`'s loop and the fast
    path: the loop knows a gradient only through these methods and ``kind``.
    """

    kind: type[Any] | tuple[type[Any], ...] = Variable  # what a gradient is
    must_return = "must return Variables"

    def gradient(self, v: Variable) -> Gradient:
        """A Variable's value as a gradient of this mode."""
        return v

    def variable(self, g: Gradient) -> Variable:
        """A gradient of this mode as a Variable, to store in ``.grad``."""
        result: Variable = g
        return result

    def zeros(self, func: Function[Any], index: int, y: Variable | None) -> Gradient:
        """The gradient of output ``index`` when it got none: zeros, also for a
        dropped output ``y`` (the book passes None, which a backward trips on)."""
        if y is not None:
            shape, dtype, like = y.shape, y.dtype, y.data
        else:
            (shape, dtype), like = func.output_specs[index], func.inputs[0].data
        return self.gradient(Variable(array_module(like).zeros(shape, dtype=gradient_dtype(dtype))))

    def backward(self, func: Function[Any], gys: list[Gradient]) -> tuple[Gradient | None, ...]:
        """``func``'s backward on ``gys``: one gradient (or None) per input."""
        return gradients_per_input(func, func.backward(*gys), len(func.inputs))

    def conform(self, func: Function[Any], index: int, x: Variable, gx: object) -> Gradient:
        """``gx``, which ``func``'s backward returned for input ``x`` (its ``index``),
        checked (of this mode's kind, of ``x``'s shape) and cast to ``x``'s
        gradient dtype."""
        if not (isinstance(gx, self.kind) or (self.kind is NUMPY_ARRAYS and is_array(gx))):
            raise TypeError(
                f"{type(func).__name__}.backward {self.must_return} (or None), "
                f"got {type(gx).__name__} for input {index}"
            )
        grad: Gradient = gx
        if grad.shape != x.shape:
            raise RuntimeError(
                f"{type(func).__name__}.backward returned a gradient of shape {grad.shape} "
                f"for input {index} of shape {x.shape}"
            )
        dtype = gradient_dtype(x.dtype)
        if grad.dtype != dtype:
            return astype(grad, dtype) if isinstance(grad, Variable) else grad.astype(dtype)
        return grad


# A gradient in array mode: 0-d arithmetic in NumPy gives NumPy scalars, which act
# as 0-d arrays. (A CuPy array passes through ``conform``, off the fast path.)
NUMPY_ARRAYS = (np.ndarray, np.generic)


class ArrayMode(GraphMode):
    """The fast path, ``backward()``: every gradient is an ndarray, and no graph is
    recorded. A book-style Function (``array_backward`` False) still gets and
    returns Variables; only the gradients stored in ``.grad`` become Variables."""

    kind = NUMPY_ARRAYS
    must_return = "was given arrays and must return arrays"

    def gradient(self, v: Variable) -> Gradient:
        return v.data

    def variable(self, g: Gradient) -> Variable:
        return Variable(as_array(g, array_module(g)))

    def backward(self, func: Function[Any], gys: list[Gradient]) -> tuple[Gradient | None, ...]:
        if func.array_backward:
            gxs = func.backward(*gys)
            if type(gxs) is tuple and len(gxs) == len(func.inputs):  # the common case, without a call
                return gxs
            return gradients_per_input(func, gxs, len(func.inputs))
        gxs = GRAPH_MODE.backward(func, [self.variable(gy) for gy in gys])
        return tuple(  # Variables, checked as such, then their arrays
            gx if gx is None or x.__class__ is Constant else GRAPH_MODE.conform(func, i, x, gx).data
            for i, (x, gx) in enumerate(zip(func.inputs, gxs))
        )


GRAPH_MODE = GraphMode()
ARRAY_MODE = ArrayMode()


# --------------------------------------------------------------------------- storing


def unshare_grads(variables: Iterable[Variable], create_graph: bool) -> None:
    """Give every gradient its own writable memory.

    Backward rules hand one gradient to several inputs (``Add`` returns ``gy`` twice;
    ``Reshape`` returns a view). The book stores those shared objects as they are, so
    an optimizer hook updating one ``grad.data`` in place corrupts another. Here the
    first holder keeps the memory and later ones get a copy.
    """
    owners: set[int] = set()
    seen: set[int] = set()
    for var in variables:
        grad = var.grad
        if grad is None or id(var) in seen:
            continue
        seen.add(id(var))
        base = memory_owner(grad.array)
        if id(base) in owners or not getattr(grad.array.flags, "writeable", True):
            var.grad = copy(grad) if create_graph else Variable(grad.array.copy())
            base = var.grad.array
        owners.add(id(base))


def memory_owner(a: Array) -> Array:
    """The array whose memory ``a`` views (``a`` itself when it owns its memory)."""
    kind = array_module(a).ndarray
    while isinstance(a.base, kind):
        a = a.base
    return a
