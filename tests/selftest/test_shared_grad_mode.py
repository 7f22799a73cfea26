"""The grad-mode-per-thread property, against a grad mode shared by every thread.

No one-line change to the reference makes its grad mode global: the switch is a
``contextvars.ContextVar``, per thread by construction, and nothing process-wide
exists for a mutated line to read or write. So this self-test swaps the switch
itself: every name through which the reference reads or sets ``enable_backprop``
(the ContextVar, its bound ``get``, its entry among the switches) is bound, for the
duration, to one value for the whole process, as the book's ``Config`` class
attribute is. The property must then fail, through its oracle.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

import numpy as np

import dezero
import dezero._config
from strategies.implementation.handle import Implementation
from tests.selftest.properties import run


class SharedSwitch:
    """One value for the whole process, behind the ContextVar methods the reference
    calls (``set`` returns the old value as the token that ``reset`` takes back)."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def get(self, *default: object) -> bool:
        return self.value

    def set(self, value: bool) -> bool:
        old, self.value = self.value, value
        return old

    def reset(self, token: bool) -> None:
        self.value = token


@contextlib.contextmanager
def grad_mode_shared_by_all_threads() -> Iterator[None]:
    variable = dezero._config._enable_backprop
    shared = SharedSwitch(variable.get())
    namespaces = [vars(m) for name, m in list(sys.modules.items()) if name.split(".")[0] == "dezero"]
    namespaces.append(dezero._config._SWITCHES)  # the switches by name, swapped alike
    swapped: list[tuple[dict[str, object], str, object]] = []
    for namespace in namespaces:
        for key, value in list(namespace.items()):
            if value is variable:
                namespace[key] = shared
            elif getattr(value, "__self__", None) is variable and getattr(value, "__name__", "") == "get":
                namespace[key] = shared.get
            else:
                continue
            swapped.append((namespace, key, value))
    try:
        yield
    finally:
        for namespace, key, value in swapped:
            namespace[key] = value


def _builds_graph() -> bool:
    return (dezero.Variable(np.ones(1)) * 2.0).creator is not None


def test_the_swap_shares_the_grad_mode_between_threads() -> None:
    """The swap works as intended: no_grad still works where it is entered, and
    another thread sees it too."""
    seen: list[bool] = []
    with grad_mode_shared_by_all_threads():
        assert _builds_graph()
        with dezero.no_grad():
            assert not _builds_graph()
            other = threading.Thread(target=lambda: seen.append(_builds_graph()))
            other.start()
            other.join()
        assert _builds_graph()
    assert seen == [False]


def test_a_grad_mode_shared_by_all_threads_is_caught_by_the_oracle() -> None:
    with grad_mode_shared_by_all_threads():
        outcome = run("test_no_grad_in_one_thread_leaves_other_threads_building_graphs", Implementation.load("dezero"))
    assert outcome.caught and outcome.error.startswith("AssertionError: [grad mode per thread]"), outcome


def test_the_property_passes_on_the_reference_after_the_swap_is_undone() -> None:
    with grad_mode_shared_by_all_threads():
        pass
    outcome = run("test_no_grad_in_one_thread_leaves_other_threads_building_graphs", Implementation.load("dezero"))
    assert not outcome.caught, outcome.error
