"""A time limit on a block of Python code, for the implementation's code that may
hang (an endless loop in a backward rule, a demo that trains for an hour).

It uses ``SIGALRM``: it needs a POSIX system and the main thread (elsewhere the
block runs unlimited), and interrupts Python code only: a hang inside one C call
ends when the call returns.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["TimedOut", "can_time", "time_limit"]


class TimedOut(BaseException):
    """The block ran past its time limit. A BaseException, not an Exception, so that
    neither the implementation's ``except Exception`` nor Hypothesis (which would
    shrink through more hangs) catches it."""


def can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, what: str, hint: str = "") -> Iterator[None]:
    """Raise :class:`TimedOut` ("``what`` did not finish within ``seconds`` s:
    ``hint``") in this thread if the block runs past ``seconds`` (0: no limit)."""
    if seconds <= 0 or not can_time():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimedOut(f"{what} did not finish within {seconds:g} s" + (f": {hint}" if hint else ""))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
