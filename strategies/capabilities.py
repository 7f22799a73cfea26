"""What an implementation can do, found by probing it (never by asking the user).

Capability levels follow the stages of the book. A level is present when the API
it introduces is there; whether it *works* is for the properties to judge, so a
broken feature is a failure, never "not applicable".
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from strategies.implementation import Implementation, ImplementationError
from strategies.ops import CATALOGUE, Op
from strategies.probes import probes_for

# (name, what it means, the book's steps)
LEVELS: tuple[tuple[str, str, str], ...] = (
    ("core", "Variable, Function and backward", "steps 1-14"),
    ("generations", "generations order the backward pass", "steps 15-16"),
    ("memory", "weakref outputs, retain_grad, no_grad", "steps 17-18"),
    ("operators", "operator overloading on Variable", "steps 19-22"),
    ("higher_order", "backward(create_graph=True), grads are Variables", "steps 32-36"),
    ("tensors", "reshape, transpose, sum, broadcast_to, sum_to, matmul", "steps 37-41"),
    ("nn", "linear, sigmoid, losses, softmax", "steps 42-47"),
    ("layers", "Layer, Model, Linear and the optimizers", "steps 44-60"),
)
LEVEL_NAMES = tuple(name for name, _, _ in LEVELS)


@dataclass(frozen=True)
class Capabilities:
    levels: frozenset[str]
    # Whether backward stores Variables in .grad (else plain ndarrays).
    grads_are_variables: bool
    # The catalogue ops the implementation has, and those random graphs use: the
    # suite's two-output probe is left out of graphs when the implementation cannot
    # backpropagate through a Function with an unused output (the book's DeZero
    # passes None for it), so that one bug does not fail every graph property; the
    # per-op property still reports it.
    ops: tuple[Op, ...]
    graph_ops: tuple[Op, ...]
    notes: tuple[str, ...] = ()

    def missing(self, required: tuple[str, ...]) -> list[str]:
        return [level for level in required if level not in self.levels]


def _backward_parameters(impl: Implementation) -> set[str]:
    try:
        return set(inspect.signature(impl.Variable.backward).parameters)
    except (AttributeError, TypeError, ValueError):
        return set()


def _has_functions(impl: Implementation, *names: str) -> bool:
    try:
        functions = impl.F
    except ImplementationError:
        return False
    return all(hasattr(functions, name) for name in names)


def _has_names(impl: Implementation, module: str, *names: str) -> bool:
    try:
        found = impl.submodule(module)
    except ImplementationError:
        return False
    return all(hasattr(found, name) for name in names)


def _has_generation(impl: Implementation) -> bool:
    try:
        return hasattr(impl.variable(np.array(1.0)), "generation")
    except Exception:
        return False


_OPERATORS = ("__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__rsub__",
              "__truediv__", "__rtruediv__", "__neg__", "__pow__")  # fmt: skip

_PROBES: dict[str, Callable[[Implementation], bool]] = {
    "core": lambda impl: impl.has("Variable") and impl.has("Function") and impl.has("Variable.backward"),
    "generations": _has_generation,
    "memory": lambda impl: impl.has("no_grad") and impl.has("using_config")
    and "retain_grad" in _backward_parameters(impl),
    "operators": lambda impl: all(hasattr(impl.Variable, name) for name in _OPERATORS),
    "higher_order": lambda impl: "create_graph" in _backward_parameters(impl),
    "tensors": lambda impl: _has_functions(impl, "reshape", "transpose", "sum", "broadcast_to", "sum_to", "matmul"),
    "nn": lambda impl: _has_functions(impl, "linear", "sigmoid", "mean_squared_error", "softmax_cross_entropy"),
    "layers": lambda impl: _has_names(impl, "layers", "Layer", "Linear") and _has_names(impl, "models", "Model")
    and _has_names(impl, "optimizers", "Optimizer", "SGD"),
}


def has_requirement(impl: Implementation, requirement: str) -> bool:
    """``"F.sin"``: the functions module has ``sin``; ``"L.Linear"``: the layers
    module has ``Linear``; ``"Variable.__add__"``: the Variable class has it;
    otherwise a name on the package."""
    if requirement.startswith("F."):
        return _has_functions(impl, requirement[2:])
    if requirement.startswith("L."):
        return _has_names(impl, "layers", requirement[2:])
    if requirement.startswith("Variable."):
        return impl.has("Variable") and hasattr(impl.Variable, requirement.split(".", 1)[1])
    return impl.has(requirement)


def _grads_are_variables(impl: Implementation) -> bool:
    x = impl.variable(np.array(1.0))
    y = probes_for(impl).double(x)
    y.backward()
    return isinstance(x.grad, impl.Variable)


def _unused_output_works(impl: Implementation) -> bool:
    x = impl.variable(np.array([1.0, 2.0]))
    used, _ = probes_for(impl).fork(x)
    try:
        used.backward()
    except Exception:
        return False
    return True


def capabilities(impl: Implementation) -> Capabilities:
    """The levels and ops of ``impl`` (probed once, then cached on the handle)."""
    cached = impl._cache.get("capabilities")
    if isinstance(cached, Capabilities):
        return cached
    levels = frozenset(name for name in LEVEL_NAMES if _PROBES[name](impl))
    grads_are_variables = "core" in levels and _grads_are_variables(impl)
    ops = tuple(op for op in CATALOGUE if all(has_requirement(impl, r) for r in op.requires))
    left_out = set(impl.excluded_ops)
    notes: list[str] = []
    if impl.excluded_ops:
        notes.append(f"random graphs leave out, as asked: {', '.join(sorted(impl.excluded_ops))}")
    if "core" in levels and not _unused_output_works(impl):
        left_out.add("fork")
        notes.append("random graphs leave out the two-output probe `fork`: backward through a Function "
                     "with an unused output fails (see the per-op property for fork)")
    graph_ops = tuple(op for op in ops if op.name not in left_out)
    result = Capabilities(levels, grads_are_variables, ops, graph_ops, tuple(notes))
    impl._cache["capabilities"] = result
    return result
