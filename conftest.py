"""Suite configuration: the implementation under test and the Hypothesis profiles.

Implementation: ``pytest --impl NAME_OR_PATH`` or the ``DEZERO_IMPL`` environment
variable (the option wins): a module name, a directory holding a DeZero-style
package, a package directory, or a single ``.py`` file. Default: ``dezero``, this
project's reference. Tests reach it through the ``impl`` fixture only.

Hypothesis profiles:

- ``dev`` (the default locally): few examples, fast feedback, random each run.
- ``ci`` (selected when the environment has ``CI`` set, as Hypothesis itself does):
  Hypothesis's own ``ci`` profile (derandomized, no deadline, no database), extended
  with enough examples to find the motif bugs.
- ``nightly``: many more examples, example database on: a local directory, plus a
  Redis server shared by every machine when ``DEZERO_SUITE_REDIS`` holds its URL
  (``redis://host:6379/0``), so a failure one machine finds is replayed by all.
- ``replay``: no new examples: only the failures the example database holds.

Choose one with ``--hypothesis-profile NAME`` or the ``HYPOTHESIS_PROFILE`` variable.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, MultiplexedDatabase
from hypothesis.extra.redis import RedisExampleDatabase

from strategies.capabilities import LEVEL_NAMES, LEVELS, capabilities
from strategies.implementation import Implementation
from strategies.ops import BY_NAME as OPS_BY_NAME
from tests.helpers import report as report_module
from tests.helpers.drawing import LastGraph
from tests.selftest.mutants import BY_NAME as MUTANTS
from tests.selftest.mutants import Mutant, applied

ROOT = Path(__file__).resolve().parent

# One bug per property: a failing property shrinks and reports its first failure
# only, which keeps reports readable and shrinking short.
settings.register_profile("dev", max_examples=25, deadline=None, report_multiple_bugs=False)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,
)


def _example_database() -> ExampleDatabase:
    local = DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples")
    url = os.environ.get("DEZERO_SUITE_REDIS")
    if not url:
        return local
    import redis  # the `redis` package, installed by the test extra

    shared = RedisExampleDatabase(redis.Redis.from_url(url), key_prefix=b"dezero-suite:")
    return MultiplexedDatabase(local, shared)


settings.register_profile(
    "nightly", max_examples=1000, deadline=None, database=_example_database(), report_multiple_bugs=False
)
settings.register_profile(
    "replay",
    parent=settings.get_profile("nightly"),
    phases=[Phase.explicit, Phase.reuse, Phase.shrink, Phase.explain],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

REFERENCE_ONLY = ("tests/reference", "tests/selftest")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        default=None,
        help="the DeZero-style implementation under test: a module name or a path "
        "(default: $DEZERO_IMPL, else the reference 'dezero')",
    )
    parser.addoption(
        "--report",
        metavar="PATH",
        default=None,
        help="write the conformance report to PATH.md and PATH.json, and each "
        "failure's counterexample (script and graph) to PATH-failures/",
    )
    parser.addoption(
        "--mutant",
        metavar="NAME",
        default=None,
        help="run against the reference with one of tests/selftest/mutants.py applied (a demonstration)",
    )
    parser.addoption(
        "--shrink-seconds",
        metavar="N",
        type=float,
        default=None,
        help="stop shrinking a failure after N seconds (Hypothesis's own limit is 300); "
        "for conformance runs against implementations that fail many properties",
    )
    parser.addoption(
        "--exclude-ops",
        metavar="NAMES",
        default="",
        help="comma-separated catalogue ops to leave out of random graphs (found broken: see what else fails)",
    )
    parser.addoption("--skips", metavar="FILE", default=None, help="test ids to skip: one per line, '# why' after it")
    parser.addoption("--xfails", metavar="FILE", default=None, help="test ids expected to fail, in the same format")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires(*levels): the capability levels a property needs; "
        "without them it is reported as not applicable"
    )
    target = config.getoption("--impl") or os.environ.get("DEZERO_IMPL") or "dezero"
    impl = Implementation.load(target)
    excluded = frozenset(name.strip() for name in config.getoption("--exclude-ops").split(",") if name.strip())
    unknown = excluded - set(OPS_BY_NAME)
    if unknown:
        raise pytest.UsageError(f"--exclude-ops: no catalogue ops named {sorted(unknown)}")
    impl.excluded_ops = excluded
    config.stash[_IMPL] = impl
    config.stash[_IS_REFERENCE] = _is_reference(impl)
    shrink_seconds = config.getoption("--shrink-seconds")
    if shrink_seconds is not None:
        _limit_shrinking(shrink_seconds)
    mutant = config.getoption("--mutant")
    if mutant:
        if not config.stash[_IS_REFERENCE]:
            raise pytest.UsageError("--mutant breaks the reference on purpose: use it without --impl")
        if mutant not in MUTANTS:
            raise pytest.UsageError(f"no mutant named {mutant!r}; known: {', '.join(sorted(MUTANTS))}")
        config.add_cleanup(_apply(MUTANTS[mutant]))


def _limit_shrinking(seconds: float) -> None:
    """Hypothesis has no setting for this: its engine reads a module constant."""
    from hypothesis.internal.conjecture import engine

    if not hasattr(engine, "MAX_SHRINKING_SECONDS"):
        warnings.warn("--shrink-seconds: this Hypothesis version has no shrink time limit to set", stacklevel=1)
        return
    engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[assignment]  # an int in Hypothesis, any number works


def _apply(mutant: Mutant) -> Callable[[], None]:
    """Enter ``applied(mutant)`` for the whole session; return its exit."""
    stack = contextlib.ExitStack()
    stack.enter_context(applied(mutant))
    return stack.close


_IMPL = pytest.StashKey[Implementation]()
_IS_REFERENCE = pytest.StashKey[bool]()


def _is_reference(impl: Implementation) -> bool:
    origin = getattr(impl.package, "__file__", None) or ""
    return Path(origin).resolve() == ROOT / "dezero" / "__init__.py"


def pytest_report_header(config: pytest.Config) -> list[str]:
    impl = config.stash[_IMPL]
    caps = capabilities(impl)
    levels = ", ".join(name for name, _, _ in LEVELS if name in caps.levels) or "none"
    return [
        f"implementation under test: {impl.name} ({impl.origin})",
        f"capability levels: {levels}; ops in the catalogue: {len(caps.ops)}",
        *caps.notes,
    ]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Tests of the reference itself (and of the suite's power against mutants of
    it) only run when the reference is the implementation under test."""
    if config.stash[_IS_REFERENCE]:
        return None
    relative = collection_path.resolve().relative_to(ROOT).as_posix() if ROOT in collection_path.resolve().parents else ""
    return True if any(relative.startswith(prefix) for prefix in REFERENCE_ONLY) else None


# -------------------------------------------------------------- skips and xfails files


def _read_ids(path: str) -> dict[str, str]:
    """``id  # reason`` lines; an id matches a test id or a prefix of one."""
    ids: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        test_id, _, reason = line.partition("#")
        if test_id.strip():
            ids[test_id.strip()] = reason.strip()
    return ids


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for option, mark in (("--skips", pytest.mark.skip), ("--xfails", pytest.mark.xfail)):
        path = config.getoption(option)
        if not path:
            continue
        ids = _read_ids(path)
        matched: set[str] = set()
        for item in items:
            for test_id, reason in ids.items():
                if item.nodeid == test_id or item.nodeid.startswith(test_id):
                    item.add_marker(mark(reason=f"{option[2:]} file: {reason or test_id}"))
                    matched.add(test_id)
        for test_id in sorted(set(ids) - matched):
            warnings.warn(f"{option} {path}: {test_id!r} matches no test", pytest.PytestWarning, stacklevel=1)


# -------------------------------------------------------------- the report


_ROWS = pytest.StashKey[list[report_module.Row]]()
_FAILURE_FILES = pytest.StashKey[dict[str, tuple[str, str]]]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    LastGraph.spec = None
    required = tuple(level for marker in item.iter_markers("requires") for level in marker.args)
    missing = capabilities(item.config.stash[_IMPL]).missing(required)
    if missing:
        pytest.skip(f"not applicable: the implementation lacks {', '.join(missing)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    rep: pytest.TestReport = yield
    required = [level for marker in item.iter_markers("requires") for level in marker.args]
    rep.user_properties.append((report_module.LEVELS_KEY, required))
    statistics = getattr(item, "hypothesis_statistics", None)
    if rep.when == "call" and isinstance(statistics, str):
        rep.user_properties.append((report_module.EXAMPLES_KEY, report_module.examples_run(statistics)))
    if rep.when == "call" and rep.failed:
        rep.user_properties.append((report_module.ERROR_KEY, report_module.first_line(call.excinfo)))
    if rep.when == "call" and rep.failed and LastGraph.spec is not None:
        impl = item.config.stash[_IMPL]
        message = report_module.first_line(call.excinfo)
        script = f"# {item.nodeid}\n# {message}\n{LastGraph.spec.script(impl.name)}\n"
        rep.user_properties += [(report_module.SCRIPT_KEY, script), (report_module.DOT_KEY, LastGraph.spec.dot())]
    return rep


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_ROWS] = []
    session.config.stash[_FAILURE_FILES] = {}
    session.config.pluginmanager.register(_RowCollector(session.config), "dezero-report-rows")


class _RowCollector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row, files = report_module.row_from(report)
        if row is not None:
            self.config.stash[_ROWS].append(row)
        if files is not None:
            self.config.stash[_FAILURE_FILES][report.nodeid] = files


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--report")
    if not path or hasattr(session.config, "workerinput"):
        return
    impl = session.config.stash[_IMPL]
    caps = capabilities(impl)
    header = {
        "implementation": f"{impl.name} ({impl.origin})",
        "capability levels": ", ".join(name for name in LEVEL_NAMES if name in caps.levels) or "none",
        "Hypothesis profile": settings.get_current_profile_name(),
        **{f"note {i + 1}": note for i, note in enumerate(caps.notes)},
    }
    report_module.write(Path(path), session.config.stash[_ROWS], header, session.config.stash[_FAILURE_FILES])


@pytest.fixture(scope="session")
def impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test."""
    return request.config.stash[_IMPL]


@pytest.fixture(autouse=True)
def _config_is_restored(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves the implementation's grad mode or train mode changed."""
    impl = request.config.stash[_IMPL]
    before = impl.config_state()
    yield
    after = impl.config_state()
    if after != before:
        impl.restore_config(before)  # so that the tests after it run as they should
        pytest.fail(f"the test left Config changed: (enable_backprop, train) {before} -> {after}")
