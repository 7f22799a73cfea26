"""Ports: ``--port CMD`` checks an implementation in any language through its driver
(``docs/driver-protocol.md``); ``--requests-in-process`` runs the same request
properties on a Python DeZero in this process.

With a port, only the request family (``test_requests.py``) runs: the other
families hold the implementation's Python objects, which cannot cross the wire, and
the header says so once. Each test process starts its own driver; a driver that
fails a request is restarted by the next one.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from strategies.plugin.options import DEFAULT_TIME_LIMIT, PORT_VARIABLE, is_property, port_command
from strategies.plugin.session import suite_run
from strategies.ports.answering import InProcess
from strategies.ports.driver import Driver, DriverFailure
from strategies.ports.runner import Runner
from strategies.ports.screening import ScreenedRunner

__all__ = ["REQUESTS_FILE", "pytest_addoption", "pytest_configure", "pytest_collection_modifyitems",
           "pytest_report_header", "runner"]

REQUESTS_FILE = "test_requests.py"
_DESELECTED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dezero")
    group.addoption(
        "--port",
        metavar="COMMAND",
        default=None,
        help=f"check a port of DeZero in any language through its driver, started by COMMAND (one string, "
        f"split like a shell would: --port \"java -cp build Driver\"); default: ${PORT_VARIABLE}. "
        "See docs/driver-protocol.md",
    )
    group.addoption(
        "--requests-in-process",
        action="store_true",
        default=False,
        help="also run the request properties (the ones a port gets) on the Python implementation, in process",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A driver command that cannot be run is a usage error, said at once."""
    given = config.getoption("port", None)
    if given is None:
        return
    try:
        words = shlex.split(given)
    except ValueError as exc:
        raise pytest.UsageError(f"--port {given!r}: cannot split it into a command ({exc})") from exc
    if not words:
        raise pytest.UsageError("--port: the driver command is empty (give the command that starts the driver, "
                                "e.g. --port \"node driver.js\")")


def _is_request_property(item: pytest.Item) -> bool:
    return Path(str(item.path)).name == REQUESTS_FILE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A port: the request family only. A Python DeZero: everything but the request
    family, unless ``--requests-in-process``."""
    if suite_run(config) is None:
        return
    port = port_command(config) is not None
    keep_requests = port or config.getoption("requests_in_process")
    kept, dropped = [], []
    for item in items:
        if is_property(item) and _is_request_property(item) != port and (port or not keep_requests):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    config.stash[_DESELECTED] = len(dropped) if port else 0


def pytest_report_header(config: pytest.Config) -> list[str]:
    command, run = port_command(config), suite_run(config)
    if command is None or run is None:
        return []
    left_out: dict[str, str] = {}
    try:
        with Driver(command, time_limit=_time_limit(config)) as driver:
            described = driver.start().describe()
            left_out = ScreenedRunner(driver, run.excluded_ops).left_out
    except DriverFailure as exc:
        described = f"the driver did not shake hands: {exc}"
    notes = [f"note: random graphs leave out {len(left_out)} op{'s' if len(left_out) > 1 else ''} (each is judged "
             f"by its own property): " + "; ".join(f"`{op}`: {why}" for op, why in left_out.items())
             ] if left_out else []
    return [f"port: {command}", f"driver: {described}", *notes,
            "not applicable across the wire: the properties that hold the implementation's Python objects "
            "(lifetimes, layers, optimizers, the book's programs); the request properties run"]


def _time_limit(config: pytest.Config) -> float:
    seconds = float(config.getoption("time_limit", DEFAULT_TIME_LIMIT) or 0)
    return 2 * seconds if seconds > 0 else 3600.0


@pytest.fixture(scope="session")
def runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    """What the request properties talk to: the port's driver, or the Python
    implementation in process."""
    config = request.config
    command = port_command(config)
    if command is None:
        run = suite_run(config)
        if run is None or run.impl is None:
            pytest.skip("not applicable: the implementation did not load")
        here = ScreenedRunner(InProcess(run.impl, run.target), run.excluded_ops)
        here.left_out  # screened now, outside any property's @given
        yield here
        return
    mib = int(config.getoption("memory_limit", 0) or 0)
    driver = Driver(command, time_limit=_time_limit(config), memory_limit=mib * 2**20 if mib > 0 else None)
    try:
        driver.start()
    except DriverFailure as exc:
        pytest.fail(f"the driver did not start: {exc}", pytrace=False)
    run = suite_run(config)
    screened = ScreenedRunner(driver, run.excluded_ops if run is not None else frozenset())
    screened.left_out  # screened now, outside any property's @given
    yield screened
    driver.close()
