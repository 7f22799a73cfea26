"""Bounded time and memory: a hang, an exit or a runaway allocation in the
implementation fails the property that caused it, and the run goes on.

- Each example of a Hypothesis property gets ``--time-limit`` seconds (a test
  without examples gets :data:`WHOLE_TEST_FACTOR` times as long). A hang raises
  :class:`strategies.implementation.timeouts.TimedOut` in the test's thread; it is not an
  ``Exception``, so Hypothesis does not shrink it (every shrink step could hang as
  long): the failure shows the example that hung, as drawn.
- ``sys.exit()`` inside the implementation becomes an ordinary failure that says so.
- Each test process gets an address-space cap (``--memory-limit``), so a runaway
  allocation raises ``MemoryError`` in the test instead of swapping the machine.
- A process that dies (a segfault, ``os._exit``) takes only its current test with it
  under pytest-xdist, which reports that test as failed and starts a new worker;
  without xdist nothing can survive it, which is why ``dezero-check`` always runs
  workers.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Generator
from typing import Any

import pytest

from strategies.implementation.timeouts import time_limit
from strategies.plugin.options import is_active

__all__ = [
    "HANG", "ImplementationExited", "WHOLE_TEST_FACTOR", "cap_memory", "pytest_configure",
    "pytest_runtest_call",
]

WHOLE_TEST_FACTOR = 30
HANG = ("a hang or an endless loop in the implementation (the limit is {option}); the example is shown as "
        "drawn, not shrunk")


class ImplementationExited(Exception):
    """The implementation called ``sys.exit()`` during a test."""


def _exits_fail(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except SystemExit as exc:
            raise ImplementationExited(f"the implementation called sys.exit({exc.code!r}) during the test") from exc

    return guarded


def _limited(inner: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    guarded = _exits_fail(inner)

    @functools.wraps(inner)
    def one_example(*args: Any, **kwargs: Any) -> Any:
        with time_limit(seconds, "the example", HANG.format(option="--time-limit")):
            return guarded(*args, **kwargs)

    return one_example


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    seconds = float(item.config.getoption("time_limit")) if is_active(item.config) else 0.0
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    if seconds <= 0 or "impl" not in getattr(item, "fixturenames", ()):
        return (yield)
    if handle is not None and hasattr(handle, "inner_test"):
        original = handle.inner_test
        handle.inner_test = _limited(original, seconds)
        try:
            return (yield)
        finally:
            handle.inner_test = original
    with time_limit(seconds * WHOLE_TEST_FACTOR, "the test", HANG.format(option=f"--time-limit x {WHOLE_TEST_FACTOR}")):
        return (yield)


def cap_memory(mebibytes: int) -> str | None:
    """Cap this process's address space; a note when it cannot be done."""
    if mebibytes <= 0:
        return None
    try:
        import resource
    except ImportError:
        return "--memory-limit: no resource module on this system; memory is not capped"
    limit = mebibytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < limit:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return None


def _runs_tests(config: pytest.Config) -> bool:
    """This process runs tests: an xdist worker, or the only process."""
    return hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)


def pytest_configure(config: pytest.Config) -> None:
    if not is_active(config):
        return
    if _runs_tests(config):
        note = cap_memory(int(config.getoption("memory_limit")))
        if note:
            print(note, file=sys.stderr)
    elif getattr(config.option, "maxworkerrestart", "unset") is None:
        config.option.maxworkerrestart = 1000  # every crash is one failed test; never give up on the run
