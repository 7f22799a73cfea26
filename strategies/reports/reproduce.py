"""Counterexamples that reproduce: a failing property's last example as a script.

While a property runs, :class:`RecordingData` notes every value it draws; the last
example Hypothesis runs is the shrunk failure. :func:`script` writes it as a
Python file that loads the implementation that was under test (by its absolute
path, or by module name), runs the same property on exactly those values through
:func:`replay`, prints what the property's oracle prints (backprop and expected
values side by side) and exits 1 while the bug is there, 0 once it is fixed (2 when
it cannot tell: the example no longer applies, or cannot be written down).

A failing example stops where it fails, so the script holds the draws made up to
that point only; once the bug is fixed the property goes further and draws more.
The replay therefore runs the property under Hypothesis, with :class:`ReplayData`
in place of ``data``: each draw gets the first recorded value of its label not used
yet (recorded values the property no longer asks for are passed over), an array
whose shape or dtype is not what the strategy now draws (a shape the implementation
computed wrongly) is drawn anew, and a draw the script does not hold gets the
simplest value of its strategy. What the script holds thus decides the example,
never the implementation's behaviour, and the replay says what it supplied.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import math
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from strategies.catalogue.opspec import Op
from strategies.graphs.encoding import encode_graph
from strategies.graphs.spec import GraphSpec
from strategies.implementation.handle import Implementation
from strategies.implementation.loading import LoadError
from strategies.implementation.timeouts import TimedOut, time_limit
from strategies.ports.answering import InProcess
from strategies.ports.driver import Driver, DriverFailure
from strategies.location import importable

__all__ = [
    "CANNOT_TELL", "Draw", "LastExample", "PORT_PREFIX", "RecordingData", "ReplayData", "Unreproducible", "literal",
    "port_target", "replay", "script",
]

Draw = tuple[str, Any]  # (label, value)

CANNOT_TELL = 2  # the exit status of a script that cannot judge its example


def _snapshot(value: Any) -> Any:
    """A copy of a drawn value that later changes in place (by the property or the
    implementation) cannot reach."""
    if isinstance(value, np.ndarray):
        return np.copy(value)
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001  (an object that cannot be copied is recorded as it is)
        return value


class LastExample:
    """What the example most recently run in this process drew: the draws from its
    ``data`` object, and the values of its other ``@given`` arguments."""

    draws: list[Draw] = []
    arguments: dict[str, Any] = {}

    @classmethod
    def start(cls) -> None:
        cls.draws, cls.arguments = [], {}

    @classmethod
    def note_argument(cls, name: str, value: Any) -> None:
        """Keep the value of a ``@given`` argument that is not a ``data`` object."""
        cls.arguments[name] = _snapshot(value)


class RecordingData:
    """A stand-in for Hypothesis's ``data`` object that notes what is drawn."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data
        LastExample.draws = []

    def draw(self, strategy: st.SearchStrategy[Any], label: Any = None) -> Any:
        value = self._data.draw(strategy, label=label)
        LastExample.draws.append((str(label or ""), _snapshot(value)))
        return value


class ReplayData:
    """A stand-in for ``data`` that gives back recorded draws, matched by label in
    order; ``fresh`` (Hypothesis's own ``data``) supplies what the record lacks (see
    the module docstring). What it supplied is kept in :attr:`supplied`.

    A recorded array is compared with the simplest array the strategy draws now:
    the suite's array strategies have a fixed shape and dtype (from earlier draws,
    the graph, or the implementation's output), so another shape means another
    context. A strategy that drew the shape itself would see its recorded arrays
    replaced by its simplest one: draw the shape first, with a label of its own."""

    def __init__(self, draws: Sequence[Draw], fresh: st.DataObject) -> None:
        self._draws = list(draws)
        self._next = 0
        self._fresh = fresh
        self.supplied: list[str] = []  # one line per value the record did not give
        self.passed_over: list[str] = []  # labels of recorded values the property did not ask for

    def draw(self, strategy: st.SearchStrategy[Any], label: Any = None) -> Any:
        name = str(label or "")
        found = next((k for k in range(self._next, len(self._draws)) if self._draws[k][0] == name), None)
        if found is None:
            value = self._fresh.draw(strategy, label=label)
            self.supplied.append(f"{name or 'a value'}: not in the script (the check got further than where it "
                                 "failed), the simplest value drawn")
            return value
        self.passed_over += [label_ for label_, _ in self._draws[self._next:found]]
        self._next = found + 1
        recorded = self._draws[found][1]
        if isinstance(recorded, np.ndarray):
            now = self._fresh.draw(strategy, label=label)
            if not isinstance(now, np.ndarray) or (now.shape, now.dtype) != (recorded.shape, recorded.dtype):
                drawn = f"{now.dtype} {now.shape}" if isinstance(now, np.ndarray) else type(now).__name__
                self.supplied.append(f"{name or 'a value'}: the script holds {recorded.dtype} {recorded.shape}, "
                                     f"the check now draws {drawn} (a shape the implementation computes "
                                     "differently now), the simplest value drawn")
                return now
        return _snapshot(recorded)

    def unused(self) -> list[str]:
        """Labels of the recorded values never given back."""
        return self.passed_over + [label for label, _ in self._draws[self._next:]]


class Unreproducible(Exception):
    """A drawn value that cannot be written as Python source."""


# dtypes written as ``np.<name>`` (the same name in every NumPy from 1.26 on).
_NUMPY_NAMES = frozenset(
    ["float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32", "int64",
     "uint8", "uint16", "uint32", "uint64", "bool_"]
)


def _dtype(dtype: np.dtype[Any]) -> str:
    name = "bool_" if dtype == np.bool_ else dtype.name
    if name in _NUMPY_NAMES and dtype.isnative:
        return f"np.{name}"
    return f"np.dtype({str(dtype)!r})"


def _writable(dtype: np.dtype[Any]) -> None:
    """Unreproducible unless ``tolist()``/``item()`` give exact Python values for
    ``dtype`` (not for long doubles, objects, dates or records)."""
    long_double = (dtype.kind == "f" and dtype.itemsize > 8) or (dtype.kind == "c" and dtype.itemsize > 16)
    if dtype.fields is not None or dtype.kind not in "biufcUS" or long_double:
        raise Unreproducible(f"cannot write a value of dtype {dtype} as source")


def _float(value: float) -> str:
    if math.isnan(value):
        return "float('-nan')" if math.copysign(1.0, value) < 0 else "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(value)


def literal(value: Any) -> str:
    """Python source that evaluates to ``value`` (with ``json``, ``np``,
    ``decode_graph`` and ``BY_NAME`` in scope): NaN and infinities included, arrays
    with their shape (empty ones too) and dtype, NumPy scalars with their type;
    :class:`Unreproducible` for a value it cannot write exactly."""
    if isinstance(value, GraphSpec):
        return f"decode_graph(json.loads({json.dumps(encode_graph(value))!r}))"
    if isinstance(value, np.ndarray):
        _writable(value.dtype)
        if value.size == 0:
            return f"np.empty({value.shape!r}, dtype={_dtype(value.dtype)})"
        return f"np.array({literal(value.tolist())}, dtype={_dtype(value.dtype)})"
    if isinstance(value, np.generic):
        _writable(value.dtype)
        kind = _dtype(value.dtype)
        return f"{kind}.type({literal(value.item())})" if "(" in kind else f"{kind}({literal(value.item())})"
    if isinstance(value, Op):
        return repr(value)
    if value is None or value is Ellipsis or isinstance(value, (bool, str, bytes, range)):
        return repr(value)
    if type(value) is int:
        return repr(value)
    if type(value) is float:
        return _float(value)
    if type(value) is complex:
        return f"complex({_float(value.real)}, {_float(value.imag)})"
    if type(value) is list:
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if type(value) is tuple:
        return "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if type(value) is dict:
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if type(value) in (set, frozenset):
        items = "[" + ", ".join(literal(v) for v in value) + "]"
        return f"{type(value).__name__}({items})"
    if type(value) is slice:
        return f"slice({literal(value.start)}, {literal(value.stop)}, {literal(value.step)})"
    raise Unreproducible(f"cannot write a {type(value).__name__} as source")


def script(*, nodeid: str, message: str, target: str, test: str, params: dict[str, Any],
           draws: Sequence[Draw] | None, graph: GraphSpec | None, culprit: str, seconds: float,
           arguments: dict[str, Any] | None = None) -> str:
    """The reproduction script of one failure (see the module docstring). ``target``
    is written as given: pass an absolute path (or a module name), so that the
    script runs from any folder."""
    lines = [f'"""Counterexample: {nodeid}', "", message.strip()]
    if culprit:
        lines += ["", f"Culprit: {culprit}"]
    lines += ["", "Run it: python THIS_FILE, from any folder (it exits 1 while the bug is there, 0 once it is "
              "fixed, 2 if it cannot tell).", f"It checks the implementation that was under test: {target}", '"""', ""]
    if graph is not None:
        lines += ["# The graph, as DeZero code (F: the implementation's functions; P: the suite's own "
                  "Functions):"]
        lines += [f"#   {line}" for line in graph.script("dezero").splitlines() if not line.startswith(("import", "from"))]
        lines.append("")
    try:
        recorded = "[\n" + "".join(f"    ({label!r}, {literal(v)}),\n" for label, v in draws or []) + "]"
        given = literal(arguments or {})
        parameters = literal(params)
    except Unreproducible as exc:
        lines += [f"# This failure cannot be replayed exactly: {exc}.",
                  f"print('cannot replay this example: rerun dezero-check {target} -k \"{nodeid.split('::')[-1]}\"')",
                  f"raise SystemExit({CANNOT_TELL})"]
        return "\n".join(lines) + "\n"
    lines += ["import json", "", "import numpy as np", "", "from strategies.catalogue.ops import BY_NAME",
              "from strategies.graphs.encoding import decode_graph", "from strategies.reports.reproduce import replay",
              "", f"draws = {recorded}" if draws is not None else "draws = None",
              f"raise SystemExit(replay({target!r}, {test!r}, {parameters}, draws, seconds={seconds!r}"
              + (f", arguments={given}" if arguments else "") + "))"]
    return "\n".join(lines) + "\n"


PORT_PREFIX = "port: "  # a target that is a port's driver command (run from the folder that follows " in ")


def port_target(command: str, folder: str) -> str:
    """The target of a port: its driver command and the folder it runs from."""
    return f"{PORT_PREFIX}{command} in {folder}"


def _subject(target: str, wants_runner: bool) -> dict[str, Any]:
    """What the property is given: the implementation, or a runner (a port's driver,
    or the Python implementation in process)."""
    if target.startswith(PORT_PREFIX):
        command, _, folder = target.removeprefix(PORT_PREFIX).rpartition(" in ")
        driver = Driver(command, cwd=folder or None)
        driver.start()
        return {"runner": driver}
    impl = Implementation.load(target)
    return {"runner": InProcess(impl)} if wants_runner else {"impl": impl}


# One run of the example, deterministic: draws the script lacks are the simplest.
REPLAY_SETTINGS = settings(
    max_examples=1, phases=[Phase.generate], derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False, verbosity=Verbosity.quiet,
)


def replay(target: str, test: str, params: dict[str, Any], draws: Sequence[Draw] | None,
           seconds: float = 60.0, arguments: dict[str, Any] | None = None) -> int:
    """Run the property ``test`` (``module:function``) on ``target`` with the
    recorded ``draws`` (and ``@given`` ``arguments``); print what its oracle says;
    1 if it fails, 0 if it passes, :data:`CANNOT_TELL` if the example no longer
    applies (the property skips it, or rejects it with ``assume``)."""
    module_name, _, function_name = test.partition(":")
    function = getattr(importlib.import_module(importable(module_name)), function_name)
    inner = function.hypothesis.inner_test if hasattr(function, "hypothesis") else function
    try:
        subject = _subject(target, "runner" in inspect.signature(inner).parameters)
    except LoadError as exc:
        print(f"the implementation did not load: {exc.finding}")
        return 1
    except DriverFailure as exc:
        print(f"FAILS: {exc}")
        return 1
    fixed = {**params, **(arguments or {}), **subject}
    replays: list[ReplayData] = []

    def once(**data: Any) -> None:
        with np.errstate(all="ignore"), time_limit(seconds, "the example"):
            inner(**fixed, **data)

    @REPLAY_SETTINGS
    @given(st.data())
    def example(fresh: st.DataObject) -> None:
        if "data" in fixed:  # a @given argument that is a value, not a data object
            once()
            return
        replays.append(ReplayData(draws or [], fresh))
        once(data=replays[-1])

    try:
        if draws is None:
            once()
        else:
            example()
    except KeyboardInterrupt:
        raise
    except (Unsatisfiable, pytest.skip.Exception) as exc:
        print(f"cannot tell: the check no longer applies to this example ({type(exc).__name__}: {exc}); "
              f"rerun the suite on {target} instead")
        return CANNOT_TELL
    except BaseException as exc:  # noqa: BLE001  (any failure of the check is the answer, pytest.fail too)
        print(f"FAILS: {type(exc).__name__}: {exc}")
        if not isinstance(exc, (AssertionError, TimedOut)):
            traceback.print_exc(file=sys.stdout)
        _notes(replays)
        return 1
    print("passes: the check succeeds on this example now")
    _notes(replays)
    return 0


def _notes(replays: list[ReplayData]) -> None:
    """What the replay supplied that the script does not hold."""
    if not replays:
        return
    last = replays[-1]
    for line in last.supplied:
        print(f"note: {line}")
    unused = last.unused()
    if unused:
        print(f"note: the check did not ask for {len(unused)} recorded value(s): {', '.join(unused)}")
