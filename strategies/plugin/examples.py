"""Remembering what each example of a property draws, so that a failure's last
(shrunk) example can be written as a script that replays it
(:mod:`strategies.reports.reproduce`): the draws from its ``data`` object, and the
values of its other ``@given`` arguments (which are passed through untouched)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from typing import Any

import pytest
from hypothesis import strategies as st

from strategies.plugin.session import suite_run
from strategies.reports.reproduce import LastExample, RecordingData

__all__ = ["pytest_runtest_call"]


def _recording(inner: Callable[..., Any], given: frozenset[str]) -> Callable[..., Any]:
    @functools.wraps(inner)
    def one_example(*args: Any, **kwargs: Any) -> Any:
        LastExample.start()
        for name in sorted(given & kwargs.keys()):
            if isinstance(kwargs[name], st.DataObject):
                kwargs[name] = RecordingData(kwargs[name])
            else:
                LastExample.note_argument(name, kwargs[name])
        return inner(*args, **kwargs)

    return one_example


def _given_names(test: Callable[..., Any], inner: Callable[..., Any]) -> frozenset[str]:
    """The arguments ``@given`` supplies: those of the inner test that the test
    pytest calls does not take (fixtures and parameters)."""
    return frozenset(inspect.signature(inner).parameters) - frozenset(inspect.signature(test).parameters)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    test = getattr(item, "obj", None)
    handle = getattr(test, "hypothesis", None)
    if suite_run(item.config) is None or test is None or handle is None or not hasattr(handle, "inner_test"):
        return (yield)
    original = handle.inner_test
    handle.inner_test = _recording(original, _given_names(test, original))
    try:
        return (yield)
    finally:
        handle.inner_test = original
