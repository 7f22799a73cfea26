"""Remembering what each example of a property draws, so that a failure's last
(shrunk) example can be written as a script that replays it
(:mod:`strategies.reports.reproduce`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import Any

import pytest

from strategies.plugin.session import suite_run
from strategies.reports.reproduce import RecordingData

__all__ = ["pytest_runtest_call"]


def _recording(inner: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(inner)
    def one_example(*args: Any, **kwargs: Any) -> Any:
        if "data" in kwargs:
            kwargs["data"] = RecordingData(kwargs["data"])
        return inner(*args, **kwargs)

    return one_example


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    if suite_run(item.config) is None or handle is None or not hasattr(handle, "inner_test"):
        return (yield)
    original = handle.inner_test
    handle.inner_test = _recording(original)
    try:
        return (yield)
    finally:
        handle.inner_test = original
