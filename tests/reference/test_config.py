"""Config, using_config, no_grad, test_mode: values, restoring, errors, and isolation
between threads and between asyncio tasks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import dezero
from dezero import Config, Variable, no_grad, test_mode, using_config


@pytest.fixture(autouse=True)
def _defaults_restored() -> Iterator[None]:
    """Tests here assign Config attributes; put the defaults back afterwards."""
    yield
    Config.enable_backprop = True
    Config.train = True


# Read through functions: mypy would otherwise narrow the attribute after an assert.
def _grad_mode() -> bool:
    return Config.enable_backprop


def _train_mode() -> bool:
    return Config.train


def _builds_graph() -> bool:
    return (Variable(np.ones(1)) * 2.0).creator is not None


def test_defaults() -> None:
    assert _grad_mode() is True
    assert _train_mode() is True
    assert _builds_graph()


def test_using_config_sets_and_restores() -> None:
    with using_config("enable_backprop", False):
        assert _grad_mode() is False
        assert not _builds_graph()
        with using_config("enable_backprop", True):
            assert _builds_graph()
        assert not _builds_graph()
    assert _grad_mode() is True
    assert _builds_graph()


def test_using_config_restores_after_an_exception() -> None:
    with pytest.raises(RuntimeError, match="inside"):
        with using_config("train", False):
            raise RuntimeError("inside")
    assert _train_mode() is True


def test_using_config_with_an_unknown_option_is_a_value_error() -> None:
    message = "unknown Config option 'enable_backward'; known options: book_random, enable_backprop, train"
    with pytest.raises(ValueError, match=message):
        with using_config("enable_backward", False):
            pass


def test_config_values_must_be_bools() -> None:
    with pytest.raises(TypeError, match="Config.train must be a bool, got int"):
        with using_config("train", 0):  # type: ignore[arg-type]  # deliberately wrong
            pass
    with pytest.raises(TypeError, match="Config.enable_backprop must be a bool, got NoneType"):
        Config.enable_backprop = None  # type: ignore[assignment]  # deliberately wrong
    assert _grad_mode() is True


def test_no_grad_and_test_mode() -> None:
    with no_grad():
        assert _grad_mode() is False
        assert _train_mode() is True
        assert not _builds_graph()
    with test_mode():
        assert _train_mode() is False
        assert _grad_mode() is True
    assert _grad_mode() is True and _train_mode() is True


def test_enable_backprop_reads_and_assigns_as_in_the_book() -> None:
    Config.enable_backprop = False
    assert _grad_mode() is False
    assert not _builds_graph()
    Config.enable_backprop = True
    assert _builds_graph()
    Config.train = False
    assert _train_mode() is False


def test_names_are_exported_from_the_package() -> None:
    assert dezero.Config is Config
    assert dezero.no_grad is no_grad and dezero.test_mode is test_mode
    assert dezero.using_config is using_config


def _in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_no_grad_in_one_thread_does_not_affect_another() -> None:
    inside = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    seen: dict[str, bool] = {}

    def without_grad() -> None:
        with no_grad():
            inside.wait()  # the other thread now works while this one is in no_grad
            seen["no_grad thread builds graph"] = _builds_graph()
            done.wait()

    def with_grad() -> None:
        inside.wait()
        seen["grad thread builds graph"] = _builds_graph()
        seen["grad thread enable_backprop"] = _grad_mode()
        done.wait()

    threads = [_in_thread(without_grad), _in_thread(with_grad)]
    for thread in threads:
        thread.join()
    assert seen == {
        "no_grad thread builds graph": False,
        "grad thread builds graph": True,
        "grad thread enable_backprop": True,
    }


def test_assigning_config_in_one_thread_does_not_affect_another() -> None:
    assigned = threading.Barrier(2, timeout=10)
    seen: list[bool] = []

    def assigner() -> None:
        Config.train = False
        assigned.wait()

    def reader() -> None:
        assigned.wait()
        seen.append(_train_mode())

    threads = [_in_thread(assigner), _in_thread(reader)]
    for thread in threads:
        thread.join()
    assert seen == [True]
    assert _train_mode() is True


def test_no_grad_in_one_asyncio_task_does_not_affect_another() -> None:
    async def main() -> dict[str, bool]:
        entered = asyncio.Event()
        checked = asyncio.Event()
        seen: dict[str, bool] = {}

        async def without_grad() -> None:
            with no_grad():
                entered.set()
                await checked.wait()  # suspended inside no_grad while the other task runs
                seen["no_grad task"] = _builds_graph()

        async def with_grad() -> None:
            await entered.wait()
            seen["grad task"] = _builds_graph()
            checked.set()

        await asyncio.gather(without_grad(), with_grad())
        return seen

    assert asyncio.run(main()) == {"no_grad task": False, "grad task": True}
