"""The conformance report (``--report PATH``), written as the run goes.

Test processes attach what they know to each test report (the levels a property
needs, the examples it ran, its first error line, its counterexample); the process
that collects the reports (the xdist controller, or the only process) turns them
into rows and rewrites ``PATH.md`` and ``PATH.json`` every few seconds and at the
end, so a run stopped by a time limit keeps what it found.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import settings

from strategies.drawing import LastGraph
from strategies.plugin import report as conformance
from strategies.plugin.gating import required_levels
from strategies.plugin.session import header, implementation, suite_run

REWRITE_SECONDS = 5.0


def pytest_runtest_setup(item: pytest.Item) -> None:
    LastGraph.spec = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    rep: pytest.TestReport = yield
    if suite_run(item.config) is None:
        return rep
    impl = implementation(item.config)
    rep.user_properties.append((conformance.LEVELS_KEY, list(required_levels(item))))
    statistics = getattr(item, "hypothesis_statistics", None)
    if rep.when == "call" and isinstance(statistics, str):
        rep.user_properties.append((conformance.EXAMPLES_KEY, conformance.examples_run(statistics)))
    if rep.when == "call" and rep.failed:
        message = conformance.first_line(call.excinfo)
        rep.user_properties.append((conformance.ERROR_KEY, message))
        if LastGraph.spec is not None and impl is not None:
            script = f"# {item.nodeid}\n# {message}\n{LastGraph.spec.script(impl.name)}\n"
            rep.user_properties += [(conformance.SCRIPT_KEY, script), (conformance.DOT_KEY, LastGraph.spec.dot())]
    return rep


class RowCollector:
    """Turns test reports into rows, saves failures' files, and rewrites the report."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        self.config, self.path = config, path
        self.rows: list[conformance.Row] = []
        self.written_at = 0.0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row, files = conformance.row_from(report)
        if row is None:
            return
        if files is not None:
            conformance.save_failure(self.path, row, *files)
        self.rows.append(row)
        if time.monotonic() - self.written_at > REWRITE_SECONDS:
            self.write()

    def write(self) -> None:
        run = suite_run(self.config)
        if run is None:
            return
        conformance.write(self.path, self.rows, {**header(run), "Hypothesis profile": settings.get_current_profile_name()})
        self.written_at = time.monotonic()


COLLECTOR = pytest.StashKey[RowCollector]()


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    path = config.getoption("report")
    if not path or suite_run(config) is None or hasattr(config, "workerinput"):
        return
    collector = RowCollector(config, Path(path))
    config.stash[COLLECTOR] = collector
    config.pluginmanager.register(collector, "dezero-report-rows")


def pytest_sessionfinish(session: pytest.Session) -> None:
    collector = session.config.stash.get(COLLECTOR, None)
    if collector is not None:
        collector.write()
