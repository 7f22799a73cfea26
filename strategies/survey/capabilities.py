"""What an implementation can do, found by probing it (never by asking the user).

Capability levels follow the stages of the book; a level is present when the API it
introduces is there. Each op of the catalogue is then probed by name (found where
the implementation's stage keeps it: :mod:`strategies.implementation.namespace`) and screened
alone on small examples (:mod:`strategies.survey.screening`): a form of a call the
implementation never claimed makes the op's properties *not applicable*; an op that
is there but fails alone keeps its properties (which fail) and is left out of
random graphs, so that engine properties judge the engine.

Whether a present feature *works* is for the properties to judge: a broken feature
is a failure, never "not applicable".
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from strategies.catalogue.ops import BY_NAME, CATALOGUE, Op
from strategies.implementation.handle import Implementation, ImplementationError
from strategies.implementation.loading import Finding
from strategies.implementation.namespace import Convention, Functions
from strategies.implementation.probes import Probes, probes_for
from strategies.survey.screening import screen, screen_twice

__all__ = [
    "Capabilities", "LEVELS", "LEVEL_NAMES", "OP_REQUIREMENT", "adopt", "backward_parameters", "call_form",
    "capabilities", "first_step", "has_requirement", "merge", "survey",
]

# (name, what it means, the book's steps)
LEVELS: tuple[tuple[str, str, str], ...] = (
    ("forward", "Variable and Function compute values", "steps 1-6"),
    ("core", "Variable.backward computes gradients", "steps 7-14"),
    ("generations", "generations order the backward pass", "steps 15-16"),
    ("memory", "weakref outputs, retain_grad, no_grad", "steps 17-18"),
    ("operators", "operator overloading on Variable", "steps 19-22"),
    ("higher_order", "backward(create_graph=True), grads are Variables", "steps 32-36"),
    ("tensors", "reshape, transpose, sum, broadcast_to, sum_to, matmul", "steps 37-41"),
    ("nn", "linear, sigmoid, losses, softmax", "steps 42-47"),
    ("layers", "Layer, Model, Linear and the optimizers", "steps 44-60"),
)
LEVEL_NAMES = tuple(name for name, _, _ in LEVELS)


def first_step(level: str) -> int:
    """The book's step where ``level`` begins."""
    steps = dict((name, text) for name, _, text in LEVELS)[level]
    return int(steps.split()[1].split("-")[0])


@dataclass(frozen=True)
class Capabilities:
    levels: frozenset[str]
    # Whether backward stores Variables in .grad (else plain ndarrays).
    grads_are_variables: bool = False
    # How Function instances take inputs: f(x0, x1), or f([x0, x1]) (the book's step 11).
    convention: Convention = "args"
    # Whether backward undoes broadcasting (sum_to; the book's step 40): else random
    # graphs join values of one shape only.
    broadcasting: bool = False
    # The catalogue ops the implementation offers in the form the catalogue calls them.
    ops: tuple[Op, ...] = ()
    # The ops random graphs use: the offered ones, less those found broken alone.
    graph_ops: tuple[Op, ...] = ()
    # Why an op is not applicable (absent, or a form the implementation lacks).
    not_applicable: dict[str, str] = field(default_factory=dict)
    # Why random graphs leave an offered op out.
    left_out: dict[str, str] = field(default_factory=dict)
    # Why the random graphs of the higher-order properties leave an op out besides
    # (its double backward fails alone).
    left_out_twice: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def graph_ops_twice(self) -> tuple[Op, ...]:
        """The ops of the higher-order properties' random graphs."""
        return tuple(op for op in self.graph_ops if op.twice and op.name not in self.left_out_twice)

    def missing(self, required: tuple[str, ...], impl: Implementation) -> list[str]:
        """What in ``required`` the implementation lacks: levels; catalogue ops,
        named ``op:NAME``, in the call form the catalogue makes (``op:transpose``:
        ``F.transpose(x, axes)``, which a ``transpose(x)`` without axes lacks); and
        names (:func:`has_requirement`)."""
        offered = {op.name for op in self.ops}
        lacking = []
        for r in required:
            if r in LEVEL_NAMES:
                if r not in self.levels:
                    lacking.append(r)
            elif r.startswith(OP_REQUIREMENT):
                if r.removeprefix(OP_REQUIREMENT) not in offered:
                    lacking.append(call_form(BY_NAME[r.removeprefix(OP_REQUIREMENT)]))
            elif not has_requirement(impl, r, self.convention):
                lacking.append(r)
        return lacking

    def to_json(self) -> str:
        document = {f.name: getattr(self, f.name) for f in fields(self)}
        document["levels"] = sorted(self.levels)
        document["ops"] = [op.name for op in self.ops]
        document["graph_ops"] = [op.name for op in self.graph_ops]
        document["findings"] = [asdict(f) for f in self.findings]
        return json.dumps(document)

    @classmethod
    def from_json(cls, text: str) -> Capabilities:
        document: dict[str, Any] = json.loads(text)
        document["levels"] = frozenset(document["levels"])
        document["ops"] = tuple(BY_NAME[name] for name in document["ops"])
        document["graph_ops"] = tuple(BY_NAME[name] for name in document["graph_ops"])
        document["notes"] = tuple(document["notes"])
        document["findings"] = tuple(Finding(**f) for f in document["findings"])
        return cls(**document)


# --------------------------------------------------------------------- names

# A requirement on a catalogue op, in its call form: "op:transpose".
OP_REQUIREMENT = "op:"


def call_form(op: Op) -> str:
    """An op's call, its parameters shown by name: ``F.transpose(x, axes)``."""
    names = iter("xyzw")
    return re.sub(r"\{(\w+)\}", lambda m: next(names, "v") if m.group(1).isdigit() else m.group(1), op.template)


def backward_parameters(impl: Implementation) -> set[str]:
    try:
        return set(inspect.signature(impl.Variable.backward).parameters)
    except (AttributeError, TypeError, ValueError):
        return set()


def _has_names(impl: Implementation, module: str, *names: str) -> bool:
    try:
        found = impl.submodule(module)
    except ImplementationError:
        return False
    return all(hasattr(found, name) for name in names)


def has_requirement(impl: Implementation, requirement: str, convention: Convention = "args") -> bool:
    """``"F.sin"``: the implementation has a function ``sin`` (:class:`Functions`);
    ``"L.Linear"``: its layers module has ``Linear``; ``"Variable.__add__"`` (or any
    ``Class.attribute``): the class has it; otherwise a name on the package."""
    if requirement.startswith("F."):
        try:
            getattr(Functions(impl, convention), requirement[2:])
        except AttributeError:
            return False
        return True
    if requirement.startswith("L."):
        return _has_names(impl, "layers", requirement[2:])
    owner, _, attribute = requirement.partition(".")
    if attribute and owner[:1].isupper():
        return impl.has(owner) and hasattr(impl.attr(owner), attribute)
    return impl.has(requirement)


_OPERATORS = ("__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__rsub__",
              "__truediv__", "__rtruediv__", "__neg__", "__pow__")  # fmt: skip


# --------------------------------------------------------------------- behaviour


def _convention(impl: Implementation) -> Convention | None:
    """How the implementation's Functions take their inputs, or None when a
    Function of its own cannot be called either way."""
    if not (impl.has("Variable") and impl.has("Function")):
        return None
    for convention in ("args", "list"):
        try:
            y = Probes(impl, convention).double(impl.variable(np.array([1.0, 2.0])))
            if np.array_equal(np.asarray(y.data), [2.0, 4.0]):
                return convention
        except Exception:  # noqa: BLE001  (this convention does not work)
            continue
    return None


def _has_generation(impl: Implementation) -> bool:
    try:
        return hasattr(impl.variable(np.array(1.0)), "generation")
    except Exception:  # noqa: BLE001
        return False


def _backward_once(impl: Implementation, y: Any) -> None:
    """``y.backward()``; with the seed set by hand if that fails (the book's steps 7
    and 8 do not seed it themselves)."""
    try:
        y.backward()
    except Exception:  # noqa: BLE001  (then try the early steps' way)
        y.grad = np.ones_like(y.data)
        y.backward()


def _grads_are_variables(impl: Implementation) -> bool:
    x = impl.variable(np.array(1.0))
    try:
        _backward_once(impl, probes_for(impl).double(x))
    except Exception:  # noqa: BLE001  (judged by the properties)
        return False
    return isinstance(x.grad, impl.Variable)


def _unused_output_works(impl: Implementation) -> bool:
    x = impl.variable(np.array([1.0, 2.0]))
    try:
        used, _ = probes_for(impl).fork(x)
        _backward_once(impl, used)
    except Exception:  # noqa: BLE001
        return False
    return True


def _broadcasting(impl: Implementation, convention: Convention) -> bool:
    """``sum_to`` and ``broadcast_to`` exist: the book's step 40 made backward undo
    the broadcasting of its operators with them."""
    return all(has_requirement(impl, f"F.{name}", convention) for name in ("sum_to", "broadcast_to"))


_PROBES: dict[str, Callable[[Implementation, Convention], bool]] = {
    "core": lambda impl, c: impl.has("Variable.backward"),
    "generations": lambda impl, c: _has_generation(impl),
    "memory": lambda impl, c: impl.has("no_grad") and impl.has("using_config")
    and "retain_grad" in backward_parameters(impl),
    "operators": lambda impl, c: all(hasattr(impl.Variable, name) for name in _OPERATORS),
    "higher_order": lambda impl, c: "create_graph" in backward_parameters(impl),
    "tensors": lambda impl, c: all(
        has_requirement(impl, f"F.{n}", c) for n in ("reshape", "transpose", "sum", "broadcast_to", "sum_to", "matmul")
    ),
    "nn": lambda impl, c: all(
        has_requirement(impl, f"F.{n}", c) for n in ("linear", "sigmoid", "mean_squared_error", "softmax_cross_entropy")
    ),
    "layers": lambda impl, c: _has_names(impl, "layers", "Layer", "Linear") and _has_names(impl, "models", "Model")
    and _has_names(impl, "optimizers", "Optimizer", "SGD"),
}


# --------------------------------------------------------------------- the survey


def _broken_module_note(impl: Implementation, lacking: list[str]) -> str:
    """Where a name lacking may have gone: a module that did not import."""
    module = {"F": "functions", "L": "layers"}.get(lacking[0].partition(".")[0], "")
    broken = impl.broken_modules.get(module)
    if broken is None:
        return ""
    return f" ({broken.subject.removeprefix('import ')} did not import: see test_module_imports[{module}])"


def survey(
    impl: Implementation,
    *,
    skip: frozenset[str] = frozenset(),
    announce: Callable[[str], None] | None = None,
    screen_ops: bool = True,
    share: tuple[int, int] = (0, 1),
) -> Capabilities:
    """Probe ``impl``: its levels, conventions and ops, each op screened alone
    (except those in ``skip``, which random graphs leave out; ``announce(name)`` is
    called before each op is screened). Without ``screen_ops`` every op the
    implementation has by name is offered and used in random graphs (the self-test
    does this, to show what the graph properties' oracles catch on their own).
    ``share`` ``(k, n)``: only the catalogue's ops ``k``, ``k + n``, ``k + 2n``...
    (the others are not in the result), for :func:`merge` of ``n`` surveys made
    side by side."""
    convention = _convention(impl)
    notes: list[str] = []
    if convention is None:
        if impl.has("Function"):
            notes.append("a Function subclass of the suite could not be called (neither f(x) nor f([x])): "
                         "nothing can be checked")
        return Capabilities(frozenset(), findings=tuple(impl.findings), notes=tuple(notes),
                            not_applicable={op.name: "the implementation has no working Variable and Function"
                                            for op in CATALOGUE})
    impl.convention = convention
    levels = {"forward"} | {name for name in LEVEL_NAMES[1:] if _PROBES[name](impl, convention)}
    differentiate = "core" in levels
    broadcasting = _broadcasting(impl, convention)
    grads_are_variables = differentiate and _grads_are_variables(impl)
    not_applicable: dict[str, str] = {}
    left_out: dict[str, str] = {}
    left_out_twice: dict[str, str] = {}
    ops: list[Op] = []
    for op in CATALOGUE[share[0]::share[1]]:
        lacking = [r for r in op.requires if not has_requirement(impl, r, convention)]
        if lacking:
            not_applicable[op.name] = f"the implementation lacks {', '.join(lacking)}" + _broken_module_note(impl, lacking)
            continue
        if op.broadcasts and not broadcasting:
            not_applicable[op.name] = "it broadcasts, and the implementation does not undo broadcasting (no sum_to)"
            continue
        if op.name in skip or not screen_ops:
            ops.append(op)
            continue
        if announce is not None:
            announce(op.name)
        verdict = screen(impl, op, differentiate=differentiate, grads_are_variables=grads_are_variables,
                         broadcasting=broadcasting)
        if verdict.status == "unsupported":
            not_applicable[op.name] = verdict.reason
            continue
        ops.append(op)
        if verdict.status == "broken":
            left_out[op.name] = verdict.reason
        elif "higher_order" in levels and op.twice:
            twice = screen_twice(impl, op, broadcasting=broadcasting)
            if twice.status == "broken":
                left_out_twice[op.name] = twice.reason
    for name in sorted(impl.excluded_ops):
        left_out.setdefault(name, "left out as asked (--exclude-ops)")
    if differentiate and "fork" in {op.name for op in ops} and not _unused_output_works(impl):
        left_out.setdefault("fork", "backward through a Function with an unused output fails "
                                    "(see the per-op property for fork)")
    if not broadcasting and differentiate:
        notes.append("random graphs join values of one shape only: no sum_to/broadcast_to (the book adds them at step 40)")
    return Capabilities(
        levels=frozenset(levels),
        grads_are_variables=grads_are_variables,
        convention=convention,
        broadcasting=broadcasting,
        ops=tuple(ops),
        graph_ops=tuple(op for op in ops if op.name not in left_out),
        not_applicable=not_applicable,
        left_out=left_out,
        left_out_twice=left_out_twice,
        notes=tuple(notes),
        findings=tuple(impl.findings),
    )


def merge(parts: Sequence[Capabilities]) -> Capabilities:
    """One survey from the shares of it (:func:`survey`'s ``share``): the ops of
    all, in the catalogue's order; levels and conventions are the first's (every
    share finds the same)."""
    order = {op.name: k for k, op in enumerate(CATALOGUE)}

    def ops(which: Callable[[Capabilities], tuple[Op, ...]]) -> tuple[Op, ...]:
        return tuple(sorted({op.name: op for part in parts for op in which(part)}.values(),
                            key=lambda op: order[op.name]))

    def reasons(which: Callable[[Capabilities], dict[str, str]]) -> dict[str, str]:
        found = {name: why for part in parts for name, why in which(part).items()}
        return dict(sorted(found.items(), key=lambda item: order.get(item[0], len(order))))

    offered, left_out = ops(lambda c: c.ops), reasons(lambda c: c.left_out)
    findings: list[Finding] = []
    for finding in (f for part in parts for f in part.findings):
        if finding not in findings:
            findings.append(finding)
    return replace(
        parts[0],
        ops=offered, graph_ops=tuple(op for op in offered if op.name not in left_out),
        not_applicable=reasons(lambda c: c.not_applicable), left_out=left_out,
        left_out_twice=reasons(lambda c: c.left_out_twice),
        notes=tuple(dict.fromkeys(note for part in parts for note in part.notes)),
        findings=tuple(findings),
    )


def capabilities(impl: Implementation) -> Capabilities:
    """The capabilities of ``impl``: surveyed once, then cached on the handle (or
    given to it, surveyed in another process: :func:`adopt`)."""
    cached = impl.memo.get("capabilities")
    if isinstance(cached, Capabilities):
        return cached
    result = survey(impl)
    adopt(impl, result)
    return result


def adopt(impl: Implementation, found: Capabilities) -> None:
    """Use ``found`` as the capabilities of ``impl`` from now on."""
    impl.convention = found.convention
    impl.memo["capabilities"] = found
