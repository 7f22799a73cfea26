"""A failure's script (strategies/reports/reproduce.py) writes every drawn value as
source that gives it back exactly, and its replay is decided by what it holds, not
by how far the implementation lets the property go: a draw the failing example
never reached gets the simplest value, a recorded value the property no longer asks
for is passed over, an array whose shape the implementation computed is drawn anew
when the property now asks for another shape. The end-to-end check (scripts that
fail, then pass once the bug is fixed): test_scripts_confirm_fix.py."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.catalogue.ops import BY_NAME
from strategies.graphs.encoding import decode_graph
from strategies.reports.reproduce import CANNOT_TELL, ReplayData, Unreproducible, literal, replay, script

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = {"np": np, "json": json, "BY_NAME": BY_NAME, "decode_graph": decode_graph}

DTYPES = ["float16", "float32", "float64", "complex64", "complex128", "int8", "int64", "uint8", "uint64", "bool",
          ">f8", "<U3"]


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same type, NaN equal to NaN, -0.0 unlike 0.0; arrays of the
    same shape and dtype."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "c":
            return _same(a.real.copy(), b.real.copy()) and _same(a.imag.copy(), b.imag.copy())
        if a.dtype.kind == "f":
            nan = np.isnan(a)
            return bool(np.array_equal(nan, np.isnan(b)) and np.array_equal(a[~nan], b[~nan])
                        and np.array_equal(np.signbit(a[~nan]), np.signbit(b[~nan])))
        return bool(np.array_equal(a, b))
    if isinstance(a, np.generic):
        return _same(np.asarray(a), np.asarray(b))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, complex):
        return _same(a.real, b.real) and _same(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


arrays = npst.arrays(st.sampled_from(DTYPES), npst.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
scalars = st.sampled_from(DTYPES).flatmap(lambda d: npst.from_dtype(np.dtype(d))).map(lambda v: np.asarray(v)[()])
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.complex_numbers(), st.text(max_size=3),
                   st.binary(max_size=3), st.frozensets(st.integers(), max_size=3), arrays, scalars)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner), st.tuples(inner, inner),
    st.dictionaries(st.one_of(st.integers(), st.text(max_size=2)), inner, max_size=3),
), max_leaves=8)


@settings(max_examples=300)
@given(values)
def test_literal_gives_back_every_value_exactly(value: Any) -> None:
    """NaN, infinities and -0.0 (alone, in arrays, as NumPy scalars), empty arrays of
    any shape, every dtype, nested containers: the source evaluates to the value."""
    source = literal(value)
    assert _same(eval(source, dict(NAMESPACE)), value), source  # noqa: S307  (the point: the script's source)


@pytest.mark.parametrize(("value", "source"), [
    (float("nan"), "float('nan')"),
    (-float("inf"), "-float('inf')"),
    (np.float64("nan"), "np.float64(float('nan'))"),
    (np.array([np.inf, 1.5]), "np.array([float('inf'), 1.5], dtype=np.float64)"),
    (np.zeros((0, 3), np.float32), "np.empty((0, 3), dtype=np.float32)"),
    ({"axis": (0, -1), "keepdims": False, "outsize": None}, "{'axis': (0, -1), 'keepdims': False, 'outsize': None}"),
    (np.array([True]), "np.array([True], dtype=np.bool_)"),
])
def test_literal_reads_as_python(value: Any, source: str) -> None:
    assert literal(value) == source


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object), np.zeros(2, np.longdouble), np.datetime64("2020-01-01"), object(),
    type("Point", (tuple,), {})((1, 2)),  # a tuple of another type would come back a plain tuple
])
def test_what_cannot_be_written_exactly_is_unreproducible(value: Any) -> None:
    if isinstance(value, np.ndarray) and value.dtype == np.float64:  # a platform whose long double is a double
        pytest.skip("long double is float64 here")
    with pytest.raises(Unreproducible):
        literal(value)


def test_a_value_that_cannot_be_written_makes_a_script_that_says_so(tmp_path: Path) -> None:
    text = script(nodeid="tests/properties/test_x.py::test_y", message="AssertionError: no", target="/abs/impl",
                  test="tests.properties.test_x:test_y", params={}, draws=[("v", object())], graph=None,
                  culprit="", seconds=1.0)
    (tmp_path / "s.py").write_text(text)
    with pytest.raises(SystemExit) as exit_:
        exec(compile(text, str(tmp_path / "s.py"), "exec"), {})  # noqa: S102
    assert exit_.value.code == CANNOT_TELL


# --------------------------------------------------------------------- ReplayData


def _replaying(recorded: list[tuple[str, Any]], draws: list[tuple[st.SearchStrategy[Any], str]]
               ) -> tuple[list[Any], ReplayData]:
    """What a property drawing ``draws`` gets from a script holding ``recorded``."""
    got: list[Any] = []
    kept: list[ReplayData] = []

    @settings(max_examples=1, database=None, derandomize=True)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        got.clear()
        kept.append(ReplayData(recorded, data))
        got.extend(kept[-1].draw(strategy, label=label) for strategy, label in draws)

    run()
    return got, kept[-1]


def test_recorded_values_come_back_by_label_in_order() -> None:
    got, data = _replaying([("x", 7), ("w", np.array([0.5, -0.25])), ("x", 9)],
                           [(st.integers(), "x"), (npst.arrays(np.float64, (2,)), "w"), (st.integers(), "x")])
    assert got[0] == 7 and got[2] == 9 and got[1].tolist() == [0.5, -0.25]
    assert data.supplied == [] and data.unused() == []


def test_a_draw_the_script_lacks_gets_the_simplest_value() -> None:
    """A failing example stops where it fails; once fixed, the property draws on."""
    got, data = _replaying([("graph", "g")], [(st.just("g"), "graph"), (st.booleans(), "retain_grad"),
                                              (st.integers(3, 9), "leaf")])
    assert got == ["g", False, 3]
    assert [line.split(":")[0] for line in data.supplied] == ["retain_grad", "leaf"]


def test_recorded_values_the_property_no_longer_asks_for_are_passed_over() -> None:
    got, data = _replaying([("retain_grad", True), ("cotangent", 0.5), ("leaf", 1)],
                           [(st.floats(), "cotangent"), (st.integers(), "leaf")])
    assert got == [0.5, 1] and data.unused() == ["retain_grad"]


def test_an_array_of_a_shape_the_property_no_longer_draws_is_drawn_anew() -> None:
    """A cotangent drawn for an output of the wrong shape (the implementation's) is
    not forced on the fixed implementation."""
    recorded = np.array([0.5, 0.5, -0.5])
    got, data = _replaying([("cotangent", recorded)], [(npst.arrays(np.float64, (2,)), "cotangent")])
    assert got[0].shape == (2,) and "the script holds float64 (3,)" in data.supplied[0]
    same, data = _replaying([("cotangent", recorded)], [(npst.arrays(np.float64, (3,)), "cotangent")])
    assert same[0].tolist() == [0.5, 0.5, -0.5] and data.supplied == []
    same[0][0] = 99.0
    assert recorded[0] == 0.5  # the record is given out as a copy


# --------------------------------------------------------------------- replay


PROPERTY = '''
from hypothesis import assume, event, given, strategies as st
import pytest


@given(data=st.data())
def test_draws_on_after_its_check(impl, data):
    first = data.draw(st.integers(0, 10), label="first")
    event("the property records an event")
    assert first < 5, f"first is {first}"
    second = data.draw(st.integers(0, 10), label="second")
    assume(second != 7)
    if second == 6:
        pytest.skip("not applicable: six")


@given(data=st.integers())
def test_takes_a_value(impl, data):
    assert data != 3, "three"
'''


@pytest.fixture
def property_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "replayed_property.py").write_text(PROPERTY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "replayed_property", raising=False)
    return "replayed_property"


@pytest.mark.parametrize(("draws", "status", "output"), [
    ([("first", 7)], 1, "FAILS: AssertionError: first is 7"),
    ([("first", 3)], 0, "note: second: not in the script"),  # the check passes and draws on
    ([("first", 3), ("second", 2)], 0, "passes"),
    ([("first", 3), ("second", 7)], CANNOT_TELL, "no longer applies"),  # assume() rejects it
    ([("first", 3), ("second", 6)], CANNOT_TELL, "not applicable: six"),
])
def test_replay_runs_the_property_as_hypothesis_does(
    property_module: str, capsys: pytest.CaptureFixture[str], draws: list[tuple[str, int]], status: int, output: str
) -> None:
    """``event`` and ``assume`` work as in a run; a skip or a rejected example is
    "cannot tell", not a failure."""
    assert replay("dezero", f"{property_module}:test_draws_on_after_its_check", {}, draws, seconds=30) == status
    assert output in capsys.readouterr().out


def test_replay_passes_a_given_value_as_it_was(property_module: str, capsys: pytest.CaptureFixture[str]) -> None:
    test = f"{property_module}:test_takes_a_value"
    assert replay("dezero", test, {}, [], seconds=30, arguments={"data": 3}) == 1
    assert "three" in capsys.readouterr().out
    assert replay("dezero", test, {}, [], seconds=30, arguments={"data": 4}) == 0


def test_a_given_value_reaches_the_property_untouched(tmp_path: Path) -> None:
    """Under the plugin, ``@given(data=<a strategy of values>)`` gets its value, not a
    recorder of draws (which every such property would reject or accept whatever
    the implementation does)."""
    (tmp_path / "test_given_value.py").write_text(
        "from hypothesis import given, settings, strategies as st\n"
        "@settings(database=None, derandomize=True)\n"
        "@given(data=st.integers(0, 3))\n"
        "def test_value(impl, data):\n"
        "    assert isinstance(data, int), type(data)\n"
        "    assert data < 2, 'two or more'\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", "--rootdir", str(tmp_path),
         "--impl", "dezero", "-n", "0", "test_given_value.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )
    assert "AssertionError: two or more" in run.stdout and "1 failed" in run.stdout, run.stdout[-2000:]
