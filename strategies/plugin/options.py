"""The suite's command-line options, when the plugin is active, and ``--impl PATH``
from any directory."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from strategies.location import suite_directory
from strategies.plugin import profiles

__all__ = [
    "DEFAULT_IMPL", "DEFAULT_MEMORY_LIMIT", "DEFAULT_TIME_LIMIT", "IMPL_VARIABLE", "PORT_VARIABLE", "is_active",
    "is_property", "join_impl_argument", "port_command", "pytest_addoption", "pytest_cmdline_main", "pytest_configure", "suite_directory",
    "target",
]

IMPL_VARIABLE = "DEZERO_IMPL"
PORT_VARIABLE = "DEZERO_PORT"
DEFAULT_IMPL = "dezero"
DEFAULT_TIME_LIMIT = 10.0  # seconds per example
DEFAULT_MEMORY_LIMIT = 4096  # MiB of address space per test process


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dezero", "DeZero property suite")
    group.addoption(
        "--impl",
        metavar="NAME_OR_PATH",
        default=None,
        help=f"the DeZero-style implementation under test: a module name or a path (a folder holding a "
        f"package, a package folder, or one .py file); default: ${IMPL_VARIABLE}, else the reference "
        f"'{DEFAULT_IMPL}'",
    )
    group.addoption(
        "--report",
        metavar="PATH",
        default=None,
        help="write the conformance report to PATH.md and PATH.json as the run goes, and each failure's "
        "counterexample (script and graph) to PATH-failures/",
    )
    group.addoption(
        "--exclude-ops",
        metavar="NAMES",
        default="",
        help="comma-separated catalogue ops to leave out of random graphs (besides those the suite "
        "finds broken on their own)",
    )
    group.addoption("--skips", metavar="FILE", default=None, help="test ids to skip: one per line, '# why' after it")
    group.addoption("--xfails", metavar="FILE", default=None, help="test ids expected to fail, in the same format")
    group.addoption(
        "--time-limit",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        help=f"fail an example that runs longer than this, as a hang (default {DEFAULT_TIME_LIMIT:g}; 0: none)",
    )
    group.addoption(
        "--memory-limit",
        metavar="MIB",
        type=int,
        default=DEFAULT_MEMORY_LIMIT,
        help=f"cap each test process's address space, so a runaway allocation fails its test instead of "
        f"swapping the machine (default {DEFAULT_MEMORY_LIMIT}; 0: none)",
    )
    group.addoption(
        "--shrink-seconds",
        metavar="N",
        type=float,
        default=None,
        help="stop shrinking a failure after N seconds (Hypothesis's own limit is 300); for implementations "
        "that fail many properties",
    )
    parser.addini("dezero_suite", "run the DeZero property suite even without --impl", type="bool", default=False)


def is_property(item: pytest.Item) -> bool:
    """Whether ``item`` is one of the suite's properties (not a test of its own)."""
    return Path(str(item.path)).resolve().is_relative_to(suite_directory() / "properties")


def is_active(config: pytest.Config) -> bool:
    """Whether this run is a suite run (otherwise the plugin only adds its options)."""
    return bool(config.getoption("impl") or os.environ.get(IMPL_VARIABLE) or port_command(config)
                or config.getini("dezero_suite"))


def port_command(config: pytest.Config) -> str | None:
    """The driver command of this run, if it checks a port (``--port``, else
    ``$DEZERO_PORT``)."""
    command = config.getoption("port", None) or os.environ.get(PORT_VARIABLE)
    return str(command) if command else None


def target(config: pytest.Config) -> str:
    """The implementation under test, as given (``--impl``, else ``$DEZERO_IMPL``;
    a port: its driver command)."""
    command = port_command(config)
    if command is not None:
        return f"port: {command}"
    return str(config.getoption("impl") or os.environ.get(IMPL_VARIABLE) or DEFAULT_IMPL)


def join_impl_argument(args: list[str]) -> list[str]:
    """``--impl PATH`` as ``--impl=PATH``.

    pytest decides its root directory and configuration file before any plugin can
    declare ``--impl``, from the arguments that look like paths: a separate PATH is
    taken for a test path, and the run then looks for tests in the implementation's
    folder. Joined, the value is never a test path.
    """
    joined: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--impl":
            value = next(items, None)
            joined.append("--impl" if value is None else f"--impl={value}")
        else:
            joined.append(arg)
    return joined


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | pytest.ExitCode | None:
    """Run again with ``--impl=PATH`` when it was given as ``--impl PATH``."""
    given = [str(arg) for arg in config.invocation_params.args]
    joined = join_impl_argument(given)
    if joined == given:
        return None
    # The first run imported the plugin's modules: the second cannot rewrite their asserts.
    joined = ["-W", "ignore::pytest.PytestAssertRewriteWarning", *joined]
    plugins = config.invocation_params.plugins
    return pytest.main(joined, plugins=list(plugins) if plugins else None)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the profiles (before Hypothesis's plugin loads ``--hypothesis-profile``)."""
    if not is_active(config):
        return
    if not profiles.registered():
        profiles.register(Path.cwd() / ".hypothesis")
        from hypothesis import settings

        settings.load_profile(profiles.default_name())
    seconds = config.getoption("shrink_seconds")
    if seconds is not None:
        _limit_shrinking(seconds)


def _limit_shrinking(seconds: float) -> None:
    """Hypothesis has no setting for this: its engine reads a module constant."""
    from hypothesis.internal.conjecture import engine

    if not hasattr(engine, "MAX_SHRINKING_SECONDS"):
        warnings.warn("--shrink-seconds: this Hypothesis version has no shrink time limit to set", stacklevel=1)
        return
    engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[assignment]  # an int in Hypothesis, any number works
