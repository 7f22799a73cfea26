"""The conformance report (``--report PATH``), written as the run goes.

Test processes attach what they know to each test report (the levels a property
needs, the examples it ran, its first error line, its counterexample); the process
that collects the reports (the xdist controller, or the only process) turns them
into rows and rewrites ``PATH.md`` and ``PATH.json`` every few seconds and at the
end, so a run stopped by a time limit keeps what it found.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from strategies.graphs.spec import GraphSpec
from strategies.implementation.handle import Implementation
from strategies.implementation.timeouts import time_limit
from strategies.plugin import report as conformance
from strategies.plugin.gating import required_levels
from strategies.plugin.options import is_property
from strategies.plugin.session import header, implementation, suite_run
from strategies.reports import reproduce
from strategies.reports.book import inherited
from strategies.reports.culprit import find_culprit
from strategies.reports.drawing import LastGraph
from strategies.reports.reproduce import LastExample

__all__ = [
    "COLLECTOR", "CULPRIT_SECONDS", "REWRITE_SECONDS", "RowCollector", "VALUE_ORACLES",
    "pytest_runtest_makereport", "pytest_runtest_setup", "pytest_sessionfinish", "pytest_sessionstart",
    "pytest_terminal_summary",
]

REWRITE_SECONDS = 5.0


def pytest_runtest_setup(item: pytest.Item) -> None:
    LastGraph.spec = None
    LastExample.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    rep: pytest.TestReport = yield
    run = suite_run(item.config)
    if run is None or not is_property(item):
        return rep
    rep.user_properties.append((conformance.LEVELS_KEY, list(required_levels(item))))
    statistics = getattr(item, "hypothesis_statistics", None)
    if rep.when == "call" and isinstance(statistics, str):
        rep.user_properties.append((conformance.EXAMPLES_KEY, conformance.examples_run(statistics)))
    if rep.when == "call" and rep.failed:
        message = conformance.first_line(call.excinfo)
        rep.user_properties.append((conformance.ERROR_KEY, message))
        impl = implementation(item.config)
        wrong_values = call.excinfo is not None and _about_values(call.excinfo.value)
        culprit = _culprit(impl, LastGraph.spec) if impl is not None and LastGraph.spec is not None and wrong_values else ""
        if culprit:
            rep.user_properties.append((conformance.CULPRIT_KEY, culprit))
            rep.sections.append(("culprit", culprit))
        script = _script(item, _stored_target(run.target, impl), message, culprit)
        if script is not None:
            dot = LastGraph.spec.dot() if LastGraph.spec is not None else ""
            rep.user_properties += [(conformance.SCRIPT_KEY, script), (conformance.DOT_KEY, dot)]
    return rep


CULPRIT_SECONDS = 30.0


VALUE_ORACLES = ("gradient", "complex step", "forward", "projection", "==", "higher order", "alone", "retain_grad=True")


def _about_values(exc: BaseException) -> bool:
    """An oracle of the suite found wrong values (gradients, forward values): the
    failures a rerun node by node can pin on one rule."""
    text = str(exc)
    oracle = text[1:text.index("]")] if text.startswith("[") and "]" in text else ""
    return isinstance(exc, AssertionError) and any(word in oracle for word in VALUE_ORACLES)


def _culprit(impl: Implementation, spec: GraphSpec) -> str:
    """The guilty Function of a failing graph, in one line ("" when the rerun itself
    fails: the failure's own reason says why; never an error of its own)."""
    try:
        drawn = [v for label, v in LastExample.draws if label == "cotangent" and isinstance(v, np.ndarray)]
        with np.errstate(all="ignore"), time_limit(CULPRIT_SECONDS, "naming the culprit"):
            return str(find_culprit(impl, spec, drawn[0] if drawn else None))
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001  (the rerun fails where the test did: its own reason says why)
        return ""


def _stored_target(target: str, impl: Implementation | None) -> str:
    """The implementation as a script names it: as loaded (an absolute path, or a
    module name), else the given path made absolute, so the script runs from any
    folder."""
    if impl is not None and impl.target:
        return impl.target
    return str(Path(target).resolve()) if os.path.exists(target) else target


def _script(item: pytest.Item, target: str, message: str, culprit: str) -> str | None:
    """The failure's reproduction script, for a property given by a test function."""
    function = getattr(item, "function", None)
    if function is None:
        return None
    callspec = getattr(item, "callspec", None)
    params = {k: v for k, v in (callspec.params.items() if callspec is not None else ())}
    hypothesis_test = hasattr(function, "hypothesis")
    return reproduce.script(
        nodeid=item.nodeid, message=message, target=target,
        test=f"{function.__module__}:{function.__name__}", params=params,
        draws=list(LastExample.draws) if hypothesis_test else None, graph=LastGraph.spec, culprit=culprit,
        seconds=float(item.config.getoption("time_limit")) or 60.0,
        arguments=dict(LastExample.arguments) if hypothesis_test else None,
    )


class RowCollector:
    """Turns test reports into rows (tagging failures the book's DeZero shares),
    saves failures' files, and rewrites the report when one is asked for."""

    def __init__(self, config: pytest.Config, path: Path | None) -> None:
        self.config, self.path = config, path
        self.rows: list[conformance.Row] = []
        self.written_at = 0.0
        # The level of each test, from its first report: a worker that crashes sends
        # a last report without it.
        self.levels: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row, files = conformance.row_from(report)
        levels = dict(report.user_properties).get(conformance.LEVELS_KEY)
        if isinstance(levels, list):
            self.levels.setdefault(report.nodeid, conformance.level_of([str(x) for x in levels]))
        if row is None or row.nodeid not in self.levels:
            return  # not a property of the suite (the repository's own tests run with it)
        row.level = self.levels[row.nodeid]
        run = suite_run(self.config)
        if row.status == "fail" and run is not None and run.capabilities is not None:
            program = Path(run.target).name if run.target.endswith(".py") else ""
            row.inherited = inherited(row.nodeid, run.capabilities.levels, program, row.culprit)
        if files is not None and self.path is not None:
            conformance.save_failure(self.path, row, *files)
        self.rows.append(row)
        if self.path is not None and time.monotonic() - self.written_at > REWRITE_SECONDS:
            self.write()

    def write(self) -> None:
        run = suite_run(self.config)
        if run is None or self.path is None:
            return
        conformance.write(self.path, self.rows, {
            **header(run), "Hypothesis profile": settings.get_current_profile_name(),
            # The folder each failure's `reproduce` command runs from.
            "checked in": str(self.config.invocation_params.dir),
        })
        self.written_at = time.monotonic()


COLLECTOR = pytest.StashKey[RowCollector]()


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if suite_run(config) is None or hasattr(config, "workerinput"):
        return
    path = config.getoption("report")
    collector = RowCollector(config, Path(path) if path else None)
    config.stash[COLLECTOR] = collector
    config.pluginmanager.register(collector, "dezero-report-rows")


def pytest_sessionfinish(session: pytest.Session) -> None:
    collector = session.config.stash.get(COLLECTOR, None)
    if collector is not None:
        collector.write()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The checklist by capability level, in the order of the book's stages, and
    under each failure what to do about it."""
    collector = config.stash.get(COLLECTOR, None)
    if collector is None or not collector.rows:
        return
    terminalreporter.section("DeZero checklist")
    for line in conformance.checklist(collector.rows):
        terminalreporter.write_line(line)
    failures = [r for r in conformance.one_per_test(collector.rows) if r.status == "fail"]
    for row in failures:
        terminalreporter.write_line(f"FAIL {row.nodeid}")
        for note in conformance.failure_notes(row):
            terminalreporter.write_line(f"     {note}")
    if collector.path is not None:
        markdown, json_file, _ = conformance.report_files(collector.path)
        terminalreporter.write_line(f"report: {markdown} and {json_file}")
