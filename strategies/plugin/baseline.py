"""A CI gate that fails on regressions only: ``--baseline FILE``.

The first run with a FILE that does not exist writes it: one line per failing
property, ``test id  # why``, sorted, in the format of ``--skips`` (a person reviews
it in a diff). Later runs read it: a failure listed there is known and does not
fail the run; a failure not listed does; an entry whose property now passes is
said, so that the baseline can shrink. The run's exit code is then 0 unless there
is a new failure (or the run checked nothing, or ``--require`` is not met).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from strategies.plugin.gating import read_ids
from strategies.plugin.report import Row, one_per_test
from strategies.plugin.reporting import COLLECTOR
from strategies.plugin.session import suite_run
from strategies.plugin.verdict import WHY

__all__ = [
    "BASELINE", "Comparison", "compare", "pytest_addoption", "pytest_configure", "pytest_sessionfinish", "pytest_terminal_summary",
    "write_baseline",
]


@dataclass
class Comparison:
    """A run against its baseline: what is new, what is known, what now passes."""

    written: Path | None = None  # the baseline this run wrote (there was none)
    new: list[Row] = field(default_factory=list)
    known: list[Row] = field(default_factory=list)
    now_pass: list[str] = field(default_factory=list)


BASELINE = pytest.StashKey[Comparison]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dezero").addoption(
        "--baseline",
        metavar="FILE",
        default=None,
        help="fail only on failures not listed in FILE (written with this run's failures when it does not "
        "exist); entries whose property now passes are listed",
    )


def pytest_configure(config: pytest.Config) -> None:
    option = config.getoption("baseline", None)
    if option and Path(option).is_dir():
        raise pytest.UsageError(f"--baseline {option}: a folder; give the path of a file (written when missing)")


def _name(nodeid: str) -> str:
    """A test id without its file's folder: the same in the repository and installed."""
    return nodeid.split("/")[-1]


def write_baseline(path: Path, failures: list[Row]) -> None:
    lines = ["# dezero-check baseline: the failures known when it was written; a run fails only on others.",
             "# One property a line, '# why' after it. Delete a line once its property passes."]
    lines += [f"{_name(r.nodeid)}  # {(r.inherited and 'as in the book: ') or ''}{r.culprit or r.reason}"
              .replace("\n", " ")[:300] for r in sorted(failures, key=lambda r: _name(r.nodeid))]
    path.write_text("\n".join(lines) + "\n")


def compare(rows: list[Row], path: Path) -> Comparison:
    """This run's rows against the baseline at ``path`` (written when missing)."""
    rows = one_per_test(rows)
    failures = [r for r in rows if r.status == "fail"]
    if not path.exists():
        write_baseline(path, failures)
        return Comparison(written=path, known=failures)
    listed = read_ids(str(path))
    comparison = Comparison()
    for row in failures:
        (comparison.known if _name(row.nodeid) in listed else comparison.new).append(row)
    passing = {_name(r.nodeid) for r in rows if r.status == "pass"}
    comparison.now_pass = sorted(name for name in listed if name in passing)
    return comparison


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    option = config.getoption("baseline")
    if not option or suite_run(config) is None or hasattr(config, "workerinput"):
        return
    Path(option).parent.mkdir(parents=True, exist_ok=True)
    collector = config.stash.get(COLLECTOR, None)
    if collector is None:
        return
    comparison = compare(collector.rows, Path(option))
    config.stash[BASELINE] = comparison
    if session.exitstatus == pytest.ExitCode.TESTS_FAILED and not comparison.new and not _other_reasons(config):
        session.exitstatus = pytest.ExitCode.OK


def _other_reasons(config: pytest.Config) -> bool:
    """The run fails for a reason besides its failures (nothing checked, --require)."""
    return bool(config.stash.get(WHY, []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    comparison = config.stash.get(BASELINE, None)
    if comparison is None:
        return
    if comparison.written is not None:
        terminalreporter.write_line(f"baseline: wrote {comparison.written} with {len(comparison.known)} failures; "
                                    "later runs fail only on failures not in it")
        return
    terminalreporter.write_line(f"baseline: {len(comparison.new)} new failures, {len(comparison.known)} known")
    for row in comparison.new:
        terminalreporter.write_line(f"     new: {_name(row.nodeid)}", red=True)
    for name in comparison.now_pass:
        terminalreporter.write_line(f"     now passes (delete it from the baseline): {name}", green=True)
