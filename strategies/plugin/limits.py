"""Bounded time and memory: a hang, an exit or a runaway allocation in the
implementation fails the property that caused it, and the run goes on.

- Each example of a Hypothesis property gets ``--time-limit`` seconds (a test
  without examples gets :data:`WHOLE_TEST_FACTOR` times as long). A hang raises
  :class:`ExampleTimedOut` in the test's thread; it is not an ``Exception``, so
  Hypothesis does not shrink it (every shrink step could hang as long): the failure
  shows the example that hung, as drawn.
- ``sys.exit()`` inside the implementation becomes an ordinary failure that says so.
- Each test process gets an address-space cap (``--memory-limit``), so a runaway
  allocation raises ``MemoryError`` in the test instead of swapping the machine.
- A process that dies (a segfault, ``os._exit``) takes only its current test with it
  under pytest-xdist, which reports that test as failed and starts a new worker;
  without xdist nothing can survive it, which is why ``dezero-check`` always runs
  workers.

The time limit uses ``SIGALRM``: it needs a POSIX system and the main thread, and
interrupts Python code only (a hang inside one C call ends when the call returns).
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from strategies.plugin.options import is_active

WHOLE_TEST_FACTOR = 30


class ExampleTimedOut(BaseException):
    """An example ran past the time limit (a BaseException, so that Hypothesis
    reports it at once instead of shrinking through more hangs)."""


class ImplementationExited(Exception):
    """The implementation called ``sys.exit()`` during a test."""


def _can_time() -> bool:
    import threading

    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise :class:`ExampleTimedOut` in this thread after ``seconds``."""
    if seconds <= 0 or not _can_time():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ExampleTimedOut(
            f"{what} did not finish within {seconds:g} s (--time-limit): a hang or an endless loop "
            f"in the implementation; the example is shown as drawn, not shrunk"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
        with time_limit(seconds, "the example"):
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
    with time_limit(seconds * WHOLE_TEST_FACTOR, "the test"):
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
