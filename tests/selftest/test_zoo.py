"""The suite gives a verdict on every member of the hostile zoo (tests/fixtures/
zoo.py): a hang, a crash, an exit, a module that does not import, a broken op, an
engine bug hidden behind it, a missing form, global state changed. Each run goes
on to the end, keeps every row of its report, and fails exactly the properties
the fault breaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fixtures.zoo import BY_NAME, build

ROOT = Path(__file__).resolve().parents[2]
PER_OP = "test_each_op_alone_matches_complex_step"


@dataclass(frozen=True)
class Expected:
    """A zoo member's run: the properties selected, and what the report must say."""

    select: str  # pytest -k
    fails: dict[str, str]  # test id (or its end) -> text its reason must contain
    passes: tuple[str, ...] = ()
    not_applicable: dict[str, str] = field(default_factory=dict)
    note: str = ""  # text the report's header must contain
    workers: int = 0  # pytest-xdist workers (a crash needs one to survive)
    seconds: float = 120.0  # the whole run's bound


EXPECTED: dict[str, Expected] = {
    "hang": Expected(
        f"({PER_OP} and (sin] or cos])) or gradients_match_complex_step",
        fails={f"{PER_OP}[sin]": "did not finish within 2 s"},
        passes=(f"{PER_OP}[cos]", "test_gradients_match_complex_step[float64]"),
        note="`sin`: alone it hangs", seconds=90.0),
    "broken functions import": Expected(
        f"module_imports or ({PER_OP} and sin])",
        fails={"test_module_imports[functions]": "nonexistent"},
        not_applicable={f"{PER_OP}[sin]": "dezero.functions did not import"}),
    "no backward": Expected(
        "gradients_match_complex_step or every_value_matches_numpy",
        fails={}, passes=("test_every_value_matches_numpy[float64]",),
        not_applicable={"test_gradients_match_complex_step[float64]": "lacks core"}),
    "broken sum and runs twice": Expected(
        f"({PER_OP} and sum]) or runs_once_after",
        fails={f"{PER_OP}[sum]": "", "test_each_function_runs_once_after_all_its_consumers": "[schedule]"},
        note="`sum`: alone"),
    "sum without keepdims": Expected(
        f"{PER_OP} and (sum] or sum_all])",
        fails={}, passes=(f"{PER_OP}[sum_all]",),
        not_applicable={f"{PER_OP}[sum]": "keepdims"}),
    "other names": Expected(
        "transpose or double_backward or accumulate_twice or lifetime_state_machine or gradients_match or "
        "bad_arguments",
        fails={}, passes=("test_two_backward_passes_accumulate_twice", "test_graph_lifetime_state_machine",
                          f"{PER_OP}[transpose_reversed]", "test_gradients_match_complex_step[float64]"),
        not_applicable={f"{PER_OP}[transpose]": "takes 1 positional argument but 2 were given",
                        "test_bad_arguments_raise_value_error_and_change_nothing[transpose with axes that are not "
                        "a permutation]": "F.transpose(x, axes)"}),
    "demo error": Expected(
        f"program_runs or ({PER_OP} and (exp] or square]))",
        fails={"test_program_runs_to_its_end": "early_step.py line"},
        passes=(f"{PER_OP}[exp]", f"{PER_OP}[square]")),
    "syntax error": Expected(
        f"implementation_loads or ({PER_OP} and sin])",
        fails={"test_implementation_loads": "fix the syntax error"},
        not_applicable={f"{PER_OP}[sin]": "did not load"}),
    "np.int": Expected(
        "implementation_loads", fails={"test_implementation_loads": "np.int was removed in NumPy 1.24"}),
    "missing dependency": Expected(
        "implementation_loads", fails={"test_implementation_loads": "pip install matplotlib_that_is_not_installed"}),
    "segfault": Expected(
        f"{PER_OP} and (sin] or cos])", fails={f"{PER_OP}[sin]": "crash"}, passes=(f"{PER_OP}[cos]",),
        note="ends the process", workers=1),
    "os._exit": Expected(
        f"{PER_OP} and (cos] or sin])", fails={f"{PER_OP}[cos]": "crash"}, passes=(f"{PER_OP}[sin]",),
        workers=1),
    "sys.exit": Expected(
        f"{PER_OP} and (exp] or sin])", fails={f"{PER_OP}[exp]": "called sys.exit(4)"}, passes=(f"{PER_OP}[sin]",)),
    "recursion": Expected(
        f"{PER_OP} and (tanh] or sin])", fails={f"{PER_OP}[tanh]": "RecursionError"}, passes=(f"{PER_OP}[sin]",)),
    "runaway allocation": Expected(
        f"{PER_OP} and (sin] or cos])", fails={f"{PER_OP}[sin]": "MemoryError"}, passes=(f"{PER_OP}[cos]",)),
    "global state": Expected(
        f"{PER_OP} and (cos] or exp] or sin])",
        fails={f"{PER_OP}[cos]": "error settings changed", f"{PER_OP}[exp]": "re-seeded NumPy's global generator"},
        passes=(f"{PER_OP}[sin]",)),
}


def _run(member: Path, expected: Expected, report: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "properties"), "--rootdir", str(ROOT),
               "-p", "no:cacheprovider", "-q", f"--impl={member}", "--report", str(report),
               "--hypothesis-profile", "ci", "--time-limit", "2", "--shrink-seconds", "10", "-n", str(expected.workers), "-k", expected.select]
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL")}
    start = time.monotonic()
    result = subprocess.run(command, cwd=report.parent, capture_output=True, text=True, timeout=600,
                            env={**env, "PYTHONHASHSEED": "0"})
    return result, time.monotonic() - start


def _row(rows: list[dict[str, str]], test: str) -> dict[str, str]:
    found = [r for r in rows if r["nodeid"].endswith(test) or r["nodeid"].endswith("::" + test)]
    assert len(found) == 1, f"{test}: {len(found)} rows in the report ({[r['nodeid'] for r in rows]})"
    return found[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_suite_gives_a_verdict_on_a_hostile_implementation(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    member = build(BY_NAME[name], tmp_path)
    result, seconds = _run(member, expected, tmp_path / "report")
    output = result.stdout[-3000:] + result.stderr[-2000:]
    assert seconds < expected.seconds, f"the run took {seconds:.0f} s\n{output}"
    assert "INTERNALERROR" not in output and "Traceback" not in result.stderr, output
    document = json.loads((tmp_path / "report.json").read_text())
    rows = document["results"]
    for test, text in expected.fails.items():
        row = _row(rows, test)
        assert row["status"] == "fail" and text in row["reason"], f"{test}: {row}\n{output}"
    for test in expected.passes:
        assert _row(rows, test)["status"] == "pass", f"{test}: {_row(rows, test)}\n{output}"
    for test, text in expected.not_applicable.items():
        row = _row(rows, test)
        assert row["status"] == "not applicable" and text in row["reason"], f"{test}: {row}"
    failed = {r["nodeid"] for r in rows if r["status"] == "fail"}
    assert len(failed) == len(expected.fails), f"unexpected failures: {sorted(failed)}\n{output}"
    assert (result.returncode != 0) == bool(expected.fails or not expected.passes), output
    if expected.note:
        assert expected.note in json.dumps(document["header"]), document["header"]
