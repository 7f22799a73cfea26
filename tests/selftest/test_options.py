"""The suite's own machinery fails and reports as documented: the Config-leak
check, the skips and xfails files, and the report's counterexample files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from strategies.plugin.cli import arguments
from strategies.plugin.report import one_per_test, report_files, row_from

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """pytest with the suite's conftest, also on test files outside the repository."""
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    outside = ["-p", "conftest", "--rootdir", str(cwd), "--impl", "dezero"] if cwd != ROOT or not args[0].startswith("tests/") else []
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *outside, "-n", "0", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
    )


def test_a_test_that_leaks_grad_mode_fails_and_the_next_one_is_unaffected(tmp_path: Path) -> None:
    (tmp_path / "test_leak.py").write_text(
        "def test_leaks(impl):\n"
        "    impl.package.Config.enable_backprop = False\n"
        "def test_after(impl):\n"
        "    assert impl.package.Config.enable_backprop is True\n"
    )
    result = _pytest(str(tmp_path / "test_leak.py"))
    assert "the test left Config changed" in result.stdout
    assert "2 passed, 1 error" in result.stdout, result.stdout[-1500:]  # test_leaks errs at teardown


def test_skips_and_xfails_files_apply_and_warn_about_ids_that_match_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text("def test_a(impl):\n    pass\ndef test_b(impl):\n    assert False\n")
    skips = tmp_path / "skips.txt"
    skips.write_text("test_sample.py::test_a  # slow on this machine\ntest_sample.py::test_gone  # removed\n")
    xfails = tmp_path / "xfails.txt"
    xfails.write_text("test_sample.py::test_b  # a known bug\n")
    result = _pytest("test_sample.py", "--skips", str(skips), "--xfails", str(xfails), "-rsx", cwd=tmp_path)
    assert "1 skipped, 1 xfailed" in result.stdout, result.stdout[-1500:]
    assert "slow on this machine" in result.stdout and "a known bug" in result.stdout
    assert "'test_sample.py::test_gone' matches no test" in result.stdout


def test_a_failure_is_reported_with_a_runnable_counterexample(tmp_path: Path) -> None:
    report = tmp_path / "report"
    result = _pytest("tests/properties/test_gradients.py", "-k", "alone and sub]",
                     "--mutant", "sign error", "--report", str(report), "--hypothesis-profile", "ci")
    assert result.returncode == 1, result.stdout[-1500:]
    rows = json.loads(report.with_suffix(".json").read_text())["results"]
    failed = [row for row in rows if row["status"] == "fail"]
    assert len(failed) == 1 and failed[0]["reason"].startswith("AssertionError: [sub alone vs complex step]")
    script = tmp_path / failed[0]["script"]
    assert (tmp_path / failed[0]["dot"]).read_text().startswith("digraph")
    assert "y = v" in script.read_text()
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "| core | `test_each_op_alone_matches_complex_step[sub]` | fail |" in report.with_suffix(".md").read_text()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("out/report", ("out/report.md", "out/report.json", "out/report-failures")),
        ("out/report.md", ("out/report.md", "out/report.json", "out/report-failures")),
        ("out/dezero-0.0.13", ("out/dezero-0.0.13.md", "out/dezero-0.0.13.json", "out/dezero-0.0.13-failures")),
    ],
)
def test_report_paths_keep_dots_in_the_name(given: str, expected: tuple[str, str, str]) -> None:
    assert tuple(str(p) for p in report_files(Path(given))) == expected


def test_a_crashed_worker_or_a_setup_error_is_a_failed_row() -> None:
    """pytest-xdist reports a test whose worker died with when="???"; an error in
    setup or teardown has no call report. Both must be failures in the report, not
    vanish from it; a failing teardown after a passing call makes one failed row."""
    crash = pytest.TestReport("t.py::test_a", ("t.py", None, "t"), {}, "failed",
                              "worker 'gw0' crashed while running 't.py::test_a'", "???")  # type: ignore[arg-type]
    row, _ = row_from(crash)
    assert row is not None and row.status == "fail" and row.reason.startswith("crash: worker 'gw0' crashed")
    passed = pytest.TestReport("t.py::test_b", ("t.py", None, "t"), {}, "passed", None, "call")
    teardown = pytest.TestReport("t.py::test_b", ("t.py", None, "t"), {}, "failed", "Config leaked", "teardown")
    rows = [r for r in (row_from(passed)[0], row_from(teardown)[0]) if r is not None]
    assert [(r.status, r.reason) for r in one_per_test(rows)] == [("fail", "teardown: Config leaked")]


SECOND = ROOT / "tests" / "fixtures" / "stage_simple"


@pytest.mark.parametrize(
    ("where", "arguments", "variables"),
    [
        ("repository", ["--impl", str(SECOND)], {}),
        ("repository", [f"--impl={SECOND}"], {}),
        ("repository", [], {"DEZERO_IMPL": str(SECOND)}),
        ("elsewhere", ["--impl", str(SECOND), "--pyargs", "dezero_check"], {}),
        ("elsewhere", ["--pyargs", "dezero_check"], {"DEZERO_IMPL": str(SECOND)}),
    ],
)
def test_impl_works_in_every_form_from_any_folder(
    where: str, arguments: list[str], variables: dict[str, str], tmp_path: Path
) -> None:
    """``--impl PATH`` (two arguments), ``--impl=PATH`` and ``DEZERO_IMPL``, from
    the repository (no test path) or from another folder (the installed properties)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "DEZERO_IMPL", "PYTHONPATH")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", *arguments,
         "-k", "implementation_loads or (each_op_alone_matches_complex_step and sin])"],
        cwd=ROOT if where == "repository" else tmp_path, capture_output=True, text=True, timeout=600,
        env={**env, **variables},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"implementation: {SECOND}" in result.stdout and "2 passed" in result.stdout, result.stdout[-2000:]


def test_dezero_check_shrinks_each_failure_for_20_seconds_unless_told() -> None:
    default = arguments("my-dezero", [])
    assert default[default.index("--shrink-seconds") + 1] == "20"
    given = arguments("my-dezero", ["--shrink-seconds", "5"])
    assert given.count("--shrink-seconds") == 1 and given[given.index("--shrink-seconds") + 1] == "5"
