"""Deliberately broken implementations: realistic one-line bugs in the reference.

A :class:`Mutant` names a function or method of the reference, a snippet of its
source and the replacement. :func:`applied` swaps the mutated function in for the
duration of a ``with`` block (recompiling its source with the change) and puts the
original back afterwards. If the reference's source changes so that a snippet no
longer occurs exactly once, :func:`applied` says so instead of testing nothing.
"""

from __future__ import annotations
import __future__

import contextlib
import importlib
import inspect
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str  # "engine" or "rule"
    bug: str  # the bug, in words
    target: str  # "module:attribute" or "module:Class.method"
    old: str
    new: str
    caught_by: str  # the property expected to catch it (tests.selftest.properties)


class MutantDoesNotApply(Exception):
    """The snippet to mutate is not in the target's source exactly once."""


def _resolve(target: str) -> tuple[Any, str, Any]:
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name, importlib.import_module(module_name)


@contextlib.contextmanager
def applied(mutant: Mutant) -> Iterator[None]:
    owner, name, module = _resolve(mutant.target)
    original = owner.__dict__[name]
    source = textwrap.dedent(inspect.getsource(original))
    if source.count(mutant.old) != 1:
        raise MutantDoesNotApply(f"{mutant.name}: {mutant.old!r} is not in {mutant.target} exactly once")
    code = compile(
        source.replace(mutant.old, mutant.new),
        f"<mutant {mutant.name}>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    namespace: dict[str, Any] = {}
    exec(code, module.__dict__, namespace)
    setattr(owner, name, namespace[name])
    try:
        yield
    finally:
        setattr(owner, name, original)


CORE = "dezero.core"
F = "dezero.functions"

MUTANTS: tuple[Mutant, ...] = (
    # -- engine bugs
    Mutant("ordering ignored", "engine", "runs the most recently queued generation, not the highest",
           f"{CORE}:_backward", "waiting.pop(-heapq.heappop(generations))", "waiting.pop(-generations.pop())",
           "schedule"),
    Mutant("processed twice", "engine", "queues a Function again each time one of its outputs gets a gradient",
           f"{CORE}:_backward",
           "elif first and not (isinstance(creator._outputs, tuple) and _is_queued(creator, pending, x)):",
           "elif True:", "schedule"),
    Mutant("grads overwritten", "engine", "a second gradient for a Variable replaces the first",
           f"{CORE}:_backward", "pending[x] = gx if first else pending[x] + gx", "pending[x] = gx", "gradients"),
    Mutant("in-place shared accumulation", "engine", "adds into the first gradient's array, which other Variables share",
           f"{CORE}:_backward", "pending[x] = gx if first else pending[x] + gx",
           "pending[x] = gx if first else np.add(pending[x], gx, out=pending[x])", "gradients"),
    Mutant("generation not propagated", "engine", "outputs get their creator's generation, not one more",
           f"{CORE}:Function.__call__", "output.generation = generation + 1",
           "output.generation = generation", "schedule"),
    Mutant("retain_grad ignored", "engine", "intermediate grads are always kept",
           f"{CORE}:_backward", "if not retain_grad:\n                            y.grad = None",
           "if False:\n                            y.grad = None", "retain_grad=False"),
    Mutant("outputs held strongly", "engine", "Function.outputs hold the outputs themselves (a reference cycle)",
           f"{CORE}:Function.__call__", "self._outputs = weakref.ref(outputs[0])",
           "self._outputs = lambda o=outputs[0]: o", "freed by refcount"),
    Mutant("no_grad ignored", "engine", "graphs are recorded whatever the grad mode",
           f"{CORE}:Function.__call__", "if _enable_backprop.get():", "if True:", "no_grad"),
    Mutant("create_graph ignored", "engine", "backward never records the graph of the gradients",
           f"{CORE}:_backward", 'with using_config("enable_backprop", create_graph):',
           'with using_config("enable_backprop", False):', "double backward"),
    Mutant("dropped output gets None", "engine", "an output with no gradient passes None to backward (the book)",
           f"{CORE}:_zeros_like_output", "return zeros if on_arrays else Variable(zeros)", "return None", "gradients"),
    Mutant("grads share memory", "engine", "gradients handed to several inputs are stored as the same array",
           f"{CORE}:_backward", "_unshare_grads([root] + retained + leaves, create_graph)",
           "pass", "grad storage"),
    Mutant("seed shape unchecked", "engine", "a seed gradient of the wrong shape is used as it is",
           f"{CORE}:_seed_gradient", "if seed.shape != data.shape:", "if False:", "bad seed"),
    Mutant("Python scalars promote", "engine", "a Python number becomes a float64 array (float32 * 2.0 is float64)",
           f"{CORE}:_as_input_variables", "np.asarray(x, dtype=_number_dtype(arrays, x))", "np.asarray(x)",
           "forward float32"),
    # -- rule bugs
    Mutant("sign error", "rule", "Sub.backward forgets the minus for its second input",
           f"{F}.arithmetic:Sub.backward", "unbroadcast(-gy, x1.shape)", "unbroadcast(gy, x1.shape)", "gradients"),
    Mutant("swapped operands", "rule", "Mul.backward multiplies by the wrong input",
           f"{F}.arithmetic:Mul.backward", "unbroadcast(gy * x1, x0.shape)", "unbroadcast(gy * x0, x0.shape)",
           "gradients"),
    Mutant("broadcasting not undone", "rule", "Add.backward returns gy without sum_to",
           f"{F}.arithmetic:Add.backward", "unbroadcast(gy, x0.shape) if self.needs_grad(0)", "gy if self.needs_grad(0)",
           "gradients"),
    Mutant("wrong transpose", "rule", "Transpose.backward applies the permutation again instead of its inverse",
           f"{F}.shape:Transpose.backward", "Transpose(tuple(np.argsort(self.axes).tolist())).apply(gy)",
           "Transpose(self.axes).apply(gy)", "op alone: transpose"),
    Mutant("matmul transpose missing", "rule", "MatMul.backward forgets to transpose W",
           f"{F}.linalg:MatMul.backward", "MatMul().apply(gy, swapaxes_last(W))", "MatMul().apply(gy, W)",
           "op alone: matmul"),
    Mutant("wrong axis", "rule", "Softmax.backward sums over the last axis, not its own",
           f"{F}.nn:Softmax.backward", "y_gy.sum(axis=self.axis, keepdims=True)", "y_gy.sum(axis=-1, keepdims=True)",
           "op alone: softmax"),
    Mutant("repeated index lost", "rule", "GetItemGrad assigns instead of adding, so repeated indices count once",
           f"{F}.shape:GetItemGrad.forward", "np.add.at(gx, self.slices, gy)", "gx[self.slices] = gy",
           "op alone: get_item"),
    Mutant("sin derivative 1e-3 off", "rule", "Sin.backward is 0.1% too large",
           f"{F}.elementwise:Sin.backward", "gy * Cos().apply(x)", "gy * Cos().apply(x) * 1.001",
           "gradients"),
    Mutant("exp derivative 1e-5 off", "rule", "Exp.backward is 0.001% too large",
           f"{F}.elementwise:Exp.backward", "gy * self.output_like(gy)", "gy * self.output_like(gy) * 1.00001",
           "gradients"),
    Mutant("dtype changed", "rule", "Sigmoid.forward computes with a float64 constant, so float32 becomes float64",
           f"{F}.elementwise:Sigmoid.forward", "np.tanh(x * 0.5)", "np.tanh(x * np.float64(0.5))",
           "forward float32"),
)
