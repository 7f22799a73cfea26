"""The run's verdict beyond pytest's own: a run that checked nothing is no pass.

An implementation on which no property could run (it does not load, or it has no
Variable and Function to check) would otherwise end with every test skipped and
exit code 0. Here such a run fails, saying why; so does a run whose implementation
lacks a capability level that ``--require`` names (for a CI that gates a DeZero at
a stage of the book).
"""

from __future__ import annotations

import pytest

from strategies.plugin.report import LEVELS_KEY, LOADING, level_of
from strategies.plugin.session import suite_run
from strategies.survey.capabilities import LEVEL_NAMES

__all__ = ["WHY", "pytest_addoption", "pytest_configure", "pytest_sessionfinish", "pytest_terminal_summary"]

WHY = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dezero").addoption(
        "--require",
        metavar="LEVELS",
        default="",
        help=f"comma-separated capability levels the implementation must have, else the run fails "
        f"({', '.join(LEVEL_NAMES)})",
    )


def pytest_configure(config: pytest.Config) -> None:
    unknown = {level.strip() for level in config.getoption("require").split(",") if level.strip()} - set(LEVEL_NAMES)
    if unknown:
        raise pytest.UsageError(f"--require: no capability levels named {sorted(unknown)}; known: {LEVEL_NAMES}")
    config.stash[WHY] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    run = suite_run(config)
    if run is None or hasattr(config, "workerinput"):
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", {}) if reporter is not None else {}
    properties = [r for reports in stats.values() for r in reports
                  if isinstance(r, pytest.TestReport) and _level(r) is not None]
    checked = [r for r in properties if r.when == "call" and r.outcome in ("passed", "failed") and _level(r) != LOADING]
    why: list[str] = []
    if properties and not checked and not stats.get("error"):
        reason = f"it did not load: {run.load_error}" if run.load_error else "no property applies to it"
        why.append(f"nothing could be checked on {run.target}: {reason}")
    required = [level.strip() for level in config.getoption("require").split(",") if level.strip()]
    levels = run.capabilities.levels if run.capabilities is not None else frozenset()
    lacking = [level for level in required if level not in levels]
    if lacking:
        why.append(f"--require: the implementation lacks {', '.join(lacking)}")
    if why:
        config.stash[WHY] = why
        if session.exitstatus == pytest.ExitCode.OK or session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _level(report: pytest.TestReport) -> str | None:
    """The level of a property's report (None for a test that is not a property)."""
    levels = dict(report.user_properties).get(LEVELS_KEY)
    return level_of([str(x) for x in levels]) if isinstance(levels, list) else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    for line in config.stash.get(WHY, []):
        terminalreporter.write_line(f"dezero-check: {line}", red=True, bold=True)
