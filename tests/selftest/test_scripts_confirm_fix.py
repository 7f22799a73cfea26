"""Every failure's script confirms the learner's fix.

A learner runs the check in a folder of their own, with ``--impl`` and ``--report``
given as relative paths, pastes each ``reproduce:`` command the terminal prints (in
that same folder): the script exits 1, showing the failure. The learner fixes the
bug in the package on disk and runs each script again, now from another folder: it
exits 0. The bugs are the zoo's fixable ones (tests/fixtures/zoo.py ``FIXABLE``): a
wrong rule, a gradient changed in place (a non-mutation failure, whose property
draws more once the bug is gone), and an engine that sums gradients in place (a
failure in random graphs, with the graph drawn)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from strategies.plugin.options import suite_directory
from tests.fixtures.zoo import FIXABLE_BY_NAME, build, fix

ROOT = Path(__file__).resolve().parents[2]

# The properties each run selects (pytest -k), and those that must fail.
CASES: dict[str, tuple[str, set[str]]] = {
    "wrong Sub rule": ("each_op_alone_matches_complex_step and (sub] or rsub_scalar] or sin])", {
        "test_each_op_alone_matches_complex_step[sub]", "test_each_op_alone_matches_complex_step[rsub_scalar]"}),
    "gy in place": ("(changes_nothing or each_op_alone_matches_complex_step) and (sin] or cos])", {
        "test_each_op_alone_changes_nothing_it_was_given[sin]", "test_each_op_alone_matches_complex_step[sin]"}),
    "grads summed in place": ("graphs_change_nothing or gradients_match_complex_step", {
        "test_graphs_change_nothing_they_were_given", "test_gradients_match_complex_step[float64]"}),
}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL", "CI")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return {**env, "PYTHONHASHSEED": "0"}


def _command(text: str) -> tuple[list[str], str]:
    """A ``reproduce:`` command (``python SCRIPT (graph: FILE)``): its words and the graph."""
    words = shlex.split(text)
    graph = words[3].removesuffix(")") if len(words) > 3 and words[2] == "(graph:" else ""
    return words[:2], graph


def _terminal_commands(stdout: str) -> dict[str, tuple[list[str], str]]:
    """The ``reproduce:`` lines the terminal prints, by test: one per cause, for its
    first failure (``FAIL test`` alone, or ``FAIL cause: N failures`` then ``first: test``)."""
    found: dict[str, tuple[list[str], str]] = {}
    test = ""
    for line in stdout.splitlines():
        if line.startswith("FAIL "):
            test = line.removeprefix("FAIL ").split("::")[-1]
        elif line.strip().startswith("first: "):
            test = line.strip().removeprefix("first: ")
        elif line.strip().startswith("reproduce: "):
            found[test] = _command(line.strip().removeprefix("reproduce: "))
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_failure_s_script_fails_then_confirms_the_fix(name: str, tmp_path: Path) -> None:
    if suite_directory() != ROOT / "tests":
        pytest.fail(f"the properties installed as dezero_check are {suite_directory()}, not this checkout's "
                    f"{ROOT / 'tests'}: install this checkout (pip install -e ./dezero -e .) so that runs and scripts use them")
    select, must_fail = CASES[name]
    fault = FIXABLE_BY_NAME[name]
    member = build(fault, tmp_path)
    learner = tmp_path / "learner"
    learner.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "tests" / "properties"), "--rootdir", str(ROOT),
         "-p", "no:cacheprovider", "-q", "-n", "0", f"--impl={os.path.relpath(member, learner)}",
         "--report", "out/check/report", "--hypothesis-profile", "ci", "--shrink-seconds", "10", "-k", select],
        cwd=learner, capture_output=True, text=True, timeout=600, env=_environment(),
    )
    output = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 1, output
    rows = json.loads((learner / "out" / "check" / "report.json").read_text())["results"]
    failed = {row["nodeid"].split("::")[-1] for row in rows if row["status"] == "fail"}
    assert failed == must_fail, output
    # Every failure's command is in the report; the terminal prints one per cause, the same.
    commands = {row["nodeid"].split("::")[-1]: _command(row["reproduce"]) for row in rows if row["status"] == "fail"}
    assert set(commands) == must_fail, output
    printed = _terminal_commands(run.stdout)
    assert printed and all(commands[test] == printed[test] for test in printed), (printed, output)
    reasons = {row["nodeid"].split("::")[-1]: row["reason"] for row in rows}

    for test, (command, graph) in sorted(commands.items()):
        assert command[0] == "python" and command[1].startswith("out/check/report-failures/"), command
        if "graph" in test:
            assert graph and (learner / graph).is_file(), (test, graph)
        before = subprocess.run([sys.executable, command[1]], cwd=learner, capture_output=True, text=True,
                                timeout=300, env=_environment())
        shown = before.stdout + before.stderr
        assert before.returncode == 1, (test, shown[-3000:])
        assert f"FAILS: {reasons[test][:60]}" in before.stdout, (test, reasons[test], shown[-3000:])

    fix(fault, member)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for test, (command, _) in sorted(commands.items()):
        after = subprocess.run([sys.executable, str(learner / command[1])], cwd=elsewhere, capture_output=True,
                               text=True, timeout=300, env=_environment())
        shown = after.stdout + after.stderr
        assert after.returncode == 0, (test, shown[-3000:])
        assert "passes: the check succeeds on this example now" in after.stdout, (test, shown[-3000:])
