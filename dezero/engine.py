"""The reverse-mode engine: what :meth:`Variable.backward` runs.

:func:`backward` walks the graph from a root Variable back to its leaves, calling
each Function's ``backward`` once, and adds d(root)/d(leaf) · seed into every
leaf's ``grad``.

Two modes
---------
**Array mode** (``create_graph=False``, the default). The gradients in flight are
plain ndarrays (a 0-d one may be a NumPy scalar), and no graph is recorded
(``enable_backprop`` is off). A Function with ``array_backward = True`` (every
Function of :mod:`dezero.functions`) runs its backward directly on them, so
``gy * cos(x)`` is two NumPy calls. A book-style Function (``array_backward``
False) gets its gradients wrapped in Variables, as in the book, and its results are
unwrapped again. Only the gradients finally stored in ``.grad`` become Variables.

**Graph mode** (``create_graph=True``). Every gradient in flight is a Variable and
``enable_backprop`` stays on, so each backward step is itself recorded as Functions:
the stored gradients have creators and can be differentiated again.

Both modes run the same backward rules in the same order; they differ only in the
kind of value a gradient is. Everything below that depends on the mode says so.

Guarantees (``docs/semantics.md`` #1-#8, #12, #14)
--------------------------------------------------
- Schedule: Functions wait in lists per generation, run from the highest
  generation down (a heap holds the generations that have a list), each list in the
  order its Functions were reached. A Function's generation is below that of every
  Function consuming its outputs, so it runs after all of them, exactly once. (The
  book re-sorts a list on every insert, which is quadratic on wide graphs.)
- Gradients of one sweep are summed in a private buffer per Variable and only then
  added to ``.grad``: a stale retained ``grad`` on an intermediate never leaks into
  the sweep, and two sweeps accumulate exactly twice one sweep.
- Every gradient has its variable's shape, and dtype :func:`gradient_dtype`: the
  variable's own for floating-point data, float64 for integer and boolean data.
- No two stored gradients share memory, and every stored gradient is writable.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

import numpy as np

from dezero._arrays import array_module, gradient_dtype, gradients_per_input, is_array
from dezero._config import using_config
from dezero.core import Constant, Function, Variable, as_array
from dezero.functions.arithmetic import astype, copy

# A gradient in array mode: 0-d arithmetic in NumPy gives NumPy scalars, which act
# as 0-d arrays. (CuPy arrays are checked apart, off the fast path.)
_NUMPY_ARRAYS = (np.ndarray, np.generic)


def backward(root: Variable, retain_grad: bool, create_graph: bool) -> None:
    """Propagate the seed gradient of ``root`` to every leaf upstream of it.

    The seed is ``root.grad`` when set (it must have ``root``'s shape), else ones.
    With ``retain_grad``, intermediate Variables keep their gradients too; with
    ``create_graph``, the sweep runs in graph mode (see the module's docstring).
    """
    seed = _seed_gradient(root)
    creator = root.creator
    if creator is None:  # a leaf, or built under no_grad: nothing to propagate
        root.grad = seed
        return

    root.grad = seed  # held during the sweep, so that no leaf shares the seed's memory
    on_arrays = not create_graph
    # This sweep's gradients per Variable: arrays in array mode, Variables in graph mode.
    pending: dict[Variable, Any] = {root: seed.data if on_arrays else seed}
    leaves: list[Variable] = []
    retained: list[Variable] = []
    waiting = {creator.generation: [creator]}  # Functions to run, per generation
    generations = [-creator.generation]  # the keys of waiting, in a heap (highest first)

    with using_config("enable_backprop", create_graph):
        while generations:
            for func in waiting.pop(-heapq.heappop(generations)):
                # The gradients of its outputs (zeros for an output that got none).
                gys = []
                refs = func.weak_outputs
                for i, ref in enumerate(refs if isinstance(refs, tuple) else (refs,)):
                    y = ref()
                    gy = pending.pop(y, None)  # type: ignore[arg-type]  # a dead output (None) has none
                    if y is not None and y is not root:  # the root holds the seed until the end
                        if not retain_grad:
                            y.grad = None
                        elif gy is not None:
                            y.grad = _accumulate(y.grad, _as_grad(gy))
                            retained.append(y)
                    gys.append(gy if gy is not None else _zeros_like_output(func, i, y, on_arrays))

                # Its backward: on arrays when both the mode and the Function allow.
                takes_arrays = on_arrays and func.array_backward
                if on_arrays and not takes_arrays:
                    gys = [Variable(as_array(gy, array_module(gy))) for gy in gys]
                gxs = gradients_per_input(func, func.backward(*gys), len(func.inputs))
                # Each input's gradient, checked and summed; on the first one, the
                # input's creator starts waiting.
                for i, (x, gx) in enumerate(zip(func.inputs, gxs)):
                    if gx is None or x.__class__ is Constant:
                        continue
                    data = x.data
                    if not (
                        takes_arrays and isinstance(gx, _NUMPY_ARRAYS) and data is not None
                        and gx.shape == data.shape and gx.dtype == data.dtype
                    ):  # fmt: skip
                        gx = _conform(func, i, x, gx, takes_arrays)  # checks, casts, or explains
                        if on_arrays and not takes_arrays:
                            gx = gx.data
                    first = x not in pending
                    pending[x] = gx if first else pending[x] + gx
                    creator = x.creator
                    if creator is None:
                        if first:
                            leaves.append(x)
                    elif first and not (isinstance(creator.weak_outputs, tuple) and _is_queued(creator, pending, x)):
                        if creator.generation in waiting:
                            waiting[creator.generation].append(creator)
                        else:
                            waiting[creator.generation] = [creator]
                            heapq.heappush(generations, -creator.generation)

        for leaf in leaves:
            leaf.grad = _accumulate(leaf.grad, _as_grad(pending[leaf]))
    _unshare_grads([root] + retained + leaves, create_graph)
    if not retain_grad:
        root.grad = None


def _seed_gradient(root: Variable) -> Variable:
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


def _is_queued(creator: Function[Any], pending: dict[Variable, Any], x: Variable) -> bool:
    """Whether ``creator`` (of several outputs), whose output ``x`` just got its first
    gradient, is already waiting to run: so when another of its outputs got one
    before. (It cannot have run yet: it runs after every consumer of ``x``.)"""
    return any(ref() in pending for ref in creator.outputs if ref() is not x)


def _zeros_like_output(func: Function[Any], index: int, y: Variable | None, on_arrays: bool) -> Any:
    """The gradient of an output that received none: zeros, also for a dropped
    output (the book passes None, which a multi-output backward then trips on)."""
    if y is not None:
        shape, dtype, like = y.shape, y.dtype, y.data
    else:
        (shape, dtype), like = func.output_specs[index], func.inputs[0].data
    zeros = array_module(like).zeros(shape, dtype=gradient_dtype(dtype))
    return zeros if on_arrays else Variable(zeros)


def _conform(func: Function[Any], index: int, x: Variable, gx: object, takes_arrays: bool) -> Any:
    """Check that a backward's gradient fits its input; cast its dtype if needed.

    A backward that was given arrays must return arrays (NumPy scalars count), one
    that was given Variables must return Variables.
    """
    if takes_arrays:
        if not (isinstance(gx, _NUMPY_ARRAYS) or is_array(gx)):
            raise TypeError(
                f"{type(func).__name__}.backward was given arrays and must return arrays "
                f"(or None), got {type(gx).__name__} for input {index}"
            )
    elif not isinstance(gx, Variable):
        raise TypeError(
            f"{type(func).__name__}.backward must return Variables (or None), "
            f"got {type(gx).__name__} for input {index}"
        )
    grad: Any = gx
    if grad.shape != x.shape:
        raise RuntimeError(
            f"{type(func).__name__}.backward returned a gradient of shape {grad.shape} "
            f"for input {index} of shape {x.shape}"
        )
    dtype = gradient_dtype(x.dtype)
    if grad.dtype != dtype:
        return astype(grad, dtype) if isinstance(grad, Variable) else grad.astype(dtype)
    return grad


def _as_grad(g: Any) -> Variable:
    """A gradient of the sweep as a Variable to store in ``.grad``."""
    return g if isinstance(g, Variable) else Variable(as_array(g, array_module(g)))


def _accumulate(old: Variable | None, new: Variable) -> Variable:
    return new if old is None else old + new


def _unshare_grads(variables: Iterable[Variable], create_graph: bool) -> None:
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
        base = _memory_owner(grad.array)
        if id(base) in owners or not _writeable(grad.array):
            var.grad = copy(grad) if create_graph else Variable(grad.array.copy())
            base = var.grad.array
        owners.add(id(base))


def _memory_owner(a: Any) -> Any:
    """The array whose memory ``a`` views (``a`` itself when it owns its memory)."""
    kind = array_module(a).ndarray
    while isinstance(a.base, kind):
        a = a.base
    return a


def _writeable(a: Any) -> bool:
    """Whether ``a`` may be written in place (CuPy arrays always may: no such flag)."""
    return getattr(a.flags, "writeable", True) is not False
