"""The implementation under test: surveyed once per run, loaded in each process that
runs tests, and handed to them through the ``impl`` fixture.

The survey (levels, conventions, which ops work alone) runs in a child process
(:mod:`strategies.survey.isolated`), so that an implementation that crashes or hangs while
it is loaded or probed is reported, not fatal; with pytest-xdist the controller
hands the result to its workers, which only load the implementation. An
implementation that cannot be loaded makes every property not applicable and
``test_implementation_loads`` fail, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

import hypothesis
import pytest

from strategies.catalogue.ops import BY_NAME as OPS_BY_NAME
from strategies.implementation.handle import Implementation
from strategies.implementation.loading import Finding, LoadError
from strategies.plugin.options import is_active, port_command, target
from strategies.survey.capabilities import LEVEL_NAMES, Capabilities, adopt, capabilities
from strategies.survey.isolated import Unloadable, survey_in_child

__all__ = [
    "LOAD_ERROR_KEY", "NOTE_CHARACTERS", "RUN", "SURVEY_KEY", "SuiteRun", "header", "impl", "implementation", "pytest_addoption",
    "pytest_configure", "pytest_report_header", "pytest_sessionstart", "suite", "suite_run",
]

SURVEY_KEY = "dezero_survey"
LOAD_ERROR_KEY = "dezero_load_error"


@dataclass
class SuiteRun:
    """What this run knows about the implementation under test."""

    target: str
    excluded_ops: frozenset[str] = frozenset()
    capabilities: Capabilities | None = None
    load_error: Finding | None = None
    # Loaded in this process (processes that run tests only).
    impl: Implementation | None = None


RUN = pytest.StashKey[SuiteRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("dezero").addoption(
        "--survey-in-process",
        action="store_true",
        default=False,
        help="probe the implementation in the test process itself, not in a child process "
        "(faster; a crash while probing then ends the run)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not is_active(config):
        return
    excluded = frozenset(name.strip() for name in config.getoption("exclude_ops").split(",") if name.strip())
    unknown = excluded - set(OPS_BY_NAME)
    if unknown:
        raise pytest.UsageError(f"--exclude-ops: no catalogue ops named {sorted(unknown)}")
    config.stash[RUN] = SuiteRun(target(config), excluded)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_HandsTheSurveyToWorkers(config), "dezero-survey-to-workers")


def suite_run(config: pytest.Config) -> SuiteRun | None:
    """This run's :class:`SuiteRun` (None when the plugin is inactive)."""
    return config.stash.get(RUN, None)


def implementation(config: pytest.Config) -> Implementation | None:
    """The implementation loaded in this process (None when the plugin is inactive,
    the implementation did not load, or this process runs no tests)."""
    run = suite_run(config)
    return run.impl if run is not None else None


def _runs_tests(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Survey (unless a controller did), then load the implementation here if this
    process runs tests."""
    config = session.config
    run = suite_run(config)
    if run is None or port_command(config) is not None:  # a port: its driver's handshake says what it is
        return
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and SURVEY_KEY in workerinput:
        if workerinput[SURVEY_KEY]:
            run.capabilities = Capabilities.from_json(workerinput[SURVEY_KEY])
        elif workerinput.get(LOAD_ERROR_KEY):
            run.load_error = Finding(**workerinput[LOAD_ERROR_KEY])
    elif not config.getoption("survey_in_process"):
        try:
            run.capabilities = survey_in_child(run.target, run.excluded_ops)
        except Unloadable as exc:
            run.load_error = exc.finding
    if run.load_error is None and _runs_tests(config):
        _load_here(run, in_process_survey=run.capabilities is None)


def _load_here(run: SuiteRun, in_process_survey: bool) -> None:
    try:
        impl = Implementation.load(run.target)
    except LoadError as exc:
        run.load_error = exc.finding
        return
    impl.excluded_ops = run.excluded_ops
    if in_process_survey:
        run.capabilities = capabilities(impl)
    else:
        assert run.capabilities is not None
        adopt(impl, run.capabilities)
    run.impl = impl


class _HandsTheSurveyToWorkers:
    """pytest-xdist's hook, registered only where xdist is: each worker starts with
    the controller's survey."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: object) -> None:
        run = suite_run(self.config)
        workerinput = getattr(node, "workerinput", None)
        if run is None or workerinput is None:
            return
        workerinput[SURVEY_KEY] = run.capabilities.to_json() if run.capabilities is not None else ""
        workerinput[LOAD_ERROR_KEY] = vars(run.load_error) if run.load_error is not None else None


NOTE_CHARACTERS = 240  # a note on the terminal; the report has it whole


def header(run: SuiteRun, brief: bool = False) -> dict[str, str]:
    """What the report (and, ``brief``, the terminal) says about the implementation:
    on the terminal, the ops left out of random graphs by name only, and each note
    cut short."""
    lines = {"implementation": run.target}
    if run.load_error is not None:
        lines["did not load"] = str(run.load_error)
        return lines
    caps = run.capabilities
    if caps is None:
        return lines
    lines["capability levels"] = ", ".join(name for name in LEVEL_NAMES if name in caps.levels) or "none"
    lines["ops offered"] = f"{len(caps.ops)} of the catalogue's, {len(caps.graph_ops)} in random graphs"
    if brief:
        left_out = [f"{which} leave out {len(ops)} op{'s' if len(ops) > 1 else ''} that fail alone (each is judged by "
                    f"its own properties; why, in the report): {', '.join(sorted(ops))}"
                    for which, ops in (("random graphs", caps.left_out), ("higher-order graphs", caps.left_out_twice))
                    if ops]
    else:
        left_out = [f"{which} leave out " + "; ".join(f"`{name}`: {why}" for name, why in sorted(ops.items()))
                    for which, ops in (("random graphs", caps.left_out), ("higher-order graphs", caps.left_out_twice))
                    if ops]
    for i, note in enumerate([*left_out, *caps.notes, *(str(f) for f in caps.findings)]):
        cut = brief and len(note) > NOTE_CHARACTERS and not note.startswith(("random graphs", "higher-order graphs"))
        lines[f"note {i + 1}"] = note[:NOTE_CHARACTERS] + " ..." if cut else note
    return lines


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = suite_run(config)
    if run is None:
        return []
    lines = [f"{key}: {value}" for key, value in header(run, brief=True).items()]
    profile_name = getattr(hypothesis.settings, "get_current_profile_name", None)  # not in older Hypothesis
    if profile_name is not None:
        lines.append(f"hypothesis profile: {profile_name()}")
    return lines


@pytest.fixture(scope="session")
def suite(request: pytest.FixtureRequest) -> SuiteRun:
    """This run's view of the implementation under test, loaded or not."""
    run = suite_run(request.config)
    if run is None:
        raise pytest.UsageError("the suite's fixtures need a suite run: give --impl (or set dezero_suite = true)")
    return run


@pytest.fixture(scope="session")
def impl(suite: SuiteRun) -> Implementation:
    """The implementation under test."""
    if suite.impl is None:
        reason = suite.load_error or "it is not loaded in this process"
        pytest.skip(f"not applicable: the implementation did not load ({reason})")
    return suite.impl
