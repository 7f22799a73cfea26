"""Every property of the suite as a runnable check: ``run(name, impl)`` runs it
under fixed, derandomized settings (the ``ci`` profile's 100 examples, without
shrinking) and reports how it ended, after how many examples, and where the
exception that ended it came from.

A property *catches* a bug only through its oracle: its own named assertion
fails, or a ``pytest.raises`` of its own sees no error. An exception raised
inside the implementation (a shape check of its own, a NumPy error, a write to a
read-only array) only says that the implementation *crashed*: a realistic variant
of the same bug that computes wrong numbers instead of raising would pass that
property unless its oracle sees the numbers."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure, UnsatisfiedAssumption
from hypothesis.stateful import run_state_machine_as_test

# pytest.param's type (pytest names it only in a private module).
ParameterSet = type(pytest.param(None))

import dezero
import strategies
import tests.properties
from strategies.implementation.handle import Implementation
from strategies.ports.answering import InProcess
from strategies.survey.capabilities import adopt, survey
from tests.properties import test_lifetime_stateful


def _import_every_module() -> None:
    """Import every module of the reference and of the strategies now.

    Hypothesis draws, now and then, a number or string written in the source of
    the (non-test) modules loaded so far; so a derandomized run would depend on
    which modules earlier runs happened to import. With all of them loaded first,
    a property draws the same examples whatever ran before it in this process.
    (Under pytest the root conftest.py counts too, so the examples may differ
    from those of ``python -m tests.selftest.report_mutants``.)
    """
    for package in (dezero, strategies):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


_import_every_module()

SELFTEST_SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    print_blob=False,
)

def _parametrizations(function: Callable[..., None]) -> list[tuple[str, dict[str, Any]]]:
    """The ids pytest gives ``function``'s parametrizations and their arguments:
    ``[("sin", {"op_name": "sin"}), ...]``, or ``[("", {})]`` for none. Stacked
    marks are joined with ``-``, the one nearest the function first, as pytest does."""
    cases: list[tuple[str, dict[str, Any]]] = [("", {})]
    for mark in getattr(function, "pytestmark", []):  # the nearest decorator first
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")]
        ids = mark.kwargs.get("ids")
        grown = []
        for index, value in enumerate(mark.args[1]):
            given_id = ids[index] if ids else None
            if isinstance(value, ParameterSet):  # pytest.param(..., marks=..., id=...)
                given_id = value.id or given_id
                value = value.values if len(names) > 1 else value.values[0]
            values = tuple(value) if len(names) > 1 else (value,)
            ident = str(given_id) if given_id is not None else "-".join(str(v) for v in values)
            grown += [(f"{prefix}-{ident}" if prefix else ident, {**fixed, **dict(zip(names, values))})
                      for prefix, fixed in cases]
        cases = grown
    return cases


def _collected() -> dict[str, tuple[Callable[..., None], dict[str, Any]]]:
    """Every property of ``tests/properties``, under the name pytest gives it
    (``test_gradients_match_complex_step[float64]``), with its fixed arguments:
    each module's ``test_*`` functions, one entry per parametrization. A property
    added there is here without anyone writing it down."""
    found: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {}
    for info in pkgutil.iter_modules(tests.properties.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{tests.properties.__name__}.{info.name}")
        for attribute, function in vars(module).items():
            if attribute.startswith("test_") and inspect.isfunction(function) and function.__module__ == module.__name__:
                for ident, fixed in _parametrizations(function):
                    found[f"{attribute}[{ident}]" if ident else attribute] = (function, fixed)
    return found


# name -> (the property's test function, its fixed arguments besides impl and data)
PROPERTIES = _collected()
NAMES = tuple(PROPERTIES)
# The state machine, run by Hypothesis's stateful runner (its examples counted here).
STATEFUL = test_lifetime_stateful.test_graph_lifetime_state_machine.__name__
# Properties that judge how an implementation loads (a fixture of the session, not
# an implementation already loaded): the zoo shows them failing (test_zoo.py).
LOADING = frozenset(name for name, (function, _) in PROPERTIES.items()
                    if function.__module__.endswith(".test_implementation"))


class Kind(Enum):
    """How a property ended on an implementation."""

    CAUGHT = "caught by oracle"  # the property's own check failed: its named assertion, or DID NOT RAISE
    CRASHED = "crashed"  # an exception from anywhere else (mostly raised inside the implementation)
    SURVIVED = "survived"  # every example passed


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    examples: int  # examples run until the first failure, or in all
    error: str = ""  # the exception's type and the first line of its message
    # Whose check or code ended the run: "oracle [name]", "oracle pytest.raises",
    # "implementation", "suite" (its code ran into an error no oracle names) or
    # "elsewhere"; and where: "dezero/core.py:600 in _conform".
    source: str = ""
    where: str = ""

    @property
    def caught(self) -> bool:
        """Failed through the property's oracle (not by a crash)."""
        return self.kind is Kind.CAUGHT

    @property
    def failed(self) -> bool:
        """Failed in any way: caught, or crashed."""
        return self.kind is not Kind.SURVIVED

    def describe(self) -> str:
        if self.kind is Kind.SURVIVED:
            return f"survived {self.examples} examples"
        return f"{self.kind.value} after {self.examples} examples: {self.source} at {self.where}: {self.error}"


# A property fails by raising: an assertion, any error, or pytest.fail (which
# pytest.raises uses when the expected error does not come).
FAILURES = (Exception, pytest.fail.Exception)

# The suite's own code: the strategies, and the properties with their helpers.
SUITE_FOLDERS = (Path(strategies.__file__).resolve().parent, Path(tests.properties.__file__).resolve().parents[1])
REPOSITORY = SUITE_FOLDERS[0].parent
# The message pytest.raises fails with when the expected error does not come.
NOT_RAISED = "DID NOT RAISE"


def _is_suite_frame(frame: FrameType) -> bool:
    path = Path(frame.f_code.co_filename)
    return path.is_absolute() and any(path.resolve().is_relative_to(folder) for folder in SUITE_FOLDERS)


def _is_implementation_frame(frame: FrameType, impl: Implementation) -> bool:
    """A frame of the implementation's code: its module belongs to the package
    under test or to one of its homes (a mutant's recompiled function runs in its
    module's namespace, so it counts as the module's)."""
    packages = {module.__name__.partition(".")[0] for module in (impl.package, *impl.homes)}
    return str(frame.f_globals.get("__name__", "")).partition(".")[0] in packages


def _where(frame: FrameType, lineno: int) -> str:
    """``file:line in function``, the file relative to the repository (or to
    site-packages); a mutant's recompiled function as ``module.function (mutated)``."""
    code = frame.f_code
    if code.co_filename.startswith("<mutant "):
        return f"{frame.f_globals.get('__name__', '?')}.{code.co_name} (mutated):{lineno}"
    path = Path(code.co_filename)
    if path.is_absolute() and path.resolve().is_relative_to(REPOSITORY):
        path = path.resolve().relative_to(REPOSITORY)
    elif "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1 :])
    return f"{path}:{lineno} in {code.co_name}"


def _raised_in(exc: BaseException, impl: Implementation) -> tuple[str, str]:
    """Whose code raised ``exc`` ("suite", "implementation" or "elsewhere"), and
    where: the innermost frame of its traceback that belongs to the suite or to the
    implementation. NumPy's, Hypothesis's and pytest's own frames are skipped, so
    an error NumPy raises for the implementation counts as the implementation's."""
    owner, where, innermost = "", "", ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        innermost = _where(frame, lineno)
        if _is_suite_frame(frame):
            owner, where = "suite", innermost
        elif _is_implementation_frame(frame, impl):
            owner, where = "implementation", innermost
    return (owner, where) if owner else ("elsewhere", innermost)


def classify(exc: BaseException, impl: Implementation) -> tuple[Kind, str, str]:
    """Caught by the oracle, or crashed; whose check or code raised, and where.

    Caught: an AssertionError raised by the suite's own code whose message starts
    with a bracketed oracle name, or pytest.raises's DID NOT RAISE in the suite's
    code. Everything else crashed: an error raised inside the implementation (also
    an AssertionError of its own checks, or NumPy's error for it), and an error
    the suite's code ran into without an oracle saying so (for one raised ``from``
    another, where the first one started).
    """
    if isinstance(exc, FlakyFailure) and exc.exceptions:  # failed once, passed on the replay
        return classify(exc.exceptions[0], impl)
    owner, where = _raised_in(exc, impl)
    message = str(exc)
    if owner == "suite":
        if isinstance(exc, AssertionError) and message.startswith("[") and "]" in message:
            return Kind.CAUGHT, f"oracle {message[: message.index(']') + 1]}", where
        if isinstance(exc, pytest.fail.Exception) and message.startswith(NOT_RAISED):
            return Kind.CAUGHT, "oracle pytest.raises", where
    cause = exc.__cause__
    while cause is not None:
        owner, where = _raised_in(cause, impl)
        cause = cause.__cause__
    return Kind.CRASHED, owner, where


def _ended(exc: BaseException, examples: int, impl: Implementation) -> Outcome:
    kind, source, where = classify(exc, impl)
    error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return Outcome(kind, examples, error, source, where)


def _counted(check: Callable[[], None], counter: list[int], first_failure: list[int]) -> None:
    counter[0] += 1
    try:
        check()
    except UnsatisfiedAssumption:
        raise
    except FAILURES:
        if not first_failure:
            first_failure.append(counter[0])
        raise


def run(name: str, impl: Implementation, seed: int | None = None) -> Outcome:
    """Run the property ``name`` on ``impl`` (derandomized, or from ``seed``).

    Random graphs use every op ``impl`` has, also one that fails alone: a run of
    the suite leaves such an op out of its graphs (its own properties report it),
    but here the question is what each property's oracle can catch.
    """
    if "capabilities" not in impl.memo:
        adopt(impl, survey(impl, screen_ops=False))
    chosen = SELFTEST_SETTINGS if seed is None else settings(SELFTEST_SETTINGS, derandomize=False)
    counter: list[int] = [0]
    first_failure: list[int] = []
    if name == STATEFUL:
        base = test_lifetime_stateful.GraphLifetime

        class Counted(base):  # type: ignore[misc,valid-type]  # defined per run
            def __init__(self) -> None:
                counter[0] += 1
                super().__init__()

        Counted.impl = impl
        try:
            run_state_machine_as_test(Counted, settings=chosen)
        except FAILURES as exc:
            return _ended(exc, counter[0], impl)
        return Outcome(Kind.SURVIVED, counter[0])

    prop, fixed = PROPERTIES[name]
    if name in LOADING:
        raise ValueError(f"{name} judges how an implementation loads: the zoo runs it (test_zoo.py)")
    if not hasattr(prop, "hypothesis"):  # a plain test, such as a committed test vector: one example
        try:
            _counted(lambda: prop(impl=impl, **fixed), counter, first_failure)
        except FAILURES as exc:
            return _ended(exc, 1, impl)
        return Outcome(Kind.SURVIVED, 1)
    inner = prop.hypothesis.inner_test  # every property draws through Hypothesis's ``data``
    # The request properties talk to a runner: here, the implementation in process.
    subject: dict[str, Any] = (
        {"runner": InProcess(impl)} if "runner" in inspect.signature(inner).parameters else {"impl": impl}
    )

    def check(data: st.DataObject) -> None:
        _counted(lambda: inner(data=data, **subject, **fixed), counter, first_failure)

    test = chosen(given(data=st.data())(check))
    try:
        (test if seed is None else hypothesis_seed(seed)(test))()
    except FAILURES as exc:
        return _ended(exc, first_failure[0] if first_failure else counter[0], impl)
    return Outcome(Kind.SURVIVED, counter[0])
