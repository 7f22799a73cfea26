"""The conformance report (``--report PATH``), written as the run goes.

Test processes attach what they know to each test report (the levels a property
needs, the examples it ran, its first error line, its counterexample); the process
that collects the reports (the xdist controller, or the only process) turns them
into rows and rewrites ``PATH.md`` and ``PATH.json`` every few seconds and at the
end, so a run stopped by a time limit keeps what it found.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import reject, settings
from hypothesis.errors import FailedHealthCheck, Unsatisfiable

from strategies.graphs.spec import GraphSpec
from strategies.implementation.handle import Implementation
from strategies.implementation.timeouts import time_limit
from strategies.plugin import report as conformance
from strategies.plugin.gating import required_levels
from strategies.plugin.options import is_property
from strategies.plugin.session import SuiteRun, header, implementation, suite_run
from strategies.reports import reproduce
from strategies.reports.book import book_facts, book_verdict
from strategies.reports.culprit import find_culprit
from strategies.reports.drawing import LastGraph
from strategies.reports.reproduce import LastExample

__all__ = [
    "ACCOUNT_CHARACTERS", "BOOK_SHRINK_SECONDS", "COLLECTOR", "FAILURES", "CULPRIT_SECONDS", "SECOND_ORDER_ORACLES", "TRACEBACK_CHARACTERS", "REWRITE_SECONDS", "RowCollector", "VALUE_ORACLES",
    "pytest_runtest_call", "pytest_runtest_makereport", "pytest_runtest_setup", "pytest_sessionfinish", "pytest_sessionstart",
    "pytest_terminal_summary",
]

REWRITE_SECONDS = 5.0
ACCOUNT_CHARACTERS = 4000


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
    if rep.when == "call" and rep.failed and call.excinfo is not None:
        rep.sections = [(name, _NOT_FOR_LEARNERS.sub("", content)) for name, content in rep.sections]
        impl = implementation(item.config)
        excinfo, culprit = call.excinfo, _culprit_of(impl, call.excinfo.value)
        other = _a_failure_unlike_the_books(item, run, excinfo, culprit)
        if other is not None:  # the learner's own, hidden behind the book's failure
            excinfo = pytest.ExceptionInfo.from_exception(other)
            rep.longrepr = item.repr_failure(excinfo)
            culprit = _culprit_of(impl, other)
        message = conformance.first_line(excinfo)
        rep.user_properties.append((conformance.ERROR_KEY, message))
        rep.user_properties.append((conformance.ACCOUNT_KEY, _account(excinfo)))
        rep.user_properties.append((conformance.TRACEBACK_KEY, _traceback_text(excinfo, item.path)))
        if impl is not None:
            rep.user_properties.append((conformance.ORIGIN_KEY, _origin(excinfo, impl)))
        if culprit:
            rep.user_properties.append((conformance.CULPRIT_KEY, culprit))
            rep.sections.append(("culprit", culprit))
        # pytest's JUnit XML writer reads a test's properties from its teardown report.
        item.user_properties += [(conformance.ERROR_KEY, message)] + ([(conformance.CULPRIT_KEY, culprit)] if culprit else [])
        script = _script(item, _stored_target(run.target, impl), message, culprit)
        if script is not None:
            dot = LastGraph.spec.dot() if LastGraph.spec is not None else ""
            rep.user_properties += [(conformance.SCRIPT_KEY, script), (conformance.DOT_KEY, dot)]
    return rep


CULPRIT_SECONDS = 30.0


def _account(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """A failure's first line and its whole message (bounded): what book facts are
    matched against."""
    whole = f"{excinfo.typename}: {excinfo.value}"[:ACCOUNT_CHARACTERS]
    return "\n".join((conformance.first_line(excinfo), whole))


TRACEBACK_CHARACTERS = 8000
# Hypothesis's advice to report slow shrinking to it is about its own limit (five
# minutes), not the one the suite sets; the learner has nothing to report.
_NOT_FOR_LEARNERS = re.compile(r"^.*(PLEASE REPORT THIS|spent more than five minutes|shrinking will resume).*$\n?",
                               re.M)


def _traceback_text(excinfo: pytest.ExceptionInfo[BaseException], test_file: Path) -> str:
    """The failure's traceback for the report files (bounded, at its end), from the
    property's own frame on, as pytest shows it: the frames of pytest and pluggy
    above it say nothing, and each frame shown costs a parse of its whole file."""
    # (A traceback without the property's frame, a chained one, is kept whole.)
    shown = excinfo.getrepr(style="short", chain=True, tbfilter=lambda info: info.traceback.cut(path=test_file).filter(info))
    text = _NOT_FOR_LEARNERS.sub("", str(shown))
    return text if len(text) <= TRACEBACK_CHARACTERS else "...\n" + text[-TRACEBACK_CHARACTERS:]


def _origin(excinfo: pytest.ExceptionInfo[BaseException], impl: Implementation) -> str:
    """Where the implementation's own code raised (its innermost frame), as
    ``file:line in function``, or ""."""
    packages = {module.__name__.partition(".")[0] for module in (impl.package, *impl.homes)}
    found = ""
    for entry in excinfo.traceback:
        if str(entry.frame.f_globals.get("__name__", "")).partition(".")[0] in packages:
            found = f"{Path(str(entry.path)).name}:{entry.lineno + 1} in {entry.name}"
    return found


def _culprit_of(impl: Implementation | None, exc: BaseException) -> str:
    """The culprit of a failure that found wrong values in the last graph drawn
    (judging second derivatives too for a failure of double backward)."""
    if impl is None:  # a port: the request properties ask the port op by op, and say so
        return next((line.removeprefix("culprit: ") for line in str(exc).splitlines() if line.startswith("culprit: ")), "")
    if LastGraph.spec is None or not _about_values(exc):
        return ""
    return _culprit(impl, LastGraph.spec, second_order=_oracle(exc).startswith(SECOND_ORDER_ORACLES))


# How a property fails: any error, or pytest.fail (pytest.raises's DID NOT RAISE).
FAILURES = (Exception, pytest.fail.Exception)


def _judge_of(item: pytest.Item, run: SuiteRun) -> Callable[[BaseException], bool]:
    """Whether a failing example of ``item`` fails the book's way, judged as the
    verdict judges a failure: by its account, else by its culprit too (facts that
    name the guilty Function)."""
    program = Path(run.target).name if run.target.endswith(".py") else ""
    levels = run.capabilities.levels if run.capabilities is not None else frozenset()
    facts = book_facts(item.nodeid, levels, program)
    impl = implementation(item.config)

    def the_books_way(exc: BaseException) -> bool:
        account = _account(pytest.ExceptionInfo.from_exception(exc))
        if any(fact.fails_so(account) for fact in facts):
            return True
        culprit = _culprit_of(impl, exc)
        found = book_verdict(item.nodeid, levels, "\n".join((account, culprit)), program, culprit) if culprit else None
        return found is not None and found.same_way

    return the_books_way


# A failure whose first example already fails the book's way shrinks for at most this
# long (whatever --shrink-seconds says): it is tagged as the book's, and the rerun
# with the book's examples set aside looks for the learner's own failure behind it.
BOOK_SHRINK_SECONDS = 5.0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Shrink a failure that reads as the book's for :data:`BOOK_SHRINK_SECONDS` at most."""
    run = suite_run(item.config)
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    if run is None or run.capabilities is None or handle is None or not hasattr(handle, "inner_test"):
        return (yield)
    from hypothesis.internal.conjecture import engine  # the constant options.py sets from --shrink-seconds

    limit = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if limit is None or limit <= BOOK_SHRINK_SECONDS:
        return (yield)
    original, the_books_way, first = handle.inner_test, _judge_of(item, run), [True]

    @functools.wraps(original)  # (Hypothesis keys its example database by the test's source)
    def judging_the_first_failure(*args: object, **kwargs: object) -> object:
        try:
            return original(*args, **kwargs)
        except FAILURES as exc:
            if first and the_books_way(exc):  # (shrinking starts after the first failure)
                engine.MAX_SHRINKING_SECONDS = BOOK_SHRINK_SECONDS  # type: ignore[assignment]
            first.clear()
            raise

    handle.inner_test = judging_the_first_failure
    try:
        return (yield)
    finally:
        handle.inner_test = original
        engine.MAX_SHRINKING_SECONDS = limit


def _a_failure_unlike_the_books(item: pytest.Item, run: SuiteRun, excinfo: pytest.ExceptionInfo[BaseException],
                                culprit: str) -> BaseException | None:
    """For a failure that reads as one the book's DeZero has too: the property run
    again with every example that fails the book's way set aside, so that a bug of
    the learner's own in the same property is not hidden behind the book's. The
    failure it finds, or None (then the book's failure stands, and what the report
    says of it is what the first run left)."""
    function = getattr(item, "function", None)
    handle = getattr(function, "hypothesis", None)
    if run.capabilities is None or handle is None:
        return None
    program = Path(run.target).name if run.target.endswith(".py") else ""
    levels = run.capabilities.levels
    verdict = book_verdict(item.nodeid, levels, "\n".join((_account(excinfo), culprit)), program, culprit)
    if verdict is None or not verdict.same_way:
        return None
    original, kept = handle.inner_test, (LastGraph.spec, list(LastExample.draws), dict(LastExample.arguments))
    budget = _examples_of(function)
    seen = {"passed": 0, "the book's": 0, "other": 0}
    the_books_way = _judge_of(item, run)

    def setting_the_books_failures_aside(*args: object, **kwargs: object) -> object:
        try:
            result = original(*args, **kwargs)
        except FAILURES as exc:
            if the_books_way(exc):
                seen["the book's"] += 1
                if seen["the book's"] >= budget and not seen["passed"] and not seen["other"]:
                    pytest.skip(_EVERYWHERE)  # ends the rerun at once (Hypothesis neither shrinks nor retries)
                reject()
            seen["other"] += 1
            raise
        seen["passed"] += 1
        return result

    handle.inner_test = setting_the_books_failures_aside
    try:
        item.ihook.pytest_runtest_call(item=item)  # with the time limit and the draws recorded
    except (Unsatisfiable, FailedHealthCheck, pytest.skip.Exception):
        pass  # (nearly) every example failed the book's way, or none could be drawn
    except FAILURES as exc:  # any failure of the property is the finding
        return exc
    finally:
        handle.inner_test = original
    LastGraph.spec, LastExample.draws, LastExample.arguments = kept
    return None


# The rerun ends, the book's failure standing, once as many examples as the property
# runs have all failed the book's way (none passed, none failed otherwise): there the
# book's failure is everywhere the property looks, and a learner's own failure hidden
# behind it would be one in that many. Hypothesis itself would go on to 50 examples set
# aside (its health check on filtering); each costs what a failing example costs (two
# interpreters started for the parameter order), which was most of a learner's wait.
_EVERYWHERE = "every example the property runs fails the book's way"


def _examples_of(function: object) -> int:
    """How many examples the property runs: its own ``@settings``, else the profile's."""
    own = getattr(function, "_hypothesis_internal_use_settings", None)  # what @settings attached
    return int((own if isinstance(own, settings) else settings()).max_examples)


VALUE_ORACLES = ("gradient", "complex step", "forward", "projection", "==", "higher order", "alone", "retain_grad=True",
                 "Hessian symmetry")


SECOND_ORDER_ORACLES = ("higher order", "Hessian symmetry")


def _oracle(exc: BaseException) -> str:
    """The name of the suite's oracle that raised ``exc`` ("" for any other error)."""
    text = str(exc)
    return text[1:text.index("]")] if isinstance(exc, AssertionError) and text.startswith("[") and "]" in text else ""


def _about_values(exc: BaseException) -> bool:
    """An oracle of the suite found wrong values (gradients, forward values): the
    failures a rerun node by node can pin on one rule."""
    return any(word in _oracle(exc) for word in VALUE_ORACLES)


def _culprit(impl: Implementation, spec: GraphSpec, second_order: bool = False) -> str:
    """The guilty Function of a failing graph, in one line ("" when the rerun itself
    fails: the failure's own reason says why; never an error of its own)."""
    try:
        drawn = [v for label, v in LastExample.draws if label == "cotangent" and isinstance(v, np.ndarray)]
        with np.errstate(all="ignore"), time_limit(CULPRIT_SECONDS, "naming the culprit"):
            return str(find_culprit(impl, spec, drawn[0] if drawn else None, second_order))
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
    if target.startswith(reproduce.PORT_PREFIX):
        return reproduce.port_target(target.removeprefix(reproduce.PORT_PREFIX), os.getcwd())
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
        # The book's verdict on each failure, for its teardown report (JUnit XML).
        self.book: dict[str, str] = {}

    @pytest.hookimpl(tryfirst=True)  # before pytest's JUnit XML writer reads the report's properties
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row, files = conformance.row_from(report)
        account = dict(report.user_properties).get(conformance.ACCOUNT_KEY)
        report.user_properties = [(k, v) for k, v in report.user_properties if k not in conformance.INTERNAL_KEYS]
        if report.when == "teardown" and report.nodeid in self.book:  # what JUnit XML shows
            report.user_properties.append((conformance.BOOK_KEY, self.book[report.nodeid]))
        levels = dict(report.user_properties).get(conformance.LEVELS_KEY)
        if isinstance(levels, list):
            self.levels.setdefault(report.nodeid, conformance.level_of([str(x) for x in levels]))
        if row is None or row.nodeid not in self.levels:
            return  # not a property of the suite (the repository's own tests run with it)
        row.level = self.levels[row.nodeid]
        run = suite_run(self.config)
        if row.status == "fail" and run is not None and run.capabilities is not None:
            program = Path(run.target).name if run.target.endswith(".py") else ""
            account = "\n".join((account if isinstance(account, str) else row.reason, row.culprit))
            verdict = book_verdict(row.nodeid, run.capabilities.levels, account, program, row.culprit)
            if verdict is not None:
                row.inherited, row.book_aside = (verdict.reason, "") if verdict.same_way else ("", verdict.reason)
                self.book[row.nodeid] = (f"{conformance.INHERITED}: {row.inherited}" if row.inherited else
                                         f"{conformance.BOOK_ASIDE}: {row.book_aside}")
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
    found = conformance.causes(collector.rows)
    failed = sum(len(cause.rows) for cause in found)
    if failed:
        inherited = sum(1 for cause in found for row in cause.rows if row.inherited)
        book = f" ({inherited} of them as in the book)" if inherited else ""
        if len(found) > 1:
            terminalreporter.write_line(f"{failed} failures{book}, {len(found)} causes:")
    for cause in found:
        for line in conformance.cause_lines(cause):
            terminalreporter.write_line(line)
    if collector.path is not None:
        markdown, json_file, _ = conformance.report_files(collector.path)
        terminalreporter.write_line(f"report: {markdown} and {json_file}")
