"""Counterexamples that reproduce: a failing property's last example as a script.

While a property runs, :class:`RecordingData` notes every value it draws; the last
example Hypothesis runs is the shrunk failure. :func:`script` writes it as a
Python file that loads the implementation that was under test (by the path or
name given to ``--impl``), runs the same property on exactly those values through
:func:`replay`, prints what the property's oracle prints (backprop and expected
values side by side) and exits 1 while the bug is there, 0 once it is fixed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from strategies.catalogue.opspec import Op
from strategies.graphs.encoding import encode_graph
from strategies.graphs.spec import GraphSpec
from strategies.implementation.handle import Implementation
from strategies.implementation.loading import LoadError
from strategies.implementation.timeouts import TimedOut, time_limit

__all__ = [
    "Draw", "LastExample", "RecordingData", "ReplayData", "Unreproducible", "literal", "replay", "script",
]

Draw = tuple[str, Any]  # (label, value)


class LastExample:
    """The draws of the example most recently run in this process."""

    draws: list[Draw] = []


class RecordingData:
    """A stand-in for Hypothesis's ``data`` object that notes what is drawn."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data
        LastExample.draws = []

    def draw(self, strategy: st.SearchStrategy[Any], label: Any = None) -> Any:
        value = self._data.draw(strategy, label=label)
        LastExample.draws.append((str(label or ""), np.copy(value) if isinstance(value, np.ndarray) else value))
        return value


class ReplayData:
    """A stand-in for ``data`` that gives back recorded draws, in order."""

    def __init__(self, draws: Sequence[Draw]) -> None:
        self._draws = list(draws)

    def draw(self, strategy: st.SearchStrategy[Any], label: Any = None) -> Any:
        if not self._draws:
            raise LookupError("the property draws more values than this script recorded: it changed since")
        recorded_label, value = self._draws.pop(0)
        if recorded_label != str(label or ""):
            raise LookupError(f"the property drew {label!r} where this script recorded {recorded_label!r}: "
                              "it changed since")
        return value


class Unreproducible(Exception):
    """A drawn value that cannot be written as Python source."""


def literal(value: Any) -> str:
    """Python source that evaluates to ``value`` (with ``np``, ``decode_graph`` and
    ``BY_NAME`` in scope)."""
    if isinstance(value, GraphSpec):
        return f"decode_graph(json.loads({json.dumps(encode_graph(value))!r}))"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype})"
    if isinstance(value, Op):
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(literal(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}({value.item()!r})"
    raise Unreproducible(f"cannot write a {type(value).__name__} as source")


def script(*, nodeid: str, message: str, target: str, test: str, params: dict[str, Any],
           draws: Sequence[Draw] | None, graph: GraphSpec | None, culprit: str, seconds: float) -> str:
    """The reproduction script of one failure (see the module docstring)."""
    lines = [f'"""Counterexample: {nodeid}', "", message.strip()]
    if culprit:
        lines += ["", f"Culprit: {culprit}"]
    lines += ["", "Run it: python THIS_FILE (it exits 1 while the bug is there, 0 once it is fixed).",
              f"It checks the implementation that was under test: {target}", '"""', ""]
    if graph is not None:
        lines += ["# The graph, as DeZero code (F: the implementation's functions; P: the suite's own "
                  "Functions):"]
        lines += [f"#   {line}" for line in graph.script("dezero").splitlines() if not line.startswith(("import", "from"))]
        lines.append("")
    try:
        recorded = "[\n" + "".join(f"    ({label!r}, {literal(v)}),\n" for label, v in draws or []) + "]"
    except Unreproducible as exc:
        lines += [f"# This failure cannot be replayed exactly: {exc}.",
                  f"print('cannot replay this example: rerun dezero-check {target} -k \"{nodeid.split('::')[-1]}\"')",
                  "raise SystemExit(2)"]
        return "\n".join(lines) + "\n"
    lines += ["import json", "", "import numpy as np", "", "from strategies.catalogue.ops import BY_NAME", "from strategies.reports.reproduce import replay",
              "from strategies.graphs.encoding import decode_graph", "",
              f"draws = {recorded}" if draws is not None else "draws = None",
              f"raise SystemExit(replay({target!r}, {test!r}, {literal(params)}, draws, seconds={seconds!r}))"]
    return "\n".join(lines) + "\n"


def _importable(module: str) -> str:
    """The property module's name where this process can import it: the
    repository's ``tests.properties`` is installed as ``dezero_check.properties``."""
    if module.startswith("tests.") and importlib.util.find_spec("dezero_check") is not None:
        return "dezero_check." + module.removeprefix("tests.")
    return module


def replay(target: str, test: str, params: dict[str, Any], draws: Sequence[Draw] | None,
           seconds: float = 60.0) -> int:
    """Run the property ``test`` (``module:function``) on ``target`` with the
    recorded ``draws``; print what its oracle says; 1 if it fails, else 0."""
    try:
        impl = Implementation.load(target)
    except LoadError as exc:
        print(f"the implementation did not load: {exc.finding}")
        return 1
    module_name, _, function_name = test.partition(":")
    function = getattr(importlib.import_module(_importable(module_name)), function_name)
    inner = function.hypothesis.inner_test if hasattr(function, "hypothesis") else function
    arguments = dict(params, impl=impl)
    if draws is not None:
        arguments["data"] = ReplayData(draws)
    try:
        with np.errstate(all="ignore"), time_limit(seconds, "the example"):
            inner(**arguments)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001  (any failure of the check is the answer, pytest.fail too)
        print(f"FAILS: {type(exc).__name__}: {exc}")
        if not isinstance(exc, (AssertionError, TimedOut)):
            traceback.print_exc(file=sys.stdout)
        return 1
    print("passes: the check succeeds on this example now")
    return 0
